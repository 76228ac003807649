"""The organizations sample import file (written by ``seed_national`` through core.seeding; see
core/tabular/samples.py): organizations of 天河区 (440106), each kind of faulty row at a known share."""

from shegong.core.tabular.samples import SAMPLE_COUNTY, write_csv, write_xlsx

ORGANIZATION_KINDS = {
    "good": (None, "new"),
    "legacy_check_failure": (0.05, "new+warning"),
    "wrong_prefix": (0.05, "new+warning"),
    "not_a_code": (0.05, "rejected"),
    "other_region": (0.05, "rejected"),
    "unknown_kind": (0.05, "rejected"),
}


def organization_rows(generator, total):
    rng = generator.rng
    header = ["统一社会信用代码", "机构名称", "机构类型", "所在地区", "联系人", "联系电话"]
    plan = []
    for kind, (share, _effect) in ORGANIZATION_KINDS.items():
        if share:
            plan.extend([kind] * max(1, round(total * share)))
    plan.extend(["good"] * max(0, total - len(plan)))
    rng.shuffle(plan)
    rows, counts = [header], dict.fromkeys(ORGANIZATION_KINDS, 0)
    for index, kind in enumerate(plan):
        code = generator.credit_code(SAMPLE_COUNTY, "52")
        row = [
            code,
            f"天河区示例社会工作服务中心{index:04d}",
            "社会工作服务机构",
            SAMPLE_COUNTY,
            generator.name(),
            f"020-{rng.randrange(10**7, 10**8)}",
        ]
        if kind == "legacy_check_failure":
            last = code[-1]
            row[0] = code[:17] + ("0" if last != "0" else "1")
        elif kind == "wrong_prefix":
            row[0] = generator.credit_code(SAMPLE_COUNTY, "91")
        elif kind == "not_a_code":
            row[0] = code[:15]
        elif kind == "other_region":
            row[3] = "510107"
        elif kind == "unknown_kind":
            row[2] = "公司"
        counts[kind] += 1
        rows.append(row)
    effects = {kind: effect for kind, (_share, effect) in ORGANIZATION_KINDS.items()}
    expected = {
        "rows": total,
        "new": sum(n for kind, n in counts.items() if effects[kind].startswith("new")),
        "rejected": sum(n for kind, n in counts.items() if effects[kind] == "rejected"),
        "rows_with_warnings": sum(n for kind, n in counts.items() if effects[kind] == "new+warning"),
    }
    return rows, counts, expected


def write_organization_samples(generator, target, rows):
    """organizations.csv and organizations.xlsx in ``target`` (one row for every 20 workers' rows, at
    least 40); their manifest entries."""
    org_rows, org_counts, org_expected = organization_rows(generator, max(40, rows // 20))
    write_csv(target / "organizations.csv", org_rows)
    write_xlsx(target / "organizations.xlsx", org_rows)
    return {
        "organizations.csv": {"table": "organizations", "kinds": org_counts, "expected": org_expected},
        "organizations.xlsx": {"table": "organizations", "kinds": org_counts, "expected": org_expected},
    }
