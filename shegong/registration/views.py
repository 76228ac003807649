"""Registration pages: the social worker's portal and applications, the e-certificate, revocation, the public check."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from shegong.accounts.security import client_ip
from shegong.core import capabilities
from shegong.core import workflow as wf
from shegong.core.scoping import OwnViewMixin, PublicViewMixin, ScopedViewMixin, get_visible_or_404
from shegong.registration import queries
from shegong.workers.models import Person
from shegong.workers.queries import own_person_or_404
from shegong.workers.status import STATUS_BADGES, RegistrationStatus, in_window, status_of, window_opens_on
from shegong.workers.views.signup import add_service_errors

from . import eligibility, public, services
from .forms import ApplyForm, PublicCheckForm, RequestEditForm, RevokeForm
from .models import Registration, RegistrationKind, RegistrationRequest, RowStatus
from .progress import progress_of

OFFERED = {
    RegistrationKind.FIRST: {
        RegistrationStatus.NOT_REGISTERED,
        RegistrationStatus.LAPSED,
        RegistrationStatus.CANCELLED,
    },
    RegistrationKind.RENEWAL: {RegistrationStatus.EXPIRING},
    RegistrationKind.CHANGE: {RegistrationStatus.REGISTERED, RegistrationStatus.EXPIRING},
    RegistrationKind.CANCELLATION: {RegistrationStatus.REGISTERED, RegistrationStatus.EXPIRING},
}


def check_url(request, registration):
    return request.build_absolute_uri(reverse("registration:verify", args=[public.token_for(registration)]))


# --- the social worker's portal ---------------------------------------------------------------------------


class MyRegistrationView(OwnViewMixin, TemplateView):
    """我的登记: my certificates with their status, what I can apply for, my applications, my e-certificates."""

    capability = capabilities.signed_in
    template_name = "registration/mine.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        person = Person.objects.visible_to(user).filter(pk=getattr(user, "person_id", None)).first()
        context["person"] = person
        if person is None:
            return context
        rows = []
        for certificate in person.certificates.visible_to(user).order_by("-exam_year", "pk"):
            status = status_of(certificate)
            current = queries.in_force_registration(certificate)
            open_request = queries.open_request(certificate)
            offers = [kind for kind, statuses in OFFERED.items() if status in statuses] if open_request is None else []
            note = ""
            if status == RegistrationStatus.REGISTERED and current is not None and not in_window(current.valid_to):
                note = _("Re-registration opens on %(date)s.") % {
                    "date": f"{window_opens_on(current.valid_to):%Y-%m-%d}"
                }
            rows.append(
                {
                    "certificate": certificate,
                    "status": status,
                    "current": current if current and queries.current_for_certificate(current) else None,
                    "open_request": open_request,
                    "offers": [(kind, RegistrationKind(kind).label) for kind in offers],
                    "note": note,
                }
            )
        requests = (
            RegistrationRequest.objects.visible_to(user)
            .filter(person=person)
            .select_related("application", "certificate", "registration")
            .order_by("-created_at")
        )
        context.update(
            {
                "rows": rows,
                "badges": STATUS_BADGES,
                "requests": [(request, progress_of(request)[1]) for request in requests],
                "registrations": Registration.objects.visible_to(user)
                .filter(person=person)
                .select_related("certificate")
                .order_by("-id"),
            }
        )
        return context


class ApplyView(OwnViewMixin, View):
    """Apply for a registration of one of my certificates; the eligibility checks are shown before submitting."""

    capability = capabilities.signed_in
    template_name = "registration/apply.html"

    def setup_view(self, request, kind):
        if kind not in services.FLOW_KEYS:
            raise Http404
        person = own_person_or_404(request.user)
        certificates = person.certificates.visible_to(request.user).order_by("-exam_year", "pk")
        return person, certificates

    def preview(self, request, kind, certificate):
        if certificate is None:
            return []
        try:
            draft = services.build_request(actor=request.user, kind=kind, certificate=certificate, declared=True)
        except (ValidationError, PermissionDenied):
            return []
        return [check for check in eligibility.evaluate(draft) if check.label != str(_("Declaration accepted"))]

    def render_page(self, request, kind, person, form, certificate, status=200):
        context = {
            "kind": kind,
            "kind_label": RegistrationKind(kind).label,
            "person": person,
            "form": form,
            "checks": self.preview(request, kind, certificate),
            "certificate": certificate,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, kind):
        person, certificates = self.setup_view(request, kind)
        chosen = certificates.filter(pk=request.GET.get("certificate") or 0).first() or certificates.first()
        form = ApplyForm(kind=kind, person=person, certificates=certificates, initial={"certificate": chosen})
        return self.render_page(request, kind, person, form, chosen)

    def post(self, request, kind):
        person, certificates = self.setup_view(request, kind)
        form = ApplyForm(request.POST, kind=kind, person=person, certificates=certificates)
        certificate = None
        if form.is_valid():
            data = form.cleaned_data
            certificate = data["certificate"]
            try:
                created = services.apply(
                    actor=request.user,
                    kind=kind,
                    certificate=certificate,
                    place=data["place"],
                    declared=data["declaration"],
                    changes=form.change_values(),
                    reason=data.get("reason", ""),
                )
            except services.IneligibleError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except wf.WorkflowError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your application was submitted."))
                return redirect(created.application)
        else:
            certificate = certificates.filter(pk=request.POST.get("certificate") or 0).first()
        return self.render_page(request, kind, person, form, certificate, status=400)


class RequestEditView(OwnViewMixin, View):
    """The applicant corrects their application (before initial review passes, or when it was returned)."""

    capability = capabilities.signed_in
    template_name = "registration/request_edit.html"

    def get_request(self, request, pk):
        item = (
            RegistrationRequest.objects.visible_to(request.user)
            .filter(pk=pk, applicant=request.user)
            .select_related("application", "person", "certificate", "person__region", "person__household_region")
            .first()
        )
        if item is None:
            raise Http404
        return item

    def initial(self, item):
        initial = {"place": item.place, "reason": item.reason, "declaration": item.declared_at is not None}
        initial.update(item.changes or {})
        return initial

    def render_page(self, request, item, form, status=200):
        application = item.application
        may_edit = wf.flow_for(application).applicant_may_edit(application)
        context = {
            "item": item,
            "form": form,
            "may_edit": may_edit,
            "returned": application.state == wf.State.RETURNED,
            "checks": eligibility.evaluate(item),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        item = self.get_request(request, pk)
        form = RequestEditForm(initial=self.initial(item), kind=item.kind, person=item.person)
        return self.render_page(request, item, form)

    def post(self, request, pk):
        item = self.get_request(request, pk)
        form = RequestEditForm(request.POST, kind=item.kind, person=item.person)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_request(
                    item,
                    actor=request.user,
                    place=data["place"],
                    declared=data["declaration"],
                    changes=form.change_values(),
                    reason=data.get("reason"),
                )
                if request.POST.get("resubmit") and item.application.state == wf.State.RETURNED:
                    services.resubmit(item, actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except wf.WorkflowError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your application is saved."))
                return redirect(item.application)
        return self.render_page(request, item, form, status=400)


def application_context(application, request):
    """Context for registration/_application.html on the review engine's application page."""
    item = (
        RegistrationRequest.objects.unscoped("the request of an application the user may see")
        .filter(application=application)
        .select_related("person", "certificate", "previous", "registration", "region")
        .first()
    )
    if item is None:
        return {}
    user = request.user
    registration = item.registration
    # The applicant's ID photo, for whoever may see the person (a reviewer of the application's region
    # does): the photo view applies the same rule (workers PersonPhotoView).
    sees_person = Person.objects.visible_to(user).filter(pk=item.person_id).exists()
    return {
        "registration_request": item,
        "photo_url": reverse("workers:person-photo", args=[item.person_id])
        if sees_person and item.person.photo
        else "",
        "registration_progress": progress_of(item)[1],
        "registration_checks": eligibility.evaluate(item) if application.state != wf.State.APPROVED else [],
        "person_url": item.person.get_absolute_url()
        if Person.objects.visible_to(user).filter(pk=item.person_id).exists() and capabilities.is_official(user)
        else "",
        "certificate_url": reverse("registration:certificate", args=[registration.pk])
        if registration is not None
        and queries.may_download(user, registration)
        and queries.current_for_certificate(registration)
        else "",
    }


