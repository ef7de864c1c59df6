"""The Annex 2 registration wizard: a formtools NamedUrlSessionWizardView served by RegistrationPage.

Departures from formtools' defaults, each for a known pitfall:

* a GET never resets the answers (formtools resets on GET); only the
  "start again" button on the introduction does;
* "Previous" and "Update the lists" store what was typed on the current step
  without validating it;
* conditions read the stored raw answers only: cheap, no side effects, no recursion;
* cleaned data of a skipped step is never read;
* the final save happens in the POST of the review step (formtools would
  save on a GET of a "done" URL), exactly once per idempotency key, and a
  database failure keeps the answers for a retry (503 page);
* with WIZARD_PHONE_VERIFICATION the final submit waits for the SMS code sent to the
  联系电话 (phone.py, at step/confirm-phone/); any step can be saved to come back later
  (resume.py: step/save/, step/resume/); these pages are EXTRA_PAGES, not steps;
* an expired or missing session shows a clear "session expired" page;
* step data is encrypted in the session (it holds ID and phone numbers);
* the session is saved only when the answers change, or once a minute to
  extend it (formtools saves it on every request), and earlier steps known
  to be valid are not validated again on every page (EncryptedSessionStorage,
  step_is_valid).
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError
from django.forms.utils import ErrorDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import NamedUrlSessionWizardView

from forms_intake.rules import annex2
from forms_intake.services.submissions import answers_from_steps, create_submission
from forms_intake.steps.forms import STEP_FORMS, step_context
from forms_intake.wizard import drafts, phone, resume
from forms_intake.wizard.receipts import RECEIPT_SESSION_KEY, receipt_for, remember_receipt, session_expired
from forms_intake.wizard.review import REVIEW_STEP, review_sections
from forms_intake.wizard.storage import VALID_STEPS_KEY
from portal import ratelimit
from portal.views import too_many_requests

logger = logging.getLogger(__name__)

WIZARD_PREFIX = "registration"
#: Final submits per client (address) and window: generous for a family or a community office
#: helping residents, tight for a script (portal/ratelimit.py).
SUBMIT_LIMIT = 30
SUBMIT_WINDOW_SECONDS = 60 * 60
# Buttons that store the current step without validating it.
REFRESH_BUTTON = "wizard_refresh"


def _raw_value(wizard, step, field):
    """The stored, unvalidated value of a field: cheap and side-effect free, for conditions."""
    values = (wizard.storage.plain_step_data(step) or {}).get(f"{step}-{field}")
    if isinstance(values, list):
        return values[-1] if values else ""  # the last one, as MultiValueDict.get()
    return values or ""


def _condition(condition):
    """formtools' condition of a step from the schema's: a test of an earlier step's stored answer."""

    def applies(wizard) -> bool:
        return bool(condition.test(_raw_value(wizard, condition.step, condition.field)))

    return applies


#: {step: condition} from the schema (the proxy step when filing for another, the workplace when employed).
CONDITIONS = {step.name: _condition(step.condition) for step in annex2.schema().steps if step.condition}


@lru_cache(maxsize=256)
def _subpage_path(page_class, route, args):
    """The path of a route of the registration page below the page's own URL (the same for every page)."""
    return page_class.get_resolver().reverse(route, *args)


# The editors' guidance of each step, per content of the page's guidance field: turning the
# StreamField's stored data into blocks on every step cost more than the rest of the page's context.
_GUIDANCE = {}
_GUIDANCE_MAX = 256


def _guidance(page, step):
    """The guidance text of `step` on `page` (RegistrationPage.guidance_for), or None."""
    if not hasattr(page, "guidance_for"):
        return None
    key = (page.pk, step, json.dumps(list(page.guidance.raw_data), sort_keys=True, default=str))
    if key not in _GUIDANCE:
        if len(_GUIDANCE) >= _GUIDANCE_MAX:
            _GUIDANCE.clear()
        _GUIDANCE[key] = page.guidance_for(step)
    return _GUIDANCE[key]


STEP_NAMES = [step.name for step in annex2.schema().steps]


