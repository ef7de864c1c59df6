"""Re-encrypt every encrypted column with the newest key of FIELD_ENCRYPTION_KEYS.

Key rotation, step by step (README, "Security and privacy"):
1. generate a key: `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`;
2. deploy with FIELD_ENCRYPTION_KEYS="<new>,<old>" (newest first: new rows use it, old rows still decrypt);
3. run `manage.py rotate_field_keys` (safe to repeat, safe while the site runs);
4. deploy with FIELD_ENCRYPTION_KEYS="<new>" and destroy the old key.

The command reads and writes the stored tokens with plain SQL, so the ORM never
turns them into plaintext objects that could reach a log or a traceback; the
plaintext exists only inside `MultiFernet.rotate`. Rows already encrypted with
the newest key are left alone, so a second run changes nothing.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router, transaction

from forms_intake.rules.crypto import EncryptedTextField, get_fernet


def encrypted_columns():
    """(model, column name) of every EncryptedTextField in every installed model."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model, field.column))
    return found


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column (ID and phone numbers) with the newest FIELD_ENCRYPTION_KEYS key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="rows per transaction (default 1000)")
        parser.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")

    def handle(self, *args, batch_size, dry_run, **options):
        keys = list(settings.FIELD_ENCRYPTION_KEYS)
        if not keys:
            raise CommandError("FIELD_ENCRYPTION_KEYS is empty.")
        newest = Fernet(keys[0].encode() if isinstance(keys[0], str) else keys[0])
        fernet = get_fernet()
        totals = {"rotated": 0, "current": 0, "failed": 0}
        for model, column in encrypted_columns():
            counts = self.rotate_column(model, column, newest, fernet, batch_size, dry_run)
            for key, value in counts.items():
                totals[key] += value
            # Counts only: table and column names, never a value.
            self.stdout.write(
                f"{model._meta.db_table}.{column}: {counts['rotated']} re-encrypted, "
                f"{counts['current']} already on the newest key, {counts['failed']} undecryptable"
            )
        verb = "would be re-encrypted" if dry_run else "re-encrypted"
        self.stdout.write(
            f"Total: {totals['rotated']} {verb}, {totals['current']} unchanged, {totals['failed']} failed."
        )
        if totals["failed"]:
            raise CommandError(
                f"{totals['failed']} values cannot be decrypted with any configured key: "
                "add the key they were written with to FIELD_ENCRYPTION_KEYS and run again."
            )

    def rotate_column(self, model, column, newest, fernet, batch_size, dry_run):
        using = router.db_for_write(model)
        connection = connections[using]
        quote = connection.ops.quote_name
        table, col, pk = quote(model._meta.db_table), quote(column), quote(model._meta.pk.column)
        # Not injectable: identifiers come from model metadata and are quoted; values are bound parameters.
        select_sql = (
            f"SELECT {pk}, {col} FROM {table} "  # noqa: S608 # nosec B608
            f"WHERE {pk} > %s AND {col} IS NOT NULL AND {col} <> '' ORDER BY {pk}"
        )
        update_sql = f"UPDATE {table} SET {col} = %s WHERE {pk} = %s AND {col} = %s"  # noqa: S608 # nosec B608
        counts = {"rotated": 0, "current": 0, "failed": 0}
        last_pk = self._lowest_pk(model)
        while True:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute(f"{select_sql} {connection.ops.limit_offset_sql(0, batch_size)}", [last_pk])
                rows = cursor.fetchall()
                updates = []
                for row_pk, token in rows:
                    if self._on_newest_key(newest, token):
                        counts["current"] += 1
                        continue
                    try:
                        rotated = fernet.rotate(token.encode()).decode()
                    except InvalidToken:
                        counts["failed"] += 1
                        continue
                    counts["rotated"] += 1
                    # `AND col = old token`: a row changed meanwhile by the app keeps its new value.
                    updates.append((rotated, row_pk, token))
                if updates and not dry_run:
                    cursor.executemany(update_sql, updates)
            if len(rows) < batch_size:
                return counts
            last_pk = rows[-1][0]

    @staticmethod
    def _lowest_pk(model):
        # Keyset pagination starts below every key: integers and strings both work.
        return -1 if model._meta.pk.get_internal_type().endswith(("AutoField", "IntegerField")) else ""

    @staticmethod
    def _on_newest_key(newest, token):
        try:
            newest.decrypt(token.encode())
        except InvalidToken:
            return False
        return True
