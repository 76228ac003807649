"""The division counts agree on every page, in the commands and in the README: all come from level_counts."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from shegong.core.roles import Role
from shegong.regions.models import Level, Region
from shegong.regions.services import level_counts
from tests.factories import official

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[3] / "README.md"
LEVELS = (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY)


def shown_counts(html):
    """The (label, number) pairs of the home panel or the list's summary, as a user reads them."""
    return {label: int(number) for label, number in re.findall(r"([^\s<>·]+)\s*<strong>(\d+)</strong>", html)}


def test_readme_states_the_counts_of_level_counts():
    with translation.override("zh-hans"):
        counts = level_counts()
        text = README.read_text(encoding="utf-8")
        source = "、".join(f"{level.label} {counts[level.label]['official']}" for level in LEVELS)
        assert f"源文件：{source}" in text
        for level in LEVELS:
            managed = counts[level.label]["administered"]
            assert re.search(rf"本系统管理的区划.*{level.label} {managed}[（、。]", text), (level.label, managed)
        grouping = counts[Level.PREFECTURE.label]["grouping"]
        assert f"加 {grouping} 个分组单位" in text
    english = text[text.index("## English") :]
    assert f"34 province-level, 333 prefecture-level, {counts['区县级']['official']} county-level" in english
    for level, word in zip(LEVELS, ("province", "prefecture", "county"), strict=True):
        with translation.override("zh-hans"):
            managed = counts[level.label]["administered"]
        assert f"{managed} {word}-level" in english


@pytest.mark.parametrize("code", ["000000", "440000", "650000"])
def test_home_panel_and_divisions_list_show_the_same_counts(client, code):
    user = official(code, role=Role.ADMIN)
    client.force_login(user)
    with translation.override("zh-hans"):
        counts = level_counts(within=Region.objects.get(code=code))
        expected = {level.label: counts[level.label]["administered"] for level in LEVELS}
    expected = {label: number for label, number in expected.items() if number}
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    panel = home[home.index('id="panel-region"') :]
    panel = panel[: panel.index("</section>")]
    listed = client.get(reverse("regions:list"), {"within": code}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    summary = listed[listed.index('id="managed-counts"') :]
    summary = summary[: summary.index("</p>")]
    on_home = shown_counts(panel)
    on_list = shown_counts(summary)
    assert on_list == expected
    assert on_home == expected
    if code == "000000":
        assert expected == {"省级": 32, "地市级": 355, "区县级": 2845}
