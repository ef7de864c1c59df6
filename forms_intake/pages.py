"""Wagtail pages of the registration service: the Annex 2 wizard and the status lookup.

The forms themselves live in code (gettext labels, never translatable page
content); editors change the introduction, each step's guidance and the
confirmation texts, and translate them with wagtail-localize. Submissions
are never page content.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from forms_intake.rules import annex2
from forms_intake.services import divisions
from forms_intake.wizard import drafts
from portal import ratelimit
from portal.content_memo import ViewRestrictionsMixin

#: The wizard's steps, for choosing which one a piece of guidance belongs to (from the Annex 2 schema).
STEP_CHOICES = [(step.name, step.review_title or step.title) for step in annex2.schema().steps]
#: PDF downloads of the receipt's form (done/pdf/) per window: per connection (a counter's shared
#: address prints for many residents), and per registration (a resident needs one or two).
PDF_CLIENT_LIMIT = 60
PDF_FORM_LIMIT = 10
PDF_WINDOW_SECONDS = 600


class StepGuidanceBlock(blocks.StructBlock):
    """Guidance shown above the questions of one wizard step."""

    step = blocks.ChoiceBlock(choices=STEP_CHOICES, label=_("step"))
    text = blocks.RichTextBlock(features=["bold", "link", "ul"], label=_("guidance"))

    class Meta:
        icon = "help"
        label = _("Step guidance")


class RegistrationPage(ViewRestrictionsMixin, RoutablePageMixin, Page):
    """The online Annex 2 registration: introduction, wizard steps, receipt and printable form.

    Routes: "" introduction, "step/<step>/" the wizard, "done/" the receipt,
    "done/print/" the printable Annex 2, "done/pdf/" the same as a PDF, "divisions/" the cascading select
    data, "keepalive/" and "expired/" for the session timeout.
    """

    intro = RichTextField(
        verbose_name=_("introduction"), help_text=_("Who can register, what to have ready and how long it takes.")
    )
    guidance = StreamField(
        [("step_guidance", StepGuidanceBlock())],
        blank=True,
        verbose_name=_("step guidance"),
        help_text=_("Optional guidance shown above the questions of a step."),
    )
    confirmation_text = RichTextField(
        verbose_name=_("what happens next"), help_text=_("Shown on the receipt after a registration is submitted.")
    )
    reminder = models.TextField(
        verbose_name=_("温馨提示"),
        help_text=_("The reminder printed on Annex 2; shown on the receipt and the printable form."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("guidance"),
        FieldPanel("confirmation_text"),
        FieldPanel("reminder"),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1
    # Personal answers: never in the page cache (portal/cache.py), whatever the path.
    cache_page = False

    class Meta:
        verbose_name = _("registration page")

    def guidance_for(self, step):
        """The editor's guidance for a step, or None."""
        for block in self.guidance:
            if block.value.get("step") == step:
                return block.value.get("text")
        return None

    # ---- routes ---------------------------------------------------------

    def _step_url(self, step, draft=""):
        return drafts.with_draft(self.url + self.reverse_subpage("step", args=[step]), draft)

    @path("")
    def introduction(self, request):
        from forms_intake.wizard.view import RECEIPT_SESSION_KEY  # reason: wizard imports this module's models

        if request.method == "POST":
            if "restart" in request.POST and not drafts.draft_of(request):
                # The draft of URLs without an id (old links): cleared, as its "start again" always did.
                drafts.discard(request.session, "")
                return redirect(self._step_url("filer"))
            # "Start": a new draft of its own, whatever other tabs are filling in.
            return redirect(self._step_url("filer", drafts.new_draft(request.session)))
        in_progress = drafts.drafts_in_progress(request.session)
        continue_url = None
        if in_progress:
            stored = request.session.get(drafts.session_key(in_progress[0])) or {}
            # Continue where the resident was (the wizard checks the step is still reachable).
            continue_url = self._step_url(stored.get("step") or "filer", in_progress[0])
        response = TemplateResponse(
            request,
            "forms_intake/registration_page.html",
            {
                "page": self,
                "in_progress": bool(in_progress),
                "has_receipt": bool(request.session.get(RECEIPT_SESSION_KEY)),
                "continue_url": continue_url,
            },
        )
        add_never_cache_headers(response)
        return response

    @path("restart/")
    def restart(self, request):
        """Start again: a confirmation page (not a pop-up), then only this tab's draft is cleared."""
        draft = drafts.draft_of(request)
        if request.method == "POST":
            drafts.discard(request.session, draft)
            return redirect(self._step_url("filer", drafts.new_draft(request.session)))
        stored = request.session.get(drafts.session_key(draft)) or {}
        context = {"page": self, "back_url": self._step_url(stored.get("step") or "filer", draft)}
        response = TemplateResponse(request, "forms_intake/restart_confirm.html", context)
        add_never_cache_headers(response)
        return response

    @path("step/<str:step>/")
    def step(self, request, step):
        from forms_intake.wizard.view import registration_wizard

        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        return registration_wizard(request, page=self, step=step)

    @path("done/")
    def receipt(self, request):
        from forms_intake.wizard.view import receipt_for, session_expired

        submission = receipt_for(request)
        if submission is None:
            return session_expired(request, self)
        status_page = StatusLookupPage.objects.live().filter(locale=self.locale).first()
        response = TemplateResponse(
            request,
            "forms_intake/receipt.html",
            {"page": self, "submission": submission, "status_page": status_page},
        )
        add_never_cache_headers(response)
        return response

    @path("another/")
    def another(self, request):
        """"Register another family member" from the receipt: a new draft with what the filer chose to copy."""
        from forms_intake.wizard.family import start_family_draft  # reason: wizard imports this module's models
        from forms_intake.wizard.view import receipt_for  # reason: as above

        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        submission = receipt_for(request)
        if submission is None:
            return redirect(self.url)
        draft = start_family_draft(
            request, submission, copy_proxy="copy_proxy" in request.POST, copy_address="copy_address" in request.POST
        )
        return redirect(self._step_url("filer", draft))

    @path("done/print/")
    def printable(self, request):
        from forms_intake.services.printable import render_printable
        from forms_intake.wizard.view import receipt_for, session_expired

        submission = receipt_for(request)
        if submission is None:
            return session_expired(request, self)
        return render_printable(request, submission, page=self, pdf_url=self.url + self.reverse_subpage("pdf"))

    @path("done/pdf/")
    def pdf(self, request):
        """The printable Annex 2 of this session's own registration as a PDF download."""
        from forms_intake.services.pdf import pdf_response
        from forms_intake.wizard.view import receipt_for, session_expired

        submission = receipt_for(request)
        if submission is None:
            return session_expired(request, self)
        # Each PDF costs WeasyPrint ~1 s of CPU: a few downloads per registration and per connection.
        if not (ratelimit.hit("receipt-pdf", ratelimit.client_key(request), PDF_CLIENT_LIMIT, PDF_WINDOW_SECONDS)
                and ratelimit.hit("receipt-pdf-form", ratelimit.value_key(submission.reference), PDF_FORM_LIMIT,
                                  PDF_WINDOW_SECONDS)):
            return self._pdf_rate_limited(request)
        return pdf_response(request, submission, page=self)

    def _pdf_rate_limited(self, request):
        """429, in the site's layout: the registration is stored and the print view still works."""
        context = {"page": self, "print_url": self.url + self.reverse_subpage("printable"),
                   "retry_minutes": PDF_WINDOW_SECONDS // 60}
        response = TemplateResponse(request, "forms_intake/pdf_rate_limited.html", context, status=429)
        response["Retry-After"] = str(PDF_WINDOW_SECONDS)
        add_never_cache_headers(response)
        return response

    @path("divisions/")
    def divisions(self, request):
        level = request.GET.get("level", "")
        parent = request.GET.get("parent", "")
        if level not in divisions.LEVEL_NAMES or len(parent) > 12 or not parent.isdigit() and level != "province":
            raise Http404
        options = divisions.options_for(level, parent)
        response = JsonResponse({"options": [{"code": o.code, "name": o.name} for o in options]})
        patch_cache_control(response, public=True, max_age=86400)
        return response

    @path("keepalive/")
    def keepalive(self, request):
        if request.method == "GET":
            # How long the answers are still kept: another tab may have extended the session.
            left = drafts.seconds_left(request.session, settings.SESSION_COOKIE_AGE)
            response = JsonResponse({"seconds_left": left})
            add_never_cache_headers(response)
            return response
        if request.method != "POST":
            return HttpResponseNotAllowed(["GET", "POST"])
        # Saving the session pushes its expiry SESSION_COOKIE_AGE further.
        drafts.touch(request.session)
        response = JsonResponse({"ok": True, "seconds_left": settings.SESSION_COOKIE_AGE})
        add_never_cache_headers(response)
        return response

    @path("expired/")
    def expired(self, request):
        from forms_intake.wizard.view import session_expired

        return session_expired(request, self)

    @path("correct/")
    def correct(self, request):
        """Online correction of a returned registration by the resident (forms_intake/wizard/correction.py)."""
        from forms_intake.wizard.correction import correction_view  # reason: wizard imports this module's models

        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        return correction_view(request, self)


class StatusLookupPage(ViewRestrictionsMixin, RoutablePageMixin, Page):
    """Status lookup: a reference number and the ID number give the status, nothing else personal."""

    intro = RichTextField(blank=True, verbose_name=_("introduction"))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1
    cache_page = False

    class Meta:
        verbose_name = _("status lookup page")

    @path("")
    def lookup(self, request):
        from forms_intake.wizard.status import status_lookup_view

        return status_lookup_view(request, self)

    def get_registration_page(self):
        return RegistrationPage.objects.live().filter(locale=self.locale).first()

