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
* an expired or missing session shows a clear "session expired" page;
* step data is encrypted in the session (it holds ID and phone numbers).
"""

from __future__ import annotations

import json
import logging
import secrets

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError
from django.forms.utils import ErrorDict
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from formtools.wizard.forms import ManagementForm
from formtools.wizard.storage.session import SessionStorage
from formtools.wizard.views import NamedUrlSessionWizardView

from portal import ratelimit
from portal.views import too_many_requests

from . import crypto
from .choices import EmploymentStatus, NotInsuredReason, ProxyRelationship, ServiceBank
from .divisions import display_path
from .forms import STEP_FORMS, FilingFor, is_employed
from .models import Submission
from .submissions import answers_from_steps, create_submission
from .validators import format_phone, parse_resident_id

logger = logging.getLogger(__name__)

#: Session keys outside the wizard storage: the receipts this session may see.
RECEIPT_SESSION_KEY = "registration_receipts"
WIZARD_PREFIX = "registration"
REVIEW_STEP = "review"
#: Final submits per client (address) and window: generous for a family or a community office
#: helping residents, tight for a script (portal/ratelimit.py).
SUBMIT_LIMIT = 30
SUBMIT_WINDOW_SECONDS = 60 * 60
# Buttons that store the current step without validating it.
REFRESH_BUTTON = "wizard_refresh"


class EncryptedSessionStorage(SessionStorage):
    """formtools' session storage with each step's answers encrypted (Fernet, as the model fields).

    The session table would otherwise hold ID and phone numbers in clear
    (base64 is not encryption). Decrypted data is cached for the request.
    """

    _ENCRYPTED = "__encrypted__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plain = {}

    def set_step_data(self, step, cleaned_data):
        if isinstance(cleaned_data, MultiValueDict):
            cleaned_data = dict(cleaned_data.lists())
        # Keep only this step's fields: not the CSRF token or the buttons.
        cleaned_data = {k: v for k, v in cleaned_data.items() if k.startswith(f"{step}-")}
        self._plain[step] = cleaned_data
        self.data[self.step_data_key][step] = {self._ENCRYPTED: crypto.encrypt(json.dumps(cleaned_data))}

    def get_step_data(self, step):
        if step not in self._plain:
            stored = self.data[self.step_data_key].get(step)
            plain = None
            if isinstance(stored, dict) and self._ENCRYPTED in stored:
                try:
                    plain = json.loads(crypto.decrypt(stored[self._ENCRYPTED]))
                except Exception:  # noqa: BLE001 - unreadable (e.g. rotated keys): as if never answered
                    plain = None
            self._plain[step] = plain
        plain = self._plain[step]
        return MultiValueDict(plain) if plain is not None else None

    def init_data(self):
        super().init_data()
        self._plain = {}


def _raw_value(wizard, step, field):
    """The stored, unvalidated value of a field: cheap and side-effect free, for conditions."""
    data = wizard.storage.get_step_data(step)
    return data.get(f"{step}-{field}", "") if data else ""


def filing_for_other(wizard) -> bool:
    """Condition of the proxy step: the filer registers someone else."""
    return _raw_value(wizard, "filer", "filing_for") == FilingFor.OTHER


def employed(wizard) -> bool:
    """Condition of the workplace step: 已就业 (in or outside the province)."""
    return is_employed(_raw_value(wizard, "employment", "employment_status"))


STEP_NAMES = [name for name, _form in STEP_FORMS]
SECTION_TITLES = {
    "filer": _("Who is registering"),
    "identity": _("The person to be registered"),
    "proxy": _("代理人"),
    "employment": _("就业状态"),
    "address": _("Addresses"),
    "workplace": _("工作单位所在地"),
    "reason": _("Reason and bank"),
    "unit": _("登记单位"),
}


class RegistrationWizard(NamedUrlSessionWizardView):
    """The wizard itself; `RegistrationPage` routes /register/step/<step>/ here with `page=`."""

    form_list = STEP_FORMS
    condition_dict = {"proxy": filing_for_other, "workplace": employed}
    storage_name = "forms_intake.wizard.EncryptedSessionStorage"
    template_name = "forms_intake/wizard_step.html"

    # ---- plumbing -----------------------------------------------------

    def dispatch(self, request, *args, **kwargs):
        self.page = kwargs.pop("page")
        response = super().dispatch(request, *args, **kwargs)
        # Answers are personal: never cached by the browser or a proxy, so Back re-fetches.
        add_never_cache_headers(response)
        return response

    def get_prefix(self, request, *args, **kwargs):
        return WIZARD_PREFIX

    @property
    def base_url(self):
        # page.url walks the site's root paths each time; a step page asks for it several times.
        if "_base_url" not in self.__dict__:
            self._base_url = self.page.url
        return self._base_url

    def get_step_url(self, step):
        return self.base_url + self.page.reverse_subpage("step", args=[step])

    def page_url(self, route, *args):
        return self.base_url + self.page.reverse_subpage(route, args=list(args))

    def started(self) -> bool:
        return self.storage.current_step is not None

    def cleaned_for(self, step):
        """Validated data of a step that applies; None when skipped, unanswered or invalid."""
        if step not in self.get_form_list():
            return None
        cache_key = f"_cleaned_data_cache_{step}"  # formtools clears these when a step is stored
        if not hasattr(self, cache_key):
            form = self.get_form(step=step, data=self.storage.get_step_data(step))
            setattr(self, cache_key, form.cleaned_data if form.is_bound and form.is_valid() else None)
        return getattr(self, cache_key)

    get_cleaned_data_for_step = cleaned_for

    def get_form_kwargs(self, step=None):
        context = {}
        if step == "identity":
            context["is_proxy"] = filing_for_other(self)
        elif step == "proxy":
            identity = self.cleaned_for("identity") or {}
            context["id_number"] = identity.get("id_number")
        elif step == "employment":
            identity = self.cleaned_for("identity")
            if identity:
                context["birth_date"] = parse_resident_id(identity["id_number"]).birth_date
        elif step == "unit":
            employment = self.cleaned_for("employment") or {}
            address = self.cleaned_for("address") or {}
            context["employed"] = is_employed(employment.get("employment_status"))
            context["employer_name"] = employment.get("employer_name", "")
            context["village"] = address.get("residence_village", "")
        return {"wizard_context": context}

    # ---- requests -------------------------------------------------------

    def get(self, request, *args, **kwargs):
        step = kwargs.get("step")
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
        url_step = kwargs.get("step")
        management = ManagementForm(request.POST, prefix=self.prefix)
        if not management.is_valid():
            raise SuspiciousOperation("Registration wizard: management form missing or tampered.")
        posted_step = management.cleaned_data["current_step"]
        if not self.started():
            if posted_step != self.steps.first:
                return self.no_session_response()
            self.start()
        form_list = self.get_form_list()
        if posted_step != url_step or posted_step not in form_list:
            return HttpResponseBadRequest("Unknown step.")
        self.storage.current_step = posted_step

        goto = request.POST.get("wizard_goto_step")
        if goto or REFRESH_BUTTON in request.POST:
            # Keep what was typed, valid or not, then move (or stay to refresh the lists).
            form = self.get_form(data=request.POST)
            self.storage.set_step_data(posted_step, self.process_step(form))
            self._forget_caches()
            target = goto if goto in self.get_form_list() else posted_step
            self.storage.current_step = target
            return redirect(self.get_step_url(target))
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

    def no_session_response(self):
        """The answers are gone (session expired) or were submitted already."""
        receipts = self.request.session.get(RECEIPT_SESSION_KEY) or []
        if receipts:
            # Back/refresh after submitting: show the receipt, never a second submission.
            return redirect(self.page_url("receipt"))
        return session_expired(self.request, self.page)

    def render_next_step(self, form, **kwargs):
        if self.storage.extra_data.get("return_to_review"):
            target = self.first_incomplete_step() or REVIEW_STEP
            if target == REVIEW_STEP:
                self.storage.extra_data.pop("return_to_review", None)
            self.storage.current_step = target
            return redirect(self.get_step_url(target))
        return super().render_next_step(form, **kwargs)

    def first_incomplete_step(self):
        for step in self.get_form_list():
            if step != REVIEW_STEP and self.cleaned_for(step) is None:
                return step
        return None

    def render_done(self, form, **kwargs):
        """Revalidate every applicable step, then store the submission (in this POST)."""
        final_forms = {}
        for step in self.get_form_list():
            step_form = self.get_form(step=step, data=self.storage.get_step_data(step))
            if not step_form.is_valid():
                self.storage.extra_data["show_errors"] = step
                return self.render_revalidation_failure(step, step_form, **kwargs)
            final_forms[step] = step_form
        return self.done(list(final_forms.values()), form_dict=final_forms, **kwargs)

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
            submission, _created = create_submission(answers, idempotency_key=key, declared_at=timezone.now())
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
        guidance = self.page.guidance_for(current) if hasattr(self.page, "guidance_for") else None
        context.update(
            {
                "page": self.page,
                "step_title": getattr(form, "title", ""),
                "step_number": steps.index(current) + 1,
                "step_count": len(steps),
                "previous_step": steps[steps.index(current) - 1] if steps.index(current) > 0 else None,
                "guidance": guidance,
                "has_divisions": any(getattr(f.field.widget, "attrs", {}).get("data-division-level") for f in form),
                "divisions_url": self.page_url("divisions"),
                "keepalive_url": self.page_url("keepalive"),
                "expired_url": self.page_url("expired"),
                "session_seconds": settings.SESSION_COOKIE_AGE,
                "refresh_button": REFRESH_BUTTON,
            }
        )
        if current == REVIEW_STEP:
            context["sections"] = self.review_sections()
        return context

    def review_sections(self):
        """Check-your-answers sections: (step, title, [(label, value)], change URL)."""
        sections = []
        for step in self.get_form_list():
            if step == REVIEW_STEP:
                continue
            data = self.cleaned_for(step)
            rows = answer_rows(step, data or {})
            sections.append(
                {
                    "step": step,
                    "title": SECTION_TITLES.get(step, step),
                    "rows": rows,
                    "complete": data is not None,
                    "change_url": f"{self.get_step_url(step)}?from={REVIEW_STEP}",
                }
            )
        return sections


def _label(choices, value):
    return dict(choices).get(value, value)


def answer_rows(step, data):
    """Labelled answers of one step for the review page (values are escaped by the template)."""
    rows = []
    if step == "filer":
        rows.append((_("Who are you registering?"), _label(FilingFor.choices, data.get("filing_for"))))
    elif step == "identity":
        rows += [
            (_("姓名"), data.get("name")),
            (_("身份证号码"), data.get("id_number")),
            (_("联系电话"), format_phone(data.get("phone"))),
        ]
    elif step == "proxy":
        rows += [
            (_("代理人姓名"), data.get("proxy_name")),
            (_("代理人联系电话"), format_phone(data.get("proxy_phone"))),
            (_("代理人身份证号码"), data.get("proxy_id_number")),
            (_("与被代理人关系"), _label(ProxyRelationship.choices, data.get("proxy_relationship"))),
        ]
    elif step == "employment":
        rows.append((_("就业状态"), _label(EmploymentStatus.choices, data.get("employment_status"))))
        if data.get("employer_name"):
            rows.append((_("工作单位名称"), data.get("employer_name")))
    elif step == "address":
        rows += [
            (_("户口所在地"), display_path(data.get("hukou_division"))),
            (_("常住所在地"), display_path(data.get("residence_division"))),
            (_("村（社区）"), data.get("residence_village")),
            (_("街、路、巷门牌号"), data.get("residence_street")),
        ]
    elif step == "workplace":
        rows += [
            (_("工作单位所在地"), display_path(data.get("employer_division"))),
            (_("村（社区）"), data.get("employer_village")),
        ]
    elif step == "reason":
        rows.append((_("未参保原因"), _label(NotInsuredReason.choices, data.get("not_insured_reason"))))
        if data.get("not_insured_reason_other"):
            rows.append((_("其他原因说明"), data.get("not_insured_reason_other")))
        rows.append((_("社保卡服务银行"), _label(ServiceBank.choices, data.get("service_bank"))))
    elif step == "unit":
        rows.append((_("登记单位"), _label(Submission.UnitType.choices, data.get("unit_type"))))
        rows.append((_("登记单位名称"), data.get("unit_name")))
        if data.get("unit_code"):
            rows.append((_("组织机构代码"), data.get("unit_code")))
    return rows


def remember_receipt(request, submission):
    """Let this session (only) see the receipt and printable form of `submission`."""
    receipts = [pk for pk in (request.session.get(RECEIPT_SESSION_KEY) or []) if pk != submission.pk]
    request.session[RECEIPT_SESSION_KEY] = (receipts + [submission.pk])[-5:]


def receipt_for(request):
    """The latest submission this session made, or None."""
    receipts = request.session.get(RECEIPT_SESSION_KEY) or []
    if not receipts:
        return None
    return Submission.objects.filter(pk=receipts[-1]).select_related(
        "hukou_division__parent__parent", "residence_division__parent__parent__parent",
        "employer_division__parent__parent__parent", "unit_division__parent__parent__parent", "handler", "reviewer",
    ).first()


def session_expired(request, page):
    """The clear 'your session expired' page with a way to start again (never a 500)."""
    response = TemplateResponse(request, "forms_intake/session_expired.html", {"page": page})
    add_never_cache_headers(response)
    return response


registration_wizard = RegistrationWizard.as_view(url_name="registration")
