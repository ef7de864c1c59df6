"""Scheduled publishing runs by itself (issue 17): the launcher of `make run` and `make serve-prod` runs
`manage.py publish_scheduled` periodically, one run at a time, beside the server and the workers."""

import sys

from portal.jobs import launcher


def test_the_launcher_runs_publish_scheduled_periodically(tmp_path, monkeypatch):
    log = tmp_path / "runs"
    # Each "publish_scheduled" run appends a line; the "server" lives for about 3.5 seconds.
    monkeypatch.setattr(
        launcher,
        "scheduled_publishing_command",
        lambda: [sys.executable, "-c", f"open({str(log)!r}, 'a').write('run\\n')"],
    )
    server = [sys.executable, "-c", "import time; time.sleep(3.5)"]
    status = launcher.Launcher(server, workers=0, schedule_interval=1.0).run()
    assert status == 0
    runs = log.read_text().splitlines()
    assert 3 <= len(runs) <= 5


def test_the_real_command_is_wagtails_publish_scheduled():
    assert launcher.scheduled_publishing_command()[-1] == "publish_scheduled"
