"""core.seeding: the one registry through which apps contribute national-scale steps, sample files and
demo data, so that core (seed_national) and accounts (seed_demo) import no app above them."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from shegong.core import seeding


@pytest.fixture
def empty_registry(monkeypatch):
    monkeypatch.setattr(seeding, "_steps", {kind: {} for kind in seeding.KINDS})


def test_steps_run_in_their_order_and_a_step_may_be_registered_again(empty_registry):
    calls = []
    seeding.register(seeding.DEMO, "b", lambda: calls.append("b"), order=20)
    seeding.register(seeding.DEMO, "a", lambda: calls.append("a-old"), order=30)

    @seeding.register(seeding.DEMO, "a", order=10)
    def a():
        calls.append("a")

    for step in seeding.steps(seeding.DEMO):
        step.func()
    assert calls == ["a", "b"]
    assert seeding.keys(seeding.DEMO) == ["a", "b"]
    assert seeding.keys(seeding.NATIONAL) == []


def test_a_step_before_one_it_needs_or_needing_a_missing_one_is_refused(empty_registry):
    seeding.register(seeding.NATIONAL, "certificates", print, order=20, after=("persons",))
    with pytest.raises(ImproperlyConfigured, match="no app registers"):
        seeding.steps(seeding.NATIONAL)
    seeding.register(seeding.NATIONAL, "persons", print, order=30)
    with pytest.raises(ImproperlyConfigured, match="must run after 'persons'"):
        seeding.steps(seeding.NATIONAL)
    seeding.register(seeding.NATIONAL, "persons", print, order=10)
    assert seeding.keys(seeding.NATIONAL) == ["persons", "certificates"]
    with pytest.raises(ValueError):
        seeding.register("other", "x", print, order=1)


def test_the_apps_contribute_their_steps_in_the_order_the_data_needs():
    assert seeding.keys(seeding.NATIONAL) == [
        "persons",
        "certificates",
        "organizations",
        "registrations",
        "study-records",
    ]
    assert seeding.keys(seeding.SAMPLES) == ["workers", "organizations"]
    assert seeding.keys(seeding.DEMO) == ["workers", "organizations", "registrations", "education"]


@pytest.mark.django_db
def test_seed_national_refuses_to_skip_a_step_another_needs_or_an_unknown_one(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="registrations needs certificates"):
        call_command("seed_national", scale=0.0001, skip=["certificates"], stdout=io.StringIO())
    with pytest.raises(CommandError, match="Unknown steps: nothing"):
        call_command("seed_national", scale=0.0001, skip=["nothing"], stdout=io.StringIO())


@pytest.mark.django_db
def test_seed_demo_prints_the_accounts_then_each_app_in_order():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    markers = ["mca_admin", "wh_admin", "worker_demo", "org_demo", "demo registrations", "provider_demo", "TOTP"]
    positions = [text.find(marker) for marker in markers]
    assert -1 not in positions and positions == sorted(positions), text
