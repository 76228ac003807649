from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.accounts.roles import Role
from shegong.core import crypto
from shegong.core.identifiers import IdKind, Sex, build_id_number
from shegong.core.models import AuditEvent
from shegong.workers import queries, services
from shegong.workers.models import Certificate, CertificateLevel, Person, SignupStatus, WorkerSignup
from tests.factories import CertificateFactory, PersonFactory, UserFactory, id_number_for, official

pytestmark = pytest.mark.django_db

PASSWORD = "Worker#2026pass"
NUMBER = build_id_number("440106", date(1990, 1, 1), 123)  # male


def errors_of(info):
    return info.value.message_dict


# --- register_person ------------------------------------------------------------------------------


def test_register_person_derives_and_encrypts():
    admin = official("440106")
    person = services.register_person(actor=admin, name=" 张三丰 ", id_number=NUMBER.lower(), region="440106")
    person.refresh_from_db()
    assert person.name == "张三丰"
    assert person.sex == Sex.MALE
    assert person.birth_date == date(1990, 1, 1)
    assert person.id_kind == IdKind.CITIZEN
    assert NUMBER not in person.id_encrypted
    assert crypto.decrypt(person.id_encrypted) == NUMBER
    assert person.id_blind_index == crypto.blind_index(NUMBER)
    event = AuditEvent.objects.get(action="workers.person_create", object_type="workers.Person")
    assert event.changes["id_number"] == "440106********" + NUMBER[-4:]
    assert NUMBER not in str(event.changes)
    assert event.region_code == "440106"


def test_register_person_converts_fifteen_digit_numbers():
    person = services.register_person(actor=None, name="李四", id_number="340524800101001", region="440106")
    assert crypto.decrypt(person.id_encrypted) == "34052419800101001X"


@pytest.mark.parametrize("number", ["340524198001010013", "44010619901301123X", "12345", "44010619900101A123"])
def test_register_person_refuses_bad_id(number):
    with pytest.raises(ValidationError) as info:
        services.register_person(actor=None, name="王五", id_number=number, region="440106")
    assert "id_number" in errors_of(info)
    assert not Person.objects.exists()


def test_register_person_refuses_duplicate_id_in_any_spelling():
    services.register_person(actor=None, name="张三", id_number="34052419800101001X", region="440106")
    for spelling in ["34052419800101001x", "３４０５２４１９８００１０１００１Ｘ", "340524800101001"]:
        with pytest.raises(ValidationError) as info:
            services.register_person(actor=None, name="张三", id_number=spelling, region="510107")
        assert "already in the registry" in errors_of(info)["id_number"][0]
    assert Person.objects.count() == 1


def test_register_person_needs_a_county():
    with pytest.raises(ValidationError) as info:
        services.register_person(actor=None, name="张三", id_number=NUMBER, region="440100")
    assert "region" in errors_of(info)


def test_register_person_outside_admin_region_is_refused():
    with pytest.raises(PermissionDenied):
        services.register_person(actor=official("510107"), name="张三", id_number=NUMBER, region="440106")
    with pytest.raises(PermissionDenied):
        services.register_person(actor=official("440106", Role.STAFF), name="张三", id_number=NUMBER, region="440106")
    assert services.register_person(actor=official("440000"), name="张三", id_number=NUMBER, region="440106")


def test_add_certificate_checks():
    person = PersonFactory()
    admin = official("440106")
    cert = services.add_certificate(
        person, actor=admin, level=CertificateLevel.INTERMEDIATE, management_no="20184401060000011", exam_year=2018
    )
    assert cert.get_level_display() == "Social worker"
    with pytest.raises(ValidationError):
        services.add_certificate(
            person, actor=admin, level="assistant", management_no="20184401060000011", exam_year=2018
        )
    with pytest.raises(ValidationError):
        services.add_certificate(person, actor=admin, level="assistant", management_no="ab", exam_year=2018)
    with pytest.raises(ValidationError):
        services.add_certificate(
            person, actor=admin, level="assistant", management_no="2018440106000009", exam_year=2007
        )
    with pytest.raises(ValidationError):
        services.add_certificate(person, actor=admin, level="chief", management_no="2018440106000009", exam_year=2018)
    with pytest.raises(PermissionDenied):
        services.add_certificate(
            person, actor=official("510107"), level="assistant", management_no="2018440106000009", exam_year=2018
        )


# --- lookups and reveal ---------------------------------------------------------------------------


