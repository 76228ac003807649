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
    # username, name, role, region code (None: no region)
    ("operator", "系统运维人员", Role.OPERATOR, None),
    ("mca_admin", "民政部管理员", Role.ADMIN, "000000"),
    ("mca_security", "民政部安全管理员", Role.SECURITY, "000000"),
    ("mca_auditor", "民政部审计管理员", Role.AUDITOR, "000000"),
    ("gd_admin", "广东省民政厅管理员", Role.ADMIN, "440000"),
    ("gd_staff", "广东省民政厅工作人员", Role.STAFF, "440000"),
    ("gd_security", "广东省安全管理员", Role.SECURITY, "440000"),
    ("gd_auditor", "广东省审计管理员", Role.AUDITOR, "440000"),
    ("gz_admin", "广州市民政局管理员", Role.ADMIN, "440100"),
    ("gd_api", "广东省社会工作信息系统（接口）", Role.API_CLIENT, "440000"),
    ("th_admin", "天河区民政局管理员", Role.ADMIN, "440106"),
    ("th_staff", "天河区民政局工作人员", Role.STAFF, "440106"),
    ("sc_admin", "四川省民政厅管理员", Role.ADMIN, "510000"),
    ("cd_admin", "成都市民政局管理员", Role.ADMIN, "510100"),
    ("wh_admin", "武侯区民政局管理员", Role.ADMIN, "510107"),
    ("expert_demo", "评审专家（演示）", Role.EXPERT, None),
]


def second_factor_note():
    """Who must set up a TOTP authenticator, in the words of the rule that enforces it
    (accounts.security.two_factor_required, applied by TwoFactorEnrolmentMiddleware)."""
    from shegong.accounts.security import SECOND_FACTOR_LEVELS, SECOND_FACTOR_ROLES
    from shegong.core.roles import REGION_ROLES
    from shegong.regions.models import Level

    always = "、".join(str(Role(role).label) for role in Role if role in SECOND_FACTOR_ROLES)
    by_level = "、".join(str(Role(role).label) for role in Role if role in REGION_ROLES - SECOND_FACTOR_ROLES)
    levels = "、".join(str(Level(level).label) for level in sorted(SECOND_FACTOR_LEVELS))
    never = "、".join(
        str(Role(role).label) for role in Role if role not in SECOND_FACTOR_ROLES and role not in REGION_ROLES
    )
    return (
        f"Two-factor (TOTP): must be set up at the first sign-in (the page shows a QR code and the key) by every "
        f"{always}; and by {by_level} of the {levels} levels. Not required: {by_level} below those levels, {never}. "
        "Accounts marked [2FA] above must enrol."
    )


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
            lines.append(f"  {username:<14} {user.get_role_display()} · {user.region or '—'}")
        for step in seeding.steps(seeding.DEMO):  # workers, organizations, registrations, education...
            lines.extend(step.func())
        if not quiet:
            self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
            for line in mark_second_factor(lines):
                self.stdout.write(line)
            self.stdout.write(second_factor_note())


def mark_second_factor(lines):
    """The printed lines, an account's line marked [2FA] when the rule makes that account enrol a second
    factor (the account is the line's first word, or its last for an organization's line)."""
    from shegong.accounts.security import two_factor_required

    def account_of(line):
        words = line.split()
        return [words[0], words[-1]] if words and words[0] != "+" else []

    names = {name for line in lines for name in account_of(line)}
    users = {user.username: user for user in User.objects.filter(username__in=names).select_related("region")}
    marked = []
    for line in lines:
        accounts = [users[name] for name in account_of(line) if name in users]
        marked.append(f"{line}  [2FA]" if accounts and two_factor_required(accounts[0]) else line)
    return marked
