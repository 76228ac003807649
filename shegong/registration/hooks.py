"""What the registration app registers in the hooks of lower apps that must follow registrations.

* education (continuing education, below us): a person's registration periods, and the model whose
  saves refresh the study-hour standing (education/hooks.py, ``register_registrations``).
"""

from django.apps import apps

# Registration rows in these states never define a period: cancelled and revoked rows (RowStatus); the
# others are states of requests, kept from the list education used when it read this table itself.
NON_EFFECTIVE_STATES = {"draft", "pending", "rejected", "withdrawn", "cancelled", "revoked"}


def periods_by_person(person_ids):
    """{person id: [(valid_from, valid_to, pk)] oldest first} of the effective registrations with both dates."""
    from .models import Registration

    rows = (
        Registration.objects.filter(person_id__in=person_ids, valid_from__isnull=False, valid_to__isnull=False)
        .exclude(status__in=NON_EFFECTIVE_STATES)
        .values_list("person_id", "valid_from", "valid_to", "pk")
    )
    grouped = {}
    for person_id, valid_from, valid_to, pk in rows:
        grouped.setdefault(person_id, []).append((valid_from, valid_to, pk))
    return {person_id: sorted(periods) for person_id, periods in grouped.items()}


def register():
    if apps.is_installed("shegong.education"):  # the registration app also runs without it (eligibility.py)
        from shegong.education import hooks as education_hooks

        from .models import Registration

        education_hooks.register_registrations(periods_by_person, model=Registration)
