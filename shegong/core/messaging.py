"""Outgoing messages: SMS through a pluggable backend, e-mail through Django's EMAIL_BACKEND.

``send_sms(phone, text)`` hands the message to the backend class named in ``SHEGONG_SMS_BACKEND``:

- ``ConsoleSMSBackend`` (the default) prints and logs every message, so a demo shows the codes it sends;
- ``HTTPGatewaySMSBackend`` posts ``{"to": ..., "text": ...}`` as JSON to ``SHEGONG_SMS_GATEWAY_URL`` with
  ``Authorization: Bearer SHEGONG_SMS_GATEWAY_KEY`` (a provincial or commercial SMS gateway; adapt
  ``payload()`` for one that wants another shape);
- ``LocmemSMSBackend`` keeps messages in ``outbox`` (tests read it, like ``django.core.mail.outbox``).

A backend is any subclass of ``BaseSMSBackend`` implementing ``send_messages(messages)``. Sending never
raises to the caller: a failed send is logged and ``send_sms`` answers False (a sign-up or a reset request
must not fail, nor reveal anything, because a gateway is down). Call ``send_sms_on_commit`` from inside a
transaction so nothing is sent for work that is rolled back.
"""

import json
import logging
import sys
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger("shegong.messaging")

# Messages the locmem backend has sent (tests clear it).
outbox = []


class MessagingError(Exception):
    """A backend could not hand a message over."""


@dataclass(frozen=True)
class SMS:
    to: str
    text: str


class BaseSMSBackend:
    """Subclass and implement ``send_messages``; options come from settings (or keyword arguments)."""

    def __init__(self, fail_silently=False, **options):
        self.fail_silently = fail_silently
        self.options = options

    def send_messages(self, messages):  # pragma: no cover - the interface
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    """Prints and logs each message (the default: development and the demo)."""

    def send_messages(self, messages):
        for message in messages:
            line = f"[SMS to {message.to}] {message.text}"
            logger.info("%s", line)
            stream = self.options.get("stream") or sys.stdout
            stream.write(line + "\n")
            stream.flush()
        return len(messages)


class LocmemSMSBackend(BaseSMSBackend):
    """Keeps messages in ``shegong.core.messaging.outbox``."""

    def send_messages(self, messages):
        outbox.extend(messages)
        return len(messages)


class HTTPGatewaySMSBackend(BaseSMSBackend):
    """An HTTP SMS gateway: one JSON POST per message, configured by SHEGONG_SMS_GATEWAY_URL / _KEY / _TIMEOUT."""

    def __init__(self, fail_silently=False, url=None, key=None, timeout=None, **options):
        super().__init__(fail_silently=fail_silently, **options)
        self.url = url or settings.SHEGONG_SMS_GATEWAY_URL
        self.key = key if key is not None else settings.SHEGONG_SMS_GATEWAY_KEY
        self.timeout = timeout or settings.SHEGONG_SMS_GATEWAY_TIMEOUT
        if not self.url:
            raise MessagingError("SHEGONG_SMS_GATEWAY_URL is not set")

    def payload(self, message):
        return {"to": message.to, "text": message.text}

    def post(self, body):
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.key}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
            if not 200 <= response.status < 300:
                raise MessagingError(f"SMS gateway answered {response.status}")

    def send_messages(self, messages):
        sent = 0
        for message in messages:
            try:
                self.post(self.payload(message))
            except Exception as exc:
                if not self.fail_silently:
                    raise MessagingError(str(exc)) from exc
                logger.warning("SMS to %s not sent: %s", message.to, exc)
                continue
            sent += 1
        return sent


def get_sms_backend(**options):
    return import_string(settings.SHEGONG_SMS_BACKEND)(**options)


def sms_text(text):
    """The text with the configured signature (Chinese SMS gateways require one)."""
    signature = getattr(settings, "SHEGONG_SMS_SIGNATURE", "")
    return f"{signature}{text}" if signature and not str(text).startswith(signature) else str(text)


def send_sms(phone, text):
    """Send one SMS now; True when the backend took it. Failures are logged, never raised."""
    if not phone:
        return False
    try:
        return get_sms_backend().send_messages([SMS(to=str(phone), text=sms_text(text))]) == 1
    except Exception:
        logger.exception("SMS to %s could not be sent", phone)
        return False


def send_email(to, subject, text):
    """Send one e-mail through Django's EMAIL_BACKEND; True when sent. Failures are logged, never raised."""
    if not to:
        return False
    try:
        return send_mail(str(subject), str(text), settings.DEFAULT_FROM_EMAIL, [to]) == 1
    except Exception:
        logger.exception("e-mail to %s could not be sent", to)
        return False


def send_sms_on_commit(phone, text):
    text = str(text)
    transaction.on_commit(lambda: send_sms(phone, text))


def send_email_on_commit(to, subject, text):
    subject, text = str(subject), str(text)
    transaction.on_commit(lambda: send_email(to, subject, text))
