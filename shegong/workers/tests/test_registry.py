"""The registry for officials and organizations: lists with filters and keyset pages, a person's page, 核对,
the personal information table (employer rule, photo), feedback, export, the API."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shegong.accounts.roles import Role
from shegong.core import crypto
from shegong.core.models import AuditEvent, TaskRun
from shegong.organizations.models import Employment
from shegong.workers import panels, queries, services
from shegong.workers.models import FeedbackStatus, Person, RegistryFeedback
from shegong.workers.status import RegistrationState
from tests.factories import (
    CertificateFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
    id_number_for,
    jpeg_bytes,
    official,
    organization_user,
)

pytestmark = pytest.mark.django_db
PERSONS = reverse("workers:person-list")
CERTIFICATES = reverse("workers:certificate-list")


@pytest.fixture(autouse=True)
def fast(settings, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = settings.VAR_DIR / "test-media"


def people(n, region="440106", start=0, **kwargs):
    return [
        PersonFactory(
            id_number=id_number_for(start + i + 1, region), region_id=region, name=f"社工{start + i:03d}", **kwargs
        )
        for i in range(n)
    ]


def names(response):
    return re.findall(r'href="/workers/persons/\d+/">([^<]+)</a>', response.content.decode())


# --- lists ---------------------------------------------------------------------------------------------------


def test_list_pages_with_a_cursor_no_offset(client, django_assert_max_num_queries):
    people(7)
    client.force_login(official("440106"))
    page_size = 3
    from shegong.workers.views import registry as views_registry

    views_registry.PersonListView.page_size = page_size
    try:
        first = client.get(PERSONS)
        assert names(first) == ["社工000", "社工001", "社工002"]
        cursor = re.search(r'next-page" href="[^"]*cursor=([\w-]+)', first.content.decode()).group(1)
        second = client.get(PERSONS, {"cursor": cursor})
        assert names(second) == ["社工003", "社工004", "社工005"]
        cursor = re.search(r'next-page" href="[^"]*cursor=([\w-]+)', second.content.decode()).group(1)
        third = client.get(PERSONS, {"cursor": cursor})
        assert names(third) == ["社工006"] and 'data-testid="next-page"' not in third.content.decode()
        assert client.get(PERSONS, {"cursor": "garbage!"}).status_code == 200  # a bad cursor is the first page
    finally:
        views_registry.PersonListView.page_size = 50


def test_exact_count_only_for_a_narrow_scope(client):
    people(2)
    client.force_login(official("440106", username="county"))
    assert "2 rows in all" in client.get(PERSONS).content.decode()
    client.force_login(official("440000", username="province"))
    page = client.get(PERSONS).content.decode()
    assert "not counted for a scope this wide" in page
    assert "2 rows in all" in client.get(PERSONS, {"within": "440106"}).content.decode()


def test_officials_see_their_subtree_only(client):
    people(2, "440106")
    people(2, "510107", start=10)
    client.force_login(official("440100", username="gz"))
    assert names(client.get(PERSONS)) == ["社工000", "社工001"]
    client.force_login(official("000000", username="mca"))
    assert len(names(client.get(PERSONS))) == 4
    client.force_login(official("510000", username="sc"))
    assert names(client.get(PERSONS, {"within": "440106"})) == []  # another province's code yields nothing


def test_filters(client):
    a, b, c = people(3)
    CertificateFactory(person=a, level="intermediate", exam_year=2018, management_no="A2018000001")
    CertificateFactory(person=b, level="assistant", exam_year=2020, management_no="B2020000001")
    Person.objects.filter(pk=b.pk).update(
        registration_state=RegistrationState.REGISTERED, registration_valid_to=timezone.localdate() + timedelta(days=30)
    )
    Person.objects.filter(pk=c.pk).update(
        registration_state=RegistrationState.REGISTERED,
        registration_valid_to=date(2028, 3, 15),
        employer_name="阳光中心",
    )
    client.force_login(official("440106"))
    assert names(client.get(PERSONS, {"level": "intermediate"})) == [a.name]
    assert names(client.get(PERSONS, {"exam_year": "2020"})) == [b.name]
    assert names(client.get(PERSONS, {"status": "expiring"})) == [b.name]
    assert names(client.get(PERSONS, {"status": "registered"})) == [c.name]
    assert names(client.get(PERSONS, {"status": "not_registered"})) == [a.name]
    assert names(client.get(PERSONS, {"expiry_month": "2028-03"})) == [c.name]
    assert names(client.get(PERSONS, {"employer": "阳光"})) == [c.name]
    assert names(client.get(PERSONS, {"name": "社工00"})) == [a.name, b.name, c.name]
    assert names(client.get(PERSONS, {"management_no": "A2018000001"})) == [a.name]
    number = crypto.decrypt(b.id_encrypted)
    assert names(client.get(PERSONS, {"id_number": number.lower()})) == [b.name]
    assert names(client.get(PERSONS, {"id_number": "123"})) == []
    assert names(client.get(PERSONS, {"sort": "expiry"})) == [b.name, c.name]


def test_the_list_masks_id_numbers(client):
    (person,) = people(1)
    client.force_login(official("440106"))
    html = client.get(PERSONS).content.decode()
    number = crypto.decrypt(person.id_encrypted)
    assert number not in html and number[:6] + "********" in html


def test_certificates_list(client):
    a, b = people(2)
    CertificateFactory(person=a, level="senior", management_no="S0000000001")
    CertificateFactory(person=b, level="assistant", management_no="A0000000001")
    people(1, "510107", start=20)
    client.force_login(official("440106"))
    html = client.get(CERTIFICATES, {"level": "senior"}).content.decode()
    assert "S0000000001" in html and "A0000000001" not in html
    assert client.get(CERTIFICATES, {"sort": "-exam_year"}).status_code == 200


def test_workers_and_security_roles_cannot_open_the_lists(client):
    client.force_login(UserFactory(role=Role.WORKER, region_id=None))
    assert client.get(PERSONS).status_code == 403
    client.force_login(official("440106", Role.AUDITOR, username="auditor"))
    assert client.get(PERSONS).status_code == 403


def test_organization_users_see_their_current_staff(client):
    organization = OrganizationFactory()
    employee, former, stranger = people(3)
    Employment.objects.create(person=employee, organization=organization, started_on=date(2024, 1, 1))
    Employment.objects.create(
        person=former, organization=organization, started_on=date(2020, 1, 1), ended_on=date(2023, 1, 1)
    )
    user = organization_user(organization)
    client.force_login(user)
    assert names(client.get(PERSONS)) == [employee.name]
    assert client.get(reverse("workers:person-detail", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("workers:person-detail", args=[employee.pk])).status_code == 200
    assert not Person.objects.editable_by(user).exists()  # read-only


# --- the person's page ------------------------------------------------------------------------------------


def test_person_page_shows_history_and_panels(client):
    (person,) = people(1)
    CertificateFactory(person=person, management_no="P0000000001")
    admin = official("440106")
    services.confirm_checked(person, "对照社工库", actor=admin, phone="13800138000")

    def demo_panel(request, shown):
        if shown.pk != person.pk:
            return None
        return {"title": "Demo panel", "template": "workers/_certificates_table.html"}

    panels.register_person_panel(demo_panel, order=99)
    try:
        client.force_login(admin)
        html = client.get(reverse("workers:person-detail", args=[person.pk])).content.decode()
    finally:
        panels.unregister_person_panel(demo_panel)
    assert "P0000000001" in html and "Demo panel" in html
    # the changes (audit events of this person), their action in words, never the stored code
    assert "Checked a person’s record" in html and "对照社工库" in html and "person_check" not in html


def test_person_page_other_region_is_404(client):
    (person,) = people(1)
    client.force_login(official("440105"))
    assert client.get(reverse("workers:person-detail", args=[person.pk])).status_code == 404


def test_official_reveals_a_full_id_number_audited(client):
    (person,) = people(1)
    client.force_login(official("440106"))
    response = client.post(reverse("workers:person-reveal", args=[person.pk]))
    assert crypto.decrypt(person.id_encrypted) in response.content.decode()
    assert AuditEvent.objects.filter(action="workers.id_reveal", object_id=str(person.pk)).exists()


# --- 核对 -----------------------------------------------------------------------------------------------------


def test_checking_confirm_and_correct_with_reason(client):
    a, b = people(2)
    admin = official("440106")
    client.force_login(admin)
    page = client.get(reverse("workers:checking")).content.decode()
    assert a.name in page and b.name in page
    url = reverse("workers:person-check", args=[a.pk])
    refused = client.post(url, {"name": a.name, "region_0": "440000", "region_1": "440100", "region_2": "440106"})
    assert refused.status_code == 400
    new_number = id_number_for(500)
    done = client.post(
        url,
        {"name": "更正姓名", "id_number": new_number, "region_2": "440106", "reason": "依社工库更正"},
    )
    assert done.status_code == 302
    a.refresh_from_db()
    assert a.checked and a.name == "更正姓名" and crypto.decrypt(a.id_encrypted) == new_number
    events = AuditEvent.objects.filter(
        object_id=str(a.pk), action__in=["workers.person_correct", "workers.person_check"]
    )
    assert {e.action for e in events} == {"workers.person_correct", "workers.person_check"}
    correction = events.get(action="workers.person_correct")
    assert correction.changes["reason"] == "依社工库更正" and new_number not in str(correction.changes)
    assert f"/workers/persons/{a.pk}/check/" not in client.get(reverse("workers:checking")).content.decode()


def test_checking_refusals(client):
    (person,) = people(1)
    with pytest.raises(ValidationError):
        services.confirm_checked(person, "", actor=official("440106", username="a"))
    with pytest.raises(PermissionDenied):
        services.confirm_checked(person, "ok", actor=official("440106", Role.STAFF, username="staff"))
    with pytest.raises(PermissionDenied):
        services.confirm_checked(person, "ok", actor=official("440105", username="other"))
    client.force_login(official("440106", Role.STAFF, username="staff2"))
    assert client.get(reverse("workers:person-check", args=[person.pk])).status_code == 403
    client.force_login(official("440105", username="other2"))
    assert client.get(reverse("workers:person-check", args=[person.pk])).status_code == 404


def test_checked_share_per_child_region_in_one_query():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people(3, "440106")
    people(1, "440105", start=10)
    people(2, "510107", start=20)
    Person.objects.filter(region_id="440106", name="社工000").update(checked=True)
    province = official("440000")
    province.region  # noqa: B018  (loaded before counting queries)
    with CaptureQueriesContext(connection) as captured:
        rows = queries.checked_share_by_region(province)
    assert len([q for q in captured.captured_queries if "workers_person" in q["sql"]]) == 1
    guangzhou = next(row for row in rows if row["code"] == "440100")
    assert guangzhou["total"] == 4 and guangzhou["checked"] == 1 and guangzhou["share"] == 0.25
    assert sum(row["total"] for row in rows) == 4  # Sichuan is not counted for Guangdong
    county = queries.checked_share_by_region(official("440106", username="county"))
    assert county == [{"code": "440106", "name": county[0]["name"], "total": 3, "checked": 1, "share": 1 / 3}]


# --- the personal information table ------------------------------------------------------------------------


def worker_for(person):
    user = UserFactory(role=Role.WORKER, region_id=None, username=f"w{person.pk}")
    person.account = user
    person.save(update_fields=["account"])
    return user


def test_employer_rule(client):
    (person,) = people(1)
    user = worker_for(person)
    organization = OrganizationFactory()
    with pytest.raises(ValidationError, match="chosen from the list"):
        services.update_person(
            person, actor=user, own=True, employer_type="service_organization", employer_name="自填机构"
        )
    services.update_person(
        person, actor=user, own=True, employer_type="service_organization", employer_organization=organization
    )
    person.refresh_from_db()
    assert person.employer_organization == organization and person.employer_name == ""
    assert Employment.objects.get(person=person, ended_on__isnull=True).organization == organization
    services.update_person(person, actor=user, own=True, employer_type="enterprise", employer_name="某公司")
    person.refresh_from_db()
    assert person.employer_organization is None
    assert Employment.objects.get(person=person).ended_on == timezone.localdate()
    with pytest.raises(ValidationError):
        services.update_person(person, actor=user, own=True, employer_type="enterprise", employer_name="")
    pending = OrganizationFactory(status="pending")
    with pytest.raises(ValidationError):
        services.update_person(
            person, actor=user, own=True, employer_type="service_organization", employer_organization=pending
        )


def test_photo_is_checked_by_content_and_size(settings):
    (person,) = people(1)
    user = worker_for(person)
    fake = SimpleUploadedFile("photo.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="JPEG or PNG"):
        services.update_person(person, actor=user, own=True, photo=fake)
    from PIL import Image

    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    with pytest.raises(ValidationError, match="JPEG or PNG"):
        services.update_person(person, actor=user, own=True, photo=SimpleUploadedFile("p.png", gif.getvalue()))
    big = SimpleUploadedFile("big.jpg", jpeg_bytes() + b"\0" * (501 * 1024))
    with pytest.raises(ValidationError, match="at most 500 KB"):
        services.update_person(person, actor=user, own=True, photo=big)
    # A JPEG named .png is not what its name says (issue 11, item 8): refused, saying so.
    with pytest.raises(ValidationError, match="not what its name says"):
        services.update_person(person, actor=user, own=True, photo=SimpleUploadedFile("x.png", jpeg_bytes()))
    services.update_person(person, actor=user, own=True, photo=SimpleUploadedFile("x.jpeg", jpeg_bytes()))
    person.refresh_from_db()
    assert person.photo.name.endswith(".jpg") and "x" not in person.photo.name.rsplit("/", 1)[-1][:1]


def huge_png(width=100_000, height=100_000):
    """A few bytes of PNG whose header declares ``width`` × ``height`` pixels (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_a_photo_declaring_huge_dimensions_is_refused_with_a_clear_message():
    (person,) = people(1)
    user = worker_for(person)
    with pytest.raises(ValidationError, match="too large to open") as refused:
        services.update_person(person, actor=user, own=True, photo=SimpleUploadedFile("bomb.png", huge_png()))
    assert refused.value.message_dict["photo"]
    person.refresh_from_db()
    assert not person.photo


def test_worker_cannot_change_name_or_someone_else(client):
    a, b = people(2)
    user = worker_for(a)
    with pytest.raises(PermissionDenied):
        services.update_person(a, actor=user, own=True, name="新名字")
    with pytest.raises(PermissionDenied):
        services.update_person(b, actor=user, own=True, phone="13800000000")


def test_profile_form_saves_and_photo_served_to_owner_only(client):
    (person,) = people(1)
    user = worker_for(person)
    client.force_login(user)
    response = client.post(
        reverse("workers:me-edit"),
        {
            "phone": "13800138001",
            "email": "a@example.cn",
            "education": "bachelor",
            "employer_type": "enterprise",
            "employer_name": "某公司",
            "household_region_2": "510107",
            "region_2": "440106",
            "photo": SimpleUploadedFile("me.jpg", jpeg_bytes(), content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.household_region_id == "510107" and person.photo
    assert queries.missing_fields(person) == []
    assert client.get(reverse("workers:person-photo", args=[person.pk])).status_code == 200
    (other,) = people(1, start=50)
    client.force_login(worker_for(other))
    assert client.get(reverse("workers:person-photo", args=[person.pk])).status_code == 404


# --- feedback ------------------------------------------------------------------------------------------------


def test_feedback_filed_by_holder_and_resolved_by_county(client, django_capture_on_commit_callbacks):
    (person,) = people(1)
    user = worker_for(person)
    client.force_login(user)
    response = client.post(
        reverse("workers:feedback-new"), {"level": "assistant", "management_no": "F2024000000001", "exam_year": "2024"}
    )
    assert response.status_code == 302
    feedback = RegistryFeedback.objects.get()
    client.force_login(official("440106", Role.STAFF, username="staff"))
    assert (
        client.post(reverse("workers:feedback-detail", args=[feedback.pk]), {"decision": "accept"}).status_code == 403
    )
    client.force_login(official("440105", username="other"))
    assert client.get(reverse("workers:feedback-detail", args=[feedback.pk])).status_code == 404
    admin = official("440106", username="county")
    client.force_login(admin)
    assert person.name in client.get(reverse("workers:feedback-list")).content.decode()
    rejected = client.post(reverse("workers:feedback-detail", args=[feedback.pk]), {"decision": "reject"})
    assert rejected.status_code == 400  # a rejection needs a reason
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("workers:feedback-detail", args=[feedback.pk]), {"decision": "accept", "issued_on": "2024-12-01"}
        )
    assert done.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.RESOLVED and feedback.certificate.management_no == "F2024000000001"
    assert user.notifications.filter(text__contains="F2024000000001").exists()


# --- export ----------------------------------------------------------------------------------------------


def test_export_goes_through_the_tabular_engine_with_the_page_filters(client):
    from shegong.core.tabular.export import export_table

    a, b = people(2)
    people(1, "510107", start=30)
    client.force_login(official("440106"))
    response = client.post(reverse("tabular:export", args=["workers"]), {"format": "csv", "name": "社工00"})
    run = TaskRun.objects.get()
    assert response.status_code == 302 and run.kind == "tabular.export"
    export_table.call(run_id=str(run.pk), spec_name="workers", filters={"name": "社工00"}, fmt="csv")
    run.refresh_from_db()
    content = run.result_file.read().decode("utf-8-sig")
    assert a.name in content and b.name in content and "社工030" not in content
    client.force_login(official("440106", Role.STAFF, username="staff"))
    assert client.post(reverse("tabular:export", args=["certificates"]), {"format": "xlsx"}).status_code == 302
    assert client.post(reverse("tabular:export", args=["secrets"]), {"format": "csv"}).status_code == 404
    client.force_login(UserFactory(role=Role.WORKER, region_id=None, username="w"))
    assert client.post(reverse("tabular:export", args=["workers"]), {"format": "csv"}).status_code == 403


# --- API -----------------------------------------------------------------------------------------------------


def test_api_lists_are_scoped_masked_filtered_and_cursor_paginated(client):
    a, b = people(2)
    CertificateFactory(person=a, level="senior", management_no="API0000001")
    people(1, "510107", start=40)
    client.force_login(official("440106"))
    body = client.get("/api/v1/workers/").json()
    assert [row["name"] for row in body["results"]] == [a.name, b.name]
    assert "*" in body["results"][0]["id_number"] and body["results"][0]["registration_status"] == "not_registered"
    assert "next" in body and "count" not in body
    assert [row["name"] for row in client.get("/api/v1/workers/", {"level": "senior"}).json()["results"]] == [a.name]
    paged = client.get("/api/v1/workers/", {"page_size": 1}).json()
    assert paged["next"] and len(paged["results"]) == 1
    certificates = client.get("/api/v1/certificates/").json()["results"]
    assert [row["management_no"] for row in certificates] == ["API0000001"]
    assert client.get("/api/v1/registrations/").status_code == 200
    client.force_login(official("440105", username="other"))
    assert client.get("/api/v1/workers/").json()["results"] == []
    assert client.get(f"/api/v1/workers/{a.pk}/").status_code == 404


def test_schema_lists_the_registry_and_registration_routes(client):
    client.force_login(official("440106"))
    schema = client.get("/api/schema/", {"format": "json"}).content.decode()
    for path in (
        "/api/v1/workers/",
        "/api/v1/certificates/",
        "/api/v1/registrations/",
        "/api/v1/public/certificate-check/",
    ):
        assert path in schema


def test_a_city_without_counties_is_a_base_unit():
    person = services.register_person(
        actor=None, name="东莞社工", id_number=id_number_for(900, "441900"), region="441900"
    )
    assert person.region_id == "441900"
    with pytest.raises(ValidationError):
        services.register_person(actor=None, name="广州社工", id_number=id_number_for(901), region="440100")


def test_profile_names_the_employing_organization_by_credit_code(client):
    (person,) = people(1, start=60)
    user = worker_for(person)
    organization = OrganizationFactory()
    client.force_login(user)
    page = client.get(reverse("workers:me-edit")).content.decode()
    assert organization.name not in page  # organizations are not listed to a worker
    data = {
        "phone": "13800138001",
        "education": "bachelor",
        "employer_type": "service_organization",
        "employer_organization": "no-such-code",
        "household_region_2": "440106",
        "region_2": "440106",
    }
    assert client.post(reverse("workers:me-edit"), data).status_code == 400
    data["employer_organization"] = organization.credit_code.lower()
    assert client.post(reverse("workers:me-edit"), data).status_code == 302
    person.refresh_from_db()
    assert person.employer_organization == organization
    assert organization.credit_code in client.get(reverse("workers:me-edit")).content.decode()