def _needed_fields():
    """{step: (fields)} that later steps need validated (Step.needs that are not raw)."""
    fields = {}
    for step in annex2.schema().steps:
        for need in step.needs:
            if not need.raw:
                fields.setdefault(need.step, set()).add(need.field)
    return {step: tuple(sorted(names)) for step, names in fields.items()}


NEEDED_FIELDS = _needed_fields()


class RegistrationWizard(NamedUrlSessionWizardView):
    """The wizard itself; `RegistrationPage` routes /register/step/<step>/ here with `page=`."""

    form_list = STEP_FORMS
    condition_dict = CONDITIONS
    storage_name = "forms_intake.wizard.storage.EncryptedSessionStorage"
    template_name = "forms_intake/wizard_step.html"

    # ---- plumbing -----------------------------------------------------

    def dispatch(self, request, *args, **kwargs):
        self.page = kwargs.pop("page")
        response = super().dispatch(request, *args, **kwargs)
        # Answers are personal: never cached by the browser or a proxy, so Back re-fetches.
        add_never_cache_headers(response)
        return response

    def get_prefix(self, request, *args, **kwargs):
        # The storage's prefix: one per draft (wizard/drafts.py). get() and post() set self.prefix back
        # to WIZARD_PREFIX, the management form's, which stays the same for every draft.
        self.draft = drafts.draft_of(request)
        return drafts.storage_prefix(self.draft)

    @property
    def base_url(self):
        # The page's path on the site the resident is on, from the site root paths (cached, and kept on the
        # request by Wagtail). Not get_url(): it also looks the request's Site up in the database to decide
        # between a relative and an absolute URL, a query per request (a third of a step's time, measured);
        # every link of the wizard stays on this site, so the relative path is the URL.
        if "_base_url" not in self.__dict__:
            _site_id, _root_url, self._base_url = self.page.get_url_parts(request=self.request)
        return self._base_url

    def get_step_url(self, step, query=""):
        """The step's URL; `query` ("from=review") goes before the draft parameter."""
        url = self.base_url + _subpage_path(type(self.page), "step", (step,))
        return drafts.with_draft(f"{url}?{query}" if query else url, self.draft)

    def page_url(self, route, *args):
        return self.base_url + _subpage_path(type(self.page), route, args)

    def started(self) -> bool:
        return self.storage.current_step is not None

    def cleaned_for(self, step):
        """Validated data of a step that applies; None when skipped, unanswered or invalid."""
        if step not in self.get_form_list():
            return None
        form = self._validated_form(step)
        return form.cleaned_data if form.is_bound and form.is_valid() else None

    def _validated_form(self, step):
        """The step's form bound to its stored answers and validated, once per request and answers."""
        cache_key = f"_cleaned_data_cache_{step}"  # _forget_caches() drops these when answers are stored
        if not hasattr(self, cache_key):
            form = self.get_form(step=step, data=self.storage.get_step_data(step))
            form.is_valid()
            setattr(self, cache_key, form)
        return getattr(self, cache_key)

    get_cleaned_data_for_step = cleaned_for

    def get_form_kwargs(self, step=None):
        # What the step needs from earlier answers, as the schema declares (Step.needs).
        spec = annex2.schema().step_by_name.get(step)
        needs = spec.needs if spec else ()
        return {"wizard_context": step_context(needs, self._need_value)}

    def _need_value(self, need):
        if need.raw:
            return _raw_value(self, need.step, need.field)
        # The value kept when the step last validated with the same answers (and the same earlier answers);
        # else the step is validated now. The final submit validates every step regardless (render_done).
        data = self.needed_values(need.step)
        if data is None:
            data = self.cleaned_for(need.step)
            if data is not None:
                self._remember_valid(need.step, cleaned=data)
        return None if data is None else data.get(need.field)

    # ---- requests -------------------------------------------------------

    def get(self, request, *args, **kwargs):
        self.prefix = WIZARD_PREFIX
        step = kwargs.get("step")
        if step in EXTRA_PAGES:
            return EXTRA_PAGES[step](self, request)
        if not self.started():
            if step is None:
                self.start()
                return redirect(self.get_step_url(self.steps.first))
            if step != self.steps.first:
                return self.no_session_response()
            # Render rather than redirect: a browser refusing cookies must not loop.
            self.start()
        form_list = self.get_form_list()
        if step not in form_list:
            # Unknown or skipped step (or "done"): back to where the resident was.
            return redirect(self.get_step_url(self.steps.current))
        steps = list(form_list)
        incomplete = self.first_incomplete_step()
        if incomplete and steps.index(step) > steps.index(incomplete):
            # No skipping ahead past an unanswered step (a typed URL, a stale bookmark).
            if self.storage.get_step_data(incomplete):
                self.storage.extra_data["show_errors"] = incomplete
            self.storage.current_step = incomplete
            return redirect(self.get_step_url(incomplete))
        if request.GET.get("from") == REVIEW_STEP:
            self.storage.extra_data["return_to_review"] = True
        elif step == REVIEW_STEP:
            self.storage.extra_data.pop("return_to_review", None)
        self.storage.current_step = step
        form = self.get_form(data=self.storage.get_step_data(step))
        if self.storage.extra_data.get("show_errors") == step:
            self.storage.extra_data.pop("show_errors")
        else:
            # A stored but incomplete step (after Previous) shows its answers without errors.
            form._errors = ErrorDict()
        return self.render(form)

    def post(self, request, *args, **kwargs):
        self.prefix = WIZARD_PREFIX
        url_step = kwargs.get("step")
        if url_step in EXTRA_PAGES:
            return EXTRA_PAGES[url_step](self, request)
        management = ManagementForm(request.POST, prefix=self.prefix)
        if not management.is_valid():
            raise SuspiciousOperation("Registration wizard: management form missing or tampered.")
        posted_step = management.cleaned_data["current_step"]
        if not self.started():
            if posted_step != self.steps.first:
                return self.no_session_response(keep_step=posted_step if posted_step == url_step else None)
            self.start()
        form_list = self.get_form_list()
        if posted_step != url_step or posted_step not in form_list:
            return self.stale_step_response(posted_step, url_step)
        self.storage.current_step = posted_step

        goto = request.POST.get("wizard_goto_step")
        if resume.SAVE_BUTTON in request.POST:
            goto = resume.SAVE_PAGE  # "Save and come back later": keep what was typed, then save it
        if goto or REFRESH_BUTTON in request.POST:
            # Keep what was typed, valid or not, then move (or stay to refresh the lists).
            form = self.get_form(data=request.POST)
            self.storage.set_step_data(posted_step, self.process_step(form))
            self._forget_caches()
            target = goto if goto in self.get_form_list() else posted_step
            self.storage.current_step = target
            return redirect(self.get_step_url(resume.SAVE_PAGE if goto == resume.SAVE_PAGE else target))
        return super(NamedUrlSessionWizardView, self).post(*args, **kwargs)

    def _forget_caches(self):
        for attr in list(self.__dict__):
            if attr.startswith("_cleaned_data_cache_") or attr in {"_resolved_form_list", "_cache_signature"}:
                delattr(self, attr)

    def start(self):
        """A fresh wizard: empty answers and a new idempotency key for its one submission."""
        self.storage.reset()
        self.storage.current_step = self.steps.first
        self.storage.extra_data = {"idempotency_key": secrets.token_urlsafe(32)}

    def no_session_response(self, keep_step=None):
        """The answers are gone (session expired, restarted in another tab) or were submitted already.

        A POST of a real step keeps what was typed on that page in a fresh draft (unvalidated, as
        "Previous" does), so that the resident need not type it again.
        """
        receipts = self.request.session.get(RECEIPT_SESSION_KEY) or []
        if receipts:
            # Back/refresh after submitting: show the receipt, never a second submission.
            return redirect(self.page_url("receipt"))
        kept_url = None
        if keep_step in STEP_NAMES:
            self.draft = drafts.new_draft(self.request.session)
            self.storage = type(self.storage)(drafts.storage_prefix(self.draft), self.request)
            self.start()
            self.storage.set_step_data(keep_step, self.request.POST)
            kept_url = self.get_step_url(self.steps.first)
        return session_expired(self.request, self.page, kept_url=kept_url)

    def stale_step_response(self, posted_step, url_step):
        """A page that no longer fits the answers (changed in another tab) or a forged step: the site's page, 400.

        What was typed on a real step is kept (unvalidated, as "Previous" does) when the page and
        the form agree on the step; a forged step stores nothing.
        """
        kept = posted_step == url_step and posted_step in STEP_NAMES
        if kept:
            # As typed, only this step's fields (the storage keeps "<step>-..." keys only).
            self.storage.set_step_data(posted_step, self.request.POST)
            self._forget_caches()
        current = self.steps.current if self.steps.current in self.get_form_list() else self.steps.first
        context = {"page": self.page, "kept": kept, "continue_url": self.get_step_url(current)}
        response = TemplateResponse(self.request, "forms_intake/stale_step.html", context, status=400)
        add_never_cache_headers(response)
        return response

    def first_incomplete_step(self):
        for step in self.get_form_list():
            if step != REVIEW_STEP and not self.step_is_valid(step):
                return step
        return None

    # Which steps are known to be valid. Each page checks that every earlier step is still
    # answered and valid (no skipping ahead), and revalidating them all on every request cost
    # more than the page itself. A step's validity depends only on its answers and, through
    # get_form_kwargs(), on the answers of earlier steps, so the session keeps a hash of those
    # (encrypted) answers for each step that validated; the same answers need no second check.
    # The final submit still revalidates every step (render_done), so a rule that moved on
    # meanwhile (the date, the division table) is still applied before anything is stored.

    def _answer_digests(self):
        """{step: hash of the stored answers of that step and every step before it}."""
        if self.storage.digests is not None:
            return self.storage.digests
        digests = {}
        # Over the stored ciphertexts: no decryption needed. Storing a step again (even the same
        # answers) encrypts afresh, which only costs one more validation.
        running = hashlib.sha256()
        stored = self.storage.data[self.storage.step_data_key]
        for step in self.get_form_list():
            running.update(json.dumps([step, stored.get(step)], sort_keys=True).encode())
            digests[step] = running.copy().hexdigest()[:32]
        self.storage.digests = digests
        return digests

    def step_is_valid(self, step) -> bool:
        """Answered and valid, from the remembered hash when the answers did not change."""
        if self.storage.plain_step_data(step) is None:
            return False
        digest = self._answer_digests()[step]
        if self.storage.extra_data.get(VALID_STEPS_KEY, {}).get(step) == digest:
            return True
        cleaned = self.cleaned_for(step)
        if cleaned is None:
            return False
        self._remember_valid(step, digest, cleaned)
        return True

    def _remember_valid(self, step, digest=None, cleaned=None):
        digest = digest or self._answer_digests()[step]
        self.storage.extra_data.setdefault(VALID_STEPS_KEY, {})[step] = digest
        if step in NEEDED_FIELDS and cleaned is not None:
            # What later steps need from this one, so that their pages need not validate it again.
            self.storage.remember_needed_values(step, digest, {f: cleaned.get(f) for f in NEEDED_FIELDS[step]})

    def needed_values(self, step):
        """What later steps need from `step` as its last validation found it (answers unchanged), or None."""
        if step not in NEEDED_FIELDS or step not in self.get_form_list():
            return None
        return self.storage.needed_values(step, self._answer_digests()[step])

    def render_next_step(self, form, **kwargs):
        # Reached only after the posted step validated and was stored.
        self._remember_valid(self.steps.current, cleaned=form.cleaned_data)
        if self.storage.extra_data.get("return_to_review"):
            target = self.first_incomplete_step() or REVIEW_STEP
            if target == REVIEW_STEP:
                self.storage.extra_data.pop("return_to_review", None)
            else:
                # A changed answer made a later step invalid (a new ID number, an age that no longer
                # fits the employment): show that step's errors, which say why the resident is there.
                self.storage.extra_data["show_errors"] = target
            self.storage.current_step = target
            return redirect(self.get_step_url(target))
        return super().render_next_step(form, **kwargs)

    def render_done(self, form, **kwargs):
        """Revalidate every applicable step, then store the submission (in this POST)."""
        final_forms = {}
        for step in self.get_form_list():
            # One validation per step and request: cleaned_for() keeps the form it validated.
            step_form = form if step == self.steps.current else self._validated_form(step)
            if not step_form.is_valid():
                self.storage.extra_data.get(VALID_STEPS_KEY, {}).pop(step, None)
                self.storage.extra_data["show_errors"] = step
                return self.render_revalidation_failure(step, step_form, **kwargs)
            final_forms[step] = step_form
        # The phone is confirmed by a code first (wizard/phone.py), unless switched off.
        ask_for_code = phone.gate(self, final_forms[phone.IDENTITY_STEP].cleaned_data["phone"])
        if ask_for_code is not None:
            return ask_for_code
        return self.done(list(final_forms.values()), form_dict=final_forms, **kwargs)

    def finish(self):
        """The final submit again, from a page after the review (the phone's code): revalidated, then stored."""
        self.storage.current_step = REVIEW_STEP
        return self.render_done(self._validated_form(REVIEW_STEP))

    def done(self, form_list, form_dict=None, **kwargs):
        # Abuse limit on the final submit, per client; the answers stay for a later try.
        if not ratelimit.hit("wizard-submit", ratelimit.client_key(self.request), SUBMIT_LIMIT, SUBMIT_WINDOW_SECONDS):
            return too_many_requests(self.request, retry_after=SUBMIT_WINDOW_SECONDS)
        answers = answers_from_steps(
            {step: form.cleaned_data for step, form in form_dict.items() if step != REVIEW_STEP}
        )
        key = self.storage.extra_data.get("idempotency_key") or secrets.token_urlsafe(32)
        self.storage.extra_data["idempotency_key"] = key
        try:
            confirmed = phone.confirmation(self, form_dict[phone.IDENTITY_STEP].cleaned_data["phone"])
            submission, _created = create_submission(answers, idempotency_key=key, declared_at=timezone.now(),
                                                     phone_confirmed=confirmed)
        except DatabaseError as error:
            # Only the error class: a database message could quote values.
            logger.error("Registration could not be stored: %s", type(error).__name__)
            context = {"page": self.page, "retry_url": self.get_step_url(REVIEW_STEP)}
            response = TemplateResponse(self.request, "forms_intake/service_unavailable.html", context, status=503)
            response["Retry-After"] = "60"
            return response
        remember_receipt(self.request, submission)
        self.storage.reset()
        return redirect(self.page_url("receipt"))

    # ---- rendering --------------------------------------------------------

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        steps = list(self.get_form_list())
        current = self.steps.current
        guidance = _guidance(self.page, current)
        context.update(
            {
                "page": self.page,
                # The header and <head> are everyone's: memoised per step URL, not per draft (portal_tags.fragment_key).
                "chrome_is_shared": True,
                "step_title": getattr(form, "title", ""),
                "step_number": steps.index(current) + 1,
                "step_count": len(steps),
                "previous_step": steps[steps.index(current) - 1] if steps.index(current) > 0 else None,
                "guidance": guidance,
                "has_divisions": any(getattr(f.field.widget, "attrs", {}).get("data-division-level") for f in form),
                "divisions_url": self.page_url("divisions"),
                "keepalive_url": self.page_url("keepalive"),
                "expired_url": self.page_url("expired"),
                "restart_url": drafts.with_draft(self.page_url("restart"), self.draft),
                "kept_until": timezone.localtime() + timedelta(seconds=settings.SESSION_COOKIE_AGE),
                "session_seconds": settings.SESSION_COOKIE_AGE,
                "refresh_button": REFRESH_BUTTON,
                "save_button": resume.SAVE_BUTTON,
            }
        )
        if current == REVIEW_STEP:
            context["sections"] = self.review_sections()
        return context

    def review_sections(self):
        return review_sections(self)


#: Pages of the wizard that are not steps: served at step/<name>/ with the draft's storage.
EXTRA_PAGES = {
    phone.CONFIRM_PAGE: phone.confirm_view,
    resume.SAVE_PAGE: resume.save_view,
    resume.RESUME_PAGE: resume.resume_view,
}

__all__ = ["RECEIPT_SESSION_KEY", "receipt_for", "registration_wizard", "session_expired"]

registration_wizard = RegistrationWizard.as_view(url_name="registration")
