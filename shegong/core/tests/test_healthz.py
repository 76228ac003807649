"""/healthz: ok/fail for anyone; the database vendor, workers and queue only for monitoring."""

from unittest import mock

import pytest
from django.db.utils import OperationalError

from shegong.core.tasks import record_worker_heartbeat

pytestmark = pytest.mark.django_db

DETAILS = {"database", "worker"}


def test_an_anonymous_caller_learns_only_ok(client, settings):
    settings.HEALTHZ_TOKEN = "s3cret-monitoring-token"
    settings.HEALTHZ_ALLOWED_IPS = ["10.0.5.10"]
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    record_worker_heartbeat("host:1")
    assert client.get("/healthz").json() == {"status": "ok"}
    # A wrong token, or one sent when none is configured, changes nothing.
    assert client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="guess").json() == {"status": "ok"}
    settings.HEALTHZ_TOKEN = ""
    assert client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="").json() == {"status": "ok"}


def test_monitoring_with_the_token_sees_the_details(client, settings):
    settings.HEALTHZ_TOKEN = "s3cret-monitoring-token"
    body = client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="s3cret-monitoring-token").json()
    assert DETAILS <= set(body) and body["database"]["vendor"]
    assert body["status"] == "degraded" and body["worker"]["status"] == "down"
    assert body["pdf_fonts"]["kind"] in {"truetype", "cid"}  # which font the certificates are drawn with


def test_monitoring_from_an_allowed_address_or_network_sees_the_details(client, settings):
    settings.HEALTHZ_ALLOWED_IPS = ["10.0.5.10", "192.168.7.0/24"]
    assert DETAILS <= set(client.get("/healthz", REMOTE_ADDR="10.0.5.10").json())
    assert DETAILS <= set(client.get("/healthz", REMOTE_ADDR="192.168.7.200").json())
    assert client.get("/healthz", REMOTE_ADDR="10.0.5.11").json() == {"status": "ok"}


def test_an_allowed_address_cannot_be_claimed_with_a_forged_header(client, settings):
    settings.HEALTHZ_ALLOWED_IPS = ["10.0.5.10"]
    settings.PROXY_HOPS = 1
    # The client writes the monitoring address into its own header; nginx appends the real one.
    forged = client.get("/healthz", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.0.5.10, 203.0.113.7")
    assert forged.json() == {"status": "ok"}
    real = client.get("/healthz", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.0.5.10")
    assert DETAILS <= set(real.json())


def test_a_database_failure_is_fail_and_503_without_details(client, settings):
    settings.HEALTHZ_TOKEN = "s3cret-monitoring-token"
    with mock.patch("shegong.core.views.connection.cursor", side_effect=OperationalError("connection refused")):
        anonymous = client.get("/healthz")
        monitoring = client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="s3cret-monitoring-token")
    assert anonymous.status_code == 503 and anonymous.json() == {"status": "fail"}
    assert monitoring.status_code == 503
    assert monitoring.json()["database"] == {"status": "error", "error": "OperationalError"}
