"""The public check (no sign-in): is this registration real, and is it in force?

By registration number or certificate management number plus the holder's name. The answer
discloses the minimum: the partly masked name, the level, the status and the validity. A wrong
number, a wrong name or an unknown record all get the same plain answer, so the check reveals
nothing about whether some other record exists. Checks are limited per client address (a counter in
the store all processes share, core.limits, used by the page and the API; REGISTRATION_PUBLIC_CHECK_LIMIT per
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

import unicodedata
from dataclasses import dataclass

from django.core import signing
from django.utils.translation import gettext as _

from shegong.core import limits
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

    With ``name``, the holder's name must match too (the same None otherwise). An unknown number and a
    known number with a wrong name take the same path: the same three queries and a name comparison, so
    neither the answer nor its timing tells them apart.
    """
    number = _clean(number)
    if not number:
        return None
    by_number = (
        Registration.objects.filter(number=number)
        .select_related("person", "certificate", "authority_region")
        .order_by("-id")
        .first()
    )
    by_management_no = Certificate.objects.filter(management_no=number).values_list("pk", flat=True).first()
    wanted = by_management_no if by_number is None and by_management_no is not None else 0
    latest = _latest_for_certificate(wanted)  # runs for every number, found or not
    registration = by_number if by_number is not None else latest
    holder_name = registration.person.name if registration is not None else _NOBODY
    name_ok = names_match(holder_name, name or "") if name is not None else True
    if registration is None or not name_ok:
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


_NOBODY = "\u3007" * 3  # a name no one is registered under: the comparison runs for unknown numbers too


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
    """Count one check for ``address`` in the shared store (all processes); returns (allowed, seconds left).

    ``link``: a QR link (a signed token) is counted apart, under its own higher limit.
    """
    limit, window = conf.public_link_limit() if link else conf.public_check_limit()
    verdict = limits.hit("registration-public-link" if link else "registration-public-check", address, limit, window)
    return verdict.allowed, verdict.retry_after
