"""The client's real address behind 0, 1 or 2 proxies (SHEGONG_PROXY_HOPS): a client that sends its own
X-Forwarded-For cannot pick the address its failures are counted against or the audit log records."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory

from shegong.accounts.roles import Role
from shegong.accounts.security import client_ip
from shegong.core.addresses import client_address
from shegong.core.models import AuditEvent
from tests.factories import PASSWORD, official

from .helpers import LOGIN, captcha_answer, fast_hashing  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hashing")]

CLIENT = "203.0.113.7"  # the real client
FORGED = "198.51.100.99"  # what the client writes into its own X-Forwarded-For
EDGE, INNER = "10.0.0.1", "10.0.0.2"  # our proxies: the edge (TLS) and an inner load balancer


def hit(hops):
    """(REMOTE_ADDR, X-Forwarded-For) as the app receives a request from a client that forges the header."""
    if hops == 0:
        return CLIENT, FORGED
    if hops == 1:
        return EDGE, f"{FORGED}, {CLIENT}"
    return INNER, f"{FORGED}, {CLIENT}, {EDGE}"


@pytest.mark.parametrize("hops", [0, 1, 2])
def test_the_address_is_the_one_our_outermost_proxy_saw(settings, hops):
    settings.PROXY_HOPS = hops
    remote, forwarded = hit(hops)
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == CLIENT
    assert client_ip(request) == CLIENT


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.PROXY_HOPS = 0
    request = RequestFactory().get("/", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"{FORGED}, 10.9.9.9")
    assert client_address(request) == CLIENT


def test_a_request_that_bypassed_the_proxy_or_sent_garbage_falls_back_safely(settings):
    settings.PROXY_HOPS = 2
    factory = RequestFactory()
    assert client_address(factory.get("/", REMOTE_ADDR=CLIENT)) == CLIENT  # no header at all
    # Fewer entries than proxies: every entry was added by ours, the leftmost is the client.
    assert client_address(factory.get("/", REMOTE_ADDR=INNER, HTTP_X_FORWARDED_FOR=CLIENT)) == CLIENT
    assert client_address(factory.get("/", REMOTE_ADDR=INNER, HTTP_X_FORWARDED_FOR="junk, not-an-ip")) == INNER


def post_login(client, hops, data, forged):
    remote, forwarded = hit(hops)
    forwarded = forwarded.replace(FORGED, forged)
    extra = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}
    answer = captcha_answer(client.get(LOGIN, **extra))
    return client.post(LOGIN, {**data, **answer}, **extra)


@pytest.mark.parametrize("hops", [0, 1, 2])
def test_lockout_and_audit_count_the_real_address_whatever_the_client_forges(client, settings, hops):
    settings.PROXY_HOPS = hops
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 5  # the address's own throttle (accounts lock at their own limit)
    target = official("440106", Role.STAFF)
    # Five failures under five user names, each with a new forged address: one address is counted.
    for n, name in enumerate(["alpha", "beta", "gamma", "delta", "epsilon"]):
        post_login(client, hops, {"username": name, "password": "Wrong#Passw0rd"}, forged=f"198.51.100.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT}
    failures = AuditEvent.objects.filter(action="accounts.login_failed")
    assert failures.count() == 5 and set(failures.values_list("address", flat=True)) == {CLIENT}

    # The real address is locked now: a sixth forged address does not get the client in.
    response = post_login(client, hops, {"username": target.username, "password": PASSWORD}, forged="192.0.2.1")
    assert response.status_code == 429
    from shegong.accounts.models import AddressThrottle

    assert set(AddressThrottle.objects.values_list("ip_address", flat=True)) == {CLIENT}
    assert "_auth_user_id" not in client.session
