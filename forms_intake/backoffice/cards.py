"""Card issuance in the back office (seed item 16): batches of issued cards by township, to print and hand out.

The business systems report each card through the API (forms_intake/api/results.py). Here staff of a
division see, per township of their scope, the cards waiting to be collected; a township's batch is a
list to print (masked ID and card numbers only), where the handler ticks the cards handed over and marks
them collected (audited as 已领卡 in each timeline, and written to the outbox). Scope is the staff scope:
a township outside the user's divisions answers 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages

from forms_intake.models import Division, SocialSecurityCard
from forms_intake.services import audit, outbox
from forms_intake.services.scope import VIEW_PERMISSION, prefix_q, user_prefixes
from forms_intake.services.transitions import CLAIM


def _scope_q(user):
    prefixes = user_prefixes(user)
    if prefixes is None:
        return Q()
    if not prefixes:
        return Q(pk__in=[])
    q = Q()
    for prefix in prefixes:
        q |= prefix_q(prefix, "township_code")
    return q


def scoped_cards(user):
    """The cards under the user's divisions."""
    if not user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    return SocialSecurityCard.objects.filter(_scope_q(user))


def batches_view(request):
    """Townships of the user's scope with their cards waiting to be collected."""
    rows = list(
        scoped_cards(request.user).values("township_code")
        .annotate(waiting=Count("pk", filter=Q(collected_at__isnull=True)), issued=Count("pk"))
        .order_by("township_code")
    )
    names = dict(Division.objects.filter(code__in=[r["township_code"] for r in rows]).values_list("code", "name"))
    for row in rows:
        row["name"] = names.get(row["township_code"], row["township_code"])
    return TemplateResponse(request, "forms_intake/admin/cards_batches.html", {
        "header_title": _("Social security cards"), "rows": rows,
    })


def batch_view(request, code):
    """One township's cards waiting to be collected: a list to print; POST marks the ticked ones collected."""
    cards = scoped_cards(request.user).filter(township_code=code)
    if not cards.exists():
        raise Http404
    if request.method == "POST":
        if not request.user.has_perm(CLAIM):
            raise PermissionDenied
        chosen = [pk for pk in request.POST.getlist("card") if pk.isdigit()]
        marked = mark_collected(request.user, cards.filter(pk__in=chosen, collected_at__isnull=True))
        messages.success(request, _("%(count)s cards marked collected.") % {"count": marked})
        return redirect("forms_intake_cards:batch", code)
    waiting = (
        cards.filter(collected_at__isnull=True)
        .select_related("submission").only(
            "card_number_masked", "bank", "issued_on", "collection_point", "submission__reference",
            "submission__name", "submission__id_number_masked",
        ).order_by("submission__name", "pk")
    )
    division = Division.objects.filter(code=code).first()
    return TemplateResponse(request, "forms_intake/admin/cards_batch.html", {
        "header_title": _("Cards to collect: %(place)s") % {"place": division.name if division else code},
        "cards": waiting, "code": code, "can_mark": request.user.has_perm(CLAIM),
    })


def mark_collected(user, cards) -> int:
    """Mark ``cards`` collected now, each audited in its submission's timeline and sent to the outbox."""
    count = 0
    now = timezone.now()
    for card in cards.select_related("submission"):
        with transaction.atomic():
            if not SocialSecurityCard.objects.filter(pk=card.pk, collected_at__isnull=True).update(collected_at=now):
                continue
            submission = card.submission
            audit.record(submission, "card_collected", user, from_status=submission.status,
                         to_status=submission.status, note=card.card_number_masked)
            outbox.record_change(submission, "card_collected", from_status=submission.status,
                                 to_status=submission.status)
            count += 1
    return count


def admin_urls():
    """URLs under /admin/registrations/cards/ (namespace ``forms_intake_cards``)."""
    return [
        path("", batches_view, name="index"),
        path("<str:code>/", batch_view, name="batch"),
    ]
