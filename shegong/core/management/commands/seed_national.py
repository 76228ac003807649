"""Fill a database with national-scale synthetic data, and write sample import files with known faults.

    manage.py seed_national [--scale 1.0] [--seed N] [--samples-only] [--append]
    make seed-national                      (scale 1.0; SCALE=0.01 for a quick one)

At scale 1.0 (DESIGN.md "Data at national scale"): 1.6 million social workers with their
certificates, registration histories (when the registration app is installed) and study-hour
records (when the education app is), 20,000 organizations. Persons are spread over the real
county-level units by (approximate, 2020 census) provincial population; ID numbers and credit codes
are valid; histories are consistent (exam after the 18th birthday, first registration within a year
of the exam, re-registration every three years, study hours inside the registration periods).
Rows are written with COPY on PostgreSQL (batched INSERTs on SQLite), bypassing the services: this
is test data, written once, and the derived states are computed afterwards in set-based SQL.

Sample files (var/samples/): workers, certificates and organizations as CSV and xlsx, with a known
share of each kind of faulty row; ``manifest.json`` lists them and the counts an import must report.
"""

import datetime
import itertools
import json
import random
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from shegong.core import crypto, identifiers
from shegong.core.tabular.keys import BlindIndexer

# 第七次全国人口普查 (2020), ten thousands, by province code; 66 is the XPCC (兵团), approximate.
PROVINCE_POPULATION = {
    "11": 2189, "12": 1387, "13": 7461, "14": 3492, "15": 2405, "21": 4259, "22": 2407, "23": 3185,
    "31": 2487, "32": 8475, "33": 6457, "34": 6103, "35": 4154, "36": 4519, "37": 10153, "41": 9937,
    "42": 5775, "43": 6644, "44": 12601, "45": 5013, "46": 1008, "50": 3205, "51": 8367, "52": 3856,
    "53": 4721, "54": 365, "61": 3953, "62": 2502, "63": 592, "64": 720, "65": 2585, "66": 330,
}  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
    "廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华红玉萍鹏辉婷雪琳晨宇浩然欣怡子涵梓轩佳琪思远嘉文俊峰晓燕春梅海波建国志刚秀英"
FULL_SCALE = {"workers": 1_600_000, "organizations": 20_000, "study_records": 30_000_000}
# New certificate holders per exam year (the growth of the cumulative counts in domain.md §7).
HOLDERS_BY_YEAR = {
    2008: 40, 2009: 30, 2010: 25, 2011: 25, 2012: 25, 2013: 30, 2014: 30, 2015: 40, 2016: 43, 2017: 39,
    2018: 112, 2019: 92, 2020: 138, 2021: 68, 2022: 193, 2023: 231, 2024: 355, 2025: 380,
}  # fmt: skip
LEVEL_SHARES = (("assistant", 0.70), ("intermediate", 0.28), ("senior", 0.02))
SAMPLE_COUNTY = "440106"


class Generator:
    """Deterministic synthetic data over the real division tree."""

    def __init__(self, seed=20261126, today=None):
        from shegong.regions.models import Level, Region

        self.rng = random.Random(seed)
        self.today = today or datetime.date.today()
        counties = list(
            Region.objects.filter(level=Level.COUNTY, active=True, administered=True).values_list("code", "prefix")
        )
        if not counties:
            raise CommandError("Load the division tree first (manage.py load_regions).")
        by_province = {}
        for code, _prefix in counties:
            by_province.setdefault(code[:2], []).append(code)
        self.counties, weights = [], []
        for province, codes in sorted(by_province.items()):
            share = PROVINCE_POPULATION.get(province, 300) / len(codes)
            self.counties.extend(codes)
            weights.extend([share] * len(codes))
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)
        self.seen = set()
        self.years = list(HOLDERS_BY_YEAR)
        self.year_weights = list(HOLDERS_BY_YEAR.values())

    def pick_counties(self, n):
        return self.rng.choices(self.counties, cum_weights=self.cumulative, k=n)

    def name(self):
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))

    def phone(self):
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"

    def person(self, county, *, address=None):
        """(id number, name, sex, birth date, county, phone) with an ID number not issued before."""
        rng = self.rng
        while True:
            born = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 41))
            sequence = rng.randrange(1, 1000)
            number = identifiers.build_id_number(address or county, born, sequence)
            key = int(number[:17])
            if key not in self.seen:
                self.seen.add(key)
                break
        sex = "male" if sequence % 2 else "female"
        return number, self.name(), sex, born, county, self.phone()

    def persons(self, n, chunk=50_000):
        done = 0
        while done < n:
            size = min(chunk, n - done)
            for county in self.pick_counties(size):
                yield self.person(county)
            done += size

    def credit_code(self, county, prefix="52"):
        rng = self.rng
        while True:
            body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
            organization_code = body + identifiers.organization_code_check_char(body)
            first17 = prefix + county + organization_code
            code = first17 + identifiers.uscc_check_char(first17)
            if code not in self.seen:
                self.seen.add(code)
                return code


