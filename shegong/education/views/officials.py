"""Officials' pages: providers (filing, publishing, accounts), province rules, compliance; and the public list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from shegong.accounts.models import User
from shegong.core import capabilities
from shegong.core.keyset import Key, KeysetListMixin, KeysetListView
from shegong.core.scoping import PublicViewMixin, ScopedViewMixin, get_visible_or_404
from shegong.core.tabular.views import ListExportView
from shegong.education import compliance
from shegong.education import queries as S
from shegong.education import rules as R
from shegong.education.filters import ProviderFilter, StandingFilter
from shegong.education.forms import PolicyForm, ProviderAccountForm, ProviderForm, ReasonForm
from shegong.education.models import ComplianceStatus, Provider, ProviderStatus, StudyForm, StudyStanding
from shegong.education.models.scope import province_code_of
from shegong.education.services import policy as services_policy
from shegong.education.services import providers
from shegong.education.views.ledger import add_errors
from shegong.regions.forms import RegionPickerWidget
from shegong.regions.models import Level, Region


def provinces():
    return (
        Region.objects.unscoped("division tree: public reference data")
        .administered()
        .filter(level=Level.PROVINCE)
        .order_by("code")
    )


# --- public ------------------------------------------------------------------------------------------
PROVIDER_KEYS = (Key("province_id"), Key("name"), Key("pk"))


class PublicProviderListView(PublicViewMixin, KeysetListMixin, TemplateView):
    """The published providers of each province (public reference, no sign-in)."""

    capability = capabilities.public
    template_name = "education/public_providers.html"
    context_object_name = "providers"
    keys = PROVIDER_KEYS
    count = "always"  # a few per province

    def base_queryset(self):
        queryset = Provider.objects.unscoped("public page: published providers").published().select_related("province")
        self.province = self.request.GET.get("province", "")
        if self.province:
            queryset = queryset.filter(province_id=self.province)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["provinces"] = provinces()
        context["province"] = self.province
        context["query_string"] = f"province={self.province}" if self.province else ""
        return context


# --- providers ---------------------------------------------------------------------------------------
class ProviderListView(KeysetListView):
    capability = capabilities.is_official
    model = Provider
    template_name = "education/provider_list.html"
    context_object_name = "providers"
    filterset_class = ProviderFilter
    keys = PROVIDER_KEYS
    invalid_filters = "unfiltered"
    count = "always"  # a few per province

    def prepare(self, queryset, sort):
        return queryset.select_related("province")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "statuses": ProviderStatus.choices,
                "provinces": provinces(),
                "can_file": providers.can_file_providers(self.request.user),
            }
        )
        return context


class ProviderCreateView(ScopedViewMixin, FormView):
    capability = capabilities.files_providers
    template_name = "education/provider_form.html"
    form_class = ProviderForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        province = data.pop("province")
        publish = data.pop("publish")
        try:
            provider = providers.file_provider(province, **data, actor=self.request.user, publish=publish)
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            return self.form_invalid(form)
        messages.success(self.request, _("The provider is filed."))
        return redirect(provider)


class ProviderEditView(ScopedViewMixin, FormView):
    capability = capabilities.is_official  # and the provider must be editable by the user (403), checked first
    template_name = "education/provider_form.html"
    form_class = ProviderForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.provider = get_visible_or_404(Provider.objects, request.user, pk=kwargs["pk"])
            if not Provider.objects.editable_by(request.user).filter(pk=self.provider.pk).exists():
                raise PermissionDenied(_("You cannot manage this provider."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "editing": True}

    def get_initial(self):
        return {name: getattr(self.provider, name) for name in providers.PROVIDER_FIELDS}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "provider": self.provider}

    def form_valid(self, form):
        try:
            providers.update_provider(self.provider, **form.cleaned_data, actor=self.request.user)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.provider)


class ProviderDetailView(ScopedViewMixin, DetailView):
    capability = capabilities.signed_in
    model = Provider
    template_name = "education/provider_detail.html"
    context_object_name = "provider"

    def get_queryset(self):
        return super().get_queryset().select_related("province")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        can_edit = Provider.objects.editable_by(user).filter(pk=self.object.pk).exists()
        context.update(
            {
                "can_edit": can_edit,
                "accounts": (
                    User.objects.unscoped("the accounts acting for a provider the user may edit")
                    .filter(provider_membership__provider=self.object)
                    .order_by("username")
                    if can_edit
                    else []
                ),
                "activities": self.object.activities.visible_to(user).order_by("-starts_at")[:20],
                "revoke_form": kwargs.get("revoke_form") or ReasonForm(),
                "account_form": kwargs.get("account_form") or ProviderAccountForm(),
                "new_account": kwargs.get("new_account"),
            }
        )
        return context


class ProviderActionView(ScopedViewMixin, View):
    """POST: publish, revoke, create an account, reset an account's password, disable or enable it."""

    capability = capabilities.signed_in  # the services decide on the provider (files_providers, its own account)

    def post(self, request, pk, action):
        provider = get_visible_or_404(Provider.objects, request.user, pk=pk)
        view = ProviderDetailView()
        view.setup(request, pk=pk)
        view.object = provider
        try:
            if action == "publish":
                providers.publish_provider(provider, actor=request.user)
                messages.success(request, _("The provider is published."))
            elif action == "revoke":
                form = ReasonForm(request.POST)
                if not form.is_valid():
                    return view.render_to_response(view.get_context_data(revoke_form=form), status=400)
                providers.revoke_provider(provider, form.cleaned_data["reason"], actor=request.user)
                messages.success(request, _("The provider's filing is revoked."))
            elif action == "account":
                form = ProviderAccountForm(request.POST)
                if not form.is_valid():
                    return view.render_to_response(view.get_context_data(account_form=form), status=400)
                try:
                    user, password = providers.create_provider_account(
                        provider, **form.cleaned_data, actor=request.user
                    )
                except ValidationError as exc:
                    add_errors(form, exc)
                    return view.render_to_response(view.get_context_data(account_form=form), status=400)
                # The one-time password is shown once, on this response, and never stored.
                return view.render_to_response(view.get_context_data(new_account={"user": user, "password": password}))
            elif action in {"reset", "disable", "enable"}:
                target = (
                    User.objects.unscoped("an account acting for the provider in scope")
                    .filter(pk=request.POST.get("user"), provider_membership__provider=provider)
                    .first()
                )
                if target is None:
                    raise PermissionDenied(_("This account does not act for this provider."))
                if action == "reset":
                    password = providers.reset_provider_password(provider, target, actor=request.user)
                    return view.render_to_response(
                        view.get_context_data(new_account={"user": target, "password": password})
                    )
                providers.set_provider_account_active(provider, target, action == "enable", actor=request.user)
                messages.success(request, _("Saved."))
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return redirect(provider)


