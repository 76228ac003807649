"""Senders of expiry reminders besides the in-app notice (``REGISTRATION_REMINDER_SENDER``).

A sender is ``(person, text) -> None``. The default, ``sms_sender``, sends the text by SMS to the
holder's phone through ``shegong.core.messaging`` (whose backend is set by SHEGONG_SMS_BACKEND: the
console by default, an HTTP gateway in production); ``log_sender`` only writes a log line.
"""

import logging

from shegong.core import messaging
from shegong.core.identifiers import mask_phone

logger = logging.getLogger("shegong.registration.reminders")


def log_sender(person, text):
    logger.info("reminder to person %s (%s): %s", person.pk, mask_phone(person.phone) or "no phone", text)


def sms_sender(person, text):
    log_sender(person, text)  # the masked trace stays in the log
    if person.phone:
        messaging.send_sms(person.phone, text)
