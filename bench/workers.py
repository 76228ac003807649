"""The social-worker registry at national scale: the list page's first and a deep page, with query plans.

Generates N persons (default 200,000; ``--scale`` or SHEGONG_BENCH_SCALE) with valid, distinct ID
numbers (encrypted, with their blind index), one certificate each, and a spread of registration
states: 10 % of them in Guangdong and 0.5 % in 天河区 (440106), the rest over every other county.
On PostgreSQL the rows are loaded with COPY; on SQLite with executemany (slower; use a smaller scale).

Then, for a province administrator (广东省) and a county administrator (天河区), it times the
persons list page (the real view, rendered) on its first page and on a deep page reached by the
keyset cursor, against a baseline (a bare indexed lookup by primary key), and prints EXPLAIN
ANALYZE of the page query (PostgreSQL). For comparison it also times the same deep page with OFFSET
and the exact COUNT the page avoids for wide scopes.

Run with the other suites: ``python -m bench --database-url postgres://...`` (SHEGONG_BENCH_SCALE sets
the size), or alone: ``python -m bench.workers --scale 1600000 --database-url postgres://...``.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta

DEFAULT_SCALE = 200_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉玲建国文斌飞宇浩凯健俊帆雪琳晶欣怡晨思佳颖雨婷子轩梓涵一诺欣然"
EMPLOYER_TYPES = ["public_institution", "social_group", "village_committee", "enterprise", "other"]


def person_columns():
    return [
        "id",
        "id_blind_index",
        "id_encrypted",
        "id_kind",
        "name",
        "sex",
        "birth_date",
        "phone",
        "email",
        "address",
        "education",
        "major",
        "employer_type",
        "employer_name",
        "photo",
        "household_region_id",
        "region_id",
        "checked",
        "registration_state",
        "registration_valid_to",
        "created_at",
        "updated_at",
    ]


CERTIFICATE_COLUMNS = [
    "id",
    "person_id",
    "level",
    "management_no",
    "exam_year",
    "issued_on",
    "registration_state",
    "registration_valid_to",
    "created_at",
    "updated_at",
]


def counties():
    from shegong.regions.models import Level, Region

    codes = list(
        Region.objects.filter(level=Level.COUNTY, active=True, administered=True).values_list("code", flat=True)
    )
    guangdong = [c for c in codes if c.startswith("44") and c != "440106"]
    others = [c for c in codes if not c.startswith("44")]
    return guangdong, others


def generate(n, start_id, seed=2026):
    """Rows of (person, certificate) as tuples in column order; ID numbers distinct by construction.

    Everything read from the database is read before the first row is yielded (the rows go into a
    COPY, during which the connection runs nothing else).
    """
    from django.utils import timezone

    from shegong.core import crypto
    from shegong.core.identifiers import build_id_number

    rng = random.Random(seed + start_id)
    guangdong, others = counties()
    crypto.blind_index("110101199001011237")  # load the keys now
    return _rows(n, start_id, rng, guangdong, others, crypto, build_id_number, timezone.now(), timezone.localdate())


def _rows(n, start_id, rng, guangdong, others, crypto, build_id_number, now, today):
    used = set()
    for offset in range(n):
        pk = start_id + offset
        roll = rng.random()
        county = "440106" if roll < 0.005 else rng.choice(guangdong) if roll < 0.10 else rng.choice(others)
        while True:
            born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 14600))
            sequence = rng.randrange(0, 1000)
            key = (county, born, sequence)
            if key not in used:
                used.add(key)
                break
        number = build_id_number(county, born, sequence)
        sex = "male" if sequence % 2 else "female"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        state_roll = rng.random()
        if state_roll < 0.70:
            state, valid_to = "registered", today + timedelta(days=rng.randrange(-20, 1095))
        elif state_roll < 0.80:
            state, valid_to = "lapsed", today - timedelta(days=rng.randrange(1, 1500))
        else:
            state, valid_to = "none", None
        person = (
            pk,
            crypto.blind_index(number),
            crypto.encrypt(number),
            "citizen",
            name,
            sex,
            born,
            f"139{pk % 100000000:08d}",
            "",
            "",
            "bachelor",
            "",
            rng.choice(EMPLOYER_TYPES),
            "某单位",
            "",
            county,
            county,
            rng.random() < 0.6,
            state,
            valid_to,
            now,
            now,
        )
        year = rng.randrange(2008, today.year + 1)
        certificate = (
            pk,
            pk,
            rng.choice(["assistant", "assistant", "intermediate", "senior"]),
            f"B{year}{pk:012d}",
            year,
            date(year, 12, 1),
            state,
            valid_to,
            now,
            now,
        )
        yield person, certificate


def load(n):
    from django.db import connection

    from shegong.workers.models import Person

    start = (Person.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    started = time.perf_counter()
    columns = person_columns()
    if connection.vendor == "postgresql":
        raw = connection.connection
        with raw.cursor() as cursor:
            certificates = []
            rows = generate(n, start)  # reads the divisions now, before the COPY starts
            with cursor.copy(f"COPY workers_person ({', '.join(columns)}) FROM STDIN") as people:
                for person, certificate in rows:
                    people.write_row(person)
                    certificates.append(certificate)
            with cursor.copy(f"COPY workers_certificate ({', '.join(CERTIFICATE_COLUMNS)}) FROM STDIN") as copy:
                for row in certificates:
                    copy.write_row(row)
            for table in ("workers_person", "workers_certificate"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                cursor.execute(f"ANALYZE {table}")
        raw.commit()
    else:
        rows = list(generate(n, start))
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO workers_person ({', '.join(columns)}) VALUES ({marks})", [p for p, _c in rows]
            )
            marks = ", ".join(["%s"] * len(CERTIFICATE_COLUMNS))
            cursor.executemany(
                f"INSERT INTO workers_certificate ({', '.join(CERTIFICATE_COLUMNS)}) VALUES ({marks})",
                [c for _p, c in rows],
            )
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def list_request(user, query=None):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.cache import SessionStore
    from django.test import RequestFactory

    from shegong.workers.views.registry import PersonListView

    request = RequestFactory().get("/workers/persons/", query or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.htmx = False
    response = PersonListView.as_view()(request)
    response.render()
    return response


def page_queryset(user, query=None):
    """The query the page runs (the view's own filtering and ordering), for EXPLAIN."""
    from django.test import RequestFactory

    from shegong.core.keyset import after_q, decode_cursor
    from shegong.workers.filters import PersonFilter
    from shegong.workers.views.registry import PersonListView

    query = dict(query or {})
    view = PersonListView()
    view.request = RequestFactory().get("/")
    view.request.user = user
    sort = query.get("sort", view.default_sort)
    keys = view.sorts[sort][1]
    filterset = PersonFilter(query or None, queryset=view.base_queryset())
    queryset = view.prepare(filterset.qs if filterset.is_bound else filterset.queryset, sort)
    values = decode_cursor(query.get("cursor"), len(keys))
    if values:
        queryset = queryset.filter(after_q(keys, values))
    return queryset.order_by(*[key.order_by for key in keys])[: view.page_size + 1]


def deep_cursor(user, fraction=0.5, limit_scan=None):
    """A cursor positioned ``fraction`` through the user's list (found with OFFSET, outside the timing)."""
    from shegong.core.keyset import encode_cursor
    from shegong.workers.models import Person

    queryset = Person.objects.visible_to(user).order_by("name", "pk")
    total = queryset.count()
    position = int(total * fraction)
    name, pk = queryset.values_list("name", "pk")[position]
    return encode_cursor([name, pk]), position, total


def explain(queryset):
    from django.db import connection

    if connection.vendor != "postgresql":
        return "(EXPLAIN ANALYZE shown on PostgreSQL only)"
    return queryset.explain(analyze=True, buffers=True)


def run(timed, scale=None):
    from django.conf import settings
    from django.test.utils import override_settings

    # Pages render static URLs; the bench has not run collectstatic, so use the plain storage.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield from _run(timed, scale)


def _run(timed, scale=None):
    from django.db import connection

    from shegong.accounts.models import User
    from shegong.workers.models import Person

    scale = int(scale or os.environ.get("SHEGONG_BENCH_SCALE") or DEFAULT_SCALE)
    if Person.objects.count() < scale:
        seconds = load(scale - Person.objects.count())
        yield (
            f"workers: loaded {scale:,} persons + certificates on {connection.vendor} in {seconds:.1f} s "
            f"({scale / seconds:,.0f} rows/s incl. encryption)"
        )
    total = Person.objects.count()
    province, _ = User.objects.get_or_create(username="bench_gd", defaults={"role": "admin", "region_id": "440000"})
    county, _ = User.objects.get_or_create(username="bench_th", defaults={"role": "admin", "region_id": "440106"})
    probe = Person.objects.order_by("pk").values_list("pk", flat=True)[total // 2]

    def baseline():
        Person.objects.filter(pk=probe).first()

    base = timed(baseline, repeat=50)
    yield f"workers: {total:,} persons; baseline (bare indexed lookup by primary key): {base * 1e3:.2f} ms"
    for label, user in (("province admin 广东省", province), ("county admin 天河区", county)):
        cursor, position, scope_total = deep_cursor(user)
        first = timed(lambda user=user: list_request(user), repeat=7)
        deep = timed(lambda user=user, cursor=cursor: list_request(user, {"cursor": cursor}), repeat=7)
        yield (
            f"workers list, {label} ({scope_total:,} persons in scope): first page {first * 1e3:.1f} ms "
            f"(ratio to baseline {first / base:.0f}); deep page at row {position:,} via cursor {deep * 1e3:.1f} ms "
            f"(ratio {deep / base:.0f})"
        )
        offset_qs = Person.objects.visible_to(user).order_by("name", "pk")
        offset_time = timed(lambda qs=offset_qs, position=position: list(qs[position : position + 51]), repeat=3)
        count_time = timed(lambda user=user: Person.objects.visible_to(user).count(), repeat=3)
        yield (
            f"  for comparison, not used by the page: the same deep page by OFFSET {offset_time * 1e3:.1f} ms; "
            f"exact COUNT of the scope {count_time * 1e3:.1f} ms"
        )
        yield f"  EXPLAIN ANALYZE, {label}, first page:"
        yield indent(explain(page_queryset(user)))
        yield f"  EXPLAIN ANALYZE, {label}, deep page (keyset cursor):"
        yield indent(explain(page_queryset(user, {"cursor": cursor})))
    expiring = timed(lambda: list_request(province, {"status": "expiring"}), repeat=5)
    yield f"workers list, province admin, status=expiring: {expiring * 1e3:.1f} ms (ratio {expiring / base:.0f})"
    yield "  EXPLAIN ANALYZE, province admin, status=expiring:"
    yield indent(explain(page_queryset(province, {"status": "expiring"})))
    name_search = timed(lambda: list_request(province, {"name": "陈晓"}), repeat=5)
    yield f"workers list, province admin, name starts with 陈晓: {name_search * 1e3:.1f} ms (ratio {name_search / base:.0f})"
    yield "  EXPLAIN ANALYZE, province admin, name prefix:"
    yield indent(explain(page_queryset(province, {"name": "陈晓"})))


def indent(text, prefix="    "):
    return "\n".join(prefix + line for line in str(text).splitlines())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=int(os.environ.get("SHEGONG_BENCH_SCALE") or DEFAULT_SCALE))
    parser.add_argument("--database-url", default=os.environ.get("SHEGONG_BENCH_DATABASE_URL"))
    parser.add_argument("--keep", action="store_true", help="reuse the database in SHEGONG_VAR_DIR if it has rows")
    args = parser.parse_args()
    import tempfile

    tmp = os.environ.get("SHEGONG_VAR_DIR") if args.keep else None
    tmp = tmp or tempfile.mkdtemp(prefix="shegong-bench-")
    os.environ["SHEGONG_VAR_DIR"] = tmp
    os.environ["SHEGONG_DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.core.management import call_command

    from bench.__main__ import timed
    from shegong.regions.models import Region
    from shegong.regions.services import load_divisions

    call_command("migrate", verbosity=0)
    if not Region.objects.filter(code="440106").exists():
        load_divisions()
    for line in run(timed, args.scale):
        print(line, flush=True)


if __name__ == "__main__":
    main()
