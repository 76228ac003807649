"""Demo continuing education for the embedded run (a demo step of core.seeding, run by seed_demo). Safe to re-run.

One published provider in 广东省 with the account ``provider_demo``, two activities (a course held last
month, with attendance recorded for three 天河区 demo workers, and an online course next month open
for enrolment), and the standings of every demo worker.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shegong.accounts.models import User
from shegong.accounts.roles import Role
from shegong.education.services import activities
from shegong.education.services.ledger import refresh_standing
from shegong.regions.models import Region

from .models import Activity, Enrolment, EnrolmentStatus, Provider, ProviderMembership, ProviderStatus

DEMO_PROVIDER = "广东省社会工作继续教育中心（演示）"
DEMO_PROVIDER_ACCOUNT = "provider_demo"
PAST_COURSE = "社会工作伦理与实务（演示）"
ONLINE_COURSE = "个案管理网络课程（演示）"


@transaction.atomic
def seed_education():
    from shegong.accounts.management.commands.seed_demo import DEMO_PASSWORD
    from shegong.workers.demo import DEMO_PERSONS
    from shegong.workers.models import Certificate

    province = Region.objects.get(code="440000")
    provider = Provider.objects.filter(name=DEMO_PROVIDER, province=province).first()
    if provider is None:
        provider = Provider.objects.create(
            name=DEMO_PROVIDER,
            province=province,
            status=ProviderStatus.PUBLISHED,
            contact_name="周老师",
            contact_phone="020-83330000",
            address="广州市天河区",
            filed_on=timezone.localdate() - timedelta(days=365),
            published_at=timezone.now() - timedelta(days=360),
        )
    user = User.objects.filter(username=DEMO_PROVIDER_ACCOUNT).first()
    if user is None:
        user = User(username=DEMO_PROVIDER_ACCOUNT, full_name="周老师", role=Role.PROVIDER, region=province)
        user.set_password(DEMO_PASSWORD)
        user.save()
    if not ProviderMembership.objects.filter(user=user).exists():
        ProviderMembership.objects.create(user=user, provider=provider)
    user.refresh_from_db()

    now = timezone.now().replace(second=0, microsecond=0)
    past = Activity.objects.filter(provider=provider, title=PAST_COURSE).first()
    if past is None:
        past = activities.create_activity(
            actor=user,
            title=PAST_COURSE,
            kind="course",
            starts_at=now - timedelta(days=30, hours=8),
            ends_at=now - timedelta(days=30),
            place="广州市天河区体育西路（演示）",
            hours=Decimal("12"),
            capacity=60,
            description="伦理困境的识别与处理；个案记录规范。",
        )
    if not Activity.objects.filter(provider=provider, title=ONLINE_COURSE).exists():
        activities.create_activity(
            actor=user,
            title=ONLINE_COURSE,
            kind="online",
            starts_at=now + timedelta(days=20),
            ends_at=now + timedelta(days=50),
            link="https://example.org/course/case-management",
            hours=Decimal("16"),
            capacity=200,
            description="线上自学课程，结业后计入学时。",
        )
    tianhe = [row for row in DEMO_PERSONS if row[1] == "440106"]
    numbers = [row[6] for row in tianhe]
    persons = [
        certificate.person
        for certificate in Certificate.objects.filter(management_no__in=numbers).select_related("person")
    ]
    entries = []
    for person, hours in zip(persons, (Decimal("12"), Decimal("12"), Decimal("8")), strict=False):
        enrolment, _created = Enrolment.objects.get_or_create(activity=past, person=person)
        if enrolment.status != EnrolmentStatus.ATTENDED:
            entries.append((enrolment, hours))
    if entries:
        activities.record_attendance(past, entries, actor=user)
    all_numbers = [row[6] for row in DEMO_PERSONS]
    for certificate in Certificate.objects.filter(management_no__in=all_numbers).select_related("person"):
        refresh_standing(certificate.person)
    return [
        f"  {DEMO_PROVIDER_ACCOUNT:<14} {user.get_role_display()} · {provider.name} · {province}",
        f"  + 2 demo activities; attendance recorded for {len(persons)} demo workers in 天河区",
    ]
