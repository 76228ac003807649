"""The divisions page: the cascading region picker (HTMX), and export as a background job with progress."""

import re
import zipfile

import pytest
from playwright.sync_api import expect

from .conftest import htmx_settled

pytestmark = pytest.mark.e2e


def division_rows(page):
    return page.locator("main table tbody tr")


def choose_tianhe(page):
    """Province → prefecture → county, each choice loading the next list."""
    province = page.get_by_label("省级", exact=True)
    prefecture = page.get_by_label("地市级", exact=True)
    county = page.get_by_label("区县级", exact=True)
    expect(prefecture.locator("option")).to_have_count(1)  # only "— 地市级 —" before a province is chosen

    province.select_option(label="广东省")
    expect(prefecture.locator("option", has_text="广州市")).to_have_count(1)
    htmx_settled(page)
    prefecture.select_option(label="广州市")
    expect(county.locator("option", has_text="天河区")).to_have_count(1)
    htmx_settled(page)
    county.select_option(label="天河区")
    return province, prefecture, county


def test_cascading_picker_filters_the_list(site, page, login, check_a11y):
    login(page, "mca_admin", next_url="/regions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("行政区划")
    expect(page.get_by_text(re.compile(r"共 \d+ 个行政区划"))).to_be_visible()
    check_a11y(page)

    choose_tianhe(page)
    page.get_by_role("button", name="查询").click()

    expect(page).to_have_url(re.compile(r"within_2=440106"))
    expect(page.get_by_text("共 1 个行政区划")).to_be_visible()
    expect(division_rows(page)).to_have_count(1)
    expect(division_rows(page).first).to_contain_text("440106")
    expect(division_rows(page).first).to_contain_text("广东省广州市天河区")
    expect(division_rows(page).first).to_contain_text("区县级")
    # The picker shows the choice after the reload.
    expect(page.get_by_label("省级", exact=True)).to_have_value("440000")
    expect(page.get_by_label("地市级", exact=True)).to_have_value("440100")
    expect(page.get_by_label("区县级", exact=True)).to_have_value("440106")
    check_a11y(page)


def test_picker_with_the_keyboard(site, page, login):
    login(page, "mca_admin", next_url="/regions/")
    province = page.get_by_label("省级", exact=True)
    province.focus()
    province.select_option(label="四川省")
    prefecture = page.get_by_label("地市级", exact=True)
    expect(prefecture.locator("option", has_text="成都市")).to_have_count(1)
    htmx_settled(page)
    # The picker was replaced by HTMX, yet the keyboard focus stays where the user left it.
    expect(province).to_be_focused()
    page.keyboard.press("Tab")
    expect(prefecture).to_be_focused()
    page.keyboard.press("ArrowDown")  # a closed select changes its value with the arrow keys
    expect(prefecture).not_to_have_value("")
    county = page.get_by_label("区县级", exact=True)
    expect(county.locator("option")).not_to_have_count(1)
    htmx_settled(page)
    expect(prefecture).to_be_focused()


def test_provincial_admin_picker_starts_at_their_province(site, page, login):
    login(page, "gd_admin", next_url="/regions/")
    picker = page.locator("#f-within_picker")
    expect(picker).to_contain_text("广东省")
    expect(page.get_by_label("省级", exact=True)).to_have_count(0)
    page.get_by_label("地市级", exact=True).select_option(label="广州市")
    expect(page.get_by_label("区县级", exact=True).locator("option", has_text="天河区")).to_have_count(1)
    htmx_settled(page)
    page.get_by_label("区县级", exact=True).select_option(label="天河区")
    page.get_by_role("button", name="查询").click()
    expect(division_rows(page)).to_have_count(1)
    expect(division_rows(page).first).to_contain_text("广东省广州市天河区")
    # Out of their province there is nothing to choose.
    expect(page.locator("#f-within_picker option", has_text="成都市")).to_have_count(0)


def test_export_to_excel_runs_in_the_background_with_progress(site, page, login, settings, check_a11y, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    login(page, "mca_admin", next_url="/regions/")
    choose_tianhe(page)
    page.get_by_role("button", name="查询").click()
    expect(division_rows(page)).to_have_count(1)

    page.get_by_role("button", name="导出Excel").click()

    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("导出行政区划（xlsx）")
    status = page.get_by_test_id("task-status")
    expect(status).to_have_text("排队中")
    expect(page.locator("#task-progress")).to_contain_text("等待执行")
    expect(page.get_by_role("link", name=re.compile("^下载"))).to_have_count(0)
    check_a11y(page)
    page.evaluate("window.__stillTheSamePage = true")

    # A worker picks the job up; the page, polling, shows the result without being reloaded.
    run_queued_jobs(site)

    expect(status).to_have_text("已完成", timeout=10_000)
    download_link = page.get_by_role("link", name=re.compile(r"^下载 regions-\d{8}-\d{6}\.xlsx$"))
    expect(download_link).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("value", "100")
    expect(page.locator("#task-progress")).to_contain_text("有效期至")
    assert page.evaluate("window.__stillTheSamePage === true")
    check_a11y(page)

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert re.fullmatch(r"regions-\d{8}-\d{6}\.xlsx", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = xlsx_rows(path)
    assert rows[0][:2] == ["代码", "名称"]
    assert [row[0] for row in rows[1:]] == ["440106"]
    assert rows[1][2] == "广东省广州市天河区"

    # The job is listed under "my background jobs".
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("button", name="我的账号").click()
    nav.get_by_role("link", name="我的后台任务").click()
    expect(page.locator("main")).to_contain_text("导出行政区划（xlsx）")


def test_export_with_immediate_backend_offers_the_download(site, page, login, settings, tmp_path):
    """Without a worker process: the immediate backend runs the job during the request."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    login(page, "gd_admin", next_url="/regions/?within=440000&level=2")
    expect(page.get_by_text("共 21 个行政区划")).to_be_visible()
    page.get_by_role("button", name="导出CSV").click()

    expect(page.get_by_test_id("task-status")).to_have_text("已完成")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^下载 regions-.*\.csv$")).click()
    path = tmp_path / "export.csv"
    download_info.value.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("代码,名称")
    assert len(lines) == 1 + 21  # the 21 prefectures of Guangdong, nothing of another province
    assert all(line.startswith("44") for line in lines[1:])


def run_queued_jobs(site):
    """Process the queued tasks as ``manage.py worker`` would, while the server waits its turn."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="e2e-worker",
        excluded_queue_names=[],
    )
    with site.lock:
        worker.run()


def xlsx_rows(path):
    from python_calamine import CalamineWorkbook

    assert zipfile.is_zipfile(path)
    workbook = CalamineWorkbook.from_path(str(path))
    return [[str(cell) for cell in row] for row in workbook.get_sheet_by_index(0).to_python()]
