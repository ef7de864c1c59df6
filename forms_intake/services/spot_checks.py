"""Spot checks (抽查, seed items 20-21): draw, assign, record findings, evaluate. Audited in Wagtail's log.

Who does what:
- an administrator with ``add_spotcheck`` draws a sample for a division within their own divisions (a
  provincial administrator for any division of the province, a city administrator for their city and
  below); ``view_spotcheck`` shows the checks of divisions within their divisions;
- ``assign_spotcheck`` hands the items to reviewers who work OUTSIDE the division (neither in it, above it
  nor below it): nobody re-checks their own division's work;
- the reviewer an item is assigned to, and only they, record its finding.
Anything outside a user's reach answers 404 (``Http404``), as everywhere in the back office.
"""

from __future__ import annotations

from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from forms_intake.models import Division, SpotCheck, SpotCheckItem, StaffDivision, Submission
from forms_intake.rules import annex2
from forms_intake.rules import spot_checks as rules
from forms_intake.rules.routing import scope_prefix
from forms_intake.rules.states import SubmissionStatus
from forms_intake.services.scope import prefix_q, reduce_prefixes, user_divisions, user_prefixes

DRAW = "forms_intake.add_spotcheck"
VIEW = "forms_intake.view_spotcheck"
ASSIGN = "forms_intake.assign_spotcheck"
REVIEW = "forms_intake.review_submission"
#: Registered is 已登记, and 已发卡 (a card is issued only to a registered person).
REGISTERED_STATES = (SubmissionStatus.REGISTERED, SubmissionStatus.CARD_ISSUED)

#: The log actions of spot checks (Wagtail's log: the check's history and the site history report).
ACTION_LABELS = {
    "forms_intake.spot_check_draw": gettext_lazy("Spot-check sample drawn"),
    "forms_intake.spot_check_assign": gettext_lazy("Spot-check items assigned"),
    "forms_intake.spot_check_finding": gettext_lazy("Spot-check finding recorded"),
}


def register_log_actions(actions):
    """Called from the ``register_log_actions`` hook."""
    for action, label in ACTION_LABELS.items():
        actions.register_action(action, label, label)


def _audit(check, action, user, **data):
    log(instance=check, action=action, user=user, data=data)


# --------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------


def _within(user, division_code):
    prefixes = user_prefixes(user)
    if prefixes is None:
        return True
    code = scope_prefix(division_code)
    return any(code.startswith(p) for p in prefixes)


def drawable_divisions(user):
    """The divisions the user may draw a sample for (their own and everything below), or none."""
    if not user.has_perm(DRAW):
        return Division.objects.none()
    return user_divisions(user)


def checks_for(user):
    """The spot checks the user may see: those of divisions within their divisions."""
    if not user.has_perm(VIEW):
        return SpotCheck.objects.none()
    prefixes = user_prefixes(user)
    queryset = SpotCheck.objects.select_related("division", "drawn_by")
    if prefixes is None:
        return queryset
    if not prefixes:
        return queryset.none()
    q = Q()
    for prefix in prefixes:
        q |= Q(division__code__startswith=prefix)
    return queryset.filter(q)


def get_check_or_404(user, pk):
    try:
        return checks_for(user).get(pk=int(pk))
    except (SpotCheck.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


# --------------------------------------------------------------------------
# Draw
# --------------------------------------------------------------------------


def population(division):
    """The registered submissions under ``division`` (a range on the indexed queue code)."""
    return Submission.objects.filter(prefix_q(scope_prefix(division.code)), status__in=REGISTERED_STATES)


def draw(user, division, size, seed=None, note=""):
    """Draw ``size`` registered submissions of ``division`` at random (seeded); returns the SpotCheck."""
    if not drawable_divisions(user).filter(pk=division.pk).exists():
        raise Http404
    size = int(size)
    if not 1 <= size <= rules.MAX_SAMPLE_SIZE:
        raise ValidationError(_("The sample size must be between 1 and %(max)d.") % {"max": rules.MAX_SAMPLE_SIZE})
    seed = rules.new_seed() if seed in (None, "") else int(seed)
    ids = list(population(division).values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("%(division)s has no registered submissions to sample.") % {"division": division.name})
    sample = rules.draw_sample(ids, size, seed)
    references = dict(Submission.objects.filter(pk__in=sample).values_list("pk", "reference"))
    with transaction.atomic():
        check = SpotCheck.objects.create(
            division=division,
            sample_size=len(sample),
            seed=seed,
            population_count=len(ids),
            population_max_id=max(ids),
            drawn_by=user,
            note=note,
        )
        SpotCheckItem.objects.bulk_create(
            SpotCheckItem(spot_check=check, position=i, submission_id=pk, reference=references[pk])
            for i, pk in enumerate(sample, start=1)
        )
        _audit(
            check,
            "forms_intake.spot_check_draw",
            user,
            division=division.code,
            size=len(sample),
            seed=seed,
            population=len(ids),
        )
    return check


def redraw_ids(check):
    """The sample drawn again from the recorded population, size and seed (equals the items' submissions)."""
    ids = population(check.division).filter(pk__lte=check.population_max_id).values_list("pk", flat=True)
    return rules.draw_sample(list(ids), check.sample_size, check.seed)


# --------------------------------------------------------------------------
# Assign
# --------------------------------------------------------------------------


def eligible_reviewers(check):
    """Active reviewers whose divisions lie outside the check's division (neither in, above nor below it)."""
    permission = Permission.objects.get(content_type__app_label="forms_intake", codename="review_submission")
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .distinct()
        .order_by("username")
    )
    codes = {}
    for user_id, code in StaffDivision.objects.filter(user__in=users).values_list("user_id", "division_id"):
        codes.setdefault(user_id, []).append(code)
    prefix = scope_prefix(check.division_id)
    return [u for u in users if u.pk in codes and not rules.overlaps(prefix, reduce_prefixes(codes[u.pk]))]


