"""What a staff member reads on an admin screen, and the English sentences in it.

The text is every text node outside scripts and styles, and the attributes that a browser shows or
reads out (title, aria-label, placeholder, alt, and the value of buttons). An "English sentence" is two
or more Latin words in a row; proper names and content that is English by design (English pages'
titles, file names) are allowed by the caller.
"""

import re
from html.parser import HTMLParser

SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-w-tooltip-content-value"}
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ \t]+(?:[A-Za-z][A-Za-z'’]*|\d+))*[ \t]+[A-Za-z][A-Za-z'’]*")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg"):
            self._skip += 1
        attributes = dict(attrs)
        for name, value in attributes.items():
            if value and name in SHOWN_ATTRIBUTES:
                self.parts.append(value)
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def shown_text(html):
    """The texts of the page a person sees or hears, in order."""
    parser = _Text()
    parser.feed(html)
    return parser.parts


def english_sentences(html, allowed=()):
    """The runs of two or more English words in the shown text that are not in `allowed`."""
    found = []
    for part in shown_text(html):
        for allowed_text in allowed:
            part = part.replace(allowed_text, " ")
        found.extend(match.group(0) for match in ENGLISH_RUN.finditer(part))
    return sorted(set(found))
