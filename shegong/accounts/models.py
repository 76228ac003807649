from django.conf import settings
from django.contrib.auth import models as auth_models
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core import capabilities
from shegong.core.scoping import ScopedManagerMixin, ScopedQuerySet
from shegong.regions.models import Level

from .roles import Role


class UserQuerySet(ScopedQuerySet):
    """Accounts join the one access rule: ``User.objects.visible_to(actor)`` is what ``actor`` may see."""

    def scope_q(self, user, purpose):
        from .permissions import user_scope_q

        return user_scope_q(user, purpose)


class UserManager(ScopedManagerMixin, auth_models.UserManager.from_queryset(UserQuerySet)):
    """Django's ``UserManager`` (create_user, ...) over the scoped queryset."""

    def get_by_natural_key(self, username):
        return self.unscoped("authentication: the account signing in").get(**{self.model.USERNAME_FIELD: username})


class User(AbstractUser):
    """An account. ``role`` is its one primary role; officials carry the region they serve."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.WORKER, db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"), default=False, help_text=_("Set for initial and reset passwords.")
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [models.Index(fields=["region", "role"], name="user_region_role")]

    def __str__(self):
        return self.full_name or self.username

    def set_password(self, raw_password):
        # Keep the hash being replaced: save() files it in the password history, whatever path
        # changed the password (own change, an administrator's reset, a command).
        if self.pk is not None and self.password and not getattr(self, "_replaced_password", None):
            self._replaced_password = self.password
        super().set_password(raw_password)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        replaced = getattr(self, "_replaced_password", None)
        if replaced:
            self._replaced_password = None
            PasswordHistory.remember(self, replaced)

    @property
    def display_name(self):
        return self.full_name or self.username

    @property
    def is_official(self):
        return capabilities.is_official(self)

    @property
    def is_auditor(self):
        return self.role == Role.AUDITOR

    # The links to a person (workers app) and an organization (organizations app) live on the
    # higher apps' side, so that accounts never imports them; these read them back.
    @property
    def person_id(self):
        person = getattr(self, "person", None)
        return person.pk if person is not None else None

    @property
    def organization_id(self):
        membership = getattr(self, "membership", None)
        return membership.organization_id if membership is not None else None

    @property
    def level(self):
        return self.region.level if self.region_id else None

    @property
    def level_label(self):
        return Level(self.region.level).label if self.region_id else ""


class PasswordHistory(models.Model):
    """Hashes of an account's earlier passwords, so that a recent one is not chosen again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("replaced at"), auto_now_add=True)

    # How many earlier hashes to keep; the password validator checks the current one and these.
    KEEP = 10

    class Meta:
        verbose_name = _("earlier password")
        verbose_name_plural = _("earlier passwords")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_user")]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"

    @classmethod
    def remember(cls, user, password_hash):
        from django.contrib.auth.hashers import is_password_usable

        if not password_hash or not is_password_usable(password_hash):
            return
        cls.objects.create(user=user, password=password_hash)
        stale = cls.objects.filter(user=user).values_list("pk", flat=True)[cls.KEEP :]
        cls.objects.filter(pk__in=list(stale)).delete()

    @classmethod
    def recent_hashes(cls, user, count):
        """The account's current hash and its ``count - 1`` predecessors, newest first."""
        hashes = [user.password] if user.password else []
        if count > 1 and user.pk is not None:
            hashes += list(cls.objects.filter(user=user).values_list("password", flat=True)[: count - 1])
        return hashes


class ActivationCode(models.Model):
    """The one-time code with which the holder of a new (or reset) security or audit administrator account sets
    their own password at their first sign-in. Only its hash is stored; the issuer is shown the code once, to hand
    over, and never a password (``services.activation``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="activation_code"
    )
    code_hash = models.CharField(_("code hash"), max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))

    class Meta:
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")

    def __str__(self):
        return f"{self.user_id} {self.expires_at:%Y-%m-%d %H:%M}"


class AddressThrottle(models.Model):
    """Failed sign-ins from one network address, counted apart from the accounts' locks (django-axes locks the
    account and the account-and-address pair). An office behind one address shares it, so it stops sign-in only
    at a much higher count (``SIGN_IN_ADDRESS_FAILURE_LIMIT``); lifting it leaves every account's lock as it is."""

    ip_address = models.GenericIPAddressField(_("network address"), primary_key=True)
    failures = models.PositiveIntegerField(_("failed sign-ins"), default=0)
    first_failure_at = models.DateTimeField(_("first failure"))
    last_failure_at = models.DateTimeField(_("last failure"), db_index=True)

    class Meta:
        verbose_name = _("address throttle")
        verbose_name_plural = _("address throttles")

    def __str__(self):
        return f"{self.ip_address} {self.failures}"
