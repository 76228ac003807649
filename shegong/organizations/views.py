from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, TemplateView

from shegong.core import capabilities
from shegong.core import workflow as wf
from shegong.core.keyset import Key, KeysetListView
from shegong.core.scoping import OwnViewMixin, PublicViewMixin, ScopedViewMixin

from . import services
from .filters import OrganizationFilter
from .forms import OrganizationFieldsForm, SignupForm
from .models import Organization, OrganizationStatus


def membership_of(user):
    return getattr(user, "membership", None) if getattr(user, "is_authenticated", False) else None


class ActiveOrganizationRequiredMixin:
    """For organization business pages: an organization awaiting approval sees "waiting for approval" instead."""

    def dispatch(self, request, *args, **kwargs):
        membership = membership_of(request.user)
        if membership is not None and membership.organization.status != OrganizationStatus.ACTIVE:
            return redirect("organizations:mine")
        return super().dispatch(request, *args, **kwargs)


# --- sign-up (public) ------------------------------------------------------------------------
class SignupView(PublicViewMixin, FormView):
    capability = capabilities.public
    template_name = "organizations/signup.html"
    form_class = SignupForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            messages.info(request, _("Sign out first to register a new organization account."))
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        services.sign_up(
            credit_code=data["credit_code"],
            name=data["name"],
            kind=data["kind"],
            region=data["region"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            address=data["address"],
            username=data["username"],
            password=data["password1"],
            credit_code_warning=form.warning_text,
        )
        self.request.session["organization_signup"] = {"name": data["name"], "region": str(data["region"])}
        return redirect("organizations:signup-done")


class SignupDoneView(PublicViewMixin, TemplateView):
    capability = capabilities.public
    template_name = "organizations/signup_done.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["signup"] = self.request.session.pop("organization_signup", None)
        return context


# --- officials -------------------------------------------------------------------------------
class OrganizationListView(KeysetListView):
    capability = capabilities.signed_in
    model = Organization
    template_name = "organizations/organization_list.html"
    context_object_name = "organizations"
    filterset_class = OrganizationFilter
    keys = (Key("name"), Key("pk"))

    def get_queryset(self):
        return super().get_queryset().select_related("region")

    def get_context_data(self, **kwargs):
        from shegong.regions.forms import RegionPickerWidget

        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            {
                "kinds": Organization.Kind.choices,
                "statuses": Organization.Status.choices,
                "within_picker": RegionPickerWidget(root=user.region if user.is_official else None).render(
                    "within", self.within, attrs={"id": "f-within"}
                ),
            }
        )
        return context


class OrganizationDetailView(ScopedViewMixin, DetailView):
    capability = capabilities.signed_in
    model = Organization
    template_name = "organizations/organization_detail.html"
    context_object_name = "organization"

    def get_queryset(self):
        return super().get_queryset().select_related("region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = services.signup_application(self.object)
        # The application shares the organization's scope; show the link only if it is visible too.
        if (
            application is not None
            and not type(application).objects.visible_to(self.request.user).filter(pk=application.pk).exists()
        ):
            application = None
        context["application"] = application
        context["members"] = self.object.memberships.visible_to(self.request.user).select_related("user").order_by("pk")
        return context


# --- the organization's own account -----------------------------------------------------------
class MyOrganizationView(OwnViewMixin, TemplateView):
    """The signed-in organization user's organization: its status, and while returned, the correction form."""

    capability = capabilities.signed_in  # an account without an organization is sent home with a message
    template_name = "organizations/mine.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and membership_of(request.user) is None:
            messages.info(request, _("Your account does not belong to an organization."))
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def organization(self):
        return membership_of(self.request.user).organization

    def correction_form(self, organization, application, data=None):
        if application is None or application.applicant_id != self.request.user.pk:
            return None
        if not wf.flow_for(application).applicant_may_edit(application):
            return None
        initial = {
            "kind": organization.kind,
            "credit_code": organization.credit_code,
            "name": organization.name,
            "region": organization.region_id,
            "address": organization.address,
            "contact_name": organization.contact_name,
            "contact_phone": organization.contact_phone,
        }
        form = OrganizationFieldsForm(data, initial=initial, instance=organization)
        form.fields["kind"].disabled = True  # the account's role follows the kind
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.organization()
        application = services.signup_application(organization)
        context.update(
            {
                "organization": organization,
                "application": application,
                "form": kwargs.get("form") or self.correction_form(organization, application),
                "returned_reason": (
                    application.decisions.visible_to(self.request.user)
                    .filter(action="return")
                    .order_by("-at", "-id")
                    .first()
                    if application is not None and application.state == "returned"
                    else None
                ),
                "rejected_reason": (
                    application.decisions.visible_to(self.request.user)
                    .filter(action="reject")
                    .order_by("-at", "-id")
                    .first()
                    if application is not None and application.state == "rejected"
                    else None
                ),
            }
        )
        return context

    def post(self, request):
        organization = self.organization()
        application = services.signup_application(organization)
        form = self.correction_form(organization, application, request.POST)
        if form is None:
            messages.error(request, _("The sign-up can be changed only while it is returned for revision."))
            return redirect("organizations:mine")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        try:
            services.update_pending_organization(
                organization,
                actor=request.user,
                credit_code=data["credit_code"],
                name=data["name"],
                region=data["region"],
                address=data["address"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                credit_code_warning=form.warning_text,
            )
        except wf.WorkflowError as exc:
            messages.error(request, exc.message)
            return redirect("organizations:mine")
        messages.success(request, _("Saved. Resubmit the sign-up when you are ready."))
        return redirect("organizations:mine")


is_organization_user = capabilities.acts_for_organization  # the menu's rule is the capability
