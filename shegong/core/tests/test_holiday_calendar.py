"""The holiday calendar of a new year: loadable by the operator (command and page), and its absence shown
on the operator's home page, not only logged."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from shegong.core import workdays
from shegong.core.models import AuditEvent, WorkdayOverride
from shegong.core.roles import Role
from tests.factories import UserFactory, official

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
NEXT = timezone.localdate().year + 1
FILE = f"# {NEXT}\ndate,is_workday,note\n{NEXT}-01-01,0,元旦\n{NEXT}-02-07,1,春节调休上班\n"


@pytest.fixture
def operator():
    return UserFactory(username="operator", role=Role.OPERATOR, region_id=None)


def cover(*years):
    for year in years:
        WorkdayOverride.objects.create(date=date(year, 1, 1), is_workday=False, note="元旦")
    workdays.clear_cache()


def test_the_command_loads_one_year_of_a_file(tmp_path):
    path = tmp_path / "holidays.csv"
    path.write_text(FILE + f"{NEXT + 1}-01-01,0,元旦\n", encoding="utf-8")
    call_command("load_holidays", "--file", str(path), "--year", str(NEXT), "--quiet")
    assert set(WorkdayOverride.objects.values_list("date__year", flat=True)) == {NEXT}
    assert workdays.is_workday(date(NEXT, 2, 7)) and not workdays.is_workday(date(NEXT, 1, 1))
    with pytest.raises(CommandError, match=str(NEXT + 5)):
        call_command("load_holidays", "--file", str(path), "--year", str(NEXT + 5), "--quiet")


def test_the_operator_home_page_says_which_year_is_missing(client, operator):
    cover(NEXT - 1)
    client.force_login(operator)
    home = client.get(reverse("home"), **ZH).content.decode()
    assert 'data-testid="calendar-missing"' in home and str(NEXT) in home
    assert reverse("holiday-calendar") in home
    cover(NEXT)
    home = client.get(reverse("home"), **ZH).content.decode()
    assert 'data-testid="calendar-missing"' not in home


def test_other_accounts_see_no_calendar_warning_and_may_not_load(client):
    user = official("000000")
    client.force_login(user)
    assert 'data-testid="calendar-missing"' not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("holiday-calendar")).status_code == 403
    upload = SimpleUploadedFile("h.csv", FILE.encode(), content_type="text/csv")
    assert client.post(reverse("holiday-calendar"), {"file": upload}).status_code == 403
    assert not WorkdayOverride.objects.exists()


def test_the_operator_uploads_the_new_year_on_the_calendar_page(client, operator):
    cover(NEXT - 1)
    client.force_login(operator)
    page = client.get(reverse("holiday-calendar"), **ZH).content.decode()
    assert 'data-testid="calendar-missing"' in page
    upload = SimpleUploadedFile("holidays.csv", FILE.encode(), content_type="text/csv")
    response = client.post(reverse("holiday-calendar"), {"file": upload}, follow=True, **ZH)
    page = response.content.decode()
    assert f"{NEXT}-02-07" in page and "春节调休上班" in page
    assert workdays.is_workday(date(NEXT, 2, 7))
    assert 'data-testid="calendar-missing"' not in page
    event = AuditEvent.objects.get(action="core.calendar_load")
    assert event.actor == operator and event.changes["created"] == 2


def test_a_file_that_is_not_a_calendar_is_refused_with_the_row(client, operator):
    client.force_login(operator)
    bad = SimpleUploadedFile("holidays.csv", f"date,is_workday,note\n{NEXT}-13-01,0,x\n".encode())
    page = client.post(reverse("holiday-calendar"), {"file": bad}, follow=True, **ZH).content.decode()
    assert "第 1 行" in page
    assert "未载入" in page
    assert not WorkdayOverride.objects.exists()
    assert not AuditEvent.objects.filter(action="core.calendar_load").exists()
