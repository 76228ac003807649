"""Demo social workers for the embedded run (a demo step of core.seeding, run by seed_demo). Safe to re-run.

Registrations, the expiring and lapsed holders and the pending application are added by the
registration app's seeder (registration/demo.py), which runs after this one.
"""

import io
from datetime import date

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from shegong.core.identifiers import build_id_number
from shegong.workers import queries

from . import services
from .models import Certificate, CertificateLevel, Education, EmployerType

# name, work county, birth date, sequence (odd: male), level, exam year, management number
DEMO_PERSONS = [
    ("陈晓明", "440106", date(1988, 5, 12), 11, CertificateLevel.INTERMEDIATE, 2018, "20184401060000011"),
    ("李静", "440106", date(1992, 9, 3), 22, CertificateLevel.ASSISTANT, 2020, "20204401060000022"),
    ("黄志强", "440106", date(1979, 1, 27), 33, CertificateLevel.SENIOR, 2016, "20164401060000033"),
    ("张敏", "510107", date(1990, 11, 8), 44, CertificateLevel.ASSISTANT, 2019, "20195101070000044"),
    ("刘洋", "510107", date(1985, 3, 16), 55, CertificateLevel.INTERMEDIATE, 2017, "20175101070000055"),
    ("杨帆", "510107", date(1995, 7, 21), 66, CertificateLevel.ASSISTANT, 2022, "20225101070000066"),
]
# A holder who passed the exam this year and applied for first registration (the pending application).
RECENT_PERSON = ("王芳", "440106", date(1996, 4, 18), 78, CertificateLevel.ASSISTANT)
# Imported holder records nobody has checked yet (核对).
UNCHECKED_PERSONS = [
    ("赵磊", "440106", date(1987, 2, 2), 91),
    ("孙丽", "510107", date(1991, 6, 30), 82),
]
DEMO_WORKER = "worker_demo"
DEMO_APPLICANT = "worker_applicant"


def demo_photo():
    """A small grey JPEG standing in for an ID photo."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (90, 120), (200, 200, 200)).save(buffer, format="JPEG", quality=70)
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def complete_profile(person, county):
    """Fill in the personal information table of a demo person once (idempotent)."""
    if person.education:
        return
    services.update_person(
        person,
        actor=None,
        education=Education.BACHELOR,
        major="社会工作",
        employer_type=EmployerType.PUBLIC_INSTITUTION,
        employer_name=f"{person.region.name}社会工作服务站",
        household_region=county,
        phone=person.phone or "13900000000",
        photo=demo_photo(),
    )


def account_for(username, person):
    from shegong.accounts.management.commands.seed_demo import DEMO_PASSWORD

    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"full_name": person.name, "role": services.WORKER_ROLE}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    if person.account_id is None and getattr(user, "person", None) is None:
        person.account = user
        person.save(update_fields=["account", "updated_at"])
    return user


@transaction.atomic
def seed_workers():
    persons = []
    for name, county, born, sequence, level, year, management_no in DEMO_PERSONS:
        number = build_id_number(county, born, sequence)
        person = queries.find_person_by_id_number(number)
        if person is None:
            person = services.register_person(actor=None, name=name, id_number=number, region=county, checked=True)
        if not Certificate.objects.filter(management_no=management_no).exists():
            services.add_certificate(
                person,
                actor=None,
                level=level,
                management_no=management_no,
                exam_year=year,
                issued_on=date(year, 12, 1),
            )
        complete_profile(person, county)
        persons.append(person)
    first = persons[0]
    user = account_for(DEMO_WORKER, first)

    name, county, born, sequence, level = RECENT_PERSON
    number = build_id_number(county, born, sequence)
    recent = queries.find_person_by_id_number(number)
    if recent is None:
        recent = services.register_person(actor=None, name=name, id_number=number, region=county, checked=True)
    year = timezone.localdate().year
    management_no = f"{year}4401060000078"
    if not Certificate.objects.filter(management_no=management_no).exists():
        services.add_certificate(
            recent,
            actor=None,
            level=level,
            management_no=management_no,
            exam_year=year,
            issued_on=timezone.localdate().replace(day=1),
        )
    complete_profile(recent, county)
    account_for(DEMO_APPLICANT, recent)

    for name, county, born, sequence in UNCHECKED_PERSONS:
        number = build_id_number(county, born, sequence)
        if queries.find_person_by_id_number(number) is None:
            services.register_person(actor=None, name=name, id_number=number, region=county, checked=False)
    return [
        f"  {DEMO_WORKER:<14} {user.get_role_display()} · {first.name} · {first.region}",
        f"  {DEMO_APPLICANT:<14} {user.get_role_display()} · {recent.name} · {recent.region}",
        f"  + {len(persons) + 1 + len(UNCHECKED_PERSONS)} demo social workers in 天河区 (440106) and 武侯区 (510107)",
    ]
