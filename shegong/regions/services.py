"""Loading the division tree from the official list, and the few rules that break the prefix pattern."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .models import ROOT_CODE, Level, Region, clear_tree_cache

DEFAULT_SOURCE = Path(__file__).parent / "data" / "divisions.txt"

MUNICIPALITIES = {"11", "12", "31", "50"}
NOT_ADMINISTERED = {"71", "81", "82"}  # Taiwan, Hong Kong, Macao: listed in GB/T 2260, not managed here

# 新疆生产建设兵团 is a province-level management unit of its own (MCA notices address it beside the
# provinces) but has no code in GB/T 2260. shegong gives it 660000 (the pseudo-code widely used in
# national business systems, unconfirmed) and its divisions 66NN00; the division-cities keep their
# official 6590xx codes and are managed under their division.
XPCC_CODE = "660000"
XPCC_NAME = "新疆生产建设兵团"
XPCC_DIVISIONS = {
    1: "第一师",
    2: "第二师",
    3: "第三师",
    4: "第四师",
    5: "第五师",
    6: "第六师",
    7: "第七师",
    8: "第八师",
    9: "第九师",
    10: "第十师",
    11: "第十一师",
    12: "第十二师",
    13: "第十三师",
    14: "第十四师",
}
XPCC_CITY_DIVISION = {
    "659001": 8,  # 石河子市
    "659002": 1,  # 阿拉尔市
    "659003": 3,  # 图木舒克市
    "659004": 6,  # 五家渠市
    "659005": 10,  # 北屯市
    "659006": 2,  # 铁门关市
    "659007": 5,  # 双河市
    "659008": 4,  # 可克达拉市
    "659009": 14,  # 昆玉市
    "659010": 7,  # 胡杨河市
    "659011": 13,  # 新星市
    "659012": 9,  # 白杨市
}


def xpcc_division_code(number):
    return f"66{number:02d}00"


@dataclass
class Unit:
    code: str
    name: str
    level: int
    parent: str | None
    prefix: str
    gb_code: str = ""
    administered: bool = True
    synthetic: bool = False


@dataclass
class LoadReport:
    created: list = field(default_factory=list)
    renamed: list = field(default_factory=list)
    moved: list = field(default_factory=list)
    deactivated: list = field(default_factory=list)
    reactivated: list = field(default_factory=list)
    source_counts: dict = field(default_factory=dict)


def read_source(path=DEFAULT_SOURCE):
    """The official list as {code: name}; comment lines start with '#'."""
    entries = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        code, _, name = line.partition(" ")
        if len(code) != 6 or not code.isdigit() or not name.strip():
            raise ValueError(f"{path}:{number}: expected 'CODE NAME', got {line!r}")
        if code in entries:
            raise ValueError(f"{path}:{number}: code {code} appears twice")
        entries[code] = name.strip()
    return entries


def official_level(code):
    if code.endswith("0000"):
        return Level.PROVINCE
    if code.endswith("00"):
        return Level.PREFECTURE
    return Level.COUNTY


def container_name(province_code, group):
    """Names of the prefecture-level groups that the MCA list leaves out."""
    if province_code in MUNICIPALITIES:
        return "县" if group == "02" else "市辖区"
    if group == "90":
        return "自治区直辖县级行政区划" if province_code in {"45", "54", "64", "65", "15"} else "省直辖县级行政区划"
    return "市辖区"


def build_units(entries):
    """Turn the official list into the four-level management tree."""
    units = {ROOT_CODE: Unit(ROOT_CODE, "全国", Level.NATIONAL, None, "", synthetic=True)}
    units[XPCC_CODE] = Unit(XPCC_CODE, XPCC_NAME, Level.PROVINCE, ROOT_CODE, "66", synthetic=True)
    for number, name in XPCC_DIVISIONS.items():
        code = xpcc_division_code(number)
        units[code] = Unit(code, name, Level.PREFECTURE, XPCC_CODE, code[:4], synthetic=True)

    for code, name in sorted(entries.items()):
        level = official_level(code)
        province = code[:2]
        administered = province not in NOT_ADMINISTERED
        if level == Level.PROVINCE:
            units[code] = Unit(code, name, level, ROOT_CODE, province, code, administered)
        elif level == Level.PREFECTURE:
            units[code] = Unit(code, name, level, f"{province}0000", code[:4], code, administered)
        elif code in XPCC_CITY_DIVISION:
            parent = xpcc_division_code(XPCC_CITY_DIVISION[code])
            units[code] = Unit(code, name, level, parent, code, code, administered)
        else:
            parent = f"{code[:4]}00"
            if parent not in entries and parent not in units:
                if code[:4] == "6590":  # a new 兵团 city not yet in XPCC_CITY_DIVISION
                    parent = XPCC_CODE
                else:
                    units[parent] = Unit(
                        parent,
                        container_name(province, code[2:4]),
                        Level.PREFECTURE,
                        f"{province}0000",
                        code[:4],
                        parent,
                        administered,
                        synthetic=True,
                    )
            units[code] = Unit(code, name, level, parent, code, code, administered)
    return units


def full_names(units):
    names = {}
    for code in sorted(units, key=lambda c: units[c].level):
        unit = units[code]
        if unit.parent is None:
            names[code] = unit.name
            continue
        parent_name = names.get(unit.parent, "") if units[unit.parent].level != Level.NATIONAL else ""
        own = "" if unit.synthetic and unit.level == Level.PREFECTURE and unit.parent != XPCC_CODE else unit.name
        names[code] = f"{parent_name}{own}" if own else parent_name
    return names


@transaction.atomic
def load_divisions(path=DEFAULT_SOURCE):
    """Create or update the tree from the official list; never delete (references must not break).

    Codes missing from the new list are marked inactive; renamed, moved and re-appearing ones
    are updated. Returns what changed.
    """
    entries = read_source(path)
    units = build_units(entries)
    names = full_names(units)
    report = LoadReport()
    for level in Level:
        report.source_counts[level.label] = sum(1 for c in entries if official_level(c) == level)

    existing = {r.code: r for r in Region.objects.all()}
    to_create, to_update = [], []
    for code in sorted(units, key=lambda c: (units[c].level, c)):
        unit = units[code]
        region = existing.get(code)
        values = {
            "name": unit.name,
            "full_name": names[code],
            "level": unit.level,
            "parent_id": unit.parent,
            "prefix": unit.prefix,
            "gb_code": unit.gb_code,
            "administered": unit.administered,
            "synthetic": unit.synthetic,
            "active": True,
        }
        if region is None:
            to_create.append(Region(code=code, **values))
            report.created.append(code)
            continue
        if region.name != unit.name:
            report.renamed.append((code, region.name, unit.name))
        if region.parent_id != unit.parent:
            report.moved.append((code, region.parent_id, unit.parent))
        if not region.active:
            report.reactivated.append(code)
        if any(getattr(region, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(region, k, v)
            to_update.append(region)
    # Parents first, so that foreign keys always point at existing rows.
    Region.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        Region.objects.bulk_update(to_update, list(values.keys()), batch_size=1000)
    gone = [code for code, region in existing.items() if code not in units and region.active]
    if gone:
        Region.objects.filter(code__in=gone).update(active=False)
        report.deactivated.extend(gone)
    clear_tree_cache()
    return report


def level_counts(within=None):
    """THE division counts per level, from which every page, command and the README take theirs.

    ``official``: active units of the source list; ``administered``: units managed here (no Hong Kong,
    Macao, Taiwan; 兵团 and the grouping units included); ``grouping``: units shegong adds (national
    root, 兵团 and its divisions, 市辖区 / 县 / 省直辖县级行政区划 groups); ``inactive``: abolished codes.
    With ``within`` (a Region), only the units below it (itself excluded) are counted.
    """
    from django.db.models import Count, Q

    qs = Region.objects.unscoped("division tree: public reference data")
    if within is not None:
        qs = qs.filter(within.subtree_q("code")).exclude(code=within.code)
    aggregates = {}
    for level in Level:
        on_level = Q(level=level)
        aggregates[f"{level}_official"] = Count("code", filter=on_level & Q(active=True, synthetic=False))
        aggregates[f"{level}_administered"] = Count("code", filter=on_level & Q(active=True, administered=True))
        aggregates[f"{level}_grouping"] = Count("code", filter=on_level & Q(active=True, synthetic=True))
        aggregates[f"{level}_inactive"] = Count("code", filter=on_level & Q(active=False))
    values = qs.aggregate(**aggregates)
    return {
        level.label: {kind: values[f"{level}_{kind}"] for kind in ("official", "administered", "grouping", "inactive")}
        for level in Level
    }
