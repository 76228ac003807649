"""The workers app's part of ``manage.py seed_national`` (registered in core.seeding from WorkersConfig.ready).

At scale 1.0 (docs/architecture.md "Data at national scale"): 1.6 million social workers spread over the real
county-level units by (approximate, 2020 census) provincial population, with valid ID numbers, and
their certificates (exam after the 18th birthday; the growth of new holders per exam year of
docs/domain.md, Certificate holders over time). Later steps use what these leave on the run:

* ``run.first_person``: the first primary key of the persons this run wrote (those before it, the
  demo data or an earlier ``--append`` run, are left alone);
* ``run.first_certificate``: the same for certificates.

Also the rows the benchmarks reuse (``PERSON_COLUMNS``, ``person_db_rows``, ``WORKER_HEADER``,
``worker_csv_row``) and the workers sample import file (workers/samples.py).
"""

import datetime

from django.core.management.base import CommandError
from django.db.models import Max

from shegong.core import crypto, seeding
from shegong.core.synthetic import write_rows
from shegong.core.tabular.keys import BlindIndexer

FULL_SCALE = 1_600_000
# New certificate holders per exam year (the growth of the cumulative counts in docs/domain.md, Certificate holders over time).
HOLDERS_BY_YEAR = {
    2008: 40, 2009: 30, 2010: 25, 2011: 25, 2012: 25, 2013: 30, 2014: 30, 2015: 40, 2016: 43, 2017: 39,
    2018: 112, 2019: 92, 2020: 138, 2021: 68, 2022: 193, 2023: 231, 2024: 355, 2025: 380,
}  # fmt: skip
LEVEL_SHARES = (("assistant", 0.70), ("intermediate", 0.28), ("senior", 0.02))


def existing_serials():
    """{(exam year, county code): the highest serial in use} of the management numbers already stored
    (year + county + 7-digit serial), so that generated numbers continue after them."""
    from .models import Certificate

    serials = {}
    numbers = Certificate.objects.filter(management_no__regex=r"^[0-9]{17}$").values_list("management_no", flat=True)
    for number in numbers.iterator(chunk_size=10_000):
        key = (int(number[:4]), number[4:10])
        serials[key] = max(serials.get(key, 0), int(number[10:]))
    return serials


def person_db_rows(people):
    """Rows for workers_person from generated persons (the COPY of 'the same rows' the import writes)."""
    index = BlindIndexer()
    for number, name, sex, born, county, phone in people:
        yield (index(number), crypto.encrypt(number), "citizen", name, sex, born, phone, county, False)


PERSON_COLUMNS = (
    "id_blind_index",
    "id_encrypted",
    "id_kind",
    "name",
    "sex",
    "birth_date",
    "phone",
    "region_id",
    "checked",
)
WORKER_HEADER = ["身份证号码", "姓名", "性别", "出生日期", "工作地区", "手机号码"]
SEX_WORD = {"male": "男", "female": "女"}


def worker_csv_row(person):
    number, name, sex, born, county, phone = person
    return [number, name, SEX_WORD[sex], born.isoformat(), county, phone]


def persons(run):
    """The social workers; leaves ``run.first_person`` and, for the certificates, ``run.people``."""
    from .models import Person

    if Person.objects.count() >= 1000 and not run.append:  # the demo's few persons do not count
        raise CommandError("The database already has social workers; use --append to add more.")
    generator = run.generator
    run.first_person = (Person.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    workers = run.count(FULL_SCALE)
    run.log(f"{workers:,} social workers")
    run.people = people = []  # (born, county) kept for the certificates: 1.6M small tuples

    # ID numbers already stored are not generated again.
    taken = set(Person.objects.values_list("id_blind_index", flat=True).iterator(chunk_size=50_000))
    blind_index = BlindIndexer()

    def generated():
        for person in generator.persons(workers):
            if taken and blind_index(person[0]) in taken:
                continue
            people.append((person[3], person[4]))
            yield person

    write_rows(Person, PERSON_COLUMNS, person_db_rows(generated()))
    run.person_ids = list(Person.objects.filter(pk__gte=run.first_person).order_by("pk").values_list("pk", flat=True))
    run.log(f"{len(run.person_ids):,} persons written")


def certificates(run):
    """One certificate per generated person (some intermediate holders also passed the assistant level
    two years before); management numbers continue after those stored. Leaves ``run.first_certificate``."""
    from .models import Certificate

    generator = run.generator
    run.first_certificate = (Certificate.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    rng = generator.rng
    serial = existing_serials()
    levels = [level for level, _share in LEVEL_SHARES]
    shares = [share for _level, share in LEVEL_SHARES]
    years, year_weights = list(HOLDERS_BY_YEAR), list(HOLDERS_BY_YEAR.values())
    today = generator.today

    def rows():
        for pk, (born, county) in zip(run.person_ids, run.people, strict=True):
            earliest = max(2008, born.year + 18)
            year = rng.choices(years, weights=year_weights)[0]
            year = min(max(year, earliest), today.year - 1)
            level = rng.choices(levels, weights=shares)[0]
            # Some intermediate holders passed the assistant level two years before.
            steps = [("assistant", year), (level, min(year + 2, today.year - 1))]
            if not (level == "intermediate" and rng.random() < 0.3):
                steps = [(level, year)]
            for this_level, this_year in steps:
                number = serial.get((this_year, county), 0) + 1
                serial[(this_year, county)] = number
                issued = datetime.date(this_year, 12, 1) if this_year < today.year else None
                yield (pk, this_level, f"{this_year}{county}{number:07d}", this_year, issued)

    count = write_rows(Certificate, ("person_id", "level", "management_no", "exam_year", "issued_on"), rows())
    run.people = None  # no longer needed
    run.log(f"{count:,} certificates")


def register():
    from . import samples

    seeding.register(seeding.NATIONAL, "persons", persons, order=10, help="social workers")
    seeding.register(
        seeding.NATIONAL, "certificates", certificates, order=20, after=("persons",), help="their certificates"
    )
    seeding.register(seeding.SAMPLES, "workers", samples.write_worker_samples, order=10)
