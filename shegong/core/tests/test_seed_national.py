"""The national-scale generator (a small scale here): on top of existing data, consistent and repeatable."""

import pytest
from django.core.management import call_command

from shegong.workers.models import Certificate, Person
from tests.factories import CertificateFactory, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_generates_on_top_of_existing_records_without_touching_them(tmp_path, settings, monkeypatch):
    from shegong.core import synthetic

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(synthetic, "COPY_ROWS", 250)  # several COPY transactions per table on PostgreSQL
    existing = PersonFactory()
    # A certificate numbered like the generator's (year + county + serial) and an organization already there.
    CertificateFactory(person=existing, management_no="20204401060000001", exam_year=2020)
    OrganizationFactory()
    before = {p.pk: p.name for p in Person.objects.all()}
    call_command("seed_national", scale=0.001, sample_rows=50, no_study_records=False, stdout=open("/dev/null", "w"))
    persons = Person.objects.count()
    assert persons == 1 + 1600  # 0.1 % of 1.6 million, plus the one that was there
    assert {p.pk: p.name for p in Person.objects.filter(pk__in=before)} == before
    assert Certificate.objects.filter(person=existing).count() == 1
    # Every generated person has a certificate; management numbers stay unique (the constraint holds).
    assert not Person.objects.exclude(pk=existing.pk).filter(certificates__isnull=True).exists()
    numbers = list(Certificate.objects.values_list("management_no", flat=True))
    assert len(numbers) == len(set(numbers))
    assert (tmp_path / "samples" / "manifest.json").exists()
