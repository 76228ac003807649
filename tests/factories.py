"""Factories shared by every app's tests: one named user per role and level where needed."""

import datetime

import factory

from shegong.accounts.models import User
from shegong.accounts.roles import Role
from shegong.core import crypto, identifiers

PASSWORD = "Test#Passw0rd"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.ADMIN
    region_id = "440106"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


def official(code, role=Role.ADMIN, **kwargs):
    return UserFactory(role=role, region_id=code, **kwargs)


# --- workers ---------------------------------------------------------------------------------------------


def id_number_for(n, region_code="440106"):
    """A valid, distinct ID number per ``n`` (birth dates spread over 1960-1999)."""
    born = datetime.date(1960, 1, 1) + datetime.timedelta(days=(n * 37) % 14600)
    return identifiers.build_id_number(region_code, born, n % 1000)


class PersonFactory(factory.django.DjangoModelFactory):
    """A registry person; pass ``id_number=`` to choose the number (sex and birth date follow from it)."""

    class Meta:
        model = "workers.Person"
        exclude = ("id_number", "parsed")

    id_number = factory.Sequence(lambda n: id_number_for(n + 1))
    parsed = factory.LazyAttribute(lambda o: identifiers.validate_id_number(o.id_number))
    id_blind_index = factory.LazyAttribute(lambda o: crypto.blind_index(o.parsed.number))
    id_encrypted = factory.LazyAttribute(lambda o: crypto.encrypt(o.parsed.number))
    id_kind = factory.LazyAttribute(lambda o: o.parsed.kind)
    sex = factory.LazyAttribute(lambda o: o.parsed.sex)
    birth_date = factory.LazyAttribute(lambda o: o.parsed.birth_date)
    name = factory.Sequence(lambda n: f"社工{n}")
    region_id = "440106"


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "workers.Certificate"

    person = factory.SubFactory(PersonFactory)
    level = "assistant"
    management_no = factory.Sequence(lambda n: f"2020{n:013d}")
    exam_year = 2020


# --- Two-factor sign-in in tests ----------------------------------------------------------------
# Administrators and ministry/province officials must use a second factor (accounts.security).
# conftest.py makes ``client.force_login(user)`` and ``client.login(...)`` sign in fully (second
# factor included) through ``login_verified``; browser tests answer the real pages with
# ``totp_code(device)`` or ``totp_code_for_secret(secret)``.


def enrol_totp(user, *, with_recovery_codes=False):
    """Give ``user`` a confirmed authenticator (TOTP device) as if they had set one up; returns it.

    With ``with_recovery_codes=True`` the device gets ``.recovery_codes`` (10 one-time codes)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    if with_recovery_codes:
        from shegong.accounts.services.security import _new_recovery_codes

        device.recovery_codes = _new_recovery_codes(user)
    return device


def _totp_token(key, step_index, digits=6):
    from django_otp.oath import hotp

    return str(hotp(key, step_index, digits=digits)).zfill(digits)


def totp_code(device):
    """A code the device accepts now, like an authenticator app would show.

    A device refuses a code of a time step it already accepted, so this picks the next unused
    step within the allowed drift, waiting for the next 30-second window when both are used."""
    import time

    device.refresh_from_db()
    while True:
        now_t = int((time.time() - device.t0) // device.step) + device.drift
        t = max(now_t, device.last_t + 1)
        if t <= now_t + device.tolerance:
            return _totp_token(device.bin_key, t, device.digits)
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.05)


def totp_code_for_secret(secret, at=None):
    """The current code for a key shown on the set-up page (base32, spaces allowed)."""
    import time
    from base64 import b32decode

    key = b32decode(secret.replace(" ", "").upper())
    return _totp_token(key, int((at or time.time()) // 30))


def login_verified(client, user, *, device=None, backend=None):
    """Sign ``user`` in on the test client, second factor passed (it is enrolled first if needed)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from shegong.accounts.security import two_factor_required

    original = getattr(Client.force_login, "original", Client.force_login)
    original(client, user, backend)
    if device is None:
        device = (
            TOTPDevice.objects.filter(user=user, confirmed=True).first()
            or StaticDevice.objects.filter(user=user, confirmed=True).first()
        )
    if device is None and two_factor_required(user):
        device = enrol_totp(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def login_unverified(client, user):
    """Only the password step: the session still has to pass the second factor (or enrol)."""
    from django.test import Client

    getattr(Client.force_login, "original", Client.force_login)(client, user)
    return client


# --- organizations ---------------------------------------------------------------------------------------


def credit_code_for(n, prefix="52440106"):
    """A valid, distinct unified social credit code per ``n`` (check characters computed)."""
    from shegong.organizations.seed import make_credit_code

    return make_credit_code(prefix, f"MJT{n:05d}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    """An approved organization in 天河区 unless told otherwise."""

    class Meta:
        model = "organizations.Organization"

    credit_code = factory.Sequence(lambda n: credit_code_for(n + 1))
    name = factory.Sequence(lambda n: f"测试社会工作服务中心{n}")
    kind = "service_organization"
    region_id = "440106"
    contact_name = "联系人"
    contact_phone = "020-12345678"
    status = "active"


def organization_user(organization, username=None, role=Role.ORG_ADMIN, membership_role="admin", **kwargs):
    """An account acting for ``organization``."""
    from shegong.organizations.models import Membership

    if username is None:
        username = f"org{organization.pk}_{Membership.objects.filter(organization=organization).count() + 1}"
    user = UserFactory(role=role, region_id=organization.region_id, username=username, **kwargs)
    Membership.objects.create(user=user, organization=organization, role=membership_role)
    return user


def answer_second_factor(page, username):
    """Browser tests (Playwright page): if the page asks for the second factor, answer it like an
    authenticator app would; returns True if it did.

    On the set-up page (an account that must enrol) the key shown on the page is used, and the
    recovery codes page that follows is left through its Continue link (back to ``next``); on the
    code page the account's authenticator is read from the database."""
    from urllib.parse import urlparse

    from django_otp.plugins.otp_totp.models import TOTPDevice

    path = urlparse(page.url).path
    if path.startswith("/accounts/2fa/setup/"):
        secret = page.locator("[data-testid=totp-secret]").inner_text()
        page.locator("[data-testid=totp-confirm-form] input[name=code]").fill(totp_code_for_secret(secret))
        page.locator("[data-testid=totp-confirm-form] [type=submit]").click()
        page.wait_for_load_state()
        page.locator("[data-testid=continue]").click()
        page.wait_for_load_state()
        return True
    if path.startswith("/accounts/2fa/verify/"):
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.locator("[data-testid=second-factor-form] input[name=code]").fill(totp_code(device))
        page.locator("[data-testid=second-factor-form] [type=submit]").click()
        page.wait_for_load_state()
        return True
    return False


# --- continuing education --------------------------------------------------------------------------------


class ProviderFactory(factory.django.DjangoModelFactory):
    """A published continuing-education provider filed in 广东省 unless told otherwise."""

    class Meta:
        model = "education.Provider"

    name = factory.Sequence(lambda n: f"测试继续教育机构{n}")
    province_id = "440000"
    status = "published"
    contact_name = "联系人"
    contact_phone = "020-12345678"
    filed_on = factory.LazyFunction(datetime.date.today)
    published_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))


