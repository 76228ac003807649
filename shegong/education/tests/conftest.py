import datetime

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted in English (the msgids); pages follow LANGUAGE_CODE without a cookie.
    settings.LANGUAGE_CODE = "en"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def worker(db):
    """A social worker in 天河区 holding a 社会工作师 certificate issued 2024-12-01 (current period
    2024-12-01..2027-11-30 by the certificate rule), with an account."""
    from tests.factories import CertificateFactory, PersonFactory, worker_with_person

    person = PersonFactory(region_id="440106")
    CertificateFactory(person=person, level="intermediate", exam_year=2024, issued_on=datetime.date(2024, 12, 1))
    return worker_with_person(person)


@pytest.fixture
def provider(db):
    from tests.factories import ProviderFactory

    return ProviderFactory()


@pytest.fixture
def provider_account(provider):
    from tests.factories import provider_user

    return provider_user(provider)


def pdf_file(name="proof.pdf", size=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = b"%PDF-1.4\n% test evidence\n" + (b"0" * (size - 25) if size else b"")
    return SimpleUploadedFile(name, content, content_type="application/pdf")
