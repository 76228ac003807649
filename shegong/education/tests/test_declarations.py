"""Declarations through the review engine: who may declare, evidence checks, review level, return, approval."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shegong.core import workflow as wf
from shegong.education.models import Declaration, Evidence, ReviewLevel, Source, StudyRecord
from shegong.education.rules import Rule
from shegong.education.services import declarations as DS
from shegong.education.services import policy
from tests.factories import official, worker_with_person

from .conftest import pdf_file

pytestmark = pytest.mark.django_db

FIELDS = {
    "form": "paper",
    "title": "社区老年人社会支持调研报告",
    "organizer": "《中国社会工作》",
    "occurred_on": date(2025, 9, 1),
    "hours_claimed": None,
    "description": "",
}


def declare(worker, files=None, **changes):
    return DS.declare(
        worker.person, **{**FIELDS, **changes}, actor=worker, files=files if files is not None else [pdf_file()]
    )


def test_declaration_goes_to_the_county(worker, media):
    declaration = declare(worker)
    application = declaration.application
    assert application.state == "pending" and application.acting_region_id == "440106"
    assert declaration.hours_claimed == Decimal("60")  # a paper counts 60 hours by default: filled in
    assert application.data["expected_credit"] == "60.0" and application.data["files"] == ["proof.pdf"]
    assert declaration.evidence.get().content_type == "application/pdf"
    assert wf.inbox_for(official("440106")).filter(pk=application.pk).exists()
    assert not wf.inbox_for(official("440100")).filter(pk=application.pk).exists()


def test_review_level_is_a_province_setting(worker, media):
    gd = official("440000")
    policy.save_policy(
        gd.region,
        actor=gd,
        required={"assistant": 72, "intermediate": 90, "senior": 90},
        review_level=ReviewLevel.PREFECTURE,
    )
    application = declare(worker).application
    assert application.acting_region_id == "440100"
    county = official("440106")
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, "", actor=county)
    wf.approve(application, "同意", actor=official("440100"))
    assert StudyRecord.objects.get(person=worker.person).hours_credited == Decimal("60")


def test_returned_declaration_is_corrected_resubmitted_and_approved(worker, media):
    declaration = declare(worker, form="training", title="外省督导培训", hours_claimed=Decimal("20"))
    reviewer = official("440106")
    with pytest.raises(wf.ReasonRequired):
        wf.return_for_revision(declaration.application, " ", actor=reviewer)
    wf.return_for_revision(declaration.application, "结业证书不清晰，请重新上传，学时应为16。", actor=reviewer)
    declaration.refresh_from_db()
    assert declaration.application.state == "returned"
    old = declaration.evidence.get()
    DS.update_declaration(
        declaration,
        actor=worker,
        hours_claimed=Decimal("16"),
        files=[pdf_file("清晰证书.pdf")],
        remove=[old.pk],
    )
    declaration.refresh_from_db()
    assert declaration.hours_claimed == Decimal("16")
    assert list(declaration.evidence.values_list("name", flat=True)) == ["清晰证书.pdf"]
    DS.resubmit(declaration, actor=worker)
    declaration.application.refresh_from_db()
    assert declaration.application.state == "pending" and declaration.application.data["hours_claimed"] == "16.0"
    wf.approve(declaration.application, "同意", actor=reviewer)
    row = StudyRecord.objects.get(declaration=declaration)
    assert row.source == Source.DECLARATION and row.hours_credited == Decimal("16") and row.reviewer == reviewer
    assert row.source_ref == f"declaration:{declaration.pk}"


def test_edit_only_while_returned(worker, media):
    declaration = declare(worker)
    with pytest.raises(ValidationError, match="returned for revision"):
        DS.update_declaration(declaration, actor=worker, title="改")
    wf.approve(declaration.application, "", actor=official("440106"))
    with pytest.raises(ValidationError, match="returned for revision"):
        DS.update_declaration(declaration, actor=worker, title="改")


def test_declaration_by_another_person_is_refused(worker, media):
    other = worker_with_person()
    with pytest.raises(PermissionDenied):
        DS.declare(worker.person, **FIELDS, actor=other, files=[pdf_file()])
    with pytest.raises(PermissionDenied):
        DS.declare(worker.person, **FIELDS, actor=official("440106"), files=[pdf_file()])
    declaration = declare(worker)
    wf.return_for_revision(declaration.application, "补充材料", actor=official("440106"))
    with pytest.raises(PermissionDenied):
        DS.update_declaration(declaration, actor=other, title="他人修改")
    with pytest.raises(PermissionDenied):
        DS.resubmit(declaration, actor=other)
    assert Declaration.objects.count() == 1


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("run.exe", b"MZ\x90\x00"), "only PDF, JPEG and PNG"),
        (SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>"), "not really a PDF"),
        (SimpleUploadedFile("photo.png", b"\xff\xd8\xff\xe0 a jpeg named png"), "not really a PNG"),
        (SimpleUploadedFile("empty.pdf", b""), "is empty"),
        (pdf_file("big.pdf", size=10 * 1024 * 1024 + 1), "larger than 10 MB"),
    ],
)
def test_bad_evidence_files_are_refused(worker, media, upload, message):
    with pytest.raises(ValidationError, match=message):
        declare(worker, files=[upload])
    assert not Declaration.objects.exists() and not Evidence.objects.exists()


def test_evidence_required_and_images_accepted(worker, media):
    with pytest.raises(ValidationError, match="at least one evidence file"):
        declare(worker, files=[])
    png = SimpleUploadedFile("证书.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    jpeg = SimpleUploadedFile("证书.JPG", b"\xff\xd8\xff\xe0" + b"0" * 20)
    declaration = declare(worker, files=[png, jpeg])
    assert sorted(declaration.evidence.values_list("content_type", flat=True)) == ["image/jpeg", "image/png"]


def test_field_checks(worker, media):
    with pytest.raises(ValidationError) as caught:
        declare(
            worker, form="training", title=" ", hours_claimed=None, occurred_on=timezone.localdate() + timedelta(days=1)
        )
    assert {"title", "hours_claimed", "occurred_on"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError, match="Choose the form"):
        declare(worker, form="astrology")


def test_form_not_recognised_in_the_province(worker, media):
    gd = official("440000")
    policy.save_policy(
        gd.region,
        actor=gd,
        required={"assistant": 72, "intermediate": 90, "senior": 90},
        rules={"research": Rule("research", accepted=False)},
    )
    with pytest.raises(ValidationError, match="not recognised in your province"):
        declare(worker, form="research", hours_claimed=Decimal("10"))


def test_a_degree_counts_once(worker, media):
    first = declare(worker, form="degree", title="社会工作硕士", occurred_on=date(2025, 6, 30))
    with pytest.raises(ValidationError, match="counts only once"):
        declare(worker, form="degree", title="又一个学位")  # while the first is under review
    wf.approve(first.application, "", actor=official("440106"))
    assert StudyRecord.objects.get(declaration=first).hours_credited == Decimal("90")
    with pytest.raises(ValidationError, match="counts only once"):
        declare(worker, form="degree", title="又一个学位")


def test_caps_are_applied_at_approval(worker, media):
    gd = official("440000")
    policy.save_policy(
        gd.region,
        actor=gd,
        required={"assistant": 72, "intermediate": 90, "senior": 90},
        rules={"supervision_received": Rule("supervision_received", period_cap=Decimal("20"))},
    )
    one = declare(worker, form="supervision_received", title="接受督导一", hours_claimed=Decimal("15"))
    two = declare(worker, form="supervision_received", title="接受督导二", hours_claimed=Decimal("15"))
    reviewer = official("440106")
    wf.approve(two.application, "", actor=reviewer)
    wf.approve(one.application, "", actor=reviewer)
    assert StudyRecord.objects.get(declaration=two).hours_credited == Decimal("15")
    capped = StudyRecord.objects.get(declaration=one)
    assert capped.hours_credited == Decimal("5") and "per registration period" in capped.decision


def test_reviewer_of_another_region_cannot_decide(worker, media):
    application = declare(worker).application
    for outsider in (official("510107"), official("440106", role="staff")):
        with pytest.raises(wf.NotAllowed):
            wf.approve(application, "", actor=outsider)
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, "", actor=worker)  # the applicant never reviews


def test_rejection_writes_nothing(worker, media):
    declaration = declare(worker)
    wf.reject(declaration.application, "与社会工作无关", actor=official("440106"))
    assert not StudyRecord.objects.exists()
