"""The SMS sender: the backend named in settings, console by default, an HTTP gateway, locmem in tests."""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from shegong.core import messaging


def test_tests_use_the_locmem_backend(sms_outbox):
    assert messaging.send_sms("13800138000", "您好")
    assert sms_outbox == [messaging.SMS(to="13800138000", text="【社会工作信息系统】您好")]


def test_console_backend_prints_the_message(settings):
    settings.SHEGONG_SMS_BACKEND = "shegong.core.messaging.ConsoleSMSBackend"
    stream = io.StringIO()
    backend = messaging.ConsoleSMSBackend(stream=stream)
    backend.send_messages([messaging.SMS("13800138000", "验证码123456")])
    assert "[SMS to 13800138000] 验证码123456" in stream.getvalue()


class _Gateway(BaseHTTPRequestHandler):
    received = []
    status = 200

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received = []
    _Gateway.status = 200
    settings.SHEGONG_SMS_BACKEND = "shegong.core.messaging.HTTPGatewaySMSBackend"
    settings.SHEGONG_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SHEGONG_SMS_GATEWAY_KEY = "k-123"
    yield _Gateway
    server.shutdown()


def test_http_gateway_posts_the_message_with_the_key(gateway):
    assert messaging.send_sms("13800138000", "您的验证码是123456")
    assert gateway.received == [
        ("Bearer k-123", {"to": "13800138000", "text": "【社会工作信息系统】您的验证码是123456"})
    ]


def test_a_failing_gateway_is_reported_not_raised(gateway):
    gateway.status = 500
    assert messaging.send_sms("13800138000", "x") is False


def test_gateway_without_url_is_a_configuration_error(settings):
    settings.SHEGONG_SMS_GATEWAY_URL = ""
    with pytest.raises(messaging.MessagingError):
        messaging.HTTPGatewaySMSBackend()


def test_email_goes_through_djangos_backend():
    assert messaging.send_email("a@example.cn", "主题", "正文")
    assert mail.outbox[0].to == ["a@example.cn"] and mail.outbox[0].body == "正文"
