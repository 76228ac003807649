"""Registration numbers. The format is UNVERIFIED (docs/domain.md, Registration), so it is pluggable.

``REGISTRATION_NUMBER_SCHEME`` names a callable ``(registration) -> str`` called inside the
approving transaction with the unsaved Registration (person, certificate, kind, valid_from and
authority_region are set). The default issues ``<2-digit province code><year><level digit><6-digit
sequence>``, e.g. ``4420262000001``: the sequence runs per province, year and level. Uniqueness is
enforced by the database as well (registration_number_unique).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import RegistrationCounter

LEVEL_DIGITS = {"assistant": "1", "intermediate": "2", "senior": "3"}


def next_sequence(key):
    """The next value of the counter ``key``; the row lock makes concurrent approvals wait their turn."""
    for _attempt in range(3):
        counter = RegistrationCounter.objects.select_for_update().filter(key=key).first()
        if counter is None:
            try:
                with transaction.atomic():
                    RegistrationCounter.objects.create(key=key, value=0)
            except IntegrityError:
                pass
            continue
        counter.value += 1
        counter.save(update_fields=["value"])
        return counter.value
    raise RuntimeError(f"could not allocate a sequence number for {key}")


def default_number(registration):
    province = registration.authority_region_id[:2]
    year = timezone.localdate().year
    level = LEVEL_DIGITS.get(registration.certificate.level, "9")
    prefix = f"{province}{year}{level}"
    return f"{prefix}{next_sequence(prefix):06d}"
