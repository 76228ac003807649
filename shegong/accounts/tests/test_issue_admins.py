"""Issuing admin accounts for every region below: rules, idempotence, the files, the command, the screen."""

import io
import json
import time
import zipfile

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shegong.accounts.models import User
from shegong.accounts.roles import Role
from shegong.accounts.services import users
from shegong.core.models import AuditEvent, TaskRun
from shegong.regions.models import Level, Region
from tests.factories import official

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_and_english(settings):
    from django.utils import translation

    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def run_jobs(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def mca(db):
    return official("000000", Role.ADMIN, username="mca_admin")


@pytest.fixture
def gd(db):
    return official("440000", Role.ADMIN, username="gd_admin")


def expected_regions(code, levels):
    """What the rule says, computed independently: administered, active, not grouping units."""
    root = Region.objects.get(code=code)
    regions = Region.objects.filter(root.subtree_q("code"), level__in=levels, active=True, administered=True)
    return {
        r.code
        for r in regions
        if not (r.synthetic and r.level == Level.PREFECTURE and r.parent_id != "660000") and r.code != code
    }


def workbook_rows(content):
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


class TestPlan:
    def test_province_admin_plans_its_prefectures_and_counties(self, gd):
        plan = users.plan_region_admins(gd.region, actor=gd)
        codes = {r.code for r in plan.regions}
        assert codes == expected_regions("440000", [1, 2, 3])
        assert "440000" not in codes and "440100" in codes and "440106" in codes
        assert plan.existing == 0

    def test_grouping_units_skipped_and_xpcc_divisions_included(self, mca):
        codes = {r.code for r in users.plan_region_admins(mca.region, [2], actor=mca).regions}
        assert "110100" not in codes and "500200" not in codes and "419000" not in codes  # 市辖区, 县, 省直辖
        assert "660800" in codes  # 兵团第八师
        assert not any(code.startswith(("71", "81", "82")) for code in codes)  # not administered

    def test_levels_by_name_or_number(self, gd):
        by_name = users.plan_region_admins(gd.region, ["county"], actor=gd)
        by_number = users.plan_region_admins(gd.region, [3], actor=gd)
        assert [r.code for r in by_name.regions] == [r.code for r in by_number.regions]
        assert all(r.level == Level.COUNTY for r in by_name.regions)

    @pytest.mark.parametrize("levels", [[], ["town"], [0], [4]])
    def test_bad_levels_refused(self, gd, levels):
        with pytest.raises(ValidationError):
            users.plan_region_admins(gd.region, levels, actor=gd)

    @pytest.mark.parametrize(
        "code,role", [("440100", Role.ADMIN), ("440106", Role.ADMIN), ("440000", Role.STAFF), ("440000", Role.SECURITY)]
    )
    def test_below_province_or_other_roles_cannot_issue(self, code, role, region):
        actor = official(code, role, username=f"actor_{code}_{role}")
        with pytest.raises(PermissionDenied, match="ministry or of a province"):
            users.plan_region_admins(actor.region, actor=actor)

    def test_root_outside_refused(self, gd, region):
        with pytest.raises(PermissionDenied, match="within"):
            users.plan_region_admins(region("510000"), actor=gd)

    def test_role_not_grantable_refused(self, gd):
        with pytest.raises(PermissionDenied, match="cannot grant"):
            users.plan_region_admins(gd.region, actor=gd, role=Role.OPERATOR)
        with pytest.raises(PermissionDenied):
            users.plan_region_admins(gd.region, actor=gd, role=Role.API_CLIENT)

    def test_not_administered_root_refused(self, mca, region):
        with pytest.raises(PermissionDenied, match="not a region administered"):
            users.plan_region_admins(region("810000"), actor=mca)


class TestIssue:
    def test_issue_creates_accounts_with_one_time_passwords(self, gd, settings):
        result = users.issue_region_admins(gd.region, ["prefecture"], actor=gd)
        assert result.accounts and result.skipped == 0
        account = next(a for a in result.accounts if a.region_code == "440100")
        assert account.username == "admin_440100" and account.province_code == "440000"
        user = User.objects.get(username="admin_440100")
        assert user.role == Role.ADMIN and user.region_id == "440100" and user.must_change_password and user.is_active
        # A cheap PBKDF2 hash (random 82-bit password), upgraded to the preferred hasher at first sign-in.
        assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"
        assert f"${users.INITIAL_PASSWORD_ITERATIONS}$" in user.password
        assert check_password(account.password, user.password)
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher", *FAST_HASHERS]
        assert user.check_password(account.password)
        user.refresh_from_db()
        assert identify_hasher(user.password).algorithm == "argon2"

    def test_idempotent(self, gd):
        first = users.issue_region_admins(gd.region, ["prefecture"], actor=gd)
        second = users.issue_region_admins(gd.region, ["prefecture", "county"], actor=gd)
        assert second.skipped == len(first.accounts)
        assert not {a.username for a in first.accounts} & {a.username for a in second.accounts}
        third = users.issue_region_admins(gd.region, actor=gd)
        assert third.accounts == [] and third.skipped == len(first.accounts) + len(second.accounts)
        assert User.objects.filter(username__startswith="admin_44").count() == len(first.accounts) + len(
            second.accounts
        )

    def test_audited_without_passwords(self, gd):
        result = users.issue_region_admins(gd.region, ["prefecture"], actor=gd)
        creates = AuditEvent.objects.filter(action="accounts.user_create")
        assert creates.count() == len(result.accounts)
        event = creates.get(object_repr__contains="广州")
        assert event.region_code == "440100" and event.actor == gd and event.changes["via"] == "issue"
        summary = AuditEvent.objects.get(action="accounts.issue")
        assert summary.changes["created"] == len(result.accounts) and summary.region_code == "440000"
        dumped = json.dumps([e.changes for e in AuditEvent.objects.all()], ensure_ascii=False)
        for account in result.accounts:
            assert account.password not in dumped
        assert "pbkdf2" not in dumped

    def test_other_roles(self, gd):
        result = users.issue_region_admins(gd.region, ["county"], Role.AUDITOR, actor=gd)
        assert all(a.username.startswith("auditor_") for a in result.accounts)
        assert set(User.objects.filter(username__startswith="auditor_").values_list("role", flat=True)) == {"auditor"}

    def test_failed_delivery_creates_nothing(self, gd):
        def deliver(result):
            raise OSError("disk full")

        with pytest.raises(OSError):
            users.issue_region_admins(gd.region, ["prefecture"], actor=gd, deliver=deliver)
        assert not User.objects.filter(username__startswith="admin_").exists()
        assert not AuditEvent.objects.filter(action__in=["accounts.user_create", "accounts.issue"]).exists()

    def test_command_line_without_actor_has_national_authority(self, region):
        result = users.issue_region_admins(region("510000"), ["province", "prefecture"], actor=None)
        assert {"admin_510000", "admin_510100"} <= {a.username for a in result.accounts}


class TestFiles:
    def test_one_xlsx_per_province_with_text_columns_and_warning(self, mca):
        result = users.issue_region_admins(mca.region, ["province"], actor=mca)
        files = users.issued_workbooks(result, issued_by="mca_admin")
        assert len(files) == len(expected_regions("000000", [1]))
        name = next(n for n in files if "-440000-" in n)
        rows = workbook_rows(files[name])
        assert "must be changed at the first sign-in" in rows[0][0]
        assert rows[3] == ["Region code", "Region name", "Level", "User name", "Initial password"]
        (row,) = rows[4:]
        account = next(a for a in result.accounts if a.region_code == "440000")
        assert row == ["440000", "广东省", "Province", "admin_440000", account.password]
        assert all(isinstance(cell, str) for cell in row)

    def test_zip_bundles_the_files(self, gd):
        result = users.issue_region_admins(gd.region, ["prefecture", "county"], actor=gd)
        with zipfile.ZipFile(io.BytesIO(users.issued_zip(result))) as archive:
            (name,) = archive.namelist()
            rows = workbook_rows(archive.read(name))
        assert "440000" in name
        assert len(rows[4:]) == len(result.accounts)


class TestCommand:
    def test_writes_files_to_the_folder(self, tmp_path, capsys):
        call_command("issue_admin_accounts", "--region", "440000", "--levels", "prefecture", "--output", str(tmp_path))
        (path,) = tmp_path.iterdir()
        assert path.suffix == ".xlsx" and oct(path.stat().st_mode & 0o777) == "0o600"
        rows = workbook_rows(path.read_bytes())
        assert {row[3] for row in rows[4:]} == {f"admin_{c}" for c in expected_regions("440000", [2])}
        summary = AuditEvent.objects.get(action="accounts.issue")
        assert summary.actor is None and summary.changes["via"] == "command"
        assert "Created" in capsys.readouterr().out
        call_command("issue_admin_accounts", "--region", "440000", "--levels", "prefecture", "--output", str(tmp_path))
        assert len(list(tmp_path.iterdir())) == 1  # nothing new, no new file

    def test_actor_limits_the_command(self, gd, tmp_path):
        with pytest.raises(CommandError, match="within"):
            call_command("issue_admin_accounts", "--region", "510000", "--actor", "gd_admin", "--output", str(tmp_path))
        with pytest.raises(CommandError, match="No active account"):
            call_command("issue_admin_accounts", "--region", "440000", "--actor", "nobody")
        with pytest.raises(CommandError, match="Unknown region"):
            call_command("issue_admin_accounts", "--region", "999999")
        with pytest.raises(CommandError, match="Unknown level"):
            call_command("issue_admin_accounts", "--region", "440000", "--levels", "town", "--output", str(tmp_path))
        assert not User.objects.filter(username__startswith="admin_").exists()


class TestScreen:
    url = reverse("accounts:user-issue")

    def test_preview_then_issue_as_a_job(self, client, gd, run_jobs):
        client.force_login(gd)
        response = client.get(self.url)
        assert response.status_code == 200
        assert len(response.context["plan"].regions) == len(expected_regions("440000", [2, 3]))
        response = client.post(self.url, {"levels": ["2"], "role": "admin", "preview": "1"})
        assert len(response.context["plan"].regions) == len(expected_regions("440000", [2]))
        assert not User.objects.filter(username__startswith="admin_").exists()
        # Starting needs the confirmation.
        response = client.post(self.url, {"levels": ["2"], "role": "admin", "start": "1"})
        assert response.status_code == 200 and response.context["form"].errors["confirm"]
        with run_jobs():
            response = client.post(self.url, {"levels": ["2"], "role": "admin", "start": "1", "confirm": "on"})
        run = TaskRun.objects.get(kind="accounts.issue")
        assert response["Location"] == reverse("core:task-detail", args=[run.pk])
        run.refresh_from_db()
        assert run.status == TaskRun.Status.SUCCEEDED, run.error
        assert run.result_name.endswith(".zip") and run.expires_at is not None
        with zipfile.ZipFile(io.BytesIO(run.result_file.read())) as archive:
            rows = workbook_rows(archive.read(archive.namelist()[0]))
        user = User.objects.get(username=rows[4][3])
        assert user.check_password(rows[4][4])
        # The download is audited by the job download view.
        client.get(reverse("core:task-download", args=[run.pk]))
        assert AuditEvent.objects.filter(action="core.download", object_id=str(run.pk)).exists()

    def test_a_province_has_nothing_to_choose_above_it(self, client, gd):
        client.force_login(gd)
        form = client.get(self.url).context["form"]
        assert "within" not in form.fields
        assert [value for value, _label in form.fields["levels"].choices] == [2, 3]
        assert [value for value, _label in form.fields["role"].choices] == ["admin", "staff", "security", "auditor"]

    def test_within_a_province_for_the_ministry(self, client, mca):
        client.force_login(mca)
        response = client.post(self.url, {"within": "510000", "levels": ["1", "2"], "role": "admin", "preview": "1"})
        codes = {r.code for r in response.context["plan"].regions}
        assert codes == {"510000"} | expected_regions("510000", [2])

    @pytest.mark.parametrize("code,role", [("440100", Role.ADMIN), ("440000", Role.STAFF), ("440000", Role.AUDITOR)])
    def test_forbidden_below_province_and_for_other_roles(self, client, code, role):
        client.force_login(official(code, role, username="someone"))
        assert client.get(self.url).status_code == 403
        assert client.post(self.url, {"levels": ["3"], "role": "admin", "confirm": "on"}).status_code == 403
        assert not TaskRun.objects.exists()


class TestTiming:
    """Prints how long issuing takes (no assertion on time: machines differ)."""

    def test_time_one_province_counties_and_the_whole_country(self, mca, settings, capsys):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher", *FAST_HASHERS]
        started = time.perf_counter()
        province = users.issue_region_admins(Region.objects.get(code="440000"), ["county"], actor=mca)
        province_seconds = time.perf_counter() - started
        started = time.perf_counter()
        country = users.issue_region_admins(mca.region, actor=mca)
        files = users.issued_zip(country)
        country_seconds = time.perf_counter() - started
        with capsys.disabled():
            print(
                f"\nissue_region_admins: Guangdong counties {len(province.accounts)} accounts in "
                f"{province_seconds:.2f} s {province.seconds}; whole country {len(country.accounts)} more accounts "
                f"(+{country.skipped} skipped) in {country_seconds:.2f} s {country.seconds}, zip {len(files) // 1024} KiB"
            )
        assert len(province.accounts) + len(country.accounts) == len(expected_regions("000000", [1, 2, 3]))
