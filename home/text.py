"""Plain text out of rich text and StreamField data, for search and link previews."""

import re

from django.utils.html import strip_tags
from django.utils.text import Truncator

# Keys of block data that hold settings or references, not words a reader sees.
_NON_TEXT_KEYS = {
    "type", "id", "level", "status", "image", "document", "first_row_is_table_header", "first_col_is_header",
}
_SPACE = re.compile(r"\s+")


def plain_text(value):
    """Text without tags and with whitespace collapsed ("" for None)."""
    if not value:
        return ""
    if hasattr(value, "source"):  # RichText
        value = value.source
    return _SPACE.sub(" ", strip_tags(str(value)).replace("&nbsp;", " ")).strip()


def _walk(data, out):
    if isinstance(data, str):
        out.append(data)
    elif isinstance(data, list | tuple):
        for item in data:
            _walk(item, out)
    elif isinstance(data, dict):
        for key, item in data.items():
            if key not in _NON_TEXT_KEYS:
                _walk(item, out)


def stream_text(stream_value):
    """Every text a reader sees in a StreamField value (headings, paragraphs, table cells, captions)."""
    out = []
    _walk(list(stream_value.raw_data), out)
    return " ".join(t for t in (plain_text(s) for s in out) if t)


def excerpt(text, words=60):
    """A short excerpt of plain text (characters for Chinese, which has no spaces)."""
    return Truncator(plain_text(text)).chars(words * 2)
