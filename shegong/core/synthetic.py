"""Deterministic synthetic data over the real division tree, and a fast writer of its rows.

The mechanism under ``manage.py seed_national`` (and the benchmarks): the apps' national-scale steps
(registered in core.seeding) draw names, phones, ID numbers and credit codes from one seeded
:class:`Generator`, so that a run with the same seed writes the same rows, and write them with
:func:`write_rows` (COPY on PostgreSQL, batched INSERTs on SQLite), bypassing the services: this is
test data, written once, and the derived states are computed afterwards in set-based SQL.
"""

import datetime
import itertools
import random

from django.core.management.base import CommandError
from django.db import connection, transaction

from shegong.core import identifiers

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
