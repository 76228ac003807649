import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shegong.core.models import TaskRun
from shegong.regions.forms import RegionField
from shegong.regions.models import Region
from tests.factories import official

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def admin_client(client):
    user = official("440000")
    client.force_login(user)
    return client


def test_list_requires_login(client):
    response = client.get(reverse("regions:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_filters_by_name_level_and_picker(admin_client):
    response = admin_client.get(reverse("regions:list"), {"name": "天河"})
    assert "广东省广州市天河区" in response.content.decode()
    response = admin_client.get(reverse("regions:list"), {"within_0": "440000", "within_1": "440100", "level": "3"})
    codes = [r.code for r in response.context["regions"]]
    assert "440106" in codes and all(c.startswith("4401") for c in codes)


def test_picker_cascades_and_stays_inside_the_users_region(client):
    client.force_login(official("440100"))  # 广州市
    url = reverse("regions:picker")
    html = client.get(url, {"name": "r", "id": "id_r", "changed": "1", "r_1": "440106"}).content.decode()
    assert "天河区" in html and "440106" in html
    # A prefecture admin cannot steer the picker to another prefecture.
    html = client.get(url, {"name": "r", "id": "id_r", "changed": "1", "r_1": "440300"}).content.decode()
    assert 'value="440300" selected' not in html
    assert "深圳" not in html


def test_national_picker_lists_provinces_then_prefectures(admin_client):
    html = admin_client.get(reverse("regions:picker"), {"name": "r", "changed": "0", "r_0": "440000"}).content.decode()
    # gd admin's root is 广东省: prefectures of Guangdong are offered.
    assert "广州市" in html and "深圳市" in html


def test_region_field_refuses_a_region_outside_the_root():
    field = RegionField(root=Region.objects.get(code="440100"))
    assert field.clean("440106").code == "440106"
    with pytest.raises(ValidationError) as outside:
        field.clean("510107")
    assert outside.value.code == "outside_scope" and "广州市" in outside.value.messages[0]
    with pytest.raises(ValidationError) as unknown:
        field.clean("999999")
    assert unknown.value.code == "invalid_region"


def test_api_lists_with_filters(admin_client):
    data = admin_client.get("/api/v1/regions/", {"level": 1, "page_size": 100}).json()
    codes = {row["code"] for row in data["results"]}
    assert {"440000", "660000", "810000"} <= codes and len(codes) == 35
    data = admin_client.get("/api/v1/regions/", {"parent": "660800"}).json()
    assert [row["code"] for row in data["results"]] == ["659001"]
    data = admin_client.get("/api/v1/regions/", {"code_prefix": "4401", "level": 3}).json()
    assert {row["code"] for row in data["results"]} >= {"440106", "440104"}
    data = admin_client.get("/api/v1/regions/", {"name": "石河子"}).json()
    assert data["results"][0]["full_name"] == "新疆生产建设兵团第八师石河子市"
    assert admin_client.get("/api/v1/regions/440106/").json()["parent"] == "440100"


def test_api_requires_authentication(client):
    assert client.get("/api/v1/regions/").status_code in (401, 403)


def test_export_runs_in_the_background_and_respects_filters(
    admin_client, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("regions:export"), {"format": "xlsx", "code_prefix": "4401", "level": "3"})
    run = TaskRun.objects.get()
    assert response["Location"] == reverse("core:task-detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED and run.percent == 100
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(run.result_file.read())).get_sheet_by_index(0).to_python()
    codes = [row[0] for row in sheet[1:]]
    assert "440106" in codes and all(code.startswith("4401") for code in codes)
    download = admin_client.get(reverse("core:task-download", args=[run.pk]))
    assert download.status_code == 200


def test_export_rejects_unknown_format(admin_client):
    response = admin_client.post(reverse("regions:export"), {"format": "exe"}, follow=True)
    assert TaskRun.objects.count() == 0
    assert response.status_code == 200
