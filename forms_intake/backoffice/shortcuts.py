"""Keyboard access to the detail page's common actions: HTML access keys, and "next item" without acting.

The detail page's actions get plain ``accesskey`` attributes (the browser's own mechanism: nothing to
intercept, works in every browser and with screen readers). The keys are listed twice, with the key
combination of the clerk's browser: in a help panel of the detail page, and in Wagtail's keyboard-shortcuts
dialog (its template's ``shortcuts`` block, extended in forms_intake/templates/wagtailadmin/shared/), in a
section of their own holding the actions the user's permissions allow. A clerk who switched keyboard
shortcuts off in Wagtail's account preferences gets no access keys either.

"Next" opens the next item of the list the clerk works from (next_item.py) without acting on this one.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

from forms_intake.backoffice import next_item
from forms_intake.services import transitions
from forms_intake.services.scope import VIEW_PERMISSION, get_scoped_submission_or_404

#: Access keys of the detail page: action (transition name, or "correct"/"next") → key.
#: Letters that no browser binds to Alt / Alt+Shift / Ctrl+Option (D, E, F are browser menus).
ACCESS_KEYS = {
    "claim": "c",
    "release": "l",
    "complete": "s",
    "return": "b",
    "reject": "x",
    "register": "g",
    "send_back": "h",
    "correct": "k",
    "next": "n",
}
#: What each key does, for the help panel (the transitions' own labels are used where there is one).
LABELS = {"correct": _("Correct details"), "next": _("Next item of my list")}


def shortcuts_enabled(user) -> bool:
    """Whether the user keeps Wagtail's keyboard shortcuts on (their account preference; on by default)."""
    profile = getattr(user, "wagtail_userprofile", None)
    return bool(getattr(profile, "keyboard_shortcuts", True))


def key_combination(request, key: str) -> str:
    """How the clerk's browser triggers an access key (from its User-Agent), e.g. "Alt + Shift + C"."""
    agent = request.headers.get("User-Agent", "")
    letter = key.upper()
    if "Mac" in agent or "iPhone" in agent or "iPad" in agent:
        return f"Ctrl + ⌥ + {letter}"
    if "Firefox" in agent:
        return f"Alt + Shift + {letter}"
    return f"Alt + {letter}"


def dialog_rows(request) -> list[tuple[str, str]]:
    """(label, key combination) of every detail-page action the user may take, for Wagtail's dialog."""
    user = request.user
    if not user.has_perm(VIEW_PERMISSION):
        return []
    rows = [
        (transition.label, key_combination(request, ACCESS_KEYS[name]))
        for name, transition in transitions.TRANSITIONS.items()
        if name in ACCESS_KEYS and user.has_perm(transition.permission)
    ]
    if user.has_perm("forms_intake.change_submission"):
        rows.append((LABELS["correct"], key_combination(request, ACCESS_KEYS["correct"])))
    rows.append((LABELS["next"], key_combination(request, ACCESS_KEYS["next"])))
    return rows


def next_view(request, pk):
    """The next item of the clerk's list after this one, without acting on it (or back to the list)."""
    submission = get_scoped_submission_or_404(request.user, pk)
    queryset, condition = next_item.sort_position(request, submission)
    following = next_item.next_item(queryset, condition, submission.pk)
    if following is None:
        messages.info(request, _("That was the last item of your list."))
        return redirect(next_item.listing_url(request))
    return redirect("forms_intake_submission:inspect", following)


def admin_urls():
    return [path("registrations/next/<int:pk>/", next_view, name="forms_intake_submission_next")]
