"""Send the residents' notifications that are due (the worker does this after each change; cron may too).

Useful after an outage of the task queue or the SMS provider: every pending notification whose next attempt
has come is tried once (docs/sms.md). ``--enqueue`` asks a worker instead.
"""

from django.core.management.base import BaseCommand

from forms_intake.services import notifications


class Command(BaseCommand):
    help = "Send the notifications (SMS to residents) that are due now; prints how many went out or failed."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="ask a background worker to send them")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            notifications.kick()
            self.stdout.write("queued")
            return
        counts = notifications.send_due()
        self.stdout.write(f"sent {counts['sent']}, failed {counts['failed']}")
