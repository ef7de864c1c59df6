"""Tables of the business-systems API (seed items 5 and 16): clients, their calls, the outbox, results.

``ApiClient``: one external system (业务经办系统), its hashed token, its divisions and permissions.
``ApiCallLog``: one line per call (client, endpoint, status, record count, time), never personal data.
``Subscription``: a client's webhook URL with its HMAC secret. ``OutboxEvent``: a change of a submission,
written in the transaction of the change; its id is the feed's cursor. ``Delivery``: the state of one
event for one subscription (attempts, next attempt, dead letter). ``EnrolmentResult`` and ``SocialSecurityCard``:
what the business systems report back. docs/api.md explains the whole flow.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import uuid
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forms_intake.models.outreach import Employer, InsuranceType
from forms_intake.models.registration import Division, Submission
from forms_intake.rules.choices import ServiceBank
from forms_intake.rules.crypto import EncryptedTextField

#: Tokens start with this, so that a leaked one is recognisable by secret scanners.
TOKEN_PREFIX = "hnsi_"  # noqa: S105 - a public prefix, not a secret


def hash_token(token: str) -> str:
    """The stored form of a token: SHA-256 of a 256-bit random secret (no salt needed at that entropy)."""
    return hashlib.sha256((token or "").encode("utf-8", "replace")).hexdigest()


def new_token() -> str:
    """A fresh random token (shown once, never stored)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def validate_networks(value):
    """One IP address or network (CIDR) per line."""
    for line in (value or "").split():
        try:
            ipaddress.ip_network(line, strict=False)
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not an IP address or network."), params={"value": line[:50]}
            ) from None


class ApiClient(models.Model):
    """One external business system allowed to call ``/api/v1/``.

    Its token is shown once (on creation and on rotation) and stored as a hash. It sees submissions
    under its ``divisions`` only (like a staff member's StaffDivision); what it may do is three flags.
    On rotation the previous token keeps working until ``previous_token_expires_at`` (a grace period,
    or none at all).
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token's first characters, to tell tokens apart in the admin (not enough to guess it).
    token_hint = models.CharField(_("token starts with"), max_length=12, editable=False)
    previous_token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    previous_token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    divisions = models.ManyToManyField(
        Division, related_name="+", verbose_name=_("divisions"),
        help_text=_("The client sees the registrations under these divisions only."),
    )
    can_read_feed = models.BooleanField(_("may read the change feed"), default=True)
    can_see_personal_data = models.BooleanField(
        _("may see full ID and phone numbers"), default=False,
        help_text=_("Without this, ID and phone numbers are masked and other personal fields left out."),
    )
    can_report_results = models.BooleanField(_("may report enrolment and card results"), default=False)
    allowed_networks = models.TextField(
        _("allowed addresses"), blank=True, validators=[validate_networks],
        help_text=_("One IP address or network (CIDR) per line; empty: any address."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    revoked = models.BooleanField(_("revoked"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def set_new_token(self, grace: timedelta | None = None) -> str:
        """Give the client a new token and return it (the caller shows it once and saves the client).

        With ``grace``, the old token stays valid that long; without, it stops working at once.
        """
        token = new_token()
        if self.token_hash and grace:
            self.previous_token_hash = self.token_hash
            self.previous_token_expires_at = timezone.now() + grace
        else:
            self.previous_token_hash, self.previous_token_expires_at = "", None
        self.token_hash = hash_token(token)
        self.token_hint = token[: len(TOKEN_PREFIX) + 4]
        return token

    def network_allowed(self, address: str) -> bool:
        """Whether ``address`` is in the allow-list (always, when the list is empty)."""
        networks = (self.allowed_networks or "").split()
        if not networks:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)


class ApiCallLog(models.Model):
    """One API call: who, which endpoint (the route, never the URL), the status and how many records."""

    client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    endpoint = models.CharField(_("endpoint"), max_length=60)
    method = models.CharField(max_length=8)
    status = models.PositiveSmallIntegerField(_("status"))
    count = models.PositiveIntegerField(_("records"), default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")

    def __str__(self):
        return f"{self.endpoint} {self.status}"


class Subscription(models.Model):
    """A client's webhook: events of the submissions in its scope are POSTed there, signed with ``secret``."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="subscriptions")
    url = models.URLField(_("webhook URL"), max_length=500)
    secret = EncryptedTextField(_("signing secret"), editable=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self):
        return f"{self.client} → {self.url}"

    def save(self, *args, **kwargs):
        if not self.secret:
            self.secret = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)


class OutboxEvent(models.Model):
    """A change of a submission, written in the same transaction as the change (a transactional outbox).

    The id is the feed's cursor: ids are handed out in commit order (services/outbox.py takes a
    transaction-level lock before the insert on PostgreSQL), so a consumer that resumes after its last
    id misses nothing and sees nothing twice. ``event_id`` is the receiver's idempotency key. The
    payload is minimal (the type and the states); the record itself is read when the event is served.
    """

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")

    def __str__(self):
        return f"{self.pk} {self.event_type}"