def provider_user(provider, username=None, **kwargs):
    """An account (role provider) acting for ``provider``."""
    from shegong.education.models import ProviderMembership

    if username is None:
        username = f"provider{provider.pk}_{ProviderMembership.objects.filter(provider=provider).count() + 1}"
    user = UserFactory(role=Role.PROVIDER, region_id=provider.province_id, username=username, **kwargs)
    ProviderMembership.objects.create(user=user, provider=provider)
    return user


class ActivityFactory(factory.django.DjangoModelFactory):
    """A course of 6 hours that started an hour ago and ends in two hours (sign-in is open)."""

    class Meta:
        model = "education.Activity"

    provider = factory.SubFactory(ProviderFactory)
    title = factory.Sequence(lambda n: f"测试培训班{n}")
    kind = "course"
    starts_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1))
    ends_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2))
    place = "广州市"
    hours = 6
    capacity = None
    status = "open"
    sign_in_code = "246810"


def worker_with_person(person=None, username=None, **kwargs):
    """A social worker account linked to ``person`` (a new registry person with a certificate by default)."""
    if person is None:
        person = CertificateFactory().person
    user = UserFactory(role=Role.WORKER, region_id=None, username=username or f"worker{person.pk}", **kwargs)
    person.account = user
    person.save(update_fields=["account"])
    user.refresh_from_db()
    return user


# --- registration ----------------------------------------------------------------------------------------


def jpeg_bytes(size=(90, 120)):
    """A small valid JPEG (an ID photo stand-in)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 190, 200)).save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def complete_profile(person, **overrides):
    """Fill a person's personal information table so that a registration application is possible."""
    from django.core.files.base import ContentFile

    fields = {
        "phone": person.phone or "13900001111",
        "education": "bachelor",
        "employer_type": "public_institution",
        "employer_name": "天河区社会工作服务站",
        "household_region": person.region_id,
    }
    fields.update(overrides)
    for name, value in fields.items():
        setattr(person, name if name != "household_region" else "household_region_id", value)
    if not person.photo:
        person.photo.save("photo.jpg", ContentFile(jpeg_bytes()), save=False)
    person.save()
    return person


def holder(
    n=1,
    region_code="440106",
    *,
    level="assistant",
    exam_year=None,
    issued_on=None,
    username=None,
    complete=True,
    name=None,
):
    """A certificate holder with a worker account: returns (user, person, certificate)."""
    from django.utils import timezone

    today = timezone.localdate()
    person = PersonFactory(
        id_number=id_number_for(1000 + n, region_code), region_id=region_code, **({"name": name} if name else {})
    )
    certificate = CertificateFactory(
        person=person,
        level=level,
        exam_year=exam_year or today.year,
        issued_on=issued_on if issued_on is not None else today - datetime.timedelta(days=30),
        management_no=f"M{region_code}{n:010d}",
    )
    user = UserFactory(username=username or f"holder{n}", role=Role.WORKER, region_id=None, full_name=person.name)
    person.account = user
    person.save(update_fields=["account"])
    if complete:
        complete_profile(person)
    return user, person, certificate
