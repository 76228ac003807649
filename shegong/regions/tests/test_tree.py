"""The division tree: counts against the source list, and every unit that breaks the prefix rule."""

import pytest
from django.core.management import call_command

from shegong.regions.models import Level, Region
from shegong.regions.services import DEFAULT_SOURCE, level_counts, load_divisions, official_level, read_source

pytestmark = pytest.mark.django_db


def test_counts_per_level_match_the_source_list():
    entries = read_source(DEFAULT_SOURCE)
    expected = {level.label: sum(1 for c in entries if official_level(c) == level) for level in Level}
    counts = level_counts()
    for level in (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY):
        assert counts[level.label]["official"] == expected[level.label]
    # The 2025 list: 34 province-level units, 333 prefecture-level, 2,845 county-level.
    assert expected[Level.PROVINCE.label] == 34
    assert expected[Level.PREFECTURE.label] == 333
    assert expected[Level.COUNTY.label] == 2845


def test_hong_kong_macao_taiwan_are_listed_but_not_administered():
    for code in ("810000", "820000", "710000"):
        assert Region.objects.get(code=code).administered is False
    assert Region.objects.administered().filter(level=Level.PROVINCE).count() == 32  # 31 + 兵团


def test_xpcc_is_a_province_level_unit_with_divisions():
    xpcc = Region.objects.get(code="660000")
    assert xpcc.name == "新疆生产建设兵团" and xpcc.level == Level.PROVINCE
    shihezi = Region.objects.get(code="659001")
    assert shihezi.name == "石河子市" and shihezi.parent_id == "660800"
    assert shihezi.parent.name == "第八师" and shihezi.parent.parent_id == "660000"
    assert Region.objects.filter(parent_id="660000").count() == 14


def test_xpcc_cities_belong_to_the_xpcc_not_to_xinjiang():
    xinjiang = Region.objects.get(code="650000")
    xpcc = Region.objects.get(code="660000")
    eighth = Region.objects.get(code="660800")
    assert not xinjiang.contains("659001")
    assert xinjiang.contains("650102")  # 乌鲁木齐市天山区
    assert xpcc.contains("659001") and xpcc.contains("659012")
    assert eighth.contains("659001") and not eighth.contains("659002")
    in_xinjiang = set(Region.objects.filter(xinjiang.subtree_q("code")).values_list("code", flat=True))
    assert "659001" not in in_xinjiang and "650102" in in_xinjiang
    in_xpcc = set(Region.objects.filter(xpcc.subtree_q("code")).values_list("code", flat=True))
    assert {"660000", "660800", "659001", "659012"} <= in_xpcc
    assert not any(code.startswith("6501") for code in in_xpcc)


def test_municipality_districts_sit_under_a_grouping_unit():
    district = Region.objects.get(code="110101")
    assert district.parent_id == "110100" and district.parent.synthetic
    assert district.parent.name == "市辖区" and district.full_name == "北京市东城区"
    assert Region.objects.get(code="500229").parent.name == "县"  # 重庆市城口县
    beijing = Region.objects.get(code="110000")
    assert beijing.contains("110101") and not beijing.contains("120101")


def test_province_administered_county_level_units():
    jiyuan = Region.objects.get(code="419001")
    assert jiyuan.parent_id == "419000" and jiyuan.parent.name == "省直辖县级行政区划"
    assert Region.objects.get(code="410000").contains("419001")
    assert Region.objects.get(code="429004").parent_id == "429000"  # 仙桃市
    assert Region.objects.get(code="469001").parent_id == "469000"  # 五指山市


def test_prefecture_without_counties_is_a_leaf():
    dongguan = Region.objects.get(code="441900")
    assert dongguan.level == Level.PREFECTURE and not dongguan.children.exists()
    assert Region.objects.get(code="440000").contains("441900")


def test_county_subtree_is_itself():
    tianhe = Region.objects.get(code="440106")
    assert tianhe.contains("440106") and not tianhe.contains("440105")
    assert list(Region.objects.filter(tianhe.subtree_q("code")).values_list("code", flat=True)) == ["440106"]


def test_national_root_contains_everything():
    root = Region.objects.get(code="000000")
    assert root.contains("659001") and root.contains("110101")
    assert Region.objects.filter(root.subtree_q("code")).count() == Region.objects.count()


def test_reload_from_a_newer_list_updates_without_breaking_references(tmp_path):
    from tests.factories import official

    user = official("440106")
    source = DEFAULT_SOURCE.read_text(encoding="utf-8").splitlines()
    newer = []
    for line in source:
        if line.startswith("440106 "):
            continue  # abolished
        if line.startswith("440104 "):
            line = "440104 越秀新区"  # renamed
        newer.append(line)
    newer.append("440199 示例新区")  # created
    path = tmp_path / "divisions.txt"
    path.write_text("\n".join(newer) + "\n", encoding="utf-8")

    report = load_divisions(path)

    assert report.created == ["440199"]
    assert report.deactivated == ["440106"]
    assert ("440104", "越秀区", "越秀新区") in report.renamed
    tianhe = Region.objects.get(code="440106")
    assert tianhe.active is False  # kept, so references do not break
    user.refresh_from_db()
    assert user.region_id == "440106"
    assert Region.objects.get(code="440199").parent_id == "440100"

    again = load_divisions(DEFAULT_SOURCE)  # back to the official list: nothing lost
    assert "440106" in again.reactivated
    assert Region.objects.get(code="440104").name == "越秀区"
    assert Region.objects.get(code="440199").active is False


def test_reload_is_idempotent():
    report = load_divisions(DEFAULT_SOURCE)
    assert not (report.created or report.renamed or report.moved or report.deactivated)


def test_a_malformed_source_line_is_reported_with_its_line_number(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("110000 北京市\n11010 东城区\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.txt:2"):
        read_source(path)


def test_region_counts_command_prints_counts(capsys):
    call_command("region_counts")
    out = capsys.readouterr().out
    county_line = next(line for line in out.splitlines() if "2845" in line)
    assert county_line.split()[1:3] == ["2845", "2845"]  # source and database agree
