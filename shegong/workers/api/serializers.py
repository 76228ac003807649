from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shegong.core.serializers import MaskedIdField

from ..models import Certificate, Person
from ..status import RegistrationStatus, status_of


@extend_schema_field(serializers.ChoiceField(choices=RegistrationStatus.choices))
class RegistrationStatusField(serializers.Field):
    """THE registration status (workers.status), derived from the row's stored state and expiry."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return status_of(obj).value


class CertificateBriefSerializer(serializers.ModelSerializer):
    registration_status = RegistrationStatusField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "level",
            "management_no",
            "exam_year",
            "issued_on",
            "registration_status",
            "registration_valid_to",
        ]


class PersonSerializer(serializers.ModelSerializer):
    id_number = MaskedIdField(source="id_encrypted")
    region = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True)
    household_region = serializers.CharField(source="household_region_id", read_only=True, allow_null=True)
    employer = serializers.CharField(source="employer_display", read_only=True)
    registration_status = RegistrationStatusField()
    certificates = CertificateBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number",
            "id_kind",
            "sex",
            "birth_date",
            "region",
            "region_name",
            "household_region",
            "education",
            "employer_type",
            "employer_organization",
            "employer",
            "registration_status",
            "registration_valid_to",
            "checked",
            "certificates",
            "updated_at",
        ]
        read_only_fields = fields


class CertificateSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    id_number = MaskedIdField(source="person.id_encrypted")
    region = serializers.CharField(source="person.region_id", read_only=True)
    registration_status = RegistrationStatusField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_level_name(self, obj):
        return obj.get_level_display()

    level_name = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "person",
            "person_name",
            "id_number",
            "region",
            "level",
            "level_name",
            "management_no",
            "exam_year",
            "issued_on",
            "registration_status",
            "registration_valid_to",
        ]
        read_only_fields = fields
