"""Security administrators' pages: lift sign-in lockouts, reset an account's second factor.

Both act only on the accounts of the administrator's region subtree (security.accounts_in_scope);
anything else is a 404, and every other role gets a 403.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from shegong.accounts import permissions, security
from shegong.accounts.forms.security import AccountSearchForm, SecureLoginForm, UnlockForm
from shegong.accounts.services import security as security_services
from shegong.accounts.signals import record_failure
from shegong.core import capabilities
from shegong.core.capabilities import CapabilityRequiredMixin
from shegong.core.keyset import Key, KeysetListMixin
from shegong.core.scoping import SCOPED


class SecureLoginMixin:
    """For the sign-in view: refuse a throttled address or a locked user name before looking at the password,
    and ask for a CAPTCHA from the first failure on."""

    form_class = SecureLoginForm

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")[:150]
        credentials = {"username": username}
        if security.address_throttled(request):
            record_failure(username, "address_throttled")
            return security.lockout_response(request, None, credentials)
        if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request, credentials):
            record_failure(username, "locked_out")
            return security.lockout_response(request, None, credentials)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if security.captcha_required(self.request, form.data.get("username", "")):
            form.add_captcha()
        return super().form_invalid(form)


class LockoutListView(CapabilityRequiredMixin, TemplateView):
    capability = capabilities.administers_security
    scope_policy = SCOPED
    template_name = "accounts/security_lockouts.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        admin = self.request.user
        context["accounts"] = security.locked_accounts(admin)
        context["addresses"] = security.locked_addresses(admin)
        context["national"] = security.is_national(admin)
        context["minutes"] = int(security.cool_off().total_seconds() // 60)
        context["address_limit"] = security.address_limit()
        return context


class UnlockView(CapabilityRequiredMixin, View):
    capability = capabilities.administers_security
    scope_policy = SCOPED

    def post(self, request):
        form = UnlockForm(request.POST)
        if not form.is_valid():
            raise Http404
        kind, value = form.cleaned_data["kind"], form.cleaned_data["value"]
        admin = request.user
        if kind == "username":
            if value not in {row["value"] for row in security.locked_accounts(admin)}:
                raise Http404
            security_services.unlock_account(value, actor=admin)
            messages.success(request, _("The account %(name)s is unlocked.") % {"name": value})
        else:
            if value not in {row["value"] for row in security.locked_addresses(admin)}:
                raise Http404
            security_services.unlock_address(value, actor=admin)
            messages.success(request, _("The address %(address)s is unlocked.") % {"address": value})
        return redirect("accounts:security-lockouts")


class TwoFactorAccountsView(CapabilityRequiredMixin, KeysetListMixin, TemplateView):
    """Accounts of the subtree that use an authenticator app, to reset one after a lost phone."""

    capability = capabilities.administers_security
    scope_policy = SCOPED

    template_name = "accounts/security_two_factor.html"
    context_object_name = "accounts"
    keys = (Key("username"), Key("pk"))

    def base_queryset(self):
        self.form = AccountSearchForm(self.request.GET or None)
        queryset = security.accounts_with_second_factor(security.accounts_in_scope(self.request.user))
        if self.form.is_valid() and self.form.cleaned_data["q"]:
            term = self.form.cleaned_data["q"].strip()
            queryset = queryset.filter(Q(username__startswith=term) | Q(full_name__startswith=term))
        return queryset.select_related("region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        admin = self.request.user
        for account in context.get(self.context_object_name) or []:
            # the rows come from accounts_in_scope(admin): the rule need not ask that again per row
            account.may_reset = permissions.may_manage(admin, account, permissions.RESET_TWO_FACTOR, in_scope=True)
        return context


class TwoFactorResetView(CapabilityRequiredMixin, View):
    capability = capabilities.administers_security
    scope_policy = SCOPED

    def post(self, request, pk):
        admin = request.user
        user = get_object_or_404(security.accounts_in_scope(admin), pk=pk)
        if user.pk == admin.pk:
            raise PermissionDenied
        try:
            security_services.reset_two_factor(user, actor=admin)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("accounts:security-2fa")
        messages.success(
            request,
            _("Two-factor authentication of %(name)s was reset; the account sets it up again at its next sign-in.")
            % {"name": user.username},
        )
        return redirect("accounts:security-2fa")
