"""The import report as lines of text: what ``manage.py import`` prints (the pages show the same facts)."""

from django.utils.translation import gettext as _

from .spec import get_spec


def report_lines(job, max_issues=50):
    from shegong.core.models import ImportIssue

    spec = get_spec(job.table)
    lines = [
        _("Import %(batch)s · %(table)s · %(file)s (SHA-256 %(sha)s)")
        % {"batch": job.batch_id, "table": spec.title, "file": job.original_name, "sha": job.sha256},
        _("Status: %(status)s") % {"status": job.get_status_display()},
    ]
    if job.error:
        lines.append(_("Error: %(error)s") % {"error": job.error})
    if job.validated_at:
        lines.append(
            _(
                "Rows: %(total)s · new %(new)s · to update %(updated)s · unchanged %(same)s · rejected %(rejected)s · with warnings %(warnings)s"
            )
            % {
                "total": job.total_rows,
                "new": job.count_new,
                "updated": job.count_updated,
                "same": job.count_unchanged,
                "rejected": job.count_rejected,
                "warnings": job.count_warnings,
            }
        )
    if job.confirmed_at:
        lines.append(
            _(
                "Written: %(new)s added · %(updated)s changed · %(skipped)s skipped · up to row %(row)s in %(batches)s batches"
            )
            % {
                "new": job.committed_new,
                "updated": job.committed_updated,
                "skipped": job.committed_skipped,
                "row": job.committed_row,
                "batches": job.committed_batches,
            }
        )
    issues = job.issues.order_by("row", "id")
    total = issues.count()
    for issue in issues[:max_issues]:
        kind = _("rejected") if issue.severity == ImportIssue.Severity.ERROR else _("warning")
        column = f"{issue.column_letter} {issue.column}".strip()
        lines.append(
            f"  {_('row')} {issue.row}{' · ' + column if column else ''} · {kind}: {issue.message}"
            + (f" [{issue.value}]" if issue.value else "")
        )
    if total > max_issues:
        lines.append(_("  ... and %(count)s more problems (see the import record)") % {"count": total - max_issues})
    return lines
