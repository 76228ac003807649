"""The public check (no sign-in): is this registration real, and is it in force?

By registration number or certificate management number plus the holder's name. The answer
discloses the minimum: the partly masked name, the level, the status and the validity. A wrong
number, a wrong name or an unknown record all get the same plain answer, so the check reveals
nothing about whether some other record exists. Checks are limited per client address (cache
counter shared by the page and the API; REGISTRATION_PUBLIC_CHECK_LIMIT per
REGISTRATION_PUBLIC_CHECK_WINDOW_SECONDS).

The QR code on the e-certificate opens ``/registration/check/v/<token>/``: the token is the
registration number signed by the server, so the link shows that registration without a name and
cannot be forged or enumerated.
"""

import time
import unicodedata
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache

from shegong.core.identifiers import mask_name
from shegong.workers.models import Certificate
from shegong.workers.queries import names_match
from shegong.workers.status import status_of

from . import conf
from .models import Registration

TOKEN_SALT = "shegong.registration.public-check"


@dataclass(frozen=True)
class Answer:
    masked_name: str
    level: str
    level_name: str
    status: str
    status_name: str
    valid_from: object
    valid_to: object
    authority: str

    def as_dict(self):
        return {
            "name": self.masked_name,
            "level": self.level,
            "level_name": self.level_name,
            "status": self.status,
            "status_name": self.status_name,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "authority": self.authority,
        }


def _clean(number):
    return "".join(unicodedata.normalize("NFKC", str(number or "")).split())[:40]


def _latest_for_certificate(certificate_id):
    return (
        Registration.objects.filter(certificate_id=certificate_id)
        .select_related("person", "certificate", "authority_region")
        .order_by("-id")
        .first()
    )


def find(number, name=None):
    """The certificate's latest registration for a registration or management number (and name), or None."""
    number = _clean(number)
    if not number:
        return None
    certificate_id = (
        Registration.objects.filter(number=number).order_by("-id").values_list("certificate_id", flat=True).first()
    )
    if certificate_id is None:
        certificate_id = Certificate.objects.filter(management_no=number).values_list("pk", flat=True).first()
    if certificate_id is None:
        return None
    registration = _latest_for_certificate(certificate_id)
    if registration is None:
        return None
    if name is not None and not names_match(registration.person.name, name or ""):
        return None
    return registration


def answer(registration):
    from .certificate import authority_name

    certificate = registration.certificate
    status = status_of(certificate)
    return Answer(
        masked_name=mask_name(registration.person.name),
        level=certificate.level,
        level_name=str(certificate.get_level_display()),
        status=status.value,
        status_name=str(status.label),
        valid_from=registration.valid_from,
        valid_to=registration.valid_to,
        authority=authority_name(registration.authority_region),
    )


def token_for(registration):
    return signing.dumps(registration.number, salt=TOKEN_SALT, compress=True)


def find_by_token(token):
    try:
        number = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    return find(number)


def allow(address):
    """Count one check for ``address``; returns (allowed, seconds until the window ends)."""
    limit, window = conf.public_check_limit()
    now = int(time.time())
    period = now // window
    key = f"registration:public-check:{address}:{period}"
    cache.add(key, 0, window + 5)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window + 5)
        count = 1
    return count <= limit, window - now % window
