"""Senders of expiry reminders besides the in-app notice (``REGISTRATION_REMINDER_SENDER``).

A sender is ``(person, text) -> None``; an SMS gateway or an e-mail sender plugs in here. The
default writes a log line with the masked phone number only.
"""

import logging

from shegong.core.identifiers import mask_phone

logger = logging.getLogger("shegong.registration.reminders")


def log_sender(person, text):
    logger.info("reminder to person %s (%s): %s", person.pk, mask_phone(person.phone) or "no phone", text)
