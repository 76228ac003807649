"""Issue one admin account per region below a region, writing the initial passwords to xlsx files.

The same service as the "Issue admin accounts" screen; run on the server by an operator, e.g.
``manage.py issue_admin_accounts --region 000000`` for every province, prefecture and county.
"""

import getpass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shegong.accounts.models import User
from shegong.accounts.roles import Role
from shegong.accounts.services import users
from shegong.regions.models import Region


class Command(BaseCommand):
    help = (
        "Create one account per administered region below --region (skipping regions whose account was issued "
        "before) and write one xlsx file of user names and initial passwords per province into --output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="Region code to issue within, e.g. 000000 or 440000.")
        parser.add_argument(
            "--levels",
            default="province,prefecture,county",
            help="Comma-separated levels: province, prefecture, county (default: all three).",
        )
        parser.add_argument(
            "--role",
            default=Role.ADMIN,
            choices=list(users.ISSUE_USERNAME_PREFIX),
            help="Role of the issued accounts (default admin).",
        )
        parser.add_argument("--output", help="Folder for the xlsx files (default: var/issued-accounts-<time>/).")
        parser.add_argument(
            "--actor",
            help="Act as this account (its region limits what may be issued; the audit log names it). "
            "Without it the command acts as the system, with national authority.",
        )

    def handle(self, *args, region, levels, role, output=None, actor=None, **options):
        root = Region.objects.filter(code=region).first()
        if root is None:
            raise CommandError(f"Unknown region code {region}.")
        acting = None
        if actor:
            acting = User.objects.filter(username=actor, is_active=True).first()
            if acting is None:
                raise CommandError(f"No active account {actor}.")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        folder = Path(output) if output else Path(settings.VAR_DIR) / f"issued-accounts-{stamp}"
        issued_by = actor or f"{getpass.getuser()} (command line)"
        written = []

        def deliver(result):
            if not result.accounts:
                return
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            for name, content in users.issued_workbooks(result, issued_by=issued_by).items():
                path = folder / name
                path.write_bytes(content)
                path.chmod(0o600)
                written.append(path)

        try:
            result = users.issue_region_admins(
                root,
                [level for level in levels.split(",") if level.strip()],
                role,
                actor=acting,
                deliver=deliver,
                audit_note={"via": "command", "os_user": getpass.getuser()},
            )
        except (PermissionDenied, ValidationError) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(message) from exc
        self.stdout.write(
            f"Created {len(result.accounts)} accounts, skipped {result.skipped} regions that already had one "
            f"({result.seconds.get('total', 0)} s)."
        )
        if written:
            self.stdout.write(f"Initial passwords in {len(written)} files under {folder}:")
            for path in written:
                self.stdout.write(f"  {path.name}")
            self.stdout.write(
                "Hand each file over securely, then delete it: the passwords must be changed at first sign-in."
            )