def existing_serials():
    """{(exam year, county code): the highest serial in use} of the management numbers already stored
    (year + county + 7-digit serial), so that generated numbers continue after them."""
    from shegong.workers.models import Certificate

    serials = {}
    numbers = Certificate.objects.filter(management_no__regex=r"^[0-9]{17}$").values_list("management_no", flat=True)
    for number in numbers.iterator(chunk_size=10_000):
        key = (int(number[:4]), number[4:10])
        serials[key] = max(serials.get(key, 0), int(number[10:]))
    return serials


# --- writing rows fast ----------------------------------------------------------------------------------


COPY_ROWS = 500_000  # rows per COPY transaction: bounds the queue of deferred foreign-key checks


def write_rows(model, columns, rows, *, batch=50_000):
    """COPY (PostgreSQL) or batched INSERTs (SQLite) of tuples in ``columns`` order; returns the count.

    On PostgreSQL one COPY (one transaction) per COPY_ROWS rows: a single COPY of 30 million rows would
    queue 30 million deferred foreign-key checks in the server's memory until its commit."""
    from shegong.core.tabular.stage import Stage, q

    constants = Stage._defaults(model, set(columns))
    names = list(columns) + list(constants)
    extra = tuple(constants.values())
    table = q(model._meta.db_table)
    count = 0
    if connection.vendor == "postgresql":
        rows = iter(rows)
        while True:
            written = 0
            with transaction.atomic(), connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({', '.join(q(n) for n in names)}) FROM STDIN") as copy:
                    for row in itertools.islice(rows, COPY_ROWS):
                        copy.write_row(row + extra)
                        written += 1
            count += written
            if written < COPY_ROWS:
                return count
    statement = f"INSERT INTO {table} ({', '.join(q(n) for n in names)}) VALUES ({', '.join(['%s'] * len(names))})"
    buffer = []
    with connection.cursor() as cursor:
        for row in rows:
            buffer.append(row + extra)
            if len(buffer) >= batch:
                with transaction.atomic():
                    cursor.executemany(statement, buffer)
                count += len(buffer)
                buffer = []
        if buffer:
            with transaction.atomic():
                cursor.executemany(statement, buffer)
            count += len(buffer)
    return count


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


