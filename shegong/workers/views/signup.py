from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from shegong.core import capabilities
from shegong.core.keyset import Key, KeysetListView
from shegong.core.scoping import OwnViewMixin, PublicViewMixin, ScopedViewMixin, get_visible_or_404
from shegong.workers import queries, services
from shegong.workers.forms import ConfirmSignupForm, RejectSignupForm, SignupForm
from shegong.workers.models import Person, SignupStatus, WorkerSignup

SESSION_OUTCOME = "workers:signup-outcome"
# Service error keys -> sign-up form fields.
SIGNUP_FIELDS = {"password": "password1"}


def add_service_errors(form, exc, renames=None):
    """Attach a service's ValidationError to the form fields it names (the rest to the form)."""
    renames = renames or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        field = renames.get(key, key)
        form.add_error(field if field in form.fields else None, errors)


class SignupView(PublicViewMixin, FormView):
    """Public sign-up of a social worker (no personal data shown; captcha against automation)."""

    capability = capabilities.public
    template_name = "workers/signup.html"
    form_class = SignupForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            messages.info(request, _("You are signed in already."))
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            outcome = services.sign_up_worker(
                data["name"], data["id_number"], data["phone"], data["password1"], claimed_region=data["region"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc, SIGNUP_FIELDS)
            return self.form_invalid(form)
        self.request.session[SESSION_OUTCOME] = {
            "matched": outcome.matched,
            "phone": outcome.user.username,
            "region": str(outcome.signup.claimed_region) if outcome.signup else "",
        }
        return redirect("workers:signup-done")


class SignupDoneView(PublicViewMixin, TemplateView):
    capability = capabilities.public
    template_name = "workers/signup_done.html"

    def get(self, request, *args, **kwargs):
        outcome = request.session.get(SESSION_OUTCOME)
        if outcome is None:
            return redirect("workers:signup")
        return self.render_to_response(self.get_context_data(outcome=outcome))


class PendingSignupListView(KeysetListView):
    """Sign-ups waiting for confirmation in the official's subtree, oldest first."""

    capability = capabilities.signed_in  # officials' sign-ups; empty for everyone else
    model = WorkerSignup
    template_name = "workers/signup_list.html"
    context_object_name = "signups"
    keys = (Key("created_at"), Key("pk"))

    def get_queryset(self):
        return queries.pending_worker_signups_for(self.request.user)


class SignupDetailView(ScopedViewMixin, DetailView):
    capability = capabilities.signed_in
    model = WorkerSignup
    template_name = "workers/signup_detail.html"
    context_object_name = "signup"

    def get_queryset(self):
        return super().get_queryset().select_related("claimed_region", "registry_person", "decided_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        signup = self.object
        can_decide = (
            signup.status == SignupStatus.PENDING
            and WorkerSignup.objects.editable_by(self.request.user).filter(pk=signup.pk).exists()
        )
        context["can_decide"] = can_decide
        if can_decide:
            context.setdefault(
                "confirm_form",
                ConfirmSignupForm(root=self.request.user.region, initial={"region": signup.claimed_region_id}),
            )
            context.setdefault("reject_form", RejectSignupForm())
        return context


class _DecideView(ScopedViewMixin, View):
    capability = capabilities.signed_in  # the sign-up must be editable by the user (403), after the 404
    model = WorkerSignup

    def get_signup(self, pk):
        signup = get_visible_or_404(WorkerSignup.objects, self.request.user, pk=pk)
        if not WorkerSignup.objects.editable_by(self.request.user).filter(pk=signup.pk).exists():
            raise PermissionDenied(_("You cannot decide on this sign-up."))
        return signup

    def rerender(self, signup, **forms):
        view = SignupDetailView()
        view.setup(self.request, pk=signup.pk)
        view.object = signup
        context = view.get_context_data(object=signup, **forms)
        return render(self.request, SignupDetailView.template_name, context, status=400)

    def decided(self, signup, message):
        messages.success(self.request, message)
        return redirect("workers:signup-list")


class ConfirmSignupView(_DecideView):
    def post(self, request, pk):
        signup = self.get_signup(pk)
        form = ConfirmSignupForm(request.POST, root=request.user.region)
        if form.is_valid():
            try:
                services.confirm_worker_signup(signup, form.cleaned_data["region"], actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return self.decided(signup, _("The sign-up of %(name)s is confirmed.") % {"name": signup.name})
        return self.rerender(signup, confirm_form=form)


class RejectSignupView(_DecideView):
    def post(self, request, pk):
        signup = self.get_signup(pk)
        form = RejectSignupForm(request.POST)
        if form.is_valid():
            try:
                services.reject_worker_signup(signup, form.cleaned_data["reason"], actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return self.decided(signup, _("The sign-up of %(name)s is rejected.") % {"name": signup.name})
        return self.rerender(signup, reject_form=form)


class MyRecordView(OwnViewMixin, TemplateView):
    """A signed-in social worker's own registry record (ID number masked)."""

    capability = capabilities.signed_in
    template_name = "workers/my_record.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        person = (
            Person.objects.visible_to(user)
            .filter(pk=user.person_id)
            .select_related("region", "household_region", "employer_organization")
            .first()
        )
        context["person"] = person
        context["certificates"] = person.certificates.visible_to(user) if person else []
        if person is not None:
            from shegong.workers import panels
            from shegong.workers.status import STATUS_BADGES

            self.request.person_page = "own"
            context.update(
                {
                    "status": person.registration_status,
                    "badges": STATUS_BADGES,
                    "panels": panels.person_panels(self.request, person),
                    "missing": queries.missing_fields(person),
                    "lock": panels.edit_lock_reason(person),
                }
            )
        context["signup"] = (
            WorkerSignup.objects.visible_to(user).filter(user=user).select_related("claimed_region").first()
        )
        return context


class RevealMyIdView(OwnViewMixin, View):
    """Show the signed-in worker their own full ID number (audited)."""

    capability = capabilities.signed_in  # one's own person (404 without one); may_reveal_id decides

    def post(self, request):
        user = request.user
        person = Person.objects.visible_to(user).filter(pk=user.person_id).first()
        if person is None:
            raise Http404
        number = services.reveal_id_number(person, actor=user)
        view = MyRecordView()
        view.setup(request)
        context = view.get_context_data(revealed_id_number=number)
        return render(request, MyRecordView.template_name, context)
