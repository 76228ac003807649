"""Masking filters, one of the two places where personal identifiers are masked for display.

``{{ value|mask_id }}`` accepts a plain number or an encrypted token (``Person.id_encrypted``);
``{{ value|mask_name }}`` and ``{{ value|mask_phone }}`` take plain text. Showing an identifier
unmasked is a separate, audited action (e.g. ``workers.services.reveal_id_number``).
"""

from django import template

from shegong.core import crypto, identifiers

register = template.Library()


def _plain(value):
    if crypto.is_token(value):
        try:
            return crypto.decrypt(value)
        except crypto.DecryptionError:
            return ""
    return value


@register.filter
def mask_id(value):
    return identifiers.mask_id_number(_plain(value))


@register.filter
def mask_name(value):
    return identifiers.mask_name(value)


@register.filter
def mask_phone(value):
    return identifiers.mask_phone(_plain(value))
