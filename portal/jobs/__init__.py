"""Background jobs that a staff user starts and watches: progress, result file, expiry, restart safety.

The work itself runs on Django's tasks framework (the `django-tasks` backport,
database backend `django-tasks-db` by default); this app only tracks it, so that
any app can offer "start it, watch the progress bar, download the result". It
imports no app: an app writes a task that calls `runner.run(job_id, handler)`
and starts it with `runner.start(...)`. See docs/jobs.md.
"""
