"""SubmissionTally, kept by PostgreSQL triggers; the birth-date index of the report's age bands.

The triggers are statement-level with transition tables: one INSERT … ON CONFLICT per
statement, whatever the number of rows (a COPY of 10,000 rows, an ``update()`` of many,
a single save), in the same transaction as the change. Each row counts +1 (new values)
or -1 (old values) for each tallied column; deltas that cancel (an update that changes
none of those columns) write nothing. Each statement upserts tally rows in key order, so two
statements never lock the same rows in opposite orders (the portal writes submissions with one
statement per transaction; a transaction that wrote two counties in two statements could deadlock
with one doing the reverse, and PostgreSQL would abort one of them). Existing rows are counted once,
with writes to the submission table blocked meanwhile. Other databases (SQLite in
development and tests) get the empty table and no triggers: nothing reads it there.
"""

from django.conf import settings
from django.db import migrations, models

# One row per (county, tallied column) of each row of a transition table (or of the table itself).
# The columns are those statistics.report counts: keep the two lists equal.
DELTAS = """
    SELECT left(r.queue_code, 6) AS county, d.dimension, d.value, {sign}::bigint AS delta
    FROM {rows} AS r CROSS JOIN LATERAL (VALUES
        ('status', r.status::text),
        ('gender', r.gender::text),
        ('employment_status', r.employment_status::text),
        ('not_insured_reason', r.not_insured_reason::text),
        ('service_bank', r.service_bank::text),
        ('birth_year', EXTRACT(YEAR FROM r.birth_date)::int::text)
    ) AS d(dimension, value)
"""
UPSERT = """
    INSERT INTO forms_intake_submissiontally AS t (county, dimension, value, n)
    SELECT county, dimension, value, SUM(delta) FROM ({deltas}) AS deltas
    GROUP BY county, dimension, value HAVING SUM(delta) <> 0
    ORDER BY county, dimension, value
    ON CONFLICT (county, dimension, value) DO UPDATE SET n = t.n + EXCLUDED.n
"""
NEW = DELTAS.replace("{sign}", "1").replace("{rows}", "new_rows")
OLD = DELTAS.replace("{sign}", "-1").replace("{rows}", "old_rows")
EXISTING = DELTAS.replace("{sign}", "1").replace("{rows}", "forms_intake_submission")

FUNCTION = """
CREATE FUNCTION forms_intake_submission_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {insert};
    ELSIF TG_OP = 'UPDATE' THEN
        {update};
    ELSIF TG_OP = 'DELETE' THEN
        {delete};
    ELSE  -- TRUNCATE
        DELETE FROM forms_intake_submissiontally;
    END IF;
    RETURN NULL;
END
$$
"""

INSTALL = [
    FUNCTION.replace("{insert}", UPSERT.replace("{deltas}", NEW))
    .replace("{update}", UPSERT.replace("{deltas}", NEW + " UNION ALL " + OLD))
    .replace("{delete}", UPSERT.replace("{deltas}", OLD)),
    # No submission is written between the triggers' creation and the first count.
    "LOCK TABLE forms_intake_submission IN SHARE ROW EXCLUSIVE MODE",
    """CREATE TRIGGER forms_intake_submission_tally_insert AFTER INSERT ON forms_intake_submission
       REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION forms_intake_submission_tally()""",
    """CREATE TRIGGER forms_intake_submission_tally_update AFTER UPDATE ON forms_intake_submission
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION forms_intake_submission_tally()""",
    """CREATE TRIGGER forms_intake_submission_tally_delete AFTER DELETE ON forms_intake_submission
       REFERENCING OLD TABLE AS old_rows
       FOR EACH STATEMENT EXECUTE FUNCTION forms_intake_submission_tally()""",
    """CREATE TRIGGER forms_intake_submission_tally_truncate AFTER TRUNCATE ON forms_intake_submission
       FOR EACH STATEMENT EXECUTE FUNCTION forms_intake_submission_tally()""",
    "DELETE FROM forms_intake_submissiontally",
    UPSERT.replace("{deltas}", EXISTING),
    "ANALYZE forms_intake_submissiontally",
    # Tally rows are updated in place all day: room on each page for HOT updates.
    "ALTER TABLE forms_intake_submissiontally SET (fillfactor = 50)",
]

UNINSTALL = [
    "DROP TRIGGER IF EXISTS forms_intake_submission_tally_insert ON forms_intake_submission",
    "DROP TRIGGER IF EXISTS forms_intake_submission_tally_update ON forms_intake_submission",
    "DROP TRIGGER IF EXISTS forms_intake_submission_tally_delete ON forms_intake_submission",
    "DROP TRIGGER IF EXISTS forms_intake_submission_tally_truncate ON forms_intake_submission",
    "DROP FUNCTION IF EXISTS forms_intake_submission_tally()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('forms_intake', '0005_backoffice_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SubmissionTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('county', models.CharField(max_length=12)),
                ('dimension', models.CharField(max_length=24)),
                ('value', models.CharField(max_length=32)),
                ('n', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name='submission',
            index=models.Index(fields=['birth_date', 'queue_code'], name='submission_birth_date_idx'),
        ),
        migrations.AddConstraint(
            model_name='submissiontally',
            constraint=models.UniqueConstraint(fields=('county', 'dimension', 'value'), name='unique_submission_tally'),
        ),
        migrations.RunPython(_run(INSTALL), _run(UNINSTALL)),
    ]