# --- province rules ----------------------------------------------------------------------------------
class PolicyView(ScopedViewMixin, TemplateView):
    """A province's rules: everyone signed in reads them; its administrators (and national ones) change them."""

    capability = capabilities.signed_in  # changing the rules: administrators of the province (403 on POST)
    template_name = "education/policy.html"

    def province(self):
        user = self.request.user
        code = self.request.GET.get("province") or self.request.POST.get("province")
        if not code and user.region_id and user.region.level >= Level.PROVINCE:
            code = province_code_of(user.region)
        if not code and getattr(user, "person_id", None):
            code = province_code_of(user.person.region)
        return (
            Region.objects.unscoped("division tree: public reference data")
            .filter(code=code, level=Level.PROVINCE)
            .first()
            if code
            else None
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        province = kwargs.get("province", self.province())
        policy = S.policy_for_province(province.code) if province else S.NATIONAL_POLICY
        can_edit = province is not None and services_policy.can_edit_policy(self.request.user, province)
        form = kwargs.get("form")
        if form is None and can_edit:
            form = PolicyForm(initial=PolicyForm.initial_from(policy))
        context.update(
            {
                "province": province,
                "provinces": provinces(),
                "policy": policy,
                "can_edit": can_edit,
                "form": form,
                "rules": [(StudyForm(value).label, policy.rule(value)) for value in StudyForm.values],
            }
        )
        return context

    def post(self, request):
        province = self.province()
        if province is None or not services_policy.can_edit_policy(request.user, province):
            raise PermissionDenied(_("Only administrators of the province (or above) change its rules."))
        form = PolicyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services_policy.save_policy(
                    province,
                    actor=request.user,
                    required={
                        "assistant": data["required_assistant"],
                        "intermediate": data["required_intermediate"],
                        "senior": data["required_senior"],
                    },
                    annual_required=data.get("annual_required"),
                    review_level=data["review_level"],
                    rules=form.rules(),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The rules of %(province)s are saved.") % {"province": province})
                return redirect(f"{request.path}?province={province.code}")
        return self.render_to_response(self.get_context_data(form=form, province=province), status=400)


# --- compliance --------------------------------------------------------------------------------------
class ComplianceView(KeysetListView):
    """Counts per region (complete, on track, short) and the list of persons, with filters and export."""

    capability = capabilities.is_official
    model = StudyStanding
    template_name = "education/compliance.html"
    context_object_name = "standings"
    total_context_name = "row_total"  # "rows" and "total" are the counts per region
    filterset_class = StandingFilter
    keys = (Key("region_id"), Key("person_id"), Key("pk"))
    invalid_filters = "unfiltered"

    def prepare(self, queryset, sort):
        return queryset.select_related("person", "region")

    def decorate(self, rows):
        today = timezone.localdate()
        for standing in rows:
            standing.state = standing.status(today)
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        region = (
            Region.objects.unscoped("division tree: public reference data").filter(code=self.within).first()
            if self.within
            else user.region
        )
        if region is None or not user.region.contains(region.code):
            region = user.region
        rows, total = compliance.compliance_counts(user, region)
        context.update(
            {
                "region": region,
                "rows": rows,
                "total": total,
                "statuses": ComplianceStatus.choices,
                "levels": _levels(),
                "within_picker": RegionPickerWidget(root=user.region).render(
                    "within", self.within, attrs={"id": "f-within"}
                ),
                "format_hours": R.format_hours,
            }
        )
        return context


def _levels():
    from shegong.workers.models import CertificateLevel

    return CertificateLevel.choices


class ComplianceExportView(ListExportView):
    """Start a background export of the filtered compliance list (education/tables.py)."""

    capability = capabilities.is_official
    table = "education_compliance"
    filterset_class = StandingFilter
    list_url = "education:compliance"
    title = gettext_lazy("Export of the continuing-education compliance list (%(format)s)")
