"""Registrations in progress ("drafts"): one per tab, named by a random id in the wizard's URL.

A parent registering two children in two tabs has two drafts: each tab's URLs carry its own
``?draft=<id>`` and the wizard keeps each draft's answers under its own session key (server-side,
encrypted by ``EncryptedSessionStorage``). The id is random and says nothing about the person.

URLs without a draft id still work and share one draft per session (old bookmarks, scripts);
every page the site links to (the introduction's "start", "register another family member")
creates a draft with an id.
"""

from __future__ import annotations

import re
import secrets
import time

#: The query parameter naming the draft.
DRAFT_PARAM = "draft"
#: The session key of the list of this session's drafts, oldest first: [[id, created], ...].
DRAFTS_SESSION_KEY = "registration_drafts"
#: At most this many drafts per session (the oldest is dropped): a family, not a script.
MAX_DRAFTS = 6
#: formtools' storage prefix of the wizard (the session key is ``wizard_<prefix>``).
BASE_PREFIX = "registration"

_DRAFT_ID = re.compile(r"^[A-Za-z0-9_-]{8,24}$")


def valid_draft_id(value) -> bool:
    """True for a well-formed draft id (never an arbitrary session key)."""
    return bool(value) and bool(_DRAFT_ID.match(value))


def draft_of(request) -> str:
    """The draft named by the request's URL ('' for none or a malformed one)."""
    value = request.GET.get(DRAFT_PARAM, "")
    return value if valid_draft_id(value) else ""


def storage_prefix(draft: str) -> str:
    """formtools' prefix of a draft's storage ('registration' for URLs without a draft)."""
    return f"{BASE_PREFIX}_{draft}" if draft else BASE_PREFIX


def session_key(draft: str) -> str:
    """The session key holding a draft's answers."""
    return f"wizard_{storage_prefix(draft)}"


def new_draft(session) -> str:
    """Register a new draft in the session and return its id (the oldest drafts beyond MAX_DRAFTS go)."""
    draft = secrets.token_urlsafe(12)
    drafts = [entry for entry in session.get(DRAFTS_SESSION_KEY) or [] if valid_draft_id(entry[0])]
    drafts.append([draft, int(time.time())])
    for old, _created in drafts[:-MAX_DRAFTS]:
        session.pop(session_key(old), None)
    session[DRAFTS_SESSION_KEY] = drafts[-MAX_DRAFTS:]
    return draft


def discard(session, draft: str) -> None:
    """Delete one draft's answers (the other drafts of the session stay)."""
    session.pop(session_key(draft), None)
    if draft:
        session[DRAFTS_SESSION_KEY] = [e for e in session.get(DRAFTS_SESSION_KEY) or [] if e[0] != draft]


def drafts_in_progress(session) -> list[str]:
    """Ids of this session's drafts that have answers, newest first ('' for the draft of URLs without an id)."""
    drafts = [entry[0] for entry in session.get(DRAFTS_SESSION_KEY) or []] + [""]  # "": URLs without an id
    return [d for d in reversed(drafts) if (session.get(session_key(d)) or {}).get("step")]


def with_draft(url: str, draft: str) -> str:
    """`url` naming `draft` (unchanged without one)."""
    if not draft:
        return url
    return f"{url}{'&' if '?' in url else '?'}{DRAFT_PARAM}={draft}"


#: The session key of when any wizard page or keep-alive last extended the session (seconds since the epoch).
TOUCHED_KEY = "registration_touched"


def touch(session) -> None:
    """Note that the session was just extended (a wizard page saved it, or a tab's keep-alive)."""
    session[TOUCHED_KEY] = int(time.time())


def seconds_left(session, age: int) -> int:
    """Seconds until the session expires, as far as the wizard knows (another tab may have extended it)."""
    touched = session.get(TOUCHED_KEY)
    if not touched:
        return 0
    return max(0, int(touched) + age - int(time.time()))
