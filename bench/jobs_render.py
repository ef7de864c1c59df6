"""The tables' lines for the report jobs (in the back-office part) and the export's audit trail (bench/run.py)."""

from verdicts import TARGETS, export_audit_verdict, report_job_verdict, verdict


def render_report_jobs(office, out):
    """Lines for the report jobs of the back-office probe (bench/jobs_probe.py report_jobs)."""
    reports = office.get("reports")
    if not reports:
        return
    out += ["", "Report jobs, started from their screens by the provincial administrator, the task run in process "
            "as a worker runs it, then the file downloaded:", "",
            "| report | task s | target | state | rows | file |", "|---|---:|---|---|---:|---:|"]
    for job in reports:
        if job.get("missing"):
            out.append(f"| {job['report']} | — | MISSED: not measured ({job['missing']}) | — | — | — |")
            continue
        # The province's analysis report has the target; the summary report has none (reported).
        target = TARGETS["report_job_s"] if "item 19" in job["report"] else None
        goal = f"< {target} s" if target else "none (finished with its file)"
        size = f"{job['bytes'] / 1024:.0f} KB" if job.get("bytes") else f"status {job.get('download_status')}"
        rows = f"{job['rows']:,}" if isinstance(job.get("rows"), int) else "—"
        out.append(f"| {job['report']} | {job['seconds']} | {goal}: {verdict(report_job_verdict(job, target))} | "
                   f"{job['state']} | {rows} | {size} |")


def render_export_audit(export, out):
    """The line for the export's audit trail (bench/jobs_probe.py audit_counts)."""
    if "audit_entries" not in export:
        out += ["", "Export audit: not measured — MISSED."]
        return
    rows = ", ".join(f"{r:,}" if isinstance(r, int) else "none" for r in export.get("audit_rows") or []) or "—"
    out += ["", f"Export audit: {export['audit_entries']} audit entry (rows recorded: {rows}), "
            f"{export['new_events']} new timeline events on the exported submissions — target exactly 1 entry "
            f"with the export's rows and 0 events: {verdict(export_audit_verdict(export))}."]