def test_find_person_by_id_number():
    person = PersonFactory(id_number=NUMBER)
    assert queries.find_person_by_id_number(f" {NUMBER[:9]} {NUMBER[9:]} ") == person
    assert queries.find_person_by_id_number(id_number_for(999)) is None
    assert queries.find_person_by_id_number("not a number") is None
    assert queries.find_person_by_id_number(NUMBER, user=official("440100")) == person
    assert queries.find_person_by_id_number(NUMBER, user=official("510000")) is None


def test_find_person_during_key_rotation(field_key):
    person = PersonFactory(id_number=NUMBER)
    field_key.FIELD_KEY_OLD = "workers-test-key"
    field_key.FIELD_KEY = "a-new-key"
    assert queries.find_person_by_id_number(NUMBER) == person
    with pytest.raises(ValidationError):
        services.register_person(actor=None, name="x", id_number=NUMBER, region="440106")


def test_reveal_is_audited():
    person = PersonFactory(id_number=NUMBER)
    admin = official("440100")
    assert services.reveal_id_number(person, actor=admin) == NUMBER
    event = AuditEvent.objects.get(action="workers.id_reveal")
    assert event.actor == admin
    assert event.object_id == str(person.pk)
    assert event.region_code == "440106"


@pytest.mark.parametrize(
    "code, role",
    [("510107", Role.ADMIN), ("440106", Role.SECURITY), ("440106", Role.AUDITOR), ("000000", Role.OPERATOR)],
)
def test_reveal_refused_outside_scope_or_role(code, role):
    person = PersonFactory(id_number=NUMBER)
    with pytest.raises(PermissionDenied):
        services.reveal_id_number(person, actor=official(code, role))
    assert not AuditEvent.objects.filter(action="workers.id_reveal").exists()


def test_worker_reveals_only_their_own_number():
    mine, other = PersonFactory(), PersonFactory()
    worker = UserFactory(role=Role.WORKER, region_id=None)
    mine.account = worker
    mine.save()
    assert services.reveal_id_number(mine, actor=worker) == crypto.decrypt(mine.id_encrypted)
    with pytest.raises(PermissionDenied):
        services.reveal_id_number(other, actor=worker)


# --- scoping --------------------------------------------------------------------------------------


def test_person_and_certificate_scope():
    tianhe = CertificateFactory(person=PersonFactory(region_id="440106"))
    wuhou = CertificateFactory(person=PersonFactory(region_id="510107"))
    for user, expected in [
        (official("000000"), {tianhe, wuhou}),
        (official("440000"), {tianhe}),
        (official("440106", Role.STAFF), {tianhe}),
        (official("510107"), {wuhou}),
        (official("440106", Role.SECURITY), set()),
        (official("440106", Role.AUDITOR), set()),
        (UserFactory(role=Role.ORG_ADMIN, region_id=None), set()),
        (UserFactory(role=Role.WORKER, region_id=None), set()),
    ]:
        assert set(Certificate.objects.visible_to(user)) == expected, user.role
        assert set(Person.objects.visible_to(user)) == {c.person for c in expected}, user.role
    assert not Person.objects.editable_by(official("440106", Role.STAFF)).exists()


def test_worker_sees_only_themself():
    mine = CertificateFactory()
    CertificateFactory()
    worker = UserFactory(role=Role.WORKER, region_id=None)
    mine.person.account = worker
    mine.person.save()
    worker.refresh_from_db()
    assert list(Person.objects.visible_to(worker)) == [mine.person]
    assert list(Certificate.objects.visible_to(worker)) == [mine]


def test_organization_scope_hook(monkeypatch):
    from django.db.models import Q

    from shegong.workers.models import PersonQuerySet

    person = CertificateFactory().person
    PersonFactory()
    org_user = UserFactory(role=Role.ORG_ADMIN, region_id=None)
    monkeypatch.setattr(PersonQuerySet, "organization_scope", staticmethod(lambda user, purpose: Q(pk=person.pk)))
    assert list(Person.objects.visible_to(org_user)) == [person]
    assert Certificate.objects.visible_to(org_user).get().person == person


# --- sign-up --------------------------------------------------------------------------------------


def registry_person(name="陈晓明", number=NUMBER, region="440106"):
    return services.register_person(actor=None, name=name, id_number=number, region=region)


