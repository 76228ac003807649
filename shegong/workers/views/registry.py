"""The registry pages for officials and organizations: persons and certificates lists, a person's whole history, 核对."""

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from shegong.core import capabilities
from shegong.core.keyset import Key, KeysetListView
from shegong.core.scoping import ScopedViewMixin, get_visible_or_404
from shegong.organizations.models import Employment
from shegong.regions.forms import RegionPickerWidget
from shegong.workers import panels, queries, services
from shegong.workers.filters import CertificateFilter, PersonFilter
from shegong.workers.forms import CertificateCorrectionForm, CheckForm, TransferRequestForm
from shegong.workers.models import Certificate, CertificateLevel, EmployerType, Person
from shegong.workers.status import STATUS_BADGES, RegistrationStatus


class RegistryListView(KeysetListView):
    """A keyset-paginated, filtered list; subclasses name the model, the filter set and the sorts."""

    capability = capabilities.reads_registry
    export_table = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            {
                "levels": CertificateLevel.choices,
                "statuses": RegistrationStatus.choices,
                "employer_types": EmployerType.choices,
                "badges": STATUS_BADGES,
                "export_table": self.export_table,
                "is_official": getattr(user, "is_official", False),
            }
        )
        if getattr(user, "is_official", False):
            context["within_picker"] = RegionPickerWidget(root=user.region).render(
                "within", self.within, attrs={"id": "f-within"}
            )
        return context


class PersonListView(RegistryListView):
    model = Person
    template_name = "workers/person_list.html"
    filterset_class = PersonFilter
    export_table = "workers"
    default_sort = "name"
    sorts = {
        "name": (gettext_lazy("Name"), [Key("name"), Key("pk")]),
        "region": (gettext_lazy("Region, then name"), [Key("region_id"), Key("name"), Key("pk")]),
        "-updated": (gettext_lazy("Recently changed first"), [Key("updated_at", True), Key("pk", True)]),
        "expiry": (
            gettext_lazy("Registration expiry, earliest first (registered only)"),
            [Key("registration_valid_to"), Key("pk")],
        ),
    }

    def prepare(self, queryset, sort):
        queryset = queryset.select_related("region", "employer_organization")
        if sort == "expiry":
            queryset = queryset.filter(registration_valid_to__isnull=False)
        return queryset


class CertificateListView(RegistryListView):
    model = Certificate
    template_name = "workers/certificate_list.html"
    filterset_class = CertificateFilter
    export_table = "certificates"
    default_sort = "management_no"
    sorts = {
        "management_no": (gettext_lazy("Management number"), [Key("management_no"), Key("pk")]),
        "-exam_year": (gettext_lazy("Exam year, latest first"), [Key("exam_year", True), Key("pk", True)]),
        "expiry": (
            gettext_lazy("Registration expiry, earliest first (registered only)"),
            [Key("registration_valid_to"), Key("pk")],
        ),
    }

    def prepare(self, queryset, sort):
        queryset = queryset.select_related("person", "person__region")
        if sort == "expiry":
            queryset = queryset.filter(registration_valid_to__isnull=False)
        return queryset