class Delivery(models.Model):
    """One event on its way to one subscription: pending, delivered, or dead (given up after N attempts)."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        DEAD = "dead", _("failed (dead letter)")

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    # Copied from the event: "an earlier delivery of this submission is not done" is one index lookup.
    submission_id_copy = models.BigIntegerField(db_index=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["event", "subscription"], name="unique_delivery")]
        # The worker's question: what is due now, oldest event first.
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self):
        return f"{self.event_id} → {self.subscription_id}: {self.state}"


class EnrolmentResult(models.Model):
    """What a business system reported about enrolling the registered person (the latest report wins)."""

    class Outcome(models.TextChoices):
        ENROLLED = "enrolled", _("已参保")
        INSURED_ELSEWHERE = "insured_elsewhere", _("已在外地参保")
        REFUSED = "refused", _("拒绝参保")

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="enrolment_result")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    insurance_type = models.CharField(_("险种"), max_length=24, choices=InsuranceType.choices, blank=True)
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    client = models.ForeignKey(ApiClient, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(_("reported at"), auto_now=True)

    class Meta:
        verbose_name = _("enrolment result")
        verbose_name_plural = _("enrolment results")

    def __str__(self):
        return self.get_outcome_display()


class SocialSecurityCard(models.Model):
    """The social security card issued for a registration (seed item 16): masked everywhere, encrypted at rest."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="card")
    card_number = EncryptedTextField(_("社会保障卡号"))
    card_number_masked = models.CharField(max_length=24, editable=False)
    bank = models.CharField(_("社保卡服务银行"), max_length=16, choices=ServiceBank.choices)
    issued_on = models.DateField(_("issued on"))
    collection_point = models.CharField(_("where to collect the card"), max_length=200)
    # The township whose counter hands the card out (the queue code at issue): the batches' grouping.
    township_code = models.CharField(max_length=12, db_index=True)
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    client = models.ForeignKey(ApiClient, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("social security card")
        verbose_name_plural = _("social security cards")
        indexes = [models.Index(fields=["township_code", "collected_at"], name="card_batch_idx")]

    def __str__(self):
        return self.card_number_masked


def mask_card_number(value) -> str:
    """A card number for display: the last four characters only ("*****1234")."""
    text = "".join(str(value or "").split())
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * min(len(text) - 4, 20) + text[-4:]


def employer_by_code(code: str):
    """The registry's employer (seed item 5) with this valid, normalised credit code or organisation code, or None.

    A credit code embeds the organisation code (characters 9–17), so either identifies the employer.
    """
    if len(code) == 18:
        q = models.Q(credit_code=code) | models.Q(organization_code=code[8:17])
    else:
        q = models.Q(organization_code=code)
    return Employer.objects.filter(q).order_by("pk").only("name").first()


#: How long a looked-up employer name is reused; an import or an edit of the registry ends it sooner.
EMPLOYER_NAME_CACHE_SECONDS = 300
_EMPLOYER_NAMES_GENERATION_KEY = "employer-names-generation"


def forget_employer_names() -> None:
    """Every cached employer name (and "not in the registry") is stale: the registry changed.

    A new generation in the cache key, rather than deleting keys one by one, so that a code looked up
    before its employer was imported is not reported as unknown for the rest of the cache's lifetime.
    """
    cache.set(_EMPLOYER_NAMES_GENERATION_KEY, uuid.uuid4().hex, None)


def employer_name_by_code(code: str) -> str:
    """The registry's name for a valid, normalised code ('' when unknown), through the cache framework.

    The wizard checks the pair on the unit step and again when the review revalidates every step; the
    cache keeps the second check (and repeated lookups of the same employer) off the database.
    """
    generation = cache.get(_EMPLOYER_NAMES_GENERATION_KEY)
    if generation is None:
        # Two processes starting at once may each set one: the loser's lookups are only cache misses.
        generation = uuid.uuid4().hex
        cache.set(_EMPLOYER_NAMES_GENERATION_KEY, generation, None)
    key = f"employer-name:{generation}:{code}"
    name = cache.get(key)
    if name is None:
        employer = employer_by_code(code)
        name = employer.name if employer is not None else ""
        cache.set(key, name, EMPLOYER_NAME_CACHE_SECONDS)
    return name


# post_save only: a post_delete receiver would turn off Django's fast delete for the import's removal of
# an older file's rows (every row fetched, one signal each); imports call forget_employer_names themselves.
@receiver(post_save, sender=Employer, dispatch_uid="forms_intake_employer_saved")
def _employer_changed(**kwargs):
    forget_employer_names()
