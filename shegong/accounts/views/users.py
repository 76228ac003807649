"""Account administration pages: the list of accounts in one's subtree, create, reset password,
disable/enable, change role, and issuing admin accounts for every region below.

Who may do what is decided in ``permissions``; the work is done by ``services.users``. Accounts
outside the signed-in user's scope answer 404; pages a role may not use at all answer 403.
"""

from datetime import UTC, datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from shegong.accounts import permissions
from shegong.accounts.filters import REGION_ROLE_CHOICES, UserFilter
from shegong.accounts.forms.users import ChangeRoleForm, IssueAccountsForm, UserCreateForm
from shegong.accounts.models import User
from shegong.accounts.roles import Role
from shegong.accounts.services import users as services_users
from shegong.accounts.tasks import issue_accounts_job
from shegong.core import capabilities
from shegong.core.capabilities import CapabilityRequiredMixin
from shegong.core.keyset import Key, KeysetListMixin
from shegong.core.scoping import SCOPED
from shegong.core.tabular.views import ListExportView
from shegong.core.tasks import start_job
from shegong.regions.forms import RegionPickerWidget
from shegong.regions.models import Level


class TargetMixin:
    """The account in the URL, if the signed-in user may see it (404 otherwise)."""

    def get_target(self):
        if not hasattr(self, "_target"):
            visible = User.objects.visible_to(self.request.user).select_related("region")
            self._target = get_object_or_404(visible, pk=self.kwargs["pk"])
        return self._target


NO_REGION = "~"  # after every region code: accounts without a region sort last (core.keyset.Key.null)
NO_TIME = datetime(9999, 12, 31, tzinfo=UTC)
USER_SORT_KEYS = {
    "username": Key("username"),
    "full_name": Key("full_name"),
    "role": Key("role"),
    "region": Key("region_id", null=NO_REGION),
    "last_login": Key("last_login", null=NO_TIME),
    "date_joined": Key("date_joined"),
}


def user_sorts():
    """The sorts of the filter set's ``sort`` (each field, both ways), each ending with the id."""
    sorts = {"": ("", [Key("region_id", null=NO_REGION), Key("role"), Key("username"), Key("pk")])}
    for name, key in USER_SORT_KEYS.items():
        sorts[name] = ("", [key, Key("pk")])
        sorts[f"-{name}"] = ("", [Key(key.field, True, key.null), Key("pk", True)])
    return sorts


