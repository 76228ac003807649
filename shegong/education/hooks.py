"""How the education app follows changes made elsewhere, and shows itself on a person's page.

* A panel on the person pages of the workers app (officials' person detail, the worker's "My record").
* Standings are refreshed after the transaction that added a certificate or a registration row, or
  changed a person's work region, commits (single saves only: bulk imports rely on the daily refresh).

Registrations
    Registration periods come from the registration app, which sits above this one: it registers
    where they are, so that nothing here names it (docs/architecture.md, Layers)::

        from shegong.education import hooks
        hooks.register_registrations(periods_by_person, model=Registration)

    ``periods_by_person(person_ids) -> {person_id: [(valid_from, valid_to, pk), ...]}``: the effective
    registrations (those that define a period) with both dates; saving a row of ``model`` refreshes
    the person's standing as above. Without it (the app not installed) nobody has registrations and
    periods are counted from certificates (services.period_for).
"""

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

_registrations = []  # the registered periods_by_person function (at most one)


def register_registrations(periods_by_person, *, model=None):
    """Where a person's registrations are (see the module notes); registering again replaces it."""
    _registrations[:] = [periods_by_person]
    if model is not None:
        post_save.connect(_on_row_saved, sender=model, dispatch_uid="education-registration")
    return periods_by_person


def registrations_by_person(person_ids):
    """{person id: [(valid_from, valid_to, pk)] oldest first} of the effective registrations; {} when
    no app keeps registrations."""
    if not _registrations:
        return {}
    return {person_id: sorted(rows) for person_id, rows in _registrations[0](list(person_ids)).items() if rows}


def study_hours_panel(request, person):
    from shegong.education import queries as S

    progress = S.progress(person)
    if progress.level is None:
        return None
    return {
        "title": _("Study hours"),
        "template": "education/_person_hours.html",
        "progress": progress,
        "own": getattr(request, "person_page", "") == "own",
    }


def _refresh_later(person_id):
    def run():
        from shegong.education.services.ledger import refresh_standing
        from shegong.workers.models import Person

        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            return
        try:
            refresh_standing(person)
        except Exception:  # the change itself is committed; the daily refresh repairs the standing
            logger.exception("could not refresh the study-hour standing of person %s", person_id)

    transaction.on_commit(run)


def _on_row_saved(sender, instance, raw=False, **kwargs):
    if not raw and getattr(instance, "person_id", None):
        _refresh_later(instance.person_id)


def _on_person_changed(person, changes, *, actor):
    if "region" in changes or "region_id" in changes:
        _refresh_later(person.pk)


def register():
    from shegong.workers import panels

    panels.register_person_panel(order=60)(study_hours_panel)
    panels.register_person_listener(_on_person_changed)
    post_save.connect(_on_row_saved, sender="workers.Certificate", dispatch_uid="education-certificate")
