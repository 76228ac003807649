"""Demo organizations for the embedded run (a demo step of core.seeding, run by seed_demo). Safe to re-run."""

from django.utils import timezone

from shegong.accounts.models import User
from shegong.core import workflow as wf
from shegong.core.identifiers import organization_code_check_char, uscc_check_char
from shegong.core.roles import Role

from . import services
from .models import Organization, OrganizationKind, OrganizationStatus


def make_credit_code(prefix8, organization_code8):
    """A credit code with valid check characters: registration prefix and division (8), organization code (8)."""
    org9 = organization_code8 + organization_code_check_char(organization_code8)
    first17 = prefix8 + org9
    return first17 + uscc_check_char(first17)


# credit-code prefix, organization code, name, kind, county, contact, phone, admin account (or None)
DEMO_ORGANIZATIONS = [
    (
        "52440106",
        "MJL00001",
        "天河区阳光社会工作服务中心（演示）",
        OrganizationKind.SERVICE,
        "440106",
        "黄晓丽",
        "020-38880001",
        "org_demo",
    ),
    (
        "51440106",
        "MJL00002",
        "天河区社会工作协会（演示）",
        OrganizationKind.ASSOCIATION,
        "440106",
        "李红",
        "020-38880002",
        None,
    ),
    (
        "52510107",
        "MJL00003",
        "武侯区同心社会工作服务中心（演示）",
        OrganizationKind.SERVICE,
        "510107",
        "王川",
        "028-85550003",
        None,
    ),
]
# One sign-up left waiting, so that the county administrator's to-do list has something in it.
DEMO_PENDING = (
    "52440106",
    "MJL00004",
    "天河区启明社会工作服务中心（演示）",
    OrganizationKind.SERVICE,
    "440106",
    "赵启明",
    "020-38880004",
    "org_pending_demo",
)


def _county_admin(code):
    return User.objects.filter(role=Role.ADMIN, region_id=code, is_active=True).order_by("pk").first()


def seed_demo_organizations(*args):
    from shegong.accounts.management.commands.seed_demo import DEMO_PASSWORD

    lines = []
    for prefix, org_code, name, kind, county, contact, phone, username in [*DEMO_ORGANIZATIONS, DEMO_PENDING]:
        code = make_credit_code(prefix, org_code)
        organization = Organization.objects.filter(credit_code=code).first()
        pending = org_code == DEMO_PENDING[1]
        if organization is None:
            fields = {
                "credit_code": code,
                "name": name,
                "kind": kind,
                "region": _region(county),
                "contact_name": contact,
                "contact_phone": phone,
                "address": "",
            }
            if username and not User.objects.filter(username=username).exists():
                organization, _user, application = services.sign_up(**fields, username=username, password=DEMO_PASSWORD)
                reviewer = _county_admin(county)
                if not pending and reviewer is not None:
                    wf.approve(application, "材料齐全，同意。", actor=reviewer)
                    organization.refresh_from_db()
            else:
                organization = Organization.objects.create(**fields)
            if not pending and organization.status != OrganizationStatus.ACTIVE:
                organization.status = OrganizationStatus.ACTIVE
                organization.approved_at = timezone.now()
                organization.save(update_fields=["status", "approved_at", "updated_at"])
        account = f" · {username}" if username else ""
        lines.append(f"  {organization.name} {code} · {organization.get_status_display()}{account}")
    return lines


def _region(code):
    from shegong.regions.models import Region

    return Region.objects.get(code=code)