class UserListView(CapabilityRequiredMixin, KeysetListMixin, TemplateView):
    capability = capabilities.sees_accounts
    scope_policy = SCOPED
    template_name = "accounts/users/list.html"
    context_object_name = "accounts"
    filterset_class = UserFilter
    sorts = user_sorts()
    default_sort = ""

    def base_queryset(self):
        return User.objects.visible_to(self.request.user)

    def prepare(self, queryset, sort):
        return queryset.select_related("region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["roles"] = REGION_ROLE_CHOICES
        context["sort_choices"] = [c for c in self.filterset.form.fields["sort"].choices if c[0]]
        context["within_picker"] = RegionPickerWidget(root=permissions.management_root(user)).render(
            "within", self.within, attrs={"id": "f-within"}
        )
        context["can_create"] = permissions.is_manager(user)
        context["can_issue"] = permissions.can_issue_accounts(user)
        return context


class UserExportView(ListExportView):
    """Start a background export of the filtered accounts (accounts/tables.py)."""

    capability = capabilities.sees_accounts
    table = "accounts"
    filterset_class = UserFilter
    list_url = "accounts:user-list"
    title = gettext_lazy("Export of accounts (%(format)s)")


def _password_page(request, template, context):
    """A page that shows an initial password: rendered once, never cached, never stored."""
    response = render(request, template, context)
    add_never_cache_headers(response)
    return response


class UserCreateView(CapabilityRequiredMixin, FormView):
    capability = capabilities.manages_accounts
    scope_policy = SCOPED
    template_name = "accounts/users/create.html"
    form_class = UserCreateForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user, password = services_users.create_user(
                data["username"],
                data["full_name"],
                data["role"],
                data["region"],
                data["phone"],
                actor=self.request.user,
            )
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
            return self.form_invalid(form)
        return _password_page(
            self.request, "accounts/users/password_once.html", {"account": user, "password": password, "created": True}
        )


class UserDetailView(CapabilityRequiredMixin, TargetMixin, TemplateView):
    capability = capabilities.sees_accounts
    scope_policy = SCOPED
    template_name = "accounts/users/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target = self.get_target()
        actor = self.request.user
        refusal = permissions.refusal_to_manage(actor, target)
        context["account"] = target
        context["can_manage"] = refusal is None
        context["manage_refusal"] = refusal if permissions.is_manager(actor) else ""
        if refusal is None:
            context["role_form"] = ChangeRoleForm(actor=actor, target=target)
        return context


class UserActionView(CapabilityRequiredMixin, TargetMixin, View):
    """Base for the POST-only actions on one account."""

    capability = capabilities.manages_accounts
    scope_policy = SCOPED

    def refused(self, exc):
        messages.error(self.request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        return redirect("accounts:user-detail", pk=self.get_target().pk)


class UserResetPasswordView(UserActionView):
    def post(self, request, pk):
        target = self.get_target()
        try:
            password = services_users.reset_password(target, actor=request.user)
        except PermissionDenied as exc:
            return self.refused(exc)
        return _password_page(
            request, "accounts/users/password_once.html", {"account": target, "password": password, "created": False}
        )


class UserSetActiveView(UserActionView):
    def post(self, request, pk):
        target = self.get_target()
        active = request.POST.get("active") == "1"
        try:
            services_users.set_active(target, active, actor=request.user)
        except PermissionDenied as exc:
            return self.refused(exc)
        if active:
            messages.success(request, _("The account %(username)s is enabled.") % {"username": target.username})
        else:
            messages.success(request, _("The account %(username)s is disabled.") % {"username": target.username})
        return redirect("accounts:user-detail", pk=target.pk)


class UserChangeRoleView(UserActionView):
    def post(self, request, pk):
        target = self.get_target()
        # The service states the specific reason for any role it refuses (including one not offered).
        try:
            services_users.change_role(target, request.POST.get("role", ""), actor=request.user)
        except PermissionDenied as exc:
            return self.refused(exc)
        messages.success(
            request,
            _("%(username)s now has the role “%(role)s”.")
            % {"username": target.username, "role": target.get_role_display()},
        )
        return redirect("accounts:user-detail", pk=target.pk)


class IssueAccountsView(CapabilityRequiredMixin, FormView):
    """Issue one account per region below (ministry and province administrators): preview, then start the job."""

    capability = capabilities.issues_accounts
    scope_policy = SCOPED

    template_name = "accounts/users/issue.html"
    form_class = IssueAccountsForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs

    def plan(self, root, levels, role):
        try:
            return services_users.plan_region_admins(root, levels, role, actor=self.request.user)
        except (PermissionDenied, ValidationError):
            return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "plan" not in context:
            form = context["form"]
            context["plan"] = self.plan(
                permissions.management_root(self.request.user), form.fields["levels"].initial, Role.ADMIN
            )
        plan = context["plan"]
        if plan is not None:
            counts = {}
            for region in plan.regions:
                counts[region.level] = counts.get(region.level, 0) + 1
            context["plan_counts"] = [(Level(level).label, count) for level, count in sorted(counts.items())]
            context["plan_examples"] = [
                (region, services_users.issued_username(plan.role, region.code)) for region in plan.regions[:5]
            ]
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if "preview" in request.POST:
            form.fields["confirm"].required = False
        if not form.is_valid():
            return self.form_invalid(form)
        data = form.cleaned_data
        root = form.root()
        plan = self.plan(root, data["levels"], data["role"])
        if "preview" in request.POST or plan is None:
            if plan is None:
                form.add_error(None, services_users.refusal_to_issue(root, data["role"], actor=request.user))
            return self.render_to_response(self.get_context_data(form=form, plan=plan))
        if not plan.regions:
            messages.info(request, _("Every region chosen already has an issued account; nothing to do."))
            return self.render_to_response(self.get_context_data(form=form, plan=plan))
        run = start_job(
            request.user,
            issue_accounts_job,
            kind="accounts.issue",
            title=gettext_lazy("Issue %(role)s accounts within %(region)s")
            % {"role": Role(data["role"]).label, "region": root},
            root=root.code,
            levels=[int(level) for level in data["levels"]],
            role=data["role"],
        )
        return redirect("core:task-detail", pk=run.pk)


def register_navigation():
    from shegong.core import navigation

    navigation.register(
        navigation.NavItem(
            key="users",
            label=gettext_lazy("Users"),
            url_name="accounts:user-list",
            order=700,
            visible=lambda user: user.is_authenticated and permissions.is_manager(user),
            group=navigation.ADMINISTRATION,
        )
    )
