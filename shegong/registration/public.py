"""The public check (no sign-in): is this registration real, and is it in force?

By registration number or certificate management number plus the holder's name. The answer
discloses the minimum: the partly masked name, the level, the status and the validity. A wrong
number, a wrong name or an unknown record all get the same plain answer, so the check reveals
nothing about whether some other record exists. Checks are limited per client address (a counter in
the store all processes share, core.limits, used by the page and the API; REGISTRATION_PUBLIC_CHECK_LIMIT per
REGISTRATION_PUBLIC_CHECK_WINDOW_SECONDS).

The QR code on the e-certificate opens ``/registration/check/v/<token>/``: the token is the
registration number signed by the server, so the link shows that registration without a name and
cannot be forged or enumerated.
"""

import unicodedata
from dataclasses import dataclass

from django.core import signing

from shegong.core import limits
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
    """The certificate's latest registration for a registration or management number (and name), or None.

    An unknown number and a known number with a wrong name take the same path: the same three queries
    and a name comparison, so neither the answer nor its timing tells them apart.
    """
    number = _clean(number)
    if not number:
        return None
    by_registration = (
        Registration.objects.filter(number=number).order_by("-id").values_list("certificate_id", flat=True).first()
    )
    by_management_no = Certificate.objects.filter(management_no=number).values_list("pk", flat=True).first()
    certificate_id = by_registration if by_registration is not None else by_management_no
    registration = _latest_for_certificate(certificate_id if certificate_id is not None else 0)
    holder_name = registration.person.name if registration is not None else _NOBODY
    name_ok = names_match(holder_name, name or "") if name is not None else True
    if registration is None or not name_ok:
        return None
    return registration


_NOBODY = "\u3007" * 3  # a name no one is registered under: the comparison runs for unknown numbers too


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
    """Count one check for ``address`` in the shared store (all processes); returns (allowed, seconds left)."""
    limit, window = conf.public_check_limit()
    verdict = limits.hit("registration-public-check", address, limit, window)
    return verdict.allowed, verdict.retry_after