class PersonDetailView(ScopedViewMixin, TemplateView):
    """A person's whole history on one screen: record, certificates, employment, panels of other apps, changes."""

    capability = capabilities.signed_in  # a person in the user's scope (404 otherwise), the holder included
    template_name = "workers/person_detail.html"

    def get_person(self):
        return get_visible_or_404(
            Person.objects.select_related("region", "household_region", "employer_organization", "checked_by"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        person = kwargs.get("person") or self.get_person()
        self.request.person_page = "official"
        may_edit = Person.objects.editable_by(user).filter(pk=person.pk).exists()
        context.update(
            {
                "person": person,
                "status": person.registration_status,
                "badges": STATUS_BADGES,
                # Related sets through the rule too: an organization sees its own employment of the
                # person, not the other organizations they worked for.
                "certificates": Certificate.objects.visible_to(user).filter(person=person).order_by("-exam_year", "pk"),
                "employments": Employment.objects.visible_to(user).filter(person=person).select_related("organization"),
                "panels": panels.person_panels(self.request, person),
                "changes": [(event, change_rows(event)) for event in queries.person_changes(person)]
                if capabilities.is_official(user)
                else [],
                "may_edit": may_edit,
                "may_correct": may_edit and capabilities.checks_records(user),
                "may_reveal": capabilities.may_reveal_id(user),
                "missing": queries.missing_fields(person),
            }
        )
        return context

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(**kwargs))


def change_rows(event):
    """An audit event's changes as (label, text) pairs for people, in words (core.audit.words): the
    field's name, choices' labels, related objects' and regions' names, old → new."""
    from shegong.core.audit import words

    fields, others = words.describe_changes(event.changes or {}, event.object_type)
    rows = [(row["label"], f"{row['before'] or words.EMPTY} → {row['after'] or words.EMPTY}") for row in fields]
    return rows + list(others)


class PersonRevealView(ScopedViewMixin, View):
    """An official shows a full ID number (audited)."""

    # May_reveal_id decides on the person (403), after the 404 for persons out of scope
    capability = capabilities.signed_in

    def post(self, request, pk):
        person = get_visible_or_404(Person.objects.all(), request.user, pk=pk)
        number = services.reveal_id_number(person, actor=request.user)
        view = PersonDetailView()
        view.setup(request, pk=pk)
        context = view.get_context_data(pk=pk, person=person)
        context["revealed_id_number"] = number
        return render(request, view.template_name, context)


class PersonPhotoView(ScopedViewMixin, View):
    """The person's ID photo, for whoever may see the person (and the person themselves)."""

    capability = capabilities.signed_in

    def get(self, request, pk):
        person = get_visible_or_404(Person.objects.all(), request.user, pk=pk)
        if not person.photo:
            raise Http404
        content_type = mimetypes.guess_type(person.photo.name)[0] or "application/octet-stream"
        response = FileResponse(person.photo.open("rb"), content_type=content_type)
        response["Cache-Control"] = "no-store"  # a personal photo: never kept in a cache
        return response


# --- 核对 ----------------------------------------------------------------------------------------------------


class CheckingListView(RegistryListView):
    """Holder records of the official's region still to be checked, and the share checked per child region."""

    capability = capabilities.is_civil_affairs
    permission_denied_message = gettext_lazy("Checking is done by civil affairs officials.")
    model = Person
    template_name = "workers/checking_list.html"
    filterset_class = PersonFilter
    default_sort = "region"
    sorts = PersonListView.sorts

    def base_queryset(self):
        return super().base_queryset().filter(checked=False)

    def prepare(self, queryset, sort):
        return queryset.select_related("region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["shares"] = queries.checked_share_by_region(self.request.user)
        context["may_check"] = capabilities.checks_records(self.request.user)
        return context


class PersonCheckView(ScopedViewMixin, View):
    """Confirm (and if need be correct) one holder record; the reason is mandatory and audited."""

    capability = capabilities.signed_in  # checks_records and the edit scope decide on the person (403), after the 404
    template_name = "workers/person_check.html"

    def get_person(self, request, pk):
        person = get_visible_or_404(Person.objects.select_related("region"), request.user, pk=pk)
        may_edit = Person.objects.editable_by(request.user).filter(pk=person.pk).exists()
        if not may_edit or not capabilities.checks_records(request.user):
            raise PermissionDenied(_("You cannot check this person's record."))
        return person

    def initial(self, person):
        return {"name": person.name, "phone": person.phone, "region": person.region_id}

    def get(self, request, pk):
        person = self.get_person(request, pk)
        form = CheckForm(initial=self.initial(person), root=request.user.region)
        return render(request, self.template_name, {"person": person, "form": form})

    def post(self, request, pk):
        person = self.get_person(request, pk)
        form = CheckForm(request.POST, root=request.user.region)
        if form.is_valid():
            data = form.cleaned_data
            corrections = {}
            if data["name"] != person.name:
                corrections["name"] = data["name"]
            if data["id_number"]:
                corrections["id_number"] = data["id_number"]
            if (data["phone"] or "") != (person.phone or ""):
                corrections["phone"] = data["phone"]
            if data["region"].code != person.region_id:
                corrections["region"] = data["region"]
            try:
                services.confirm_checked(person, data["reason"], **corrections, actor=request.user)
            except ValidationError as exc:
                from shegong.workers.views.signup import add_service_errors

                add_service_errors(form, exc)
            else:
                messages.success(request, _("The record of %(name)s is checked.") % {"name": data["name"]})
                return redirect("workers:checking")
        return render(request, self.template_name, {"person": person, "form": form}, status=400)


class CertificateCorrectView(ScopedViewMixin, View):
    """Correct a certificate's level and date of issue (audited); what it would break is shown first, to confirm."""

    capability = capabilities.checks_records  # and the person in the edit scope (404 outside the view scope, 403)
    template_name = "workers/certificate_correct.html"

    def get_certificate(self, request, pk):
        certificate = get_visible_or_404(
            Certificate.objects.select_related("person", "person__region"), request.user, pk=pk
        )
        if not Person.objects.editable_by(request.user).filter(pk=certificate.person_id).exists():
            raise PermissionDenied(_("You cannot correct this person's certificates."))
        return certificate

    def render_form(self, request, certificate, form, warnings=(), status=200):
        context = {"certificate": certificate, "person": certificate.person, "form": form, "warnings": list(warnings)}
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        certificate = self.get_certificate(request, pk)
        form = CertificateCorrectionForm(initial={"level": certificate.level, "issued_on": certificate.issued_on})
        return self.render_form(request, certificate, form)

    def post(self, request, pk):
        certificate = self.get_certificate(request, pk)
        form = CertificateCorrectionForm(request.POST)
        if not form.is_valid():
            return self.render_form(request, certificate, form, status=400)
        data = form.cleaned_data
        warnings = panels.certificate_warnings(certificate, level=data["level"], issued_on=data["issued_on"])
        if warnings and not data["confirmed"]:
            # Confirm step: the same values again, with what they would break; nothing is saved yet.
            values = request.POST.copy()
            values["confirmed"] = "True"
            return self.render_form(request, certificate, CertificateCorrectionForm(values), warnings)
        try:
            services.correct_certificate(
                certificate, actor=request.user, level=data["level"], issued_on=data["issued_on"], reason=data["reason"]
            )
        except ValidationError as exc:
            from shegong.workers.views.signup import add_service_errors

            add_service_errors(form, exc)
            return self.render_form(request, certificate, form, status=400)
        messages.success(request, _("The certificate %(number)s is corrected.") % {"number": certificate.management_no})
        return redirect(certificate.person)


class TransferRequestView(ScopedViewMixin, View):
    """Ask for the transfer of a person registered by another region (found by ID number and name, region never named)."""

    capability = capabilities.administers_region
    template_name = "workers/transfer_form.html"

    def get(self, request):
        initial = {"id_number": request.GET.get("id_number", "")[:40]}
        return render(
            request, self.template_name, {"form": TransferRequestForm(initial=initial, root=request.user.region)}
        )

    def post(self, request):
        form = TransferRequestForm(request.POST, root=request.user.region)
        if form.is_valid():
            data = form.cleaned_data
            person = queries.find_person_by_id_number(data["id_number"])
            if person is None or not queries.names_match(person.name, data["name"]):
                # One answer for an unknown number and a wrong name: nothing to learn about the registry.
                form.add_error(None, _("No social worker with this ID number and name is registered elsewhere."))
            else:
                try:
                    application = services.request_transfer(
                        person, actor=request.user, to_region=data["to_region"], reason=data["reason"]
                    )
                except ValidationError as exc:
                    from shegong.workers.views.signup import add_service_errors

                    add_service_errors(form, exc)
                else:
                    messages.success(
                        request,
                        _("The transfer request is sent. The region that holds the record reviews it first."),
                    )
                    return redirect(application.get_absolute_url())
        return render(request, self.template_name, {"form": form}, status=400)