class Command(BaseCommand):
    help = "Fill the database with national-scale synthetic data and write sample import files to var/samples/."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1.6 million workers (DESIGN.md)")
        parser.add_argument("--seed", type=int, default=20261126)
        parser.add_argument("--samples-only", action="store_true", help="Only write the sample import files.")
        parser.add_argument("--sample-rows", type=int, default=10_000)
        parser.add_argument("--append", action="store_true", help="Add to a database that already has workers.")
        parser.add_argument(
            "--no-study-records", action="store_true", help="Skip the study-hour ledger (the largest table)."
        )

    def log(self, message):
        self.stdout.write(f"[{time.monotonic() - self.started:7.1f}s] {message}")

    def handle(self, *args, scale, seed, samples_only, sample_rows, append, no_study_records, **options):
        from shegong.workers.models import Person

        self.started = time.monotonic()
        generator = Generator(seed)
        if not samples_only:
            if Person.objects.count() >= 1000 and not append:  # the demo's few persons do not count
                raise CommandError("The database already has social workers; use --append to add more.")
            self.seed(generator, scale, not no_study_records)
        self.samples(generator, sample_rows)
        self.log("done")

    # --- the national data ------------------------------------------------------------------------------
    def seed(self, generator, scale, study_records):
        from django.db.models import Max

        from shegong.organizations.models import Organization
        from shegong.workers.models import Certificate, Person

        # What is already there (the demo data, or an earlier run with --append) is left alone: every
        # step below works on the rows this run writes, and numbers continue after the existing ones.
        self.first_person = (Person.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        self.first_certificate = (Certificate.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        workers = int(FULL_SCALE["workers"] * scale)
        self.log(f"{workers:,} social workers")
        people = []  # (number, born, county) kept for the certificates: 1.6M small tuples

        # ID numbers and credit codes already stored are not generated again.
        taken = set(Person.objects.values_list("id_blind_index", flat=True).iterator(chunk_size=50_000))
        blind_index = BlindIndexer()
        generator.seen.update(Organization.objects.values_list("credit_code", flat=True))

        def generated():
            for person in generator.persons(workers):
                if taken and blind_index(person[0]) in taken:
                    continue
                people.append((person[3], person[4]))
                yield person

        write_rows(Person, PERSON_COLUMNS, person_db_rows(generated()))
        ids = list(Person.objects.filter(pk__gte=self.first_person).order_by("pk").values_list("pk", flat=True))
        self.log(f"{len(ids):,} persons written; certificates")
        certificates = self.certificates(generator, ids, people)
        self.log(f"{certificates:,} certificates; organizations")
        organizations = self.organizations(generator, int(FULL_SCALE["organizations"] * scale))
        self.log(f"{organizations:,} organizations")
        if apps.is_installed("shegong.registration"):
            count = self.registrations(generator)
            self.log(f"{count:,} registrations (states synchronised)")
        if study_records and apps.is_installed("shegong.education"):
            count = self.study_records(generator, int(FULL_SCALE["study_records"] * scale))
            self.log(f"{count:,} study records; standings")
            from shegong.education.ledger import refresh_standings

            refresh_standings()
            self.log("standings refreshed")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def certificates(self, generator, ids, people):
        from shegong.workers.models import Certificate

        rng = generator.rng
        serial = existing_serials()
        levels = [level for level, _share in LEVEL_SHARES]
        shares = [share for _level, share in LEVEL_SHARES]

        def rows():
            for pk, (born, county) in zip(ids, people, strict=True):
                earliest = max(2008, born.year + 18)
                year = rng.choices(generator.years, weights=generator.year_weights)[0]
                year = min(max(year, earliest), generator.today.year - 1)
                level = rng.choices(levels, weights=shares)[0]
                # Some intermediate holders passed the assistant level two years before.
                steps = [("assistant", year), (level, min(year + 2, generator.today.year - 1))]
                if not (level == "intermediate" and rng.random() < 0.3):
                    steps = [(level, year)]
                for this_level, this_year in steps:
                    number = serial.get((this_year, county), 0) + 1
                    serial[(this_year, county)] = number
                    issued = datetime.date(this_year, 12, 1) if this_year < generator.today.year else None
                    yield (pk, this_level, f"{this_year}{county}{number:07d}", this_year, issued)

        return write_rows(Certificate, ("person_id", "level", "management_no", "exam_year", "issued_on"), rows())

    def organizations(self, generator, count):
        from shegong.organizations.models import Organization

        rng = generator.rng
        now = datetime.datetime.now(datetime.UTC)

        def rows():
            for index, county in enumerate(generator.pick_counties(count)):
                association = rng.random() < 0.08
                prefix = "51" if association else "52"
                kind = "association" if association else "service_organization"
                name = f"{county}{'社会工作协会' if association else '社会工作服务中心'}{index:05d}"
                yield (
                    generator.credit_code(county, prefix),
                    name,
                    kind,
                    county,
                    generator.name(),
                    generator.phone(),
                    "active",
                    now,
                )

        return write_rows(
            Organization,
            ("credit_code", "name", "kind", "region_id", "contact_name", "contact_phone", "status", "approved_at"),
            rows(),
        )

    def registrations(self, generator):
        """First registration within a year of the exam for most holders, then every three years."""
        from shegong.registration.models import Registration
        from shegong.registration.tables import _province
        from shegong.workers.models import Certificate
        from shegong.workers.status import add_years

        from ...tabular.regions import RegionIndex

        regions = RegionIndex()
        rng = generator.rng
        today = generator.today
        now = datetime.datetime.now(datetime.UTC)
        counter = [0]

        def rows(chunk):
            for certificate_id, person_id, year, county in chunk:
                if rng.random() > 0.8:
                    continue
                start = datetime.date(year + 1, 3, 1) + datetime.timedelta(days=rng.randrange(200))
                kind = "first"
                while start <= today:
                    end = add_years(start, 3) - datetime.timedelta(days=1)
                    following = end + datetime.timedelta(days=1)
                    renew = following <= today and rng.random() < 0.75
                    status = "superseded" if renew else ("lapsed" if end < today else "registered")
                    counter[0] += 1
                    yield (
                        person_id,
                        certificate_id,
                        kind,
                        f"DJ{county}{start.year}{counter[0]:08d}",
                        start,
                        end,
                        county,
                        _province(regions, county),
                        status,
                        now,
                    )
                    if not renew:
                        break
                    start, kind = following, "renewal"

        columns = (
            "person_id",
            "certificate_id",
            "kind",
            "number",
            "valid_from",
            "valid_to",
            "region_id",
            "authority_region_id",
            "status",
            "created_at",
        )
        count, last = 0, 0
        certificates = (
            Certificate.objects.filter(pk__gte=self.first_certificate)
            .order_by("pk")
            .values_list("pk", "person_id", "exam_year", "person__region_id")
        )
        while True:
            # Read a chunk, then COPY it: a connection in the middle of a COPY cannot also answer a query.
            chunk = list(certificates.filter(pk__gt=last)[:50_000])
            if not chunk:
                break
            last = chunk[-1][0]
            count += write_rows(Registration, columns, rows(chunk))
        sync_all_registration_states()
        return count

    def study_records(self, generator, count):
        from shegong.education.models import StudyRecord
        from shegong.workers.models import Person

        rng = generator.rng
        persons = list(Person.objects.filter(pk__gte=self.first_person).order_by("pk").values_list("pk", flat=True))
        if not persons:
            return 0
        titles = (
            "社会工作伦理与实务",
            "个案管理",
            "小组工作方法",
            "社区营造",
            "督导与评估",
            "儿童保护",
            "养老服务",
            "政策法规",
        )
        forms = ("training", "online", "conference", "training", "online")
        now = datetime.datetime.now(datetime.UTC)
        start = datetime.date(2019, 1, 1)
        span = (generator.today - start).days

        def rows():
            for index in range(count):
                person = persons[rng.randrange(len(persons))]
                hours = rng.choice((2, 3, 4, 6, 8, 12, 16))
                yield (
                    person,
                    forms[index % len(forms)],
                    "import",
                    f"SEED-{index}",
                    titles[index % len(titles)],
                    hours,
                    hours,
                    start + datetime.timedelta(days=rng.randrange(span)),
                    now,
                )

        return write_rows(
            StudyRecord,
            (
                "person_id",
                "form",
                "source",
                "source_ref",
                "title",
                "hours_claimed",
                "hours_credited",
                "occurred_on",
                "created_at",
            ),
            rows(),
        )

    # --- sample import files -------------------------------------------------------------------------------
    def samples(self, generator, rows):
        from shegong.core.tabular.samples import write_samples

        target = Path(settings.VAR_DIR) / "samples"
        manifest = write_samples(generator, target, rows)
        (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        self.log(f"sample files in {target}: {', '.join(sorted(manifest['files']))}")


def sync_all_registration_states():
    """The registration app's sync_status for everyone at once (after a bulk load), in set-based SQL."""
    from shegong.registration.models import Registration
    from shegong.registration.services import ROW_STATE
    from shegong.workers.models import Certificate, Person

    from ...tabular.stage import q

    registrations = q(Registration._meta.db_table)
    state = (
        "CASE r.status "
        + " ".join(f"WHEN '{row}' THEN '{value}'" for row, value in ROW_STATE.items())
        + " ELSE 'none' END"
    )
    now = datetime.datetime.now(datetime.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {registrations} SET previous_id = (
                SELECT MAX(p.id) FROM {registrations} p
                WHERE p.certificate_id = {registrations}.certificate_id AND p.id < {registrations}.id)
            """
        )
        for table, column in (
            (q(Certificate._meta.db_table), "certificate_id"),
            (q(Person._meta.db_table), "person_id"),
        ):
            cursor.execute(
                f"""
                UPDATE {table} SET registration_state = {state}, registration_valid_to = r.valid_to, updated_at = %s
                FROM {registrations} r
                WHERE r.id = (SELECT MAX(x.id) FROM {registrations} x WHERE x.{column} = {table}.id)
                """,
                [now],
            )
