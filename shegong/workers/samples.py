"""The workers sample import file (written by ``seed_national`` through core.seeding; see core/tabular/samples.py).

For a county administrator of 440106 (天河区; the demo account th_admin): most rows are good (many
with harmless untidiness: spaces, full-width digits, a lowercase x, dates written in the common
Chinese forms), and each kind of faulty row appears at a known share. The persons are born
2001-2005, outside the range of the national data, so that they are new in a seeded database too.
"""

import datetime

from shegong.core import identifiers
from shegong.core.tabular.samples import SAMPLE_COUNTY, write_csv, write_xlsx

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# kind -> (share of rows, effect on the import: "new", "rejected" or "new+warning")
WORKER_KINDS = {
    "good": (None, "new"),
    "untidy": (0.10, "new"),  # spaces, full-width digits, lowercase x, dates as 2001年3月1日 / 20010301
    "id_15_digits": (0.01, "new+warning"),
    "bad_check_character": (0.01, "rejected"),
    "excel_lost_digits": (0.01, "rejected"),
    "sex_contradicts_id": (0.01, "rejected"),
    "birth_contradicts_id": (0.01, "rejected"),
    "other_region": (0.01, "rejected"),
    "unknown_region": (0.005, "rejected"),
    "ambiguous_region": (0.005, "rejected"),
    "missing_name": (0.005, "rejected"),
    "bad_date": (0.005, "rejected"),
    "bad_phone": (0.005, "rejected"),
    "duplicate_copy": (0.01, "rejected"),  # an exact copy of an earlier good row: the copy is skipped
}


def _person(generator, born_year_from=2001):
    rng = generator.rng
    while True:
        born = datetime.date(born_year_from, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 5))
        sequence = rng.randrange(1, 1000)
        number = identifiers.build_id_number(SAMPLE_COUNTY, born, sequence)
        if int(number[:17]) not in generator.seen:
            generator.seen.add(int(number[:17]))
            return number, generator.name(), "男" if sequence % 2 else "女", born, generator.phone()


def worker_rows(generator, total):
    """(rows for the csv, rows for the xlsx, counts by kind, expected report)."""
    rng = generator.rng
    plan = []
    for kind, (share, _effect) in WORKER_KINDS.items():
        if share and kind != "duplicate_copy":
            plan.extend([kind] * max(1, round(total * share)))
    copies = max(1, round(total * WORKER_KINDS["duplicate_copy"][0]))
    plan.extend(["good"] * max(0, total - len(plan) - copies))
    rng.shuffle(plan)
    # A copy comes after the row it copies: insert the copies in the second half of the file.
    for _ in range(copies):
        plan.insert(rng.randrange(len(plan) // 2, len(plan) + 1), "duplicate_copy")
    header = ["身份证号码", "姓名", "性别", "出生日期", "工作地区", "手机号码"]
    csv_rows, xlsx_rows, goods = [header], [header], []
    counts = dict.fromkeys(WORKER_KINDS, 0)
    for kind in plan:
        number, name, sex, born, phone = _person(generator)
        row = [number, name, sex, born.isoformat(), SAMPLE_COUNTY, phone]
        excel = list(row)
        if kind == "good":
            goods.append(row)
        elif kind == "untidy":
            variant = rng.randrange(4)
            if variant == 0:
                row = [
                    f" {number[:6]} {number[6:]} ",
                    f"{name[0]}\n{name[1:]}",
                    sex,
                    born.isoformat(),
                    SAMPLE_COUNTY,
                    f"{phone[:3]} {phone[3:]}",
                ]
            elif variant == 1:
                row = [
                    number.translate(FULLWIDTH),
                    name,
                    sex,
                    f"{born.year}年{born.month}月{born.day}日",
                    "广东省广州市天河区",
                    phone,
                ]
            elif variant == 2:
                row = [number.lower(), name, sex, f"{born:%Y%m%d}", "天河区", phone]
            else:
                row = [number, name, "", f"{born.year}/{born.month}/{born.day}", "广州市/天河区", ""]
            excel = list(row)
        elif kind == "id_15_digits":
            old_born = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randrange(3650))
            old = f"{SAMPLE_COUNTY}{old_born:%y%m%d}{rng.randrange(1, 1000):03d}"
            converted = int(old[:6] + "19" + old[6:])
            if converted in generator.seen:
                old = old[:-3] + f"{(int(old[-3:]) + 1) % 1000:03d}"
            generator.seen.add(int(old[:6] + "19" + old[6:]))
            row = [old, name, "", "", SAMPLE_COUNTY, phone]
            excel = list(row)
        elif kind == "bad_check_character":
            wrong = "0" if number[-1] != "0" else "1"
            row[0] = excel[0] = number[:17] + wrong
        elif kind == "excel_lost_digits":
            while number.endswith("X"):  # Excel keeps such a number as text: take one it turns into a number
                number = _person(generator)[0]
            row[0] = f"{float(number):.5E}"
            excel[0] = float(number)
        elif kind == "sex_contradicts_id":
            row[2] = excel[2] = "女" if sex == "男" else "男"
        elif kind == "birth_contradicts_id":
            row[3] = excel[3] = (born + datetime.timedelta(days=1)).isoformat()
        elif kind == "other_region":
            row[4] = excel[4] = "510107"
        elif kind == "unknown_region":
            row[4] = excel[4] = "火星新区"
        elif kind == "ambiguous_region":
            row[4] = excel[4] = "朝阳区"
        elif kind == "missing_name":
            row[1] = excel[1] = ""
        elif kind == "bad_date":
            row[3] = excel[3] = f"{born.month:02d}/{born.day:02d}/{born.year}"
        elif kind == "bad_phone":
            row[5] = excel[5] = "12345"
        elif kind == "duplicate_copy":
            original = rng.choice(goods)
            row, excel = list(original), list(original)
        counts[kind] += 1
        csv_rows.append(row)
        xlsx_rows.append(excel)
    effects = {kind: effect for kind, (_share, effect) in WORKER_KINDS.items()}
    expected = {
        "rows": total,
        "new": sum(n for kind, n in counts.items() if effects[kind].startswith("new")),
        "rejected": sum(n for kind, n in counts.items() if effects[kind] == "rejected"),
        "rows_with_warnings": counts["id_15_digits"],
    }
    return csv_rows, xlsx_rows, counts, expected


def write_worker_samples(generator, target, rows):
    """workers.csv and workers.xlsx in ``target``; their manifest entries."""
    csv_rows, xlsx_rows, counts, expected = worker_rows(generator, rows)
    write_csv(target / "workers.csv", csv_rows)
    write_xlsx(target / "workers.xlsx", xlsx_rows, title="天河区社会工作者花名册（样例）")
    return {
        "workers.csv": {"table": "workers", "kinds": counts, "expected": expected},
        "workers.xlsx": {
            "table": "workers",
            "kinds": counts,
            "expected": expected,
            "note": "ID numbers of the excel_lost_digits rows are real spreadsheet numbers here",
        },
    }
