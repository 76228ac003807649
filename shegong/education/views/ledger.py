"""Pages of a social worker (own ledger, progress, declarations, statement) and the shared helpers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from shegong.core import capabilities, crypto
from shegong.core import workflow as wf
from shegong.core.audit import record
from shegong.core.roles import Role
from shegong.core.scoping import OwnViewMixin, ScopedViewMixin, get_visible_or_404
from shegong.education import actions, pdf
from shegong.education import queries as S
from shegong.education.forms import DeclarationForm
from shegong.education.models import Declaration, Enrolment, Evidence, StudyRecord
from shegong.education.services import declarations
from shegong.workers.models import Person
from shegong.workers.queries import own_person


def add_errors(form, exc):
    """Put a service's ValidationError on the form's fields (or at the top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def ledger_context(person, user):
    """Everything the ledger page shows about one person (the worker themself or an official)."""
    policy = S.policy_for(person)
    progress = S.progress(person, policy=policy)
    period = progress.period
    records = list(
        StudyRecord.objects.visible_to(user)
        .filter(person=person)
        .select_related("provider", "activity", "reviewer")
        .order_by("-occurred_on", "-pk")
    )
    for row in records:
        row.in_period = period is not None and period.contains(row.occurred_on)
    declarations_list = list(
        Declaration.objects.visible_to(user)
        .filter(person=person)
        .select_related("application")
        .order_by("-created_at")[:50]
    )
    enrolments = list(
        Enrolment.objects.visible_to(user)
        .filter(person=person)
        .select_related("activity", "activity__provider")
        .order_by("-activity__starts_at")[:50]
    )
    return {
        "person": person,
        "policy": policy,
        "progress": progress,
        "period": period,
        "records": records,
        "years": S.totals_by_year(person),
        "declarations": declarations_list,
        "enrolments": enrolments,
    }


class IndexView(OwnViewMixin, View):
    """/education/: each role's starting page."""

    capability = capabilities.signed_in

    def get(self, request):
        user = request.user
        if capabilities.is_social_worker(user):
            return redirect("education:me")
        if getattr(user, "role", None) == Role.PROVIDER:
            return redirect("education:provider-home")
        if capabilities.is_official(user):
            return redirect("education:compliance")
        return redirect("education:public-providers")


class MyLedgerView(OwnViewMixin, TemplateView):
    """The social worker's own ledger and progress in the current registration period."""

    capability = capabilities.signed_in
    template_name = "education/ledger.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = own_person(self.request.user)
        context["own"] = True
        if person is not None:
            context.update(ledger_context(person, self.request.user))
        return context


class PersonLedgerView(ScopedViewMixin, TemplateView):
    """An official's view of one person's ledger (reached from the compliance list)."""

    capability = capabilities.signed_in
    template_name = "education/ledger.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = get_visible_or_404(Person.objects.select_related("region"), self.request.user, pk=self.kwargs["pk"])
        context.update(ledger_context(person, self.request.user))
        context["own"] = False
        return context


class StatementView(OwnViewMixin, View):
    """The printable statement of hours (PDF) of the signed-in social worker."""

    capability = capabilities.signed_in

    def get(self, request):
        person = own_person(request.user)
        if person is None:
            raise Http404
        return statement_response(request.user, person)


class PersonStatementView(ScopedViewMixin, View):
    capability = capabilities.signed_in

    def get(self, request, pk):
        person = get_visible_or_404(Person.objects.select_related("region"), request.user, pk=pk)
        return statement_response(request.user, person)


def statement_response(user, person):
    policy = S.policy_for(person)
    progress = S.progress(person, policy=policy)
    records = []
    if progress.period is not None:
        records = list(
            StudyRecord.objects.unscoped("statement: every record of a person the user may see")
            .filter(person=person, occurred_on__gte=progress.period.start, occurred_on__lte=progress.period.end)
            .order_by("occurred_on", "pk")
        )
    number = crypto.decrypt(person.id_encrypted) if person.id_encrypted else None
    content = pdf.statement_pdf(
        person, progress=progress, records=records, years=S.totals_by_year(person), policy=policy, id_number=number
    )
    record(user, actions.STATEMENT, person, changes={"records": len(records)}, region_code=person.region_id)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="study-hours-{person.pk}.pdf"'
    return response


# --- declarations ------------------------------------------------------------------------------------
class DeclarationCreateView(OwnViewMixin, FormView):
    capability = capabilities.signed_in  # a worker without a registry record is sent home with a message
    template_name = "education/declaration_form.html"
    form_class = DeclarationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.person = own_person(request.user)
            if self.person is None:
                messages.error(
                    request, _("Study hours can be declared only by a social worker with a registry record.")
                )
                return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["policy"] = S.policy_for(self.person)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["policy"] = S.policy_for(self.person)
        context["progress"] = S.progress(self.person, policy=context["policy"])
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            declaration = declarations.declare(
                self.person,
                **{name: data.get(name) for name in declarations.DECLARATION_FIELDS},
                actor=self.request.user,
                files=data["files"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Your declaration was submitted for review."))
        return redirect(declaration.application)


class DeclarationDetailView(ScopedViewMixin, View):
    """A declaration is shown on its review application's page."""

    capability = capabilities.signed_in

    def get(self, request, pk):
        declaration = get_visible_or_404(Declaration.objects.select_related("application"), request.user, pk=pk)
        if declaration.application_id is None:
            raise Http404
        return redirect(declaration.application)


class DeclarationEditView(ScopedViewMixin, FormView):
    """The applicant corrects a returned declaration, then saves it or saves and resubmits it."""

    capability = capabilities.signed_in  # only the declaring worker (403), after the 404
    template_name = "education/declaration_form.html"
    form_class = DeclarationForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.declaration = get_visible_or_404(
            Declaration.objects.select_related("application", "person"), request.user, pk=kwargs["pk"]
        )
        application = self.declaration.application
        if self.declaration.applicant_id != request.user.pk:
            raise PermissionDenied(_("Only the social worker who declared it can change it."))
        if application is None or not wf.flow_for(application).applicant_may_edit(application):
            messages.error(request, _("The declaration can be changed only while it is returned for revision."))
            return redirect(application or "education:me")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        declaration = self.declaration
        return {name: getattr(declaration, name) for name in declarations.DECLARATION_FIELDS}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["policy"] = S.policy_for(self.declaration.person)
        kwargs["evidence"] = list(self.declaration.evidence.visible_to(self.request.user))
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.declaration.application
        context.update(
            {
                "declaration": self.declaration,
                "evidence": list(self.declaration.evidence.visible_to(self.request.user)),
                "editing": True,
                "returned_reason": application.decisions.visible_to(self.request.user)
                .filter(action="return")
                .order_by("-at", "-id")
                .first(),
                "policy": S.policy_for(self.declaration.person),
            }
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        fields = {name: data.get(name) for name in declarations.DECLARATION_FIELDS}
        try:
            declarations.update_declaration(
                self.declaration,
                **fields,
                actor=self.request.user,
                files=data["files"],
                remove=[int(pk) for pk in data.get("remove") or []],
            )
            if self.request.POST.get("resubmit"):
                declarations.resubmit(self.declaration, self.request.POST.get("opinion", ""), actor=self.request.user)
                messages.success(self.request, _("Your declaration was resubmitted for review."))
            else:
                messages.success(self.request, _("Saved. Resubmit the declaration when you are ready."))
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        except wf.WorkflowError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return redirect(self.declaration.application)


class EvidenceView(ScopedViewMixin, View):
    """Open an evidence file (the declaring worker, or officials of the person's region; audited)."""

    capability = capabilities.signed_in

    def get(self, request, pk):
        evidence = get_visible_or_404(Evidence.objects.select_related("declaration__person"), request.user, pk=pk)
        person = evidence.declaration.person
        if request.user.pk != evidence.declaration.applicant_id:
            record(
                request.user,
                actions.EVIDENCE_VIEW,
                evidence.declaration,
                changes={"file": evidence.name},
                region_code=person.region_id,
            )
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=evidence.content_type)
        response["Content-Disposition"] = (
            f'inline; filename="evidence-{evidence.pk}.{evidence.file.name.rsplit(".", 1)[-1]}"'
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
