"""Registration through the review engine: eligibility, the two review levels, locking, approval effects, refusals."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shegong.accounts.roles import Role
from shegong.core import workflow as wf
from shegong.core.models import AuditEvent, Notification
from shegong.core.workdays import add_working_days
from shegong.organizations.models import Employment
from shegong.registration import services
from shegong.registration.models import Registration, RegistrationKind, RegistrationRequest, RowStatus
from shegong.registration.progress import Progress, progress_of
from shegong.workers import services as worker_services
from shegong.workers.status import RegistrationState, RegistrationStatus, add_years
from tests.factories import OrganizationFactory, holder, official

from .helpers import approve_both, registered

pytestmark = pytest.mark.django_db


def apply_first(user, certificate, **kwargs):
    return services.apply(**kwargs, actor=user, kind=RegistrationKind.FIRST, certificate=certificate, declared=True)


@pytest.fixture
def th_admin():
    return official("440106", username="th_admin")


@pytest.fixture
def gd_admin():
    return official("440000", username="gd_admin")


# --- first registration: the whole path --------------------------------------------------------------------


def test_first_registration_county_then_province_issues_number_and_validity(
    th_admin, gd_admin, django_capture_on_commit_callbacks
):
    user, person, certificate = holder(1)
    request = apply_first(user, certificate)
    application = request.application
    assert application.state == wf.State.PENDING and application.current_step == "initial"
    assert application.acting_region_id == "440106"
    # 30 working days from acceptance (民发〔2009〕44号 art. 7)
    assert application.due_on == add_working_days(timezone.localdate(), 30)
    assert progress_of(request)[0] == Progress.AWAITING_REVIEW
    assert application.data["management_no"] == certificate.management_no
    assert "*" in application.data["id_number"]

    wf.approve(application, "材料齐全", actor=th_admin)
    application.refresh_from_db()
    assert application.current_step == "final" and application.acting_region_id == "440000"
    request.refresh_from_db()
    assert progress_of(request)[0] == Progress.INITIAL_PASSED

    with django_capture_on_commit_callbacks(execute=True):
        wf.approve(application, "同意", actor=gd_admin)
    request.refresh_from_db()
    registration = request.registration
    today = timezone.localdate()
    assert registration.kind == RegistrationKind.FIRST and registration.status == RowStatus.REGISTERED
    assert re.fullmatch(rf"44{today.year}1\d{{6}}", registration.number)
    assert registration.valid_from == today
    assert registration.valid_to == add_years(today, 3) - timedelta(days=1)
    assert registration.authority_region_id == "440000" and registration.region_id == "440106"
    assert registration.decided_by == gd_admin
    person.refresh_from_db()
    certificate.refresh_from_db()
    assert person.registration_state == RegistrationState.REGISTERED
    assert person.registration_status == RegistrationStatus.REGISTERED
    assert certificate.registration_valid_to == registration.valid_to
    assert progress_of(request)[0] == Progress.COMPLETED
    texts = list(Notification.objects.filter(user=user).values_list("text", flat=True))
    assert any(registration.number in text for text in texts)
    assert AuditEvent.objects.filter(action="registration.first", object_id=str(registration.pk)).exists()


def test_numbers_are_sequential_and_unique_per_province_year_level(th_admin, gd_admin):
    numbers = []
    for n in (1, 2, 3):
        user, _person, certificate = holder(n)
        request = apply_first(user, certificate)
        approve_both(request.application, th_admin, gd_admin)
        request.refresh_from_db()
        numbers.append(request.registration.number)
    assert len(set(numbers)) == 3
    assert [int(number[-6:]) for number in numbers] == [1, 2, 3]


def numbering_for_tests(registration):
    return f"TEST-{registration.certificate.management_no}"


def test_number_scheme_is_pluggable(settings, th_admin, gd_admin):
    settings.REGISTRATION_NUMBER_SCHEME = "shegong.registration.tests.test_flows.numbering_for_tests"
    user, _person, certificate = holder(1)
    request = apply_first(user, certificate)
    approve_both(request.application, th_admin, gd_admin)
    request.refresh_from_db()
    assert request.registration.number == f"TEST-{certificate.management_no}"


# --- eligibility before submission -------------------------------------------------------------------------


def test_first_registration_only_within_a_year_of_passing(settings):
    today = timezone.localdate()
    user, _person, certificate = holder(1, exam_year=today.year - 2, issued_on=today - timedelta(days=400))
    with pytest.raises(services.IneligibleError) as exc:
        apply_first(user, certificate)
    assert "months after passing the exam" in " ".join(exc.value.messages)
    assert not RegistrationRequest.objects.exists()
    settings.REGISTRATION_FIRST_LIMIT_WAIVED_PROVINCES = ["440000"]
    assert apply_first(user, certificate).application.state == wf.State.PENDING


def test_first_registration_limit_is_a_setting(settings):
    today = timezone.localdate()
    user, _person, certificate = holder(1, exam_year=today.year - 2, issued_on=today - timedelta(days=400))
    settings.REGISTRATION_FIRST_WITHIN_MONTHS = 24
    assert apply_first(user, certificate).pk


def test_incomplete_information_and_missing_declaration_are_refused():
    user, person, certificate = holder(1, complete=False)
    with pytest.raises(services.IneligibleError) as exc:
        services.apply(actor=user, kind=RegistrationKind.FIRST, certificate=certificate, declared=False)
    text = " ".join(exc.value.messages)
    assert "Complete your personal information first" in text and "photo" in text.lower()
    assert "Accept the declaration" in text


def test_another_workers_certificate_is_refused():
    user, _person, _certificate = holder(1)
    _other_user, _other, other_certificate = holder(2)
    with pytest.raises(PermissionDenied):
        apply_first(user, other_certificate)


def test_an_official_cannot_apply():
    _user, _person, certificate = holder(1)
    with pytest.raises(PermissionDenied):
        apply_first(official("440106"), certificate)


def test_one_open_application_per_certificate():
    user, _person, certificate = holder(1)
    apply_first(user, certificate)
    with pytest.raises(services.IneligibleError, match="Another application"):
        apply_first(user, certificate)


def test_already_registered_cannot_apply_for_first_registration():
    user, _person, certificate = holder(1)
    registered(certificate)
    with pytest.raises(services.IneligibleError, match="registered already"):
        apply_first(user, certificate)


def test_household_place_files_with_the_household_county():
    user, person, certificate = holder(1)
    person.household_region_id = "510107"
    person.save()
    request = apply_first(user, certificate, place="household")
    assert request.region_id == "510107"
    assert request.application.acting_region_id == "510107"


# --- who reviews: levels, regions, roles -----------------------------------------------------------------


def test_refusals_other_county_wrong_level_read_only_staff(th_admin, gd_admin):
    user, _person, certificate = holder(1)
    application = apply_first(user, certificate).application
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, "", actor=official("440105", username="haizhu"))  # another county
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, "", actor=gd_admin)  # the province at the county step
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, "", actor=official("440106", Role.STAFF, username="th_staff"))  # read-only
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, "", actor=user)  # the applicant
    wf.approve(application, "", actor=th_admin)
    application.refresh_from_db()
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, "", actor=th_admin)  # the county at the province step
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, "", actor=official("510000", username="sc"))  # another province


def test_initial_review_level_is_configurable_per_province(settings, th_admin):
    settings.REGISTRATION_INITIAL_REVIEW_LEVELS = {"440000": "prefecture"}
    user, _person, certificate = holder(1)
    application = apply_first(user, certificate).application
    assert application.acting_region_id == "440100"
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, "", actor=th_admin)
    wf.approve(application, "", actor=official("440100", username="gz_admin"))
    application.refresh_from_db()
    assert application.current_step == "final"


# --- editing and locking -----------------------------------------------------------------------------------


def test_applicant_edits_before_initial_review_then_locked_then_reopened_when_returned(th_admin, gd_admin):
    user, person, certificate = holder(1)
    request = apply_first(user, certificate)
    application = request.application
    # Pending at the first step: the applicant may still change the application and their information.
    services.update_request(request, actor=user, declared=True)
    worker_services.update_person(person, actor=user, own=True, major="社会学")
    application.refresh_from_db()
    assert application.data["education"]  # snapshot refreshed
    wf.approve(application, "", actor=th_admin)
    application.refresh_from_db()
    with pytest.raises(wf.WrongState):
        services.update_request(request, actor=user, declared=True)
    with pytest.raises(PermissionDenied, match="locked"):
        worker_services.update_person(person, actor=user, own=True, major="心理学")
    wf.return_for_revision(application, "照片不清晰", actor=gd_admin)
    application.refresh_from_db()
    request.refresh_from_db()
    assert progress_of(request)[0] == Progress.FINAL_FAILED
    worker_services.update_person(person, actor=user, own=True, major="心理学")  # reopened
    services.update_request(request, actor=user, declared=True)
    services.resubmit(request, actor=user)
    application.refresh_from_db()
    assert application.state == wf.State.PENDING and application.current_step == "initial"


def test_resubmission_checks_eligibility_again(th_admin):
    user, person, certificate = holder(1)
    request = apply_first(user, certificate)
    wf.return_for_revision(request.application, "补充材料", actor=th_admin)
    person.refresh_from_db()
    person.education = ""
    person.save()
    with pytest.raises(wf.WorkflowError, match="Complete your personal information"):
        wf.resubmit(request.application, actor=user)


def test_another_worker_cannot_edit_or_resubmit(th_admin):
    user, _person, certificate = holder(1)
    other, _p, _c = holder(2)
    request = apply_first(user, certificate)
    with pytest.raises(PermissionDenied):
        services.update_request(request, actor=other, declared=True)
    wf.return_for_revision(request.application, "补充", actor=th_admin)
    with pytest.raises(wf.NotAllowed):
        services.resubmit(request, actor=other)


# --- re-registration --------------------------------------------------------------------------------------


def test_renewal_only_inside_the_window_and_with_hours(hours, th_admin, gd_admin):
    user, _person, certificate = holder(1)
    current = registered(certificate, days_left=200)
    with pytest.raises(services.IneligibleError, match="Re-registration is open from"):
        services.apply(actor=user, kind=RegistrationKind.RENEWAL, certificate=certificate, declared=True)
    Registration.objects.filter(pk=current.pk).update(valid_to=timezone.localdate() + timedelta(days=40))
    services.sync_status(current.person)
    hours.set(ok=False, credited=20, required=72, reason="Not enough hours: 20 of 72.")
    with pytest.raises(services.IneligibleError, match="Not enough hours: 20 of 72"):
        services.apply(actor=user, kind=RegistrationKind.RENEWAL, certificate=certificate, declared=True)
    hours.set(ok=True, credited=80, required=72)
    request = services.apply(actor=user, kind=RegistrationKind.RENEWAL, certificate=certificate, declared=True)
    assert hours.state["calls"][-1] == (request.person_id, current.pk)
    approve_both(request.application, th_admin, gd_admin)
    request.refresh_from_db()
    renewal = request.registration
    current.refresh_from_db()
    assert current.status == RowStatus.SUPERSEDED
    assert renewal.kind == RegistrationKind.RENEWAL and renewal.number != current.number
    # default start rule: the day after the previous registration expires
    assert renewal.valid_from == current.valid_to + timedelta(days=1)
    assert renewal.valid_to == add_years(renewal.valid_from, 3) - timedelta(days=1)


def test_renewal_refused_clearly_while_the_hours_check_is_unavailable(hours):
    hours.unavailable()
    user, _person, certificate = holder(1)
    registered(certificate, days_left=30)
    with pytest.raises(services.IneligibleError) as exc:
        services.apply(actor=user, kind=RegistrationKind.RENEWAL, certificate=certificate, declared=True)
    assert "study-hour check is unavailable" in " ".join(exc.value.messages)


def test_renewal_start_rule_is_a_setting(settings, hours, th_admin, gd_admin):
    settings.REGISTRATION_RENEWAL_START = "approval"
    user, _person, certificate = holder(1)
    registered(certificate, days_left=20)
    request = services.apply(actor=user, kind=RegistrationKind.RENEWAL, certificate=certificate, declared=True)
    approve_both(request.application, th_admin, gd_admin)
    request.refresh_from_db()
    assert request.registration.valid_from == timezone.localdate()


def test_renewal_window_is_a_setting(settings, hours):
    settings.REGISTRATION_RENEWAL_WINDOW_MONTHS = 6
    user, _person, certificate = holder(1)
    registered(certificate, days_left=150)
    assert services.apply(actor=user, kind=RegistrationKind.RENEWAL, certificate=certificate, declared=True).pk


def test_lapsed_holder_may_register_again_unless_the_province_says_no(settings):
    user, _person, certificate = holder(1, exam_year=2019, issued_on=timezone.localdate().replace(year=2019))
    registered(certificate, days_left=-10)
    settings.REGISTRATION_REGISTER_AGAIN_BY_PROVINCE = {"440000": False}
    with pytest.raises(services.IneligibleError, match="does not accept a new registration"):
        apply_first(user, certificate)
    settings.REGISTRATION_REGISTER_AGAIN_BY_PROVINCE = {}
    assert apply_first(user, certificate).pk  # the one-year limit does not apply again


# --- change, cancellation, revocation ---------------------------------------------------------------------


def test_change_of_employer_applies_to_the_record_and_keeps_number(th_admin, gd_admin):
    user, person, certificate = holder(1)
    current = registered(certificate)
    organization = OrganizationFactory(region_id="440106")
    request = services.apply(
        actor=user,
        kind=RegistrationKind.CHANGE,
        certificate=certificate,
        declared=True,
        changes={"employer_type": "service_organization", "employer_organization": organization.pk},
    )
    assert request.changes["employer_organization"] == organization.pk
    approve_both(request.application, th_admin, gd_admin)
    request.refresh_from_db()
    person.refresh_from_db()
    assert person.employer_organization == organization and person.employer_name == ""
    assert Employment.objects.filter(person=person, organization=organization, ended_on__isnull=True).exists()
    change = request.registration
    assert change.kind == RegistrationKind.CHANGE and change.number == current.number
    assert change.valid_to == current.valid_to and change.status == RowStatus.REGISTERED


def test_change_without_anything_to_change_is_refused():
    user, person, certificate = holder(1)
    registered(certificate)
    with pytest.raises(services.IneligibleError, match="what is to be changed"):
        services.apply(
            actor=user,
            kind=RegistrationKind.CHANGE,
            certificate=certificate,
            declared=True,
            changes={"name": person.name},
        )


def test_change_to_an_unapproved_organization_is_refused():
    user, _person, certificate = holder(1)
    registered(certificate)
    organization = OrganizationFactory(region_id="440106", status="pending")
    with pytest.raises(ValidationError):
        services.apply(
            actor=user,
            kind=RegistrationKind.CHANGE,
            certificate=certificate,
            declared=True,
            changes={"employer_type": "service_organization", "employer_organization": organization.pk},
        )


def test_cancellation_on_request(th_admin, gd_admin):
    user, person, certificate = holder(1)
    registered(certificate)
    with pytest.raises(services.IneligibleError, match="Give the reason"):
        services.apply(actor=user, kind=RegistrationKind.CANCELLATION, certificate=certificate, declared=True)
    request = services.apply(
        actor=user,
        kind=RegistrationKind.CANCELLATION,
        certificate=certificate,
        declared=True,
        reason="不再从事社会工作",
    )
    approve_both(request.application, th_admin, gd_admin)
    person.refresh_from_db()
    assert person.registration_status == RegistrationStatus.CANCELLED


def test_revocation_by_the_province_with_a_reason(gd_admin, th_admin):
    user, person, certificate = holder(1)
    current = registered(certificate)
    with pytest.raises(ValidationError):
        services.revoke(current, "  ", actor=gd_admin)
    with pytest.raises(PermissionDenied):
        services.revoke(current, "虚假材料", actor=th_admin)  # a county cannot revoke
    with pytest.raises(PermissionDenied):
        services.revoke(current, "虚假材料", actor=official("440000", Role.STAFF, username="gd_staff"))
    with pytest.raises(PermissionDenied):
        services.revoke(current, "虚假材料", actor=official("510000", username="sc_admin"))  # another province
    revocation = services.revoke(current, "提供虚假材料", actor=gd_admin)
    person.refresh_from_db()
    current.refresh_from_db()
    assert person.registration_status == RegistrationStatus.REVOKED
    assert current.status == RowStatus.SUPERSEDED and revocation.reason == "提供虚假材料"
    assert AuditEvent.objects.filter(action="registration.revoke").exists()
    with pytest.raises(ValidationError):
        services.revoke(revocation, "again", actor=gd_admin)


def test_rejection_and_withdrawal_show_in_the_progress(th_admin):
    user, _person, certificate = holder(1)
    request = apply_first(user, certificate)
    wf.reject(request.application, "不符合条件", actor=th_admin)
    request.refresh_from_db()
    code, label = progress_of(request)
    assert code == Progress.INITIAL_FAILED and "rejected" in label
    user2, _p2, certificate2 = holder(2)
    request2 = apply_first(user2, certificate2)
    wf.withdraw(request2.application, actor=user2)
    request2.refresh_from_db()
    assert progress_of(request2)[0] == Progress.WITHDRAWN
