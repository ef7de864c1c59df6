"""Seed content: the texts `load_portal_content` creates, in Chinese with their English translations.

The home app's pages are added through `EXTRA_STEPS`: callables taking
(command, home_page, zh_locale, en_locale), each idempotent. Other apps seed
their own content with their own commands, after this one (see the Makefile's
`setup` target).
"""

HOME_PAGE_ZH = {
    "title": "湖南省全民参保登记",
    "intro": (
        "<p>全民参保登记是摸清底数、精准扩面的基础工作。尚未参加社会保险的居民，"
        "可以在网上自助登记，也可以到户籍所在地的乡镇（街道）社会保障所登记。</p>"
    ),
    "call_to_action_text": "立即登记",
}

HOME_PAGE_EN = {
    "湖南省全民参保登记": "Hunan Universal Social Insurance Registration",
    "home": "home",
    "<p>全民参保登记是摸清底数、精准扩面的基础工作。尚未参加社会保险的居民，"
    "可以在网上自助登记，也可以到户籍所在地的乡镇（街道）社会保障所登记。</p>": (
        "<p>Universal registration finds everyone who is not yet covered by social insurance so that "
        "coverage can reach them. Residents who are not insured can register online, or at the social "
        "security office of the township or sub-district where their household is registered.</p>"
    ),
    "立即登记": "Register now",
}

from home.seed_information import seed_information_pages  # noqa: E402  (privacy notice, accessibility statement)
from home.seed_pages import seed_public_pages  # noqa: E402  (public pages, issue 3)

# The home app's own part only: each app seeds its own content with its own command (the registration
# app's `load_registration_content` adds /register/ and /status/ and links the home page to them).
EXTRA_STEPS = [seed_public_pages, seed_information_pages]