# --- the e-certificate and revocation ---------------------------------------------------------------------


class CertificateDownloadView(ScopedViewMixin, View):
    """The e-certificate PDF: the holder downloads it, administrators reprint it; each download is audited."""

    capability = capabilities.signed_in

    def get(self, request, pk):
        registration = get_visible_or_404(
            Registration.objects.select_related("person", "certificate", "authority_region"), request.user, pk=pk
        )
        try:
            content = services.certificate_pdf(registration, check_url(request, registration), actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("registration:mine" if capabilities.is_social_worker(request.user) else registration.person)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="registration-{registration.number}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


class RevokeView(ScopedViewMixin, View):
    capability = capabilities.signed_in  # revokes_registrations decides (403), after the 404 for rows out of scope
    template_name = "registration/revoke.html"

    def get_registration(self, request, pk):
        registration = get_visible_or_404(
            Registration.objects.select_related("person", "certificate"), request.user, pk=pk
        )
        if not capabilities.revokes_registrations(request.user):
            raise PermissionDenied(capabilities.revokes_registrations.denied)
        return registration

    def get(self, request, pk):
        registration = self.get_registration(request, pk)
        return render(request, self.template_name, {"registration": registration, "form": RevokeForm()})

    def post(self, request, pk):
        registration = self.get_registration(request, pk)
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                services.revoke(registration, form.cleaned_data["reason"], actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The registration %(number)s is revoked.") % {"number": registration.number}
                )
                return redirect(registration.person)
        return render(request, self.template_name, {"registration": registration, "form": form}, status=400)


# --- the public check -------------------------------------------------------------------------------------


def limited_response(request, seconds):
    minutes = max(1, (seconds + 59) // 60)
    context = {
        "form": PublicCheckForm(),
        "limited": _("Too many checks from your address. Try again in %(minutes)s minutes.") % {"minutes": minutes},
    }
    response = render(request, "registration/public_check.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


class PublicCheckView(PublicViewMixin, View):
    """登记查询: anyone checks a registration by number and name; minimal answer, rate-limited per address."""

    capability = capabilities.public
    template_name = "registration/public_check.html"

    def get(self, request):
        return render(request, self.template_name, {"form": PublicCheckForm()})

    def post(self, request):
        form = PublicCheckForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        allowed, seconds = public.allow(client_ip(request))
        if not allowed:
            return limited_response(request, seconds)
        registration = public.find(form.cleaned_data["number"], form.cleaned_data["name"])
        context = {"form": form, "searched": True, "answer": public.answer(registration) if registration else None}
        return render(request, self.template_name, context)


class PublicVerifyView(PublicViewMixin, View):
    """The page the e-certificate's QR code opens (a signed link: no name needed, nothing to enumerate)."""

    capability = capabilities.public
    template_name = "registration/public_check.html"

    def get(self, request, token):
        allowed, seconds = public.allow(client_ip(request), link=True)  # its own, higher limit
        if not allowed:
            return limited_response(request, seconds)
        registration = public.find_by_token(token)
        context = {"form": PublicCheckForm(), "searched": True, "verified": True}
        context["answer"] = public.answer(registration) if registration else None
        return render(request, self.template_name, context)


def registration_row_context(user, registration):
    """What the registrations panel offers for one row."""
    current = registration.status == RowStatus.REGISTERED and queries.current_for_certificate(registration)
    return {
        "row": registration,
        "download": current and queries.may_download(user, registration) is not None,
        "revoke": registration.status == RowStatus.REGISTERED
        and capabilities.revokes_registrations(user, max_level=services.conf.revoke_level()),
    }
