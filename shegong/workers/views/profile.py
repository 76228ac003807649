"""A social worker's own personal information table, and the feedback about a certificate missing from the registry."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from shegong.core import capabilities
from shegong.core.keyset import Key, KeysetListView
from shegong.core.scoping import OwnViewMixin, ScopedViewMixin, get_visible_or_404
from shegong.workers import panels, queries, services
from shegong.workers.forms import FeedbackDecisionForm, FeedbackForm, ProfileForm
from shegong.workers.models import FeedbackStatus, RegistryFeedback
from shegong.workers.views.signup import add_service_errors


class ProfileEditView(OwnViewMixin, View):
    """个人信息表: the worker completes and updates their own record (locked while an application is past initial review)."""

    capability = capabilities.signed_in
    template_name = "workers/profile_form.html"

    def initial(self, person):
        return {
            "phone": person.phone,
            "email": person.email,
            "address": person.address,
            "education": person.education,
            "major": person.major,
            "employer_type": person.employer_type,
            "employer_organization": person.employer_organization_id,
            "employer_name": person.employer_name,
            "household_region": person.household_region_id or "",
            "region": person.region_id,
        }

    def render_form(self, request, person, form, status=200):
        context = {
            "person": person,
            "form": form,
            "lock": panels.edit_lock_reason(person),
            "missing": queries.missing_fields(person),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        person = queries.own_person_or_404(request.user)
        return self.render_form(request, person, ProfileForm(initial=self.initial(person), person=person))

    def post(self, request):
        person = queries.own_person_or_404(request.user)
        form = ProfileForm(request.POST, request.FILES, initial=self.initial(person), person=person)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if not data.get("photo"):
                data.pop("photo", None)
            try:
                services.update_person(person, **data, actor=request.user, own=True)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your information is saved."))
                return redirect("workers:me")
        return self.render_form(request, person, form, status=400)


class FeedbackCreateView(OwnViewMixin, View):
    """反馈: the holder's certificate is not in the registry; the civil affairs bureau checks and adds it."""

    capability = capabilities.signed_in
    template_name = "workers/feedback_form.html"

    def get(self, request):
        person = queries.own_person_or_404(request.user)
        feedback = RegistryFeedback.objects.visible_to(request.user).order_by("-created_at")
        return render(request, self.template_name, {"person": person, "form": FeedbackForm(), "feedback": feedback})

    def post(self, request):
        person = queries.own_person_or_404(request.user)
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                services.file_feedback(**form.cleaned_data, actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Your feedback was sent to the civil affairs bureau of %(region)s.") % {"region": person.region},
                )
                return redirect("workers:feedback-new")
        feedback = RegistryFeedback.objects.visible_to(request.user).order_by("-created_at")
        return render(request, self.template_name, {"person": person, "form": form, "feedback": feedback}, status=400)


class FeedbackListView(KeysetListView):
    """Officials: holders' feedback waiting in their subtree, oldest first."""

    capability = capabilities.signed_in  # officials' feedback; empty for everyone else
    model = RegistryFeedback
    template_name = "workers/feedback_list.html"
    context_object_name = "feedback"
    keys = (Key("created_at"), Key("pk"))

    def get_queryset(self):
        if not capabilities.is_official(self.request.user):
            return RegistryFeedback.objects.none()
        return super().get_queryset().filter(status=FeedbackStatus.OPEN).select_related("person", "person__region")


class FeedbackDecideView(ScopedViewMixin, View):
    capability = capabilities.signed_in
    template_name = "workers/feedback_detail.html"

    def get_feedback(self, request, pk):
        return get_visible_or_404(
            RegistryFeedback.objects.select_related("person", "person__region"), request.user, pk=pk
        )

    def context(self, request, feedback, form=None):
        return {
            "item": feedback,
            "form": form or FeedbackDecisionForm(),
            "may_decide": feedback.status == FeedbackStatus.OPEN
            and RegistryFeedback.objects.editable_by(request.user).filter(pk=feedback.pk).exists(),
        }

    def get(self, request, pk):
        feedback = self.get_feedback(request, pk)
        return render(request, self.template_name, self.context(request, feedback))

    def post(self, request, pk):
        feedback = self.get_feedback(request, pk)
        form = FeedbackDecisionForm(request.POST)
        if form.is_valid():
            accept = request.POST.get("decision") == "accept"
            try:
                services.decide_feedback(
                    feedback,
                    actor=request.user,
                    accept=accept,
                    reason=form.cleaned_data["reason"],
                    issued_on=form.cleaned_data["issued_on"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The certificate was added.") if accept else _("The feedback was rejected.")
                )
                return redirect("workers:feedback-list")
        return render(request, self.template_name, self.context(request, feedback, form), status=400)
