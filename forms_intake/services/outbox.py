"""The transactional outbox: every change of a submission becomes an event, in the change's own transaction.

``record_change()`` is called by the services that change a submission (``submissions.create_submission``,
``transitions.perform``/``correct``/``reroute``, the results the business systems report) inside their
``transaction.atomic()``: if the change rolls back, so does its event, and no event exists without its
change. It also writes one ``Delivery`` per webhook subscription whose client may see the submission, and
after the commit asks the worker to deliver (``tasks.deliver_webhooks``).

Event ids are the change feed's cursor, so they must become visible in the order they are handed out:
on PostgreSQL two transactions could take ids 10 and 11 and commit 11 first, and a consumer that read
up to 11 would never see 10. ``record_change`` therefore takes a transaction-level advisory lock just
before its insert, held until the commit: ids are taken in commit order (SQLite serialises writers
anyway). The lock is the last thing a change takes, so it is held only for the insert and the commit.
"""

from __future__ import annotations

from django.db import transaction

from forms_intake.models import ApiClient, Delivery, OutboxEvent, Subscription
from forms_intake.services import tasks
from forms_intake.services.scope import reduce_prefixes

#: The advisory lock key that orders outbox inserts (any constant unique to this purpose).
OUTBOX_LOCK_KEY = 4313_0001

#: Audit actions that are changes a business system hears about (reveal, print and export are not).
EVENT_TYPES = {
    "create": "submission.created",
    "assisted_entry": "submission.created",
    "claim": "submission.claimed",
    "release": "submission.released",
    "complete": "submission.completed",
    "register": "submission.registered",
    "send_back": "submission.sent_back",
    "return": "submission.returned",
    "resubmit": "submission.resubmitted",
    "reject": "submission.rejected",
    "issue_card": "submission.card_issued",
    "correct": "submission.corrected",
    "reroute": "submission.rerouted",
    "enrolment": "submission.enrolment_reported",
    "card_collected": "submission.card_collected",
}


def client_prefixes(client: ApiClient) -> list[str]:
    """The queue-code prefixes a client may see (its divisions, reduced)."""
    return reduce_prefixes(client.divisions.values_list("code", flat=True))


def covers(prefixes, queue_code: str) -> bool:
    """Whether a queue code lies under one of ``prefixes`` (the same rule as staff scope)."""
    code = queue_code or ""
    return any(code == p if len(p) >= 9 else code.startswith(p) for p in prefixes)


def _subscriptions_for(submission):
    subscriptions = (
        Subscription.objects.filter(active=True, client__revoked=False, client__can_read_feed=True)
        .select_related("client")
        .prefetch_related("client__divisions")
    )
    wanted = []
    for subscription in subscriptions:
        prefixes = reduce_prefixes(d.code for d in subscription.client.divisions.all())
        if covers(prefixes, submission.queue_code):
            wanted.append(subscription)
    return wanted


def record_change(submission, action, *, from_status="", to_status=""):
    """Write the outbox event of ``action`` on ``submission`` (and its deliveries); returns the event or None.

    Call it inside the transaction of the change, as its last write (see the module docstring).
    """
    event_type = EVENT_TYPES.get(action)
    if event_type is None:
        return None
    with transaction.atomic(savepoint=False):
        connection = transaction.get_connection()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [OUTBOX_LOCK_KEY])
        event = OutboxEvent.objects.create(
            submission=submission,
            event_type=event_type,
            payload={"from_status": from_status or "", "to_status": to_status or submission.status},
        )
        subscriptions = _subscriptions_for(submission)
        if subscriptions:
            Delivery.objects.bulk_create(
                Delivery(event=event, subscription=s, submission_id_copy=submission.pk) for s in subscriptions
            )
            transaction.on_commit(tasks.kick_deliveries)
    return event
