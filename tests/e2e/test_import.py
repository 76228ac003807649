"""Bulk import in the browser: upload → validation with progress → preview with every error →
download of the annotated file → confirmation → commit with progress → the import record."""

import csv
import datetime
import io
import re

import pytest
from playwright.sync_api import expect

from .conftest import htmx_settled
from .test_regions import run_queued_jobs

pytestmark = pytest.mark.e2e


def _id(n):
    from shegong.core.identifiers import build_id_number

    return build_id_number("440106", datetime.date(1991, 1, 1) + datetime.timedelta(days=n), 2 * n + 1)


def _file(tmp_path):
    rows = [
        ["天河区社会工作者花名册"],
        ["身份证号码", "姓名", "性别", "工作地区", "手机号码"],
        [_id(1), "甲一", "男", "440106", "13800138001"],
        [_id(2).lower(), " 乙 二 ", "", "广东省广州市天河区", ""],
        ["4.40106E+17", "丙三", "", "440106", ""],  # Excel lost digits: rejected
        [_id(4), "丁四", "", "510107", ""],  # another region: rejected
        ["", "", "", "", ""],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path = tmp_path / "花名册.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def test_upload_preview_annotated_file_confirm_and_result(site, page, login, settings, tmp_path, check_a11y):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page.on("dialog", lambda dialog: dialog.accept())  # the "are you sure?" of data-confirm
    login(page, "th_admin", next_url="/imports/new/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_a11y(page)

    form = page.get_by_test_id("upload-form")
    form.locator("select[name=table]").select_option("workers")
    form.locator("input[type=file]").set_input_files(str(_file(tmp_path)))
    form.locator("input[name=strategy][value=upsert]").check()
    form.locator("input[name=mode][value=valid]").check()
    form.locator("[type=submit]").click()

    # Uploaded: the record exists, the validation waits for a worker, the page polls.
    expect(page).to_have_url(re.compile(r"/imports/[0-9a-f-]{36}/$"))
    expect(page.get_by_test_id("import-status")).to_be_visible()
    expect(page.locator("#import-status[hx-trigger]")).to_have_count(1)

    run_queued_jobs(site)  # the worker validates every row

    # The page reloads itself with the preview: counts and every problem with its row and reason.
    expect(page.get_by_test_id("count-new")).to_have_text("2", timeout=15_000)
    expect(page.get_by_test_id("count-rejected")).to_have_text("2")
    expect(page.get_by_test_id("count-total")).to_have_text("4")
    issues = page.get_by_test_id("issues")
    expect(issues.locator("tbody tr")).to_have_count(2)
    expect(issues.locator("tbody tr").nth(0)).to_contain_text("5")
    expect(issues.locator("tbody tr").nth(0)).to_contain_text("4.40106E+17")
    expect(issues.locator("tbody tr").nth(1)).to_contain_text("6")
    expect(issues.locator("tbody tr").nth(1)).to_contain_text("510107")
    htmx_settled(page)
    check_a11y(page)

    with page.expect_download() as download_info:
        page.get_by_test_id("annotated-link").click()
    annotated = tmp_path / "annotated.csv"
    download_info.value.save_as(annotated)
    lines = list(csv.reader(io.StringIO(annotated.read_text(encoding="utf-8-sig"))))
    assert lines[0][0] == "天河区社会工作者花名册"
    assert lines[1][:5] == ["身份证号码", "姓名", "性别", "工作地区", "手机号码"] and lines[1][5]
    assert lines[2][5] == "" and lines[3][5] == ""
    assert lines[4][0] == "4.40106E+17" and lines[4][5]
    assert "510107" in lines[5][5]

    from shegong.workers.models import Person

    with site.lock:
        assert Person.objects.filter(region_id="440106", name__in=["甲一", "乙二"]).count() == 0

    page.get_by_test_id("confirm-form").locator("[type=submit]").click()
    expect(page.locator("#import-status[hx-trigger]")).to_have_count(1)
    run_queued_jobs(site)  # the worker commits, batch by batch

    expect(page.get_by_test_id("committed-new")).to_have_text("2", timeout=15_000)
    expect(page.get_by_test_id("import-status")).not_to_have_text("")
    expect(page.locator("#import-status[hx-trigger]")).to_have_count(0)
    with site.lock:
        assert set(
            Person.objects.filter(region_id="440106", name__in=["甲一", "乙二"]).values_list("name", flat=True)
        ) == {"甲一", "乙二"}
        from shegong.core.models import AuditEvent, ImportJob

        job = ImportJob.objects.get()
        assert job.status == "committed"
        assert AuditEvent.objects.filter(action="import.batch", changes__batch_id=job.batch_id).exists()

    # The record stays: listed under imports, readable by the province above.
    page.goto(f"{site.url}/imports/")
    expect(page.locator("main table")).to_contain_text(job.batch_id)
    check_a11y(page)
