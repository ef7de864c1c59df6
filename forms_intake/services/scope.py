"""Which submissions a staff user may see: the divisions assigned to them (StaffDivision).

Every back-office view, export, report and panel goes through
``scoped_submissions(user)``; per-object access through
``get_scoped_submission_or_404``, so that anything outside a user's
divisions answers 404 and never reveals that it exists.

How it stays fast at millions of rows: queue codes are stored in prefix form
(routing.scope_prefix), so "under division D" is ``queue_code`` in the
half-open range [prefix, successor(prefix)) — e.g. county 430102 is
``'430102' <= queue_code < '430103'``. A range on a digits-only column
uses the ordinary B-tree index ``submission_queue_idx`` (queue_code,
status, created_at) under any collation, on PostgreSQL and SQLite alike,
whereas ``LIKE 'prefix%'`` would need a ``varchar_pattern_ops`` index
under a non-C collation. Township staff get an equality match.

Rules: superusers see everything (they administer the system); any other
user sees exactly the submissions under their divisions, and nothing at all
without a division or without the ``view_submission`` permission.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from forms_intake.models import Division, Submission
from forms_intake.rules.routing import scope_prefix

VIEW_PERMISSION = "forms_intake.view_submission"
# Township codes are the leaves: nothing can be routed below them.
_LEAF_LENGTH = 9


def _successor(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (digits only)."""
    digits = prefix.rstrip("9")
    if not digits:
        return ":"  # ':' sorts right after '9'
    return digits[:-1] + chr(ord(digits[-1]) + 1)


def reduce_prefixes(codes) -> list[str]:
    """Division codes as prefixes, dropping any covered by a shorter one."""
    prefixes = sorted({scope_prefix(code) for code in codes if code})
    kept: list[str] = []
    for prefix in prefixes:
        if not any(prefix.startswith(shorter) for shorter in kept):
            kept.append(prefix)
    return kept


def prefix_q(prefix: str, field: str = "queue_code") -> Q:
    """A Q matching queue codes under ``prefix`` (an index range, see the module docstring)."""
    if len(prefix) >= _LEAF_LENGTH:
        return Q(**{field: prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": _successor(prefix)})


def user_prefixes(user) -> list[str] | None:
    """The user's scope prefixes; None means unrestricted (superuser); [] means nothing.

    Cached on the user object for the request (views call this several times).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cached = getattr(user, "_forms_intake_prefixes", None)
    if cached is None:
        if not user.has_perm(VIEW_PERMISSION):
            cached = []
        else:
            codes = user.staff_divisions.values_list("division_id", flat=True)
            cached = reduce_prefixes(codes)
        user._forms_intake_prefixes = cached
    return cached


def scope_q(user) -> Q | None:
    """A Q for the user's scope; None when unrestricted. A user with no divisions gets an impossible Q."""
    prefixes = user_prefixes(user)
    if prefixes is None:
        return None
    if not prefixes:
        return Q(pk__in=[])
    q = Q()
    for prefix in prefixes:
        q |= prefix_q(prefix)
    return q


def scoped_submissions(user, queryset=None):
    """``queryset`` (default: all submissions) restricted to the user's divisions."""

    if queryset is None:
        queryset = Submission.objects.all()
    q = scope_q(user)
    if q is None:
        return queryset
    if q == Q(pk__in=[]):
        return queryset.none()
    return queryset.filter(q)


def in_scope(user, submission) -> bool:
    """True if ``submission`` lies under one of the user's divisions (no query when cached)."""
    prefixes = user_prefixes(user)
    if prefixes is None:
        return True
    code = submission.queue_code or ""
    return any(code == p if len(p) >= _LEAF_LENGTH else code.startswith(p) for p in prefixes)


def get_scoped_submission_or_404(user, pk, queryset=None):
    """The submission ``pk`` if the user may see it; Http404 otherwise (also for a malformed pk)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    try:
        return scoped_submissions(user, queryset).get(pk=pk)
    except Exception as exc:
        if exc.__class__.__name__ == "DoesNotExist":
            raise Http404 from None
        raise


def user_divisions(user):
    """Divisions the user may filter by: their own divisions and everything below them."""

    prefixes = user_prefixes(user)
    queryset = Division.objects.all()
    if prefixes is None:
        return queryset
    if not prefixes:
        return queryset.none()
    q = Q()
    for prefix in prefixes:
        q |= Q(code__startswith=prefix)
    return queryset.filter(q)
