"""Demo social workers for the embedded run (appended to accounts' seed_demo). Safe to re-run."""

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from shegong.core.identifiers import build_id_number

from . import services
from .models import Certificate, CertificateLevel

# name, work county, birth date, sequence (odd: male), level, exam year, management number
DEMO_PERSONS = [
    ("陈晓明", "440106", date(1988, 5, 12), 11, CertificateLevel.INTERMEDIATE, 2018, "20184401060000011"),
    ("李静", "440106", date(1992, 9, 3), 22, CertificateLevel.ASSISTANT, 2020, "20204401060000022"),
    ("黄志强", "440106", date(1979, 1, 27), 33, CertificateLevel.SENIOR, 2016, "20164401060000033"),
    ("张敏", "510107", date(1990, 11, 8), 44, CertificateLevel.ASSISTANT, 2019, "20195101070000044"),
    ("刘洋", "510107", date(1985, 3, 16), 55, CertificateLevel.INTERMEDIATE, 2017, "20175101070000055"),
    ("杨帆", "510107", date(1995, 7, 21), 66, CertificateLevel.ASSISTANT, 2022, "20225101070000066"),
]
DEMO_WORKER = "worker_demo"


@transaction.atomic
def seed_workers():
    from shegong.accounts.management.commands.seed_demo import DEMO_PASSWORD

    persons = []
    for name, county, born, sequence, level, year, management_no in DEMO_PERSONS:
        number = build_id_number(county, born, sequence)
        person = services.find_person_by_id_number(number)
        if person is None:
            person = services.register_person(None, name=name, id_number=number, region=county, checked=True)
        if not Certificate.objects.filter(management_no=management_no).exists():
            services.add_certificate(
                None, person, level=level, management_no=management_no, exam_year=year, issued_on=date(year, 12, 1)
            )
        persons.append(person)
    User = get_user_model()
    first = persons[0]
    user, created = User.objects.get_or_create(
        username=DEMO_WORKER, defaults={"full_name": first.name, "role": services.WORKER_ROLE}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    if first.account_id is None and getattr(user, "person", None) is None:
        first.account = user
        first.save(update_fields=["account", "updated_at"])
    return [
        f"  {DEMO_WORKER:<14} {user.get_role_display()} · {first.name} · {first.region}",
        f"  + {len(persons)} demo social workers with certificates in 天河区 (440106) and 武侯区 (510107)",
    ]
