"""The review engine, through a small two-step flow declared here: county review, then province review."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from shegong.accounts.roles import Role
from shegong.core import workflow as wf
from shegong.core.models import Application, AuditEvent, Decision, Notification
from shegong.core.workdays import load_holidays
from tests.factories import UserFactory, official

pytestmark = pytest.mark.django_db

FLOW = "tests.two_step"
SHANGHAI = ZoneInfo("Asia/Shanghai")
hook_calls = []


def _hook(name):
    def hook(application):
        hook_calls.append((name, application.pk, application.state))

    return hook


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Nine accounts per test: a fast hasher keeps the module quick (hashing is not under test here).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def flows():
    hook_calls.clear()
    wf.register_flow(
        wf.Flow(
            key=FLOW,
            title="Two-step test flow",
            steps=(
                wf.Step("county", "County review", level=wf.COUNTY),
                wf.Step("province", "Province review", level=wf.PROVINCE),
            ),
            on_approved=_hook("approved"),
            on_rejected=_hook("rejected"),
            on_returned=_hook("returned"),
            on_withdrawn=_hook("withdrawn"),
        )
    )
    wf.register_flow(
        wf.Flow(
            key="tests.by_province",
            title="Initial review at county, or at city level in Guangdong",
            steps=(wf.Step("initial", "Initial review", level=wf.COUNTY, level_by_province={"440000": wf.PREFECTURE}),),
        )
    )
    wf.register_flow(
        wf.Flow(
            key="tests.role_only",
            title="Any administrator who can see it",
            steps=(wf.Step("any", "Any admin", level=None, roles={"admin"}),),
        )
    )
    yield
    for key in (FLOW, "tests.by_province", "tests.role_only"):
        wf.unregister_flow(key)


@pytest.fixture
def people():
    class People:
        applicant = UserFactory(username="applicant", role=Role.WORKER, region_id=None)
        th_admin = official("440106", username="th_admin")  # 天河区
        th_staff = official("440106", Role.STAFF, username="th_staff")
        yx_admin = official("440104", username="yx_admin")  # 越秀区, the next county
        gz_admin = official("440100", username="gz_admin")  # 广州市
        gd_admin = official("440000", username="gd_admin")  # 广东省
        gd_staff = official("440000", Role.STAFF, username="gd_staff")
        sc_admin = official("510000", username="sc_admin")  # 四川省
        wh_admin = official("510107", username="wh_admin")  # 武侯区

    return People


def new_application(applicant, region="440106", flow=FLOW, **kwargs):
    return wf.create_application(flow, applicant, region, title="测试申请", **kwargs)


def submitted(applicant, region="440106", flow=FLOW):
    return wf.submit(new_application(applicant, region, flow), actor=applicant)


def test_submit_accepts_at_once_and_starts_the_deadline(people, django_capture_on_commit_callbacks):
    application = new_application(people.applicant)
    assert application.state == Application.State.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        wf.submit(application, actor=people.applicant)
    application.refresh_from_db()
    assert application.state == Application.State.PENDING
    assert application.current_step == "county"
    assert application.acting_region_id == "440106"
    assert application.submitted_at is not None and application.accepted_at is not None
    assert application.due_on == wf.add_working_days(timezone.localdate(), 30)
    assert list(application.decisions.values_list("action", "step")) == [("submit", "county")]
    notice = Notification.objects.get(user=people.applicant)
    assert application.get_absolute_url() == notice.link
    assert AuditEvent.objects.filter(action="workflow.submit", object_id=str(application.pk)).exists()


def test_two_steps_by_the_right_officials(people, django_capture_on_commit_callbacks):
    application = submitted(people.applicant)
    with django_capture_on_commit_callbacks(execute=True):
        wf.approve(application, "材料齐全", actor=people.th_admin)
    application.refresh_from_db()
    assert application.state == Application.State.PENDING
    assert application.current_step == "province"
    assert application.acting_region_id == "440000"
    assert hook_calls == []
    with django_capture_on_commit_callbacks(execute=True):
        wf.approve(application, actor=people.gd_admin)
    application.refresh_from_db()
    assert application.state == Application.State.APPROVED
    assert application.decided_at is not None
    assert hook_calls == [("approved", application.pk, Application.State.APPROVED)]
    log = list(application.decisions.values_list("action", "step", "actor__username", "actor_region"))
    assert log == [
        ("submit", "county", "applicant", ""),
        ("approve", "county", "th_admin", "440106"),
        ("approve", "province", "gd_admin", "440000"),
    ]
    texts = list(Notification.objects.filter(user=people.applicant).order_by("pk").values_list("text", flat=True))
    assert len(texts) == 2 and "测试申请" in texts[-1]


@pytest.mark.parametrize(
    "who, fragment",
    [
        ("yx_admin", "not by your unit"),  # another county
        ("gz_admin", "County level"),  # the prefecture above: wrong level
        ("gd_admin", "County level"),  # the province: wrong level at this step
        ("th_staff", "cannot act"),  # read-only staff of the right county
        ("wh_admin", "not by your unit"),  # a county of another province
    ],
)
def test_refusals_at_the_county_step(people, who, fragment):
    application = submitted(people.applicant)
    with pytest.raises(wf.NotAllowed) as refused:
        wf.approve(application, actor=getattr(people, who))
    assert fragment.lower() in refused.value.message.lower()
    application.refresh_from_db()
    assert application.current_step == "county" and application.state == "pending"
    assert application.decisions.count() == 1


def test_refusals_at_the_province_step(people):
    application = submitted(people.applicant)
    wf.approve(application, actor=people.th_admin)
    for user in (people.th_admin, people.gz_admin, people.sc_admin, people.gd_staff):
        with pytest.raises(wf.NotAllowed):
            wf.approve(application, actor=user)
    wf.approve(application, actor=people.gd_admin)


def test_nobody_reviews_their_own_application(people):
    application = submitted(people.th_admin)  # an official applying for themself
    with pytest.raises(wf.NotAllowed, match="own application"):
        wf.approve(application, actor=people.th_admin)
    assert application not in wf.inbox_for(people.th_admin)


def test_the_applicant_cannot_approve(people):
    application = submitted(people.applicant)
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, actor=people.applicant)


def test_anonymous_and_inactive_users_cannot_act(people):
    from django.contrib.auth.models import AnonymousUser

    application = submitted(people.applicant)
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, actor=AnonymousUser())
    people.th_admin.is_active = False
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, actor=people.th_admin)


@pytest.mark.parametrize("action", [wf.return_for_revision, wf.reject])
@pytest.mark.parametrize("reason", ["", "   ", None])
def test_return_and_reject_need_a_reason(people, action, reason):
    application = submitted(people.applicant)
    with pytest.raises(wf.ReasonRequired):
        action(application, reason, actor=people.th_admin)
    application.refresh_from_db()
    assert application.state == "pending"
    assert application.decisions.count() == 1


def test_wrong_actor_is_reported_before_a_missing_reason(people):
    application = submitted(people.applicant)
    with pytest.raises(wf.NotAllowed):
        wf.reject(application, "", actor=people.yx_admin)


def test_nothing_happens_to_a_decided_application(people):
    application = submitted(people.applicant)
    wf.reject(application, "不符合条件", actor=people.th_admin)
    assert hook_calls == [("rejected", application.pk, "rejected")]
    for act in (
        lambda: wf.approve(application, actor=people.th_admin),
        lambda: wf.return_for_revision(application, "x", actor=people.th_admin),
        lambda: wf.reject(application, "x", actor=people.th_admin),
        lambda: wf.withdraw(application, actor=people.applicant),
        lambda: wf.resubmit(application, actor=people.applicant),
        lambda: wf.submit(application, actor=people.applicant),
    ):
        with pytest.raises(wf.WrongState):
            act()
    assert application.decisions.count() == 2


def test_a_stale_object_cannot_decide_twice(people):
    application = submitted(people.applicant)
    stale = Application.objects.get(pk=application.pk)
    wf.reject(application, "不符合条件", actor=people.th_admin)
    with pytest.raises(wf.WrongState):
        wf.approve(stale, actor=people.th_admin)  # the service re-reads the row under a lock


def test_return_then_resubmit_restarts_review(people, django_capture_on_commit_callbacks, monkeypatch):
    application = submitted(people.applicant)
    wf.approve(application, actor=people.th_admin)
    with django_capture_on_commit_callbacks(execute=True):
        wf.return_for_revision(application, "请补充工作证明", actor=people.gd_admin)
    application.refresh_from_db()
    assert application.state == Application.State.RETURNED
    assert application.acting_region_id is None
    assert hook_calls == [("returned", application.pk, "returned")]
    assert "请补充工作证明" in Notification.objects.filter(user=people.applicant).latest("pk").text
    assert wf.available_actions(people.applicant, application) >= {"resubmit", "withdraw", "edit"}
    wf.update_application(application, actor=people.applicant, data={"note": "已补充"})
    # Nobody but the applicant resubmits.
    with pytest.raises(wf.NotAllowed):
        wf.resubmit(application, actor=people.th_admin)
    later = timezone.now() + timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    wf.resubmit(application, "已补充材料", actor=people.applicant)
    application.refresh_from_db()
    assert application.state == "pending" and application.current_step == "county"
    assert application.acting_region_id == "440106"
    assert application.accepted_at == later
    assert application.due_on == wf.add_working_days(timezone.localdate(later), 30)
    assert application.data == {"note": "已补充"}
    assert [d.action for d in application.decisions.all()] == ["submit", "approve", "return", "resubmit"]
    with pytest.raises(wf.WrongState):
        wf.resubmit(application, actor=people.applicant)  # already pending


def test_editing_is_locked_once_under_review(people):
    application = submitted(people.applicant)
    with pytest.raises(wf.WrongState):
        wf.update_application(application, actor=people.applicant, data={"x": 1})
    with pytest.raises(wf.NotAllowed):
        wf.update_application(application, actor=people.th_admin, data={"x": 1})


def test_withdraw(people):
    application = submitted(people.applicant)
    with pytest.raises(wf.NotAllowed):
        wf.withdraw(application, actor=people.th_admin)
    wf.withdraw(application, "不再需要", actor=people.applicant)
    application.refresh_from_db()
    assert application.state == Application.State.WITHDRAWN and application.decided_at is not None
    assert hook_calls == [("withdrawn", application.pk, "withdrawn")]
    assert application not in wf.inbox_for(people.th_admin)
    draft = new_application(people.applicant)
    wf.withdraw(draft, actor=people.applicant)
    approved = submitted(people.applicant)
    wf.approve(approved, actor=people.th_admin)
    wf.approve(approved, actor=people.gd_admin)
    with pytest.raises(wf.WrongState):
        wf.withdraw(approved, actor=people.applicant)


def test_decisions_are_insert_only(people):
    application = submitted(people.applicant)
    decision = application.decisions.get()
    decision.opinion = "changed"
    with pytest.raises(PermissionError):
        decision.save()
    with pytest.raises(PermissionError):
        decision.delete()
    with pytest.raises(PermissionError):
        Decision.objects.filter(pk=decision.pk).update(opinion="changed")
    with pytest.raises(PermissionError):
        Decision.objects.filter(pk=decision.pk).delete()
    assert Decision.objects.get(pk=decision.pk).opinion == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only")
def test_the_database_refuses_changes_to_decisions(people):
    application = submitted(people.applicant)
    decision = application.decisions.get()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_decision SET opinion = 'x' WHERE id = %s", [decision.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_decision WHERE id = %s", [decision.pk])


def test_deadline_counts_working_days_across_national_day(people, monkeypatch):
    load_holidays()
    accepted = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: accepted)
    application = submitted(people.applicant)
    # 10-01..10-07 holidays, 10-10 (Saturday) a make-up workday: the 30th working day is 11-17.
    assert application.due_on == date(2026, 11, 17)


def test_deadline_counts_a_make_up_workday(people, monkeypatch):
    load_holidays()
    accepted = datetime(2026, 10, 9, 16, 0, tzinfo=SHANGHAI)  # Friday before the make-up Saturday
    monkeypatch.setattr(timezone, "now", lambda: accepted)
    flow = wf.get_flow(FLOW)
    wf.register_flow(wf.Flow(key="tests.short", title="short", steps=flow.steps, deadline_working_days=1))
    try:
        application = submitted(people.applicant, flow="tests.short")
    finally:
        wf.unregister_flow("tests.short")
    assert application.due_on == date(2026, 10, 10)


def test_overdue_flag(people, monkeypatch):
    application = submitted(people.applicant)
    assert not application.is_overdue
    Application.objects.filter(pk=application.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    application.refresh_from_db()
    assert application.is_overdue
    assert list(Application.objects.overdue()) == [application]
    assert wf.days_left(application) < 0
    Application.objects.filter(pk=application.pk).update(due_on=timezone.localdate())
    application.refresh_from_db()
    assert not application.is_overdue  # due today is not late yet
    wf.reject(application, "不符合条件", actor=people.th_admin)
    Application.objects.filter(pk=application.pk).update(due_on=timezone.localdate() - timedelta(days=5))
    application.refresh_from_db()
    assert not application.is_overdue  # decided applications are never overdue


def test_inbox_contents_per_user(people, django_assert_max_num_queries):
    here = submitted(people.applicant)
    there = submitted(people.applicant, region="510107")
    draft = new_application(people.applicant)
    list(wf.inbox_for(people.th_admin))  # warms the user's region and the cached division tree
    with django_assert_max_num_queries(1):
        assert list(wf.inbox_for(people.th_admin)) == [here]
    assert list(wf.inbox_for(people.wh_admin)) == [there]
    for user in (people.th_staff, people.yx_admin, people.gz_admin, people.gd_admin, people.sc_admin, people.applicant):
        assert list(wf.inbox_for(user)) == [], user.username
    wf.approve(here, actor=people.th_admin)
    assert list(wf.inbox_for(people.th_admin)) == []
    assert list(wf.inbox_for(people.gd_admin)) == [here]
    assert list(wf.inbox_for(people.sc_admin)) == []
    assert draft not in Application.objects.filter(state="pending")


def test_visibility_follows_the_region_tree(people):
    here = submitted(people.applicant)
    visible = Application.objects.visible_to
    assert list(visible(people.gd_admin)) == [here]
    assert list(visible(people.gz_admin)) == [here]
    assert list(visible(people.th_staff)) == [here]
    assert list(visible(people.applicant)) == [here]
    assert list(visible(people.yx_admin)) == []
    assert list(visible(people.sc_admin)) == []
    assert list(Decision.objects.visible_to(people.yx_admin)) == []
    assert Decision.objects.visible_to(people.gz_admin).count() == 1
    assert Decision.objects.editable_by(people.gd_admin).count() == 0


def test_per_province_step_level(people):
    in_guangdong = submitted(people.applicant, region="440106", flow="tests.by_province")
    in_sichuan = submitted(people.applicant, region="510107", flow="tests.by_province")
    assert in_guangdong.acting_region_id == "440100"  # city-level initial review in Guangdong
    assert in_sichuan.acting_region_id == "510107"  # county-level elsewhere
    with pytest.raises(wf.NotAllowed):
        wf.approve(in_guangdong, actor=people.th_admin)
    assert list(wf.inbox_for(people.gz_admin)) == [in_guangdong]
    wf.approve(in_guangdong, actor=people.gz_admin)
    wf.approve(in_sichuan, actor=people.wh_admin)


def test_an_application_above_the_step_level_is_reviewed_by_its_own_unit(people):
    # 东莞市 (441900) has no counties: its own bureau does the county-level step.
    application = submitted(people.applicant, region="441900")
    assert application.acting_region_id == "441900"
    dg_admin = official("441900", username="dg_admin")
    wf.approve(application, actor=dg_admin)
    assert application.acting_region_id == "440000"


def test_role_only_step(people):
    application = submitted(people.applicant, flow="tests.role_only")
    assert application.acting_region_id is None
    assert set(wf.inbox_for(people.gz_admin)) == {application}
    assert list(wf.inbox_for(people.sc_admin)) == []
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, actor=people.sc_admin)
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, actor=people.gd_staff)
    wf.approve(application, actor=people.gz_admin)
    assert application.state == "approved"


def test_unknown_flow():
    with pytest.raises(wf.UnknownFlow):
        wf.get_flow("no.such.flow")


def test_a_flow_needs_steps_with_distinct_keys():
    with pytest.raises(ValueError):
        wf.Flow(key="x", title="x", steps=())
    with pytest.raises(ValueError):
        wf.Flow(key="x", title="x", steps=(wf.Step("a", "A", level=3), wf.Step("a", "A again", level=1)))


def test_flow_versions_keep_running_applications_on_their_rules(people):
    old = submitted(people.applicant)
    wf.register_flow(
        wf.Flow(key=FLOW, title="v2", version=2, steps=(wf.Step("province", "Province only", level=wf.PROVINCE),))
    )
    new = submitted(people.applicant)
    assert (old.flow_version, new.flow_version) == (1, 2)
    assert new.acting_region_id == "440000"
    wf.approve(old, actor=people.th_admin)  # version 1 still has its county step
    assert old.current_step == "province"


# --- pages -----------------------------------------------------------------------------------
def test_inbox_page(client, people):
    application = submitted(people.applicant)
    client.force_login(people.th_admin)
    response = client.get(reverse("workflow:inbox"))
    assert response.status_code == 200
    assert "测试申请" in response.text
    overdue = submitted(people.applicant)
    Application.objects.filter(pk=overdue.pk).update(due_on=date(2020, 1, 1), title="逾期申请")
    response = client.get(reverse("workflow:inbox"), {"overdue": "true", "sort": "due_on", "flow": FLOW})
    assert "逾期申请" in response.text and str(application.pk) not in response.text
    assert "badge text-bg-danger" in response.text
    response = client.get(reverse("workflow:inbox"), {"within": "440104"})
    assert "逾期申请" not in response.text
    client.force_login(people.gd_admin)
    wf.approve(overdue, actor=people.th_admin)
    page = client.get(reverse("workflow:applications"), {"within_1": "440100", "within_2": "440106"})
    assert "逾期申请" in page.text and 'value="440106" selected' in page.text
    assert "逾期申请" not in client.get(reverse("workflow:applications"), {"within_1": "440300"}).text


def test_inbox_page_is_empty_for_others(client, people):
    submitted(people.applicant)
    client.force_login(people.yx_admin)
    response = client.get(reverse("workflow:inbox"))
    assert response.status_code == 200 and "测试申请" not in response.text


def test_detail_page_is_404_out_of_scope(client, people):
    application = submitted(people.applicant)
    client.force_login(people.yx_admin)
    assert client.get(reverse("workflow:detail", args=[application.pk])).status_code == 404
    response = client.post(reverse("workflow:act", args=[application.pk]), {"action": "approve"})
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.state == "pending"


def test_detail_page_shows_the_decision_buttons_to_the_reviewer_only(client, people):
    application = submitted(people.applicant)
    url = reverse("workflow:detail", args=[application.pk])
    client.force_login(people.th_admin)
    response = client.get(url)
    assert response.status_code == 200
    assert 'value="approve"' in response.text and "data-confirm" in response.text
    client.force_login(people.gd_admin)  # can see, cannot act yet
    response = client.get(url)
    assert response.status_code == 200 and 'value="approve"' not in response.text
    client.force_login(people.applicant)
    response = client.get(url)
    assert 'value="approve"' not in response.text and 'value="withdraw"' in response.text


def test_acting_through_the_page(client, people, django_capture_on_commit_callbacks):
    application = submitted(people.applicant)
    act = reverse("workflow:act", args=[application.pk])
    client.force_login(people.th_admin)
    response = client.post(act, {"action": "return", "opinion": ""})
    assert response.status_code == 400
    assert "Give the reason for returning" in response.text
    application.refresh_from_db()
    assert application.state == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(act, {"action": "approve", "opinion": "同意"})
    assert response.status_code == 302 and response.url == reverse("workflow:inbox")
    application.refresh_from_db()
    assert application.current_step == "province"
    response = client.post(act, {"action": "approve"}, follow=True)  # no longer theirs: refused with a message
    application.refresh_from_db()
    assert application.current_step == "province"
    assert response.status_code == 200
    client.force_login(people.gd_admin)
    client.post(act, {"action": "reject", "opinion": "不符合条件"})
    application.refresh_from_db()
    assert application.state == "rejected"
    response = client.post(act, {"action": "unknown"})
    assert response.status_code == 302


def test_staff_cannot_act_through_the_page(client, people):
    application = submitted(people.applicant)
    client.force_login(people.th_staff)
    client.post(reverse("workflow:act", args=[application.pk]), {"action": "approve"})
    application.refresh_from_db()
    assert application.state == "pending"


def test_applicant_pages(client, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted(people.applicant)
    client.force_login(people.applicant)
    response = client.get(reverse("workflow:mine"))
    assert response.status_code == 200 and "测试申请" in response.text
    response = client.get(reverse("workflow:notifications"))
    assert response.status_code == 200 and "测试申请" in response.text
    notice = Notification.objects.get(user=people.applicant)
    response = client.post(reverse("workflow:notification-read", args=[notice.pk]), {"open": "1"})
    assert response.status_code == 302 and response.url == application.get_absolute_url()
    notice.refresh_from_db()
    assert notice.read_at is not None
    client.post(reverse("workflow:act", args=[application.pk]), {"action": "withdraw"})
    application.refresh_from_db()
    assert application.state == "withdrawn"


def test_notifications_are_private(client, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submitted(people.applicant)
    notice = Notification.objects.get(user=people.applicant)
    client.force_login(people.th_admin)
    assert client.post(reverse("workflow:notification-read", args=[notice.pk])).status_code == 404
    assert "测试申请" not in client.get(reverse("workflow:notifications")).text
    client.post(reverse("workflow:notifications-read-all"))
    notice.refresh_from_db()
    assert notice.read_at is None


def test_notifications_wait_for_the_commit(people):
    with transaction.atomic():
        submitted(people.applicant)
        assert not Notification.objects.filter(user=people.applicant).exists()


def test_home_panel_counts(client, people):
    submitted(people.applicant)
    client.force_login(people.th_admin)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert 'data-testid="todo-count">1<' in response.text


def test_menu_entries(client, people):
    client.force_login(people.th_admin)
    text = client.get(reverse("home")).text
    assert reverse("workflow:inbox") in text and reverse("workflow:notifications") in text
    client.force_login(people.applicant)
    text = client.get(reverse("home")).text
    assert reverse("workflow:mine") in text and reverse("workflow:inbox") not in text


def test_applications_of_an_area(client, people):
    here = submitted(people.applicant)
    there = submitted(people.applicant, region="510107")
    Application.objects.filter(pk=there.pk).update(title="四川申请")
    wf.reject(here, "不符合条件", actor=people.th_admin)
    client.force_login(people.gz_admin)
    response = client.get(reverse("workflow:applications"))
    assert response.status_code == 200
    assert "测试申请" in response.text and "四川申请" not in response.text
    assert "测试申请" in client.get(reverse("workflow:applications"), {"state": "rejected"}).text
    assert "测试申请" not in client.get(reverse("workflow:applications"), {"state": "pending"}).text
    client.force_login(people.yx_admin)
    assert "测试申请" not in client.get(reverse("workflow:applications")).text
    client.force_login(people.sc_admin)
    assert "四川申请" in client.get(reverse("workflow:applications")).text
