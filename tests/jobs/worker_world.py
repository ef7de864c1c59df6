"""Set up a database for test_worker_restart.py from inside `manage.py shell` (another process).

`python manage.py shell -c "from tests.jobs.worker_world import main; main(3000)"` creates the
divisions, one handler of 文艺路街道 and `rows` registrations there, starts an export job as that
handler and prints the job's id.
"""

from forms_intake.backoffice.jobs import EXPORT_KIND, export_registrations
from forms_intake.models import Submission
from portal import roles
from portal.jobs import runner
from tests.forms_intake.moderation_support import TOWNSHIP_A, build_submission, make_divisions, make_staff

BATCH = 500


def main(rows, export_format="csv"):
    make_divisions()
    roles.ensure_roles()
    handler = make_staff("handler_worker", roles.HANDLER, [TOWNSHIP_A])
    for start in range(0, rows, BATCH):
        batch = [build_submission(queue_code=TOWNSHIP_A) for _ in range(min(BATCH, rows - start))]
        Submission.objects.bulk_create(batch)
    params = {"view": "forms_intake_submission:index", "query": "", "format": export_format, "language": "zh-hans"}
    job, _created = runner.start(export_registrations, user=handler, kind=EXPORT_KIND, params=params)
    print(f"JOB {job.pk}")
