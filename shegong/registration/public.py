"""The public check (no sign-in): is this registration real, and is it in force?

By registration number or certificate management number plus the holder's name. The answer
discloses the minimum: the partly masked name, the level, the status and the validity. A wrong
number, a wrong name or an unknown record all get the same plain answer, so the check reveals
nothing about whether some other record exists. Checks are limited per client address (cache
counter shared by the page and the API; REGISTRATION_PUBLIC_CHECK_LIMIT per
REGISTRATION_PUBLIC_CHECK_WINDOW_SECONDS).

A registration number answers for that registration: its own period and state. When the certificate
has been registered again since (a re-registration issues a new number), the answer says so and
gives the newer number, so an old paper or e-certificate is never shown as the one in force and
never hides that a newer one exists. A management number answers with the certificate's latest
registration.

The QR code on the e-certificate opens ``/registration/check/v/<token>/``: the token is the
registration number signed by the server, so the link shows that registration without a name and
cannot be forged or enumerated. Nothing is guessed through it, so it is not counted with the
number-and-name checks: it has its own, much higher limit per address
(REGISTRATION_PUBLIC_LINK_LIMIT per window, default 300), which only stops floods.
"""

import time
import unicodedata
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

from shegong.core.identifiers import mask_name
from shegong.workers.models import Certificate
from shegong.workers.queries import names_match
from shegong.workers.status import status_of

from . import conf
from .models import Registration, RegistrationKind

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
    followed_by: str = ""  # the newer registration number, when this registration has been followed by one
    followed_by_renewal: bool = False  # ... and that newer one is a re-registration (再登记)

    @property
    def superseded(self):
        return bool(self.followed_by)

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
            "followed_by": self.followed_by or None,
            "followed_by_renewal": self.followed_by_renewal,
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
    """The registration a registration number names (its latest event), or a certificate's latest one; or None.

    With ``name``, the holder's name must match too (the same None otherwise).
    """
    number = _clean(number)
    if not number:
        return None
    registration = (
        Registration.objects.filter(number=number)
        .select_related("person", "certificate", "authority_region")
        .order_by("-id")
        .first()
    )
    if registration is None:
        certificate_id = Certificate.objects.filter(management_no=number).values_list("pk", flat=True).first()
        if certificate_id is None:
            return None
        registration = _latest_for_certificate(certificate_id)
        if registration is None:
            return None
    if name is not None and not names_match(registration.person.name, name or ""):
        return None
    return registration


def successor(registration):
    """The certificate's latest registration when it carries another number than ``registration``, else None."""
    latest = (
        Registration.objects.filter(certificate_id=registration.certificate_id, id__gt=registration.id)
        .exclude(number=registration.number)
        .order_by("-id")
        .only("id", "number", "kind")
        .first()
    )
    if latest is None:
        return None
    introduced = (
        Registration.objects.filter(certificate_id=registration.certificate_id, number=latest.number)
        .order_by("id")
        .only("id", "kind")
        .first()
    )
    latest.introduced_by_renewal = introduced is not None and introduced.kind == RegistrationKind.RENEWAL
    return latest


def answer(registration):
    from .certificate import authority_name

    certificate = registration.certificate
    later = successor(registration)
    if later is not None:  # this registration's own period, and that a newer registration followed it
        status_value = "superseded"
        status_name = (
            _("Followed by a re-registration") if later.introduced_by_renewal else _("Followed by a later registration")
        )
    else:
        status = status_of(certificate)
        status_value, status_name = status.value, str(status.label)
    return Answer(
        masked_name=mask_name(registration.person.name),
        level=certificate.level,
        level_name=str(certificate.get_level_display()),
        status=status_value,
        status_name=str(status_name),
        valid_from=registration.valid_from,
        valid_to=registration.valid_to,
        authority=authority_name(registration.authority_region),
        followed_by=later.number if later is not None else "",
        followed_by_renewal=bool(later is not None and later.introduced_by_renewal),
    )


def token_for(registration):
    return signing.dumps(registration.number, salt=TOKEN_SALT, compress=True)


def find_by_token(token):
    try:
        number = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    return find(number)


def allow(address, *, link=False):
    """Count one check for ``address``; returns (allowed, seconds until the window ends).

    ``link``: a QR link (a signed token) is counted apart, under its own higher limit.
    """
    limit, window = conf.public_link_limit() if link else conf.public_check_limit()
    now = int(time.time())
    period = now // window
    key = f"registration:public-{'link' if link else 'check'}:{address}:{period}"
    cache.add(key, 0, window + 5)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window + 5)
        count = 1
    return count <= limit, window - now % window
