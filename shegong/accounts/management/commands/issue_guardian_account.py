"""Issue a security or audit administrator account from the command line, printing its activation code.

The national security and audit administrators have no level above them in the application: the operator issues
them here, on the server (``manage.py issue_guardian_account --role auditor --region 000000 --username mca_audit
--full-name 审计管理员``). The account gets no password; the printed one-time code is handed to its holder, who sets
their own password and second factor on the activation page. Any region is allowed (the command line is the
national authority), so the command also replaces a lost code (``--reissue``).
"""

import getpass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shegong.accounts.models import User
from shegong.accounts.roles import GUARDIAN_ROLES
from shegong.accounts.services import users


class Command(BaseCommand):
    help = "Create a security or audit administrator account (or --reissue its activation code) and print the code."

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, choices=sorted(str(role) for role in GUARDIAN_ROLES))
        parser.add_argument("--region", help="Region code the account serves, e.g. 000000.")
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--reissue", action="store_true", help="Give the existing account a new activation code.")

    def handle(self, *args, role, region, username, full_name, phone, reissue, **options):
        try:
            with transaction.atomic():
                if reissue:
                    account = User.objects.unscoped("command line").filter(username=username, role=role).first()
                    if account is None:
                        raise CommandError(f"No {role} account {username}.")
                    code = users.reset_password(account, actor=None)
                else:
                    if not region:
                        raise CommandError("--region is required.")
                    account, code = users.create_user(username, full_name or username, role, region, phone, actor=None)
        except (PermissionDenied, ValidationError) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(message) from exc
        self.stdout.write(f"Account {account.username} ({account.get_role_display()}, {account.region_id}).")
        self.stdout.write(f"Activation code: {code}")
        self.stdout.write(
            f"Hand it to the holder ({getpass.getuser()} issued it); they activate at /accounts/activate/ signed out."
        )
