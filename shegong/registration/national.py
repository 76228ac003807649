"""The registration app's part of ``manage.py seed_national`` (registered in core.seeding from
RegistrationConfig.ready): registration histories of the generated certificates (first registration
within a year of the exam for most holders, then every three years), and the derived registration
states of certificates and persons, computed afterwards in set-based SQL."""

import datetime

from django.db import connection

from shegong.core import seeding
from shegong.core.synthetic import write_rows


def registrations(run):
    """First registration within a year of the exam for most holders, then every three years."""
    from shegong.core.tabular.regions import RegionIndex
    from shegong.workers.models import Certificate
    from shegong.workers.status import add_years

    from .models import Registration
    from .tables import _province

    generator = run.generator
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
        Certificate.objects.filter(pk__gte=run.first_certificate)
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
    run.log(f"{count:,} registrations (states synchronised)")


def sync_all_registration_states():
    """The registration app's sync_status for everyone at once (after a bulk load), in set-based SQL."""
    from shegong.core.tabular.stage import q
    from shegong.workers.models import Certificate, Person

    from .models import Registration
    from .services import ROW_STATE

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


def register():
    # Needs the certificates of this run (run.first_certificate); before the study records (order 50),
    # whose standings depend on the registration periods.
    seeding.register(
        seeding.NATIONAL,
        "registrations",
        registrations,
        order=40,
        after=("certificates",),
        help="registration histories",
    )
