"""Audit action codes: declared once as named constants, in one scheme, and shown as words."""

import ast
import pathlib
import re

import pytest
from django.urls import reverse
from django.utils import translation

from shegong.accounts import actions as account_actions
from shegong.accounts.roles import Role
from shegong.core.audit import actions as audit_actions
from shegong.core.audit import record
from shegong.core.models import AuditEvent
from tests.factories import official

ROOT = pathlib.Path(__file__).resolve().parents[2]


def record_calls():
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record":
                if len(node.args) >= 2:
                    yield path.relative_to(ROOT.parent), node.lineno, node.args[1]


def test_every_record_call_names_a_declared_constant():
    """A code typed as a string at the call is how a second spelling of an action is born."""

    def is_literal(arg):
        if isinstance(arg, ast.IfExp):
            return is_literal(arg.body) or is_literal(arg.orelse)
        return isinstance(arg, ast.JoinedStr) or (isinstance(arg, ast.Constant) and isinstance(arg.value, str))

    literal = [f"{path}:{line}" for path, line, arg in record_calls() if is_literal(arg)]
    assert not literal, "record() with a literal action code (declare it in the app's actions.py):\n" + "\n".join(
        literal
    )


def test_record_refuses_an_undeclared_code(db):
    with pytest.raises(ValueError, match="undeclared audit action"):
        record(None, "accounts.user_creat")
    assert not AuditEvent.objects.exists()


def test_every_code_follows_the_scheme_and_reads_as_words_in_both_languages():
    declared = audit_actions.declared()
    assert len(declared) > 60
    for code, label in declared.items():
        if code.startswith("test."):  # declared by tests (the scope walk's events)
            continue
        assert re.fullmatch(r"[a-z][a-z0-9]*\.[a-z0-9][a-z0-9_]*", code), code
        with translation.override("zh-hans"):
            chinese = str(label)
        with translation.override("en"):
            english = str(label)
        assert re.search(r"[\u4e00-\u9fff]", chinese), f"{code}: no Chinese label ({chinese!r})"
        assert english and english != code and not re.search(r"[\u4e00-\u9fff]", english), code


def test_a_code_cannot_be_declared_twice_with_another_meaning():
    with pytest.raises(ValueError, match="declared twice"):
        audit_actions.declare("accounts.user_create", "Deleted an account")
    with pytest.raises(ValueError, match="does not follow"):
        audit_actions.declare("UserCreate", "Created an account")


@pytest.mark.django_db
class TestShownAsWords:
    @pytest.fixture
    def events(self):
        admin = official("440106", Role.ADMIN, username="th_admin")
        new = record(admin, account_actions.USER_CREATE, admin)
        # An event written before the scheme keeps its stored code (the log is append-only).
        old = AuditEvent.objects.create(action="user_create", actor_name="old", region_code="440106")
        return new, old

    def test_legacy_codes_read_like_their_successors(self, events):
        new, old = events
        with translation.override("zh-hans"):
            assert new.action_label == old.action_label == "创建账号"

    def test_audit_page_shows_words_and_filters_legacy_events_too(self, client, events):
        new, old = events
        client.force_login(official("440000", Role.AUDITOR, username="gd_auditor"))
        response = client.get(reverse("audit:list"), {"action": "accounts.user_create"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count("<td>创建账号</td>") == 2  # both events, as words
        assert "<td>accounts.user_create</td>" not in html and "<td>user_create</td>" not in html
        assert '<option value="accounts.user_create" selected>创建账号</option>' in html