def test_signup_matching_id_and_name_links_the_person():
    person = registry_person()
    outcome = services.sign_up_worker(" 陈晓明", NUMBER.lower(), "138 0013 8000", PASSWORD)
    assert outcome.matched and outcome.signup is None
    person.refresh_from_db()
    user = outcome.user
    assert person.account == user
    assert user.username == "13800138000" and user.role == Role.WORKER and user.is_active
    assert user.check_password(PASSWORD)
    assert user.person_id == person.pk
    assert person.phone == "13800138000"
    assert not WorkerSignup.objects.exists()
    event = AuditEvent.objects.get(action="workers.signup")
    assert event.changes["matched"] is True and NUMBER not in str(event.changes)


def test_signup_name_variants_match():
    registry_person(name="买买提·艾力")
    assert services.sign_up_worker("买买提.艾力", NUMBER, "13800138000", PASSWORD).matched


def test_signup_name_mismatch_waits_in_the_records_county():
    person = registry_person(region="440106")
    outcome = services.sign_up_worker("陈小明", NUMBER, "13800138000", PASSWORD, claimed_region="510107")
    assert not outcome.matched
    signup = outcome.signup
    assert signup.status == SignupStatus.PENDING
    assert signup.claimed_region_id == "440106"  # routed to the county holding the record
    assert signup.registry_person == person
    assert crypto.decrypt(signup.id_encrypted) == NUMBER
    person.refresh_from_db()
    assert person.account is None
    user = outcome.user
    assert user.is_active and user.person_id is None
    assert not Person.objects.visible_to(user).exists()  # no business data until confirmed


def test_signup_not_in_registry_needs_a_county():
    with pytest.raises(ValidationError) as info:
        services.sign_up_worker("陈晓明", NUMBER, "13800138000", PASSWORD)
    assert "region" in errors_of(info)
    with pytest.raises(ValidationError) as info:
        services.sign_up_worker("陈晓明", NUMBER, "13800138000", PASSWORD, claimed_region="440100")
    assert "region" in errors_of(info)
    outcome = services.sign_up_worker("陈晓明", NUMBER, "13800138000", PASSWORD, claimed_region="440106")
    assert outcome.signup.claimed_region_id == "440106" and outcome.signup.registry_person is None


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"id_number": "340524198001010013"}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "23800138000"}, "phone"),
        ({"password": "short"}, "password"),
        ({"password": "13800138000"}, "password"),
        ({"name": "  "}, "name"),
    ],
)
def test_signup_refusals(kwargs, field):
    registry_person()
    data = {"name": "陈晓明", "id_number": NUMBER, "phone": "13800138000", "password": PASSWORD} | kwargs
    with pytest.raises(ValidationError) as info:
        services.sign_up_worker(**data)
    assert field in errors_of(info)
    assert not WorkerSignup.objects.exists()
    assert not Person.objects.filter(account__isnull=False).exists()


def test_signup_refused_when_the_person_has_an_account():
    registry_person()
    services.sign_up_worker("陈晓明", NUMBER, "13800138000", PASSWORD)
    with pytest.raises(ValidationError) as info:
        services.sign_up_worker("陈晓明", NUMBER, "13900139000", PASSWORD)
    assert "already exists" in errors_of(info)["id_number"][0]


def test_signup_refused_when_phone_is_taken():
    UserFactory(username="13800138000", role=Role.WORKER, region_id=None)
    registry_person()
    with pytest.raises(ValidationError) as info:
        services.sign_up_worker("陈晓明", NUMBER, "13800138000", PASSWORD)
    assert "phone" in errors_of(info)


def test_only_one_pending_signup_per_id():
    services.sign_up_worker("陈晓明", NUMBER, "13800138000", PASSWORD, claimed_region="440106")
    with pytest.raises(ValidationError) as info:
        services.sign_up_worker("陈晓明", NUMBER, "13900139000", PASSWORD, claimed_region="440106")
    assert "waiting" in errors_of(info)["id_number"][0]


# --- confirmation ---------------------------------------------------------------------------------


def pending(region="440106", number=NUMBER, phone="13800138000", name="陈晓明"):
    return services.sign_up_worker(name, number, phone, PASSWORD, claimed_region=region).signup


