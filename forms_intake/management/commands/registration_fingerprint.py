"""Counts and a keyed fingerprint of the registrations, to compare a restored database with its source.

    manage.py registration_fingerprint --nonce <hex> [--sample 20]

Prints one JSON object: the number of submissions per state, and for a sample
(the first `--sample` by reference number) whether the ID and phone numbers
decrypt with the configured FIELD_ENCRYPTION_KEYS, whether their keyed hashes
(LOOKUP_HASH_KEY) match the stored ones, and one HMAC over all the decrypted
values keyed with `--nonce`. Run it with the same nonce on the primary and on the
restored copy (the restore drill, portal/cluster/restore_drill.py): equal
fingerprints mean the same plaintexts came back. No value is ever printed, and a
fresh random nonce per run makes the digest useless to anyone without it.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from forms_intake.models import Submission
from forms_intake.rules.personal_data import id_hash, phone_hash


class Command(BaseCommand):
    help = "Submissions per state and a keyed fingerprint of a sample's decrypted fields (restore checks)."

    def add_arguments(self, parser):
        parser.add_argument("--nonce", required=True, help="hex key of the fingerprint HMAC (fresh per comparison)")
        parser.add_argument("--sample", type=int, default=20, help="rows decrypted (first by reference number)")

    def handle(self, *args, nonce, sample, **options):
        try:
            key = bytes.fromhex(nonce)
        except ValueError as error:
            raise CommandError("--nonce must be hexadecimal.") from error
        if len(key) < 16:
            raise CommandError("--nonce must be at least 16 bytes (32 hex digits).")
        by_status = dict(
            Submission.objects.order_by("status").values("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        digest = hmac.new(key, digestmod=hashlib.sha256)
        checked = {"sample": 0, "decrypted": 0, "id hashes match": 0, "phone hashes match": 0}
        references = Submission.objects.order_by("reference").values_list("reference", flat=True)[:sample]
        for reference in references:
            checked["sample"] += 1
            try:
                # One row at a time: a value that does not decrypt fails its row, not the whole sample.
                row = Submission.objects.only("reference", "id_number", "id_number_hash", "phone", "phone_hash").get(
                    reference=reference
                )
            except ImproperlyConfigured:
                continue
            checked["decrypted"] += 1
            checked["id hashes match"] += id_hash(row.id_number) == row.id_number_hash
            checked["phone hashes match"] += phone_hash(row.phone) == row.phone_hash
            for value in (reference, row.id_number, row.phone):
                digest.update(value.encode() + b"\x00")
        result = {"total": sum(by_status.values()), "by_status": by_status, **checked}
        result["fingerprint"] = digest.hexdigest()
        self.stdout.write(json.dumps(result, sort_keys=True))
