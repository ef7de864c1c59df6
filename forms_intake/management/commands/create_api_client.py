"""Create an API client for a business system (or give an existing one a new token) and print the token once.

    manage.py create_api_client "芙蓉区社保经办系统" --division 430102 --full-personal-data --report-results
    manage.py create_api_client "芙蓉区社保经办系统" --rotate [--grace-hours 24]
    manage.py create_api_client "芙蓉区社保经办系统" --webhook https://example.org/hook

The token (and a webhook's signing secret) is printed on standard output once and stored only as a hash
(the secret encrypted); docs/api.md shows how to use them. Provincial administrators can do the same in
the admin (参保登记 → API clients).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from forms_intake.models import ApiClient, Division, Subscription
from forms_intake.rules.routing import scope_prefix


class Command(BaseCommand):
    help = "Create an API client (or rotate its token) and print the token once."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--division", action="append", default=[],
                            help="A division code the client may see (repeatable), e.g. 430102 or 430000.")
        parser.add_argument("--full-personal-data", action="store_true", help="Unmasked ID and phone numbers.")
        parser.add_argument("--report-results", action="store_true", help="May post enrolment and card results.")
        parser.add_argument("--no-feed", action="store_true", help="May not read the feed.")
        parser.add_argument("--rotate", action="store_true", help="Give an existing client a new token.")
        parser.add_argument("--grace-hours", type=int, default=0, help="With --rotate: the old token keeps working.")
        parser.add_argument("--webhook", help="Add a webhook URL (its signing secret is printed once).")

    @transaction.atomic
    def handle(self, *args, **options):
        name = options["name"].strip()
        client = ApiClient.objects.filter(name=name).first()
        token = None
        if options["rotate"]:
            if client is None:
                raise CommandError(f"No API client named {name!r}.")
            grace = timedelta(hours=options["grace_hours"]) if options["grace_hours"] > 0 else None
            token = client.set_new_token(grace=grace)
            client.save()
        elif client is None:
            codes = options["division"]
            if not codes:
                raise CommandError("Give at least one --division.")
            divisions = list(Division.objects.filter(code__in=codes))
            missing = set(codes) - {d.code for d in divisions}
            if missing:
                raise CommandError(f"Unknown division codes: {', '.join(sorted(missing))}.")
            client = ApiClient(
                name=name, can_read_feed=not options["no_feed"],
                can_see_personal_data=options["full_personal_data"], can_report_results=options["report_results"],
            )
            token = client.set_new_token()
            client.save()
            client.divisions.set(divisions)
            self.stderr.write(f"Created API client {name!r} for {', '.join(scope_prefix(c) for c in codes)}.")
        elif not options["webhook"]:
            raise CommandError(f"An API client named {name!r} exists: use --rotate for a new token.")
        if token:
            self.stdout.write(f"API token (shown once): {token}")
        if options["webhook"]:
            subscription = Subscription(client=client, url=options["webhook"])
            try:
                subscription.full_clean(exclude=["secret"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
            subscription.save()
            self.stdout.write(f"Webhook signing secret (shown once): {subscription.secret}")