def test_pending_signups_are_scoped():
    tianhe, wuhou = pending("440106"), pending("510107", id_number_for(7, "510107"), "13900139000")
    assert list(queries.pending_worker_signups_for(official("440106"))) == [tianhe]
    assert list(queries.pending_worker_signups_for(official("440000"))) == [tianhe]
    assert list(queries.pending_worker_signups_for(official("510107"))) == [wuhou]
    assert set(queries.pending_worker_signups_for(official("000000"))) == {tianhe, wuhou}
    assert not queries.pending_worker_signups_for(official("440106", Role.SECURITY)).exists()
    assert not queries.pending_worker_signups_for(UserFactory(role=Role.WORKER, region_id=None)).exists()


def test_confirm_creates_the_person_and_links_the_account():
    signup = pending()
    admin = official("440106")
    services.confirm_worker_signup(signup, actor=admin)
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CONFIRMED and signup.decided_by == admin
    person = signup.person
    assert person.account == signup.user and person.region_id == "440106"
    assert crypto.decrypt(person.id_encrypted) == NUMBER
    assert person.name == "陈晓明" and person.sex == Sex.MALE
    assert list(Person.objects.visible_to(signup.user)) == [person]
    assert AuditEvent.objects.filter(action="workers.signup_confirm", actor=admin).exists()
    with pytest.raises(ValidationError):
        services.confirm_worker_signup(signup, actor=admin)
    with pytest.raises(ValidationError):
        services.reject_worker_signup(signup, "too late", actor=admin)


def test_confirm_links_the_registry_record_on_name_mismatch():
    person = registry_person()
    signup = services.sign_up_worker("陈小明", NUMBER, "13800138000", PASSWORD).signup
    services.confirm_worker_signup(signup, "440106", actor=official("440100"))
    person.refresh_from_db()
    assert person.account == signup.user
    assert Person.objects.count() == 1
    signup.user.refresh_from_db()
    assert signup.user.full_name == "陈晓明"


def test_confirm_into_another_county_of_the_admins_subtree():
    signup = pending("440106")
    services.confirm_worker_signup(signup, "440104", actor=official("440100"))
    signup.refresh_from_db()
    assert signup.person.region_id == "440104"


def test_other_county_admin_cannot_confirm_or_reject():
    signup = pending("440106")
    other = official("510107")
    with pytest.raises(PermissionDenied):
        services.confirm_worker_signup(signup, "510107", actor=other)
    with pytest.raises(PermissionDenied):
        services.reject_worker_signup(signup, "no", actor=other)
    with pytest.raises(PermissionDenied):
        services.confirm_worker_signup(signup, actor=official("440106", Role.STAFF))
    signup.refresh_from_db()
    assert signup.status == SignupStatus.PENDING


def test_admin_cannot_confirm_into_a_region_outside_their_subtree():
    signup = pending("440106")
    with pytest.raises(PermissionDenied):
        services.confirm_worker_signup(signup, "440104", actor=official("440106"))
    assert not Person.objects.exists()


def test_reject_needs_a_reason():
    signup = pending()
    admin = official("440106")
    with pytest.raises(ValidationError) as info:
        services.reject_worker_signup(signup, "   ", actor=admin)
    assert "reason" in errors_of(info)
    services.reject_worker_signup(signup, "No certificate under this ID number.", actor=admin)
    signup.refresh_from_db()
    assert signup.status == SignupStatus.REJECTED and signup.reason == "No certificate under this ID number."
    assert AuditEvent.objects.filter(action="workers.signup_reject").exists()
    assert not Person.objects.exists()


# --- demo data ------------------------------------------------------------------------------------


def test_demo_seeder_is_idempotent():
    from shegong.workers.demo import DEMO_WORKER, seed_workers

    lines = seed_workers()
    assert any(DEMO_WORKER in line for line in lines)
    # six holders, one who passed this year (the demo applicant), two unchecked imported records
    assert Person.objects.count() == 9 and Certificate.objects.count() == 7
    seed_workers()
    assert Person.objects.count() == 9 and Certificate.objects.count() == 7
    person = Person.objects.get(account__username=DEMO_WORKER)
    assert set(Person.objects.values_list("region_id", flat=True)) == {"440106", "510107"}
    assert person.certificates.count() == 1
    assert not queries.missing_fields(person)
    assert Person.objects.filter(checked=False).count() == 2


def test_worker_cannot_decide_on_their_own_signup():
    signup = pending()
    with pytest.raises(PermissionDenied):
        services.confirm_worker_signup(signup, "440106", actor=signup.user)
    with pytest.raises(PermissionDenied):
        services.reject_worker_signup(signup, "withdrawn", actor=signup.user)
