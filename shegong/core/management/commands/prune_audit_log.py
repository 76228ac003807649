"""Delete audit events older than the retention period. Run daily from cron or the scheduler."""

from django.core.management.base import BaseCommand, CommandError

from shegong.core.audit.tasks import MINIMUM_RETENTION_DAYS, prune_audit_events, retention_days


class Command(BaseCommand):
    help = (
        "Delete audit events older than SHEGONG_AUDIT_RETENTION_DAYS (default 365, never fewer than "
        f"{MINIMUM_RETENTION_DAYS}). The workers also run this daily; use it from cron when they do not."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Keep this many days instead of the setting (at least 180).")
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, days=None, dry_run=False, **options):
        try:
            days = retention_days(days)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if dry_run:
            from datetime import timedelta

            from django.utils import timezone

            from shegong.core.models import AuditEvent

            cutoff = timezone.now() - timedelta(days=days)
            count = AuditEvent.objects.filter(at__lt=cutoff).count()
            self.stdout.write(
                f"{count} audit events older than {cutoff:%Y-%m-%d %H:%M} ({days} days) would be deleted."
            )
            return
        result = prune_audit_events(days)
        self.stdout.write(
            f"Deleted {result.deleted} audit events older than {result.cutoff:%Y-%m-%d %H:%M} ({result.days} days)."
        )
