"""Every stored code is shown as words on the change history and the audit pages.

Two kinds of check, both rendering the real pages, in Chinese and in English:
- real updates through the services (a person's education, employer type and employer, an
  account's role, two-factor enrolment) show the fields' names, the choices' labels and the related
  objects' names on the person's change history, the audit list and the audit event pages;
- one row of every scoped model (tests/walk_data.py) gets an event whose before/after carry every
  choice field and foreign key of its model with the row's stored values; its audit page must show
  the model's verbose name, the fields' verbose names, the labels and the names, never the stored
  codes, the ``app_label.Model`` label or a bare id after an arrow.
"""

import html
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from shegong.accounts.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]


def visible_text(response):
    """The page's text as a person reads it (tags and attributes dropped)."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<option\b[^>]*>", " ", body)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def get(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return visible_text(response)


def words(value, language):
    with translation.override(language):
        return str(value)


def raw_code_absent(text, code):
    """``code`` does not appear as a word of its own (ASCII codes: not inside another word)."""
    return re.search(rf"(?<![\w.]){re.escape(str(code))}(?![\w])", text) is None


@pytest.fixture
def updated(client):
    """A person, an organization, accounts, each changed through its service."""
    from shegong.accounts.services import users as user_services
    from shegong.core.models import AuditEvent
    from shegong.workers import services as worker_services
    from shegong.workers.models import Education, EmployerType

    admin = factories.official("440106", Role.ADMIN, username="words_admin")
    auditor = factories.official("440000", Role.AUDITOR, username="words_auditor")
    organization = factories.OrganizationFactory(region_id="440106", name="天河区启明社会工作服务中心")
    person = factories.PersonFactory(region_id="440106", education=Education.BACHELOR)
    factories.CertificateFactory(person=person)
    worker_services.update_person(
        person,
        actor=admin,
        education=Education.MASTER,
        employer_type=EmployerType.SERVICE_ORGANIZATION,
        employer_organization=organization,
        household_region="440104",
        reason="本人提交了学位证书",
    )
    worker_services.update_person(
        person, actor=admin, employer_type=EmployerType.PUBLIC_INSTITUTION, employer_name="天河区某中学"
    )
    staff = factories.official("440106", Role.STAFF, username="words_staff")
    user_services.change_role(staff, Role.ADMIN, actor=admin)
    # An event written before the namespaced codes, with its legacy code.
    AuditEvent.objects.create(
        actor=staff,
        actor_name=staff.username,
        role=staff.role,
        region_code="440106",
        action="2fa_enrol",
        object_type="accounts.User",
        object_id=str(staff.pk),
        object_repr=str(staff),
        changes={"recovery_codes": 10},
    )
    return {"admin": admin, "auditor": auditor, "person": person, "organization": organization, "staff": staff}


RAW_PERSON_CODES = ["bachelor", "master", "service_organization", "public_institution", "440104", "workers.Person"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_person_change_history_is_words(client, updated, language):
    from shegong.regions.models import Region
    from shegong.workers.models import Education, EmployerType, Person

    client.force_login(updated["admin"])
    text = get(client, reverse("workers:person-detail", args=[updated["person"].pk]), language)
    for code in RAW_PERSON_CODES:
        assert raw_code_absent(text, code), f"{code!r} shown on the change history"
    assert f"→ {updated['organization'].pk}" not in text and "→ 1 " not in text
    for label in (
        Education.BACHELOR.label,
        Education.MASTER.label,
        EmployerType.PUBLIC_INSTITUTION.label,
        Person._meta.get_field("education").verbose_name,
        Person._meta.get_field("household_region").verbose_name,
    ):
        assert words(label, language) in text, f"{words(label, language)!r} missing from the change history"
    assert updated["organization"].name in text
    assert Region.objects.get(code="440104").full_name in text  # the region's name, not its code


@pytest.mark.parametrize("language", LANGUAGES)
def test_audit_list_and_events_are_words(client, updated, language):
    from shegong.core.models import AuditEvent
    from shegong.workers.models import Person

    client.force_login(updated["auditor"])
    text = get(client, reverse("audit:list"), language)
    for code in ["workers.Person", "accounts.User", "update", "accounts.user_role_change", "2fa_enrol"]:
        assert raw_code_absent(text, code), f"{code!r} shown on the audit list"
    assert words(Person._meta.verbose_name, language) in text
    events = AuditEvent.objects.unscoped("test").exclude(object_type="")
    assert events.count() >= 3
    for event in events:
        text = get(client, reverse("audit:detail", args=[event.pk]), language)
        assert raw_code_absent(text, event.object_type), f"{event.object_type} shown on event {event.action}"
        assert raw_code_absent(text, event.action)
        # English labels use "staff" and "admin" as words; in Chinese they can only be stored codes.
        for code in [*RAW_PERSON_CODES, *(["staff", "admin"] if language == "zh-hans" else [])]:
            assert raw_code_absent(text, code), f"{code!r} shown on the page of {event.action}"
        assert not re.search(r"→\s*\d+\b(?!-)", text), f"an id after an arrow on the page of {event.action}"


def _stored(row, field):
    value = getattr(row, field.attname)
    if hasattr(value, "pk"):
        value = value.pk
    if isinstance(value, uuid.UUID):
        value = str(value)
    return value


def _codes_of(model):
    """The choice fields and foreign keys of a model (concrete, not the primary key)."""
    fields = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.choices or (field.is_relation and field.many_to_one):
            fields.append(field)
    return fields


def test_every_kind_of_object_is_words_on_its_audit_page(client):
    """One row of every scoped model; an event with its codes; the audit page shows only words."""
    from shegong.core.audit import record
    from shegong.core.audit.actions import EXPORT
    from shegong.regions.models import Region
    from tests.walk_data import BUILDERS, World

    world = World()
    auditor = factories.official("000000", Role.AUDITOR, username="words_national_auditor")
    client.force_login(auditor)
    checked = 0
    for label in BUILDERS:
        row = world.rows(label)[next(iter(world.places))][0]
        model = type(row)
        fields = [f for f in _codes_of(model) if _stored(row, f) not in (None, "")]
        before = {f.name: _stored(row, f) for f in fields}
        event = record(None, EXPORT, row, changes={"before": before, "after": before}, region_code="440106")
        for language in LANGUAGES:
            text = get(client, reverse("audit:detail", args=[event.pk]), language)
            assert raw_code_absent(text, model._meta.label), f"{model._meta.label} shown as a label"
            assert words(model._meta.verbose_name, language) in text, f"{model._meta.label}: no verbose name"
            for field in fields:
                value = _stored(row, field)
                assert words(field.verbose_name, language) in text, f"{label}.{field.name}: no field name"
                if field.choices:
                    choice = dict(field.flatchoices)[value]
                    assert words(choice, language) in text, f"{label}.{field.name}: no label for {value!r}"
                    # In Chinese an ASCII code can only be the stored value (English labels reuse such words).
                    if language == "zh-hans" and str(value) != words(choice, language) and len(str(value)) > 2:
                        assert raw_code_absent(text, value), f"{label}.{field.name}: raw {value!r} shown"
                else:
                    related = field.related_model
                    obj = related._base_manager.get(pk=getattr(row, field.attname))
                    name = obj.full_name if related is Region else str(obj)
                    if related is not Region and hasattr(obj, "full_name") and obj.full_name:
                        name = obj.full_name
                    assert name in text, f"{label}.{field.name}: {name!r} (for id {value}) not shown"
            checked += 1
    assert checked >= 20


def test_requested_changes_are_words():
    """A change request's fields (shown to its reviewers) are words too."""
    from django.template import Context, Template

    from shegong.workers.models import EmployerType

    organization = factories.OrganizationFactory(region_id="440106", name="天河区启明社会工作服务中心")
    template = Template('{% load audit_words %}{{ changes|change_words:"workers.Person" }}')
    with translation.override("zh-hans"):
        text = template.render(
            Context({"changes": {"employer_type": "public_institution", "employer_organization": organization.pk}})
        )
        assert "public_institution" not in text and f"{organization.pk}" not in text.replace(organization.name, "")
        assert str(EmployerType.PUBLIC_INSTITUTION.label) in text and organization.name in text
