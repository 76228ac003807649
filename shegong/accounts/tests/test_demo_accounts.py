"""`make run` prints a demo account for every role, and the TOTP note says exactly who must enrol: the
accounts the enrolment rule (accounts.security.two_factor_required) stops at the set-up page."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from shegong.accounts.management.commands.seed_demo import DEMO_PASSWORD
from shegong.accounts.models import User
from shegong.accounts.security import two_factor_required
from shegong.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def printed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def account_lines(text):
    """{username: line} of the printed accounts (first word, or last word of an organization's line)."""
    usernames = set(User.objects.values_list("username", flat=True))
    found = {}
    for line in text.splitlines():
        words = line.replace("[2FA]", "").split()
        for word in words[:1] + words[-1:]:
            if word in usernames:
                found[word] = line
    return found


def test_there_is_a_printed_demo_account_for_every_role(printed):
    lines = account_lines(printed)
    roles = set(User.objects.filter(username__in=lines).values_list("role", flat=True))
    assert roles == set(Role.values), set(Role.values) - roles
    for username in lines:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD), username


def test_the_totp_mark_is_exactly_the_accounts_the_rule_stops(printed, client):
    lines = account_lines(printed)
    for username, line in lines.items():
        user = User.objects.get(username=username)
        assert ("[2FA]" in line) is two_factor_required(user), line
    # The rule is the one sign-in enforces: a marked account is sent to the set-up page, an unmarked one is not.
    for username in ("assoc_demo", "org_demo", "th_staff", "gd_staff", "org_staff_demo"):
        client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        response = client.get(reverse("home"))
        sent_to_setup = response.status_code == 302 and "2fa" in response.get("Location", "")
        assert sent_to_setup is ("[2FA]" in lines[username]), (username, response.status_code)
        client.logout()


def test_the_note_names_organization_and_association_administrators(printed):
    note = next(line for line in printed.splitlines() if line.startswith("Two-factor"))
    required, _, not_required = note.partition("Not required")
    assert str(Role.ORG_ADMIN.label) in required and str(Role.ASSOC_ADMIN.label) in required
    assert str(Role.ORG_STAFF.label) in not_required and str(Role.WORKER.label) in not_required
    assert not re.search(r"organizations do not", note)