def assign(user, check, reviewers):
    """Hand the check's unassigned, unchecked items to ``reviewers`` in turn; returns how many were assigned."""
    if not user.has_perm(ASSIGN) or not _within(user, check.division_id):
        raise PermissionDenied
    eligible = {u.pk for u in eligible_reviewers(check)}
    reviewer_ids = [r.pk for r in reviewers]
    if not reviewer_ids:
        raise ValidationError(_("Choose at least one reviewer."))
    if any(pk not in eligible for pk in reviewer_ids):
        raise ValidationError(_("A reviewer who works in, above or below this division cannot re-check it."))
    items = list(check.items.filter(reviewer__isnull=True, result="").order_by("position").values_list("pk", flat=True))
    plan = rules.assign_round_robin(items, reviewer_ids)
    now = timezone.now()
    with transaction.atomic():
        for reviewer_id in reviewer_ids:
            mine = [item for item, r in plan.items() if r == reviewer_id]
            SpotCheckItem.objects.filter(pk__in=mine).update(reviewer_id=reviewer_id, assigned_at=now)
        _audit(
            check,
            "forms_intake.spot_check_assign",
            user,
            items=len(plan),
            reviewers=[r.get_username() for r in reviewers],
        )
    return len(plan)


# --------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------


def items_for_reviewer(user):
    return (
        SpotCheckItem.objects.filter(reviewer=user)
        .select_related("spot_check__division")
        .order_by("result", "spot_check_id", "position")
    )


def get_item_for_reviewer_or_404(user, pk):
    """The item if it is assigned to ``user``; 404 for anyone else (even the administrator who drew it)."""
    try:
        return items_for_reviewer(user).select_related("submission").get(pk=int(pk))
    except (SpotCheckItem.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def error_field_choices():
    """The Annex 2 fields a finding can name, as (name, label) in the form's order."""
    return [(f.name, f.label) for f in annex2.schema().stored]


def record_finding(user, item, result, error_field="", note=""):
    """Record the reviewer's finding on ``item`` (correct, or an error in one field with a note)."""
    if item.reviewer_id != user.pk:
        raise Http404
    if result not in (SpotCheckItem.Result.CORRECT, SpotCheckItem.Result.ERROR):
        raise ValidationError(_("Choose whether the registration is correct or has an error."))
    if result == SpotCheckItem.Result.ERROR:
        if error_field not in dict(error_field_choices()):
            raise ValidationError(_("Choose the field that is in error."))
        if not note.strip():
            raise ValidationError(_("Describe the error in the note."))
    else:
        error_field = ""
    item.result, item.error_field, item.note, item.checked_at = result, error_field, note.strip(), timezone.now()
    item.save(update_fields=["result", "error_field", "note", "checked_at"])
    # The note is free text and may quote the form: it stays in the item, not in the log.
    _audit(
        item.spot_check,
        "forms_intake.spot_check_finding",
        user,
        position=item.position,
        result=result,
        field=error_field,
    )
    return item


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------


def evaluation(check):
    """The check's figures: sampled, checked, errors, error rate and its 95 % Wilson interval, errors by field."""
    rows = list(check.items.values_list("result", "error_field"))
    checked = sum(1 for result, _field in rows if result)
    errors = sum(1 for result, _field in rows if result == SpotCheckItem.Result.ERROR)
    labels = dict(error_field_choices())
    by_field = Counter(field for result, field in rows if result == SpotCheckItem.Result.ERROR)
    return {
        "sampled": len(rows),
        "checked": checked,
        "errors": errors,
        "pending": len(rows) - checked,
        "rate": errors / checked if checked else None,
        "interval": rules.wilson_interval(errors, checked),
        "by_field": [(labels.get(name, name), count) for name, count in by_field.most_common()],
    }
