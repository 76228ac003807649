"""Demo data for the embedded run: admins at every level of two provinces, then the demo data every app
registers in core.seeding (its ``demo.py``: workers, organizations, registrations, education). Safe to re-run."""

from django.core.management.base import BaseCommand
from django.db import transaction

from shegong.accounts.models import User
from shegong.accounts.roles import Role
from shegong.core import seeding
from shegong.regions.models import Region

DEMO_PASSWORD = "Demo#2026shegong"

DEMO_ACCOUNTS = [
    # username, name, role, region code
    ("mca_admin", "民政部管理员", Role.ADMIN, "000000"),
    ("mca_security", "民政部安全管理员", Role.SECURITY, "000000"),
    ("mca_auditor", "民政部审计管理员", Role.AUDITOR, "000000"),
    ("gd_admin", "广东省民政厅管理员", Role.ADMIN, "440000"),
    ("gd_staff", "广东省民政厅工作人员", Role.STAFF, "440000"),
    ("gd_security", "广东省安全管理员", Role.SECURITY, "440000"),
    ("gd_auditor", "广东省审计管理员", Role.AUDITOR, "440000"),
    ("gz_admin", "广州市民政局管理员", Role.ADMIN, "440100"),
    ("th_admin", "天河区民政局管理员", Role.ADMIN, "440106"),
    ("sc_admin", "四川省民政厅管理员", Role.ADMIN, "510000"),
    ("cd_admin", "成都市民政局管理员", Role.ADMIN, "510100"),
    ("wh_admin", "武侯区民政局管理员", Role.ADMIN, "510107"),
]


class Command(BaseCommand):
    help = "Create the demo accounts (and, through the steps apps register in core.seeding, their demo data)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    @transaction.atomic
    def handle(self, *args, quiet=False, **options):
        if not Region.objects.filter(code="440106").exists():
            self.stderr.write("Load the division tree first: manage.py load_regions")
            raise SystemExit(1)
        lines = []
        for username, name, role, code in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"full_name": name, "role": role, "region_id": code}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            lines.append(f"  {username:<14} {user.get_role_display()} · {user.region}")
        for step in seeding.steps(seeding.DEMO):  # workers, organizations, registrations, education...
            lines.extend(step.func())
        if not quiet:
            self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
            for line in lines:
                self.stdout.write(line)
            self.stdout.write(
                "Administrators and ministry/province officials set up a TOTP authenticator app at their first "
                "sign-in (the page shows a QR code and the key); county staff, workers and organizations do not."
            )
