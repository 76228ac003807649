"""No existence oracle across regions, and the transfer of a person to another region (issue 11 item 9)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shegong.accounts.roles import Role
from shegong.core import workflow as wf
from shegong.core.models import Application, AuditEvent
from shegong.workers import services
from shegong.workers.models import Person
from tests.factories import PersonFactory, id_number_for, official

pytestmark = pytest.mark.django_db
NEW = reverse("workers:transfer-new")


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def people():
    return {
        "hz": official("440105", username="hz_admin"),  # 海珠: holds the person (releasing)
        "th": official("440106", username="th_admin"),  # 天河: asks (receiving)
        "th2": official("440106", username="th_admin2"),  # 天河: accepts (not the one who asked)
        "th_staff": official("440106", Role.STAFF, username="th_staff"),
        "yx": official("440104", username="yx_admin"),  # 越秀: a third county
    }


@pytest.fixture
def person():
    return PersonFactory(id_number=id_number_for(7), region_id="440105", name="海珠的人")


def test_register_person_of_another_region_says_elsewhere_without_naming_it(people, person):
    with pytest.raises(ValidationError) as exc:
        services.register_person(actor=people["th"], name="某人", id_number=id_number_for(7), region="440106")
    text = " ".join(exc.value.messages)
    assert "another region" in text and "Request a transfer" in text
    assert "海珠" not in text and "440105" not in text
    with pytest.raises(ValidationError, match="already in the registry"):  # in one's own scope: the plain answer
        services.register_person(actor=people["hz"], name="某人", id_number=id_number_for(7), region="440105")


def request(client, user, person, to="440106", name=None):
    client.force_login(user)
    return client.post(
        NEW, {"id_number": id_number_for(7), "name": name or person.name, "to_region": to, "reason": "新单位"}
    )


def test_the_whole_transfer_both_sides_approve(client, people, person):
    response = request(client, people["th"], person)
    assert response.status_code == 302
    application = Application.objects.get(flow="workers.transfer")
    assert application.current_step == "release" and application.acting_region_id == "440105"
    assert application.applicant == people["th"]
    # The releasing county sees it in its inbox; the receiving one does not yet.
    assert application in wf.inbox_for(people["hz"])
    assert application not in wf.inbox_for(people["th2"])
    client.force_login(people["hz"])
    inbox = client.get(reverse("workflow:inbox"))
    assert inbox.status_code == 200 and person.name in inbox.content.decode()
    wf.approve(application, "同意调出", actor=people["hz"])
    application.refresh_from_db()
    assert application.current_step == "receive" and application.acting_region_id == "440106"
    assert application in wf.inbox_for(people["th2"])
    assert Person.objects.get(pk=person.pk).region_id == "440105"  # not moved before the final approval
    with pytest.raises(wf.NotAllowed):  # the one who asked does not accept it too
        wf.approve(application, "自己批", actor=people["th"])
    wf.approve(application, "同意调入", actor=people["th2"])
    application.refresh_from_db()
    assert application.state == wf.State.APPROVED
    assert Person.objects.get(pk=person.pk).region_id == "440106"
    event = AuditEvent.objects.get(action="workers.transfer")
    assert event.changes["region"] == ["440105", "440106"] and event.actor == people["th2"]
    assert AuditEvent.objects.filter(action="workers.transfer_request").exists()


def test_refused_by_the_releasing_side_the_person_stays(people, person):
    application = services.request_transfer(person, actor=people["th"], to_region="440106")
    wf.reject(application, "仍在本区工作", actor=people["hz"])
    assert Person.objects.get(pk=person.pk).region_id == "440105"


def test_wrong_region_and_wrong_role_refusals(client, people, person):
    application = services.request_transfer(person, actor=people["th"], to_region="440106")
    with pytest.raises(wf.NotAllowed):  # a third county cannot release
        wf.approve(application, "x", actor=people["yx"])
    with pytest.raises(wf.NotAllowed):  # the receiving side cannot release for the holder
        wf.approve(application, "x", actor=people["th2"])
    with pytest.raises(wf.NotAllowed):  # read-only staff of the holder's county cannot act either
        wf.approve(application, "x", actor=official("440105", Role.STAFF, username="hz_staff"))
    wf.approve(application, "同意", actor=people["hz"])
    application.refresh_from_db()
    with pytest.raises(wf.NotAllowed):  # the releasing side cannot accept for the receiving county
        wf.approve(application, "x", actor=people["hz"])
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, "x", actor=people["yx"])
    # Read-only staff may not ask; a county may not ask for a move into another county.
    assert request(client, people["th_staff"], person).status_code == 403
    with pytest.raises(PermissionDenied):
        services.request_transfer(person, actor=people["th"], to_region="440104")


def test_request_page_never_reveals_the_registry(client, people, person):
    wrong_name = request(client, people["th"], person, name="别人")
    client.force_login(people["th"])
    unknown = client.post(NEW, {"id_number": id_number_for(8), "name": "别人", "to_region": "440106"})
    for response in (wrong_name, unknown):
        assert response.status_code == 400
        assert "No social worker with this ID number and name is registered elsewhere." in response.content.decode()
    assert not Application.objects.filter(flow="workers.transfer").exists()
    own = PersonFactory(id_number=id_number_for(9), region_id="440106", name="天河的人")
    client.force_login(people["th"])
    mine = client.post(NEW, {"id_number": id_number_for(9), "name": own.name, "to_region": "440106"})
    assert mine.status_code == 400 and "in this region already" in mine.content.decode()


def test_one_open_transfer_per_person(people, person):
    services.request_transfer(person, actor=people["th"], to_region="440106")
    with pytest.raises(ValidationError, match="already under review"):
        services.request_transfer(person, actor=people["yx"], to_region="440104")


def test_the_request_page_is_in_the_menu_for_administrators(client, people):
    client.force_login(people["th"])
    assert NEW in client.get("/").content.decode()
    client.force_login(people["th_staff"])
    assert NEW not in client.get("/").content.decode()
