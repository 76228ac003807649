from rest_framework import serializers

from shegong.core.serializers import MaskedIdField

from ..models import Registration


class RegistrationSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    id_number = MaskedIdField(source="person.id_encrypted")
    level = serializers.CharField(source="certificate.level", read_only=True)
    management_no = serializers.CharField(source="certificate.management_no", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    authority_region = serializers.CharField(source="authority_region_id", read_only=True)
    application = serializers.UUIDField(source="application_id", read_only=True, allow_null=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "person",
            "person_name",
            "id_number",
            "level",
            "management_no",
            "kind",
            "number",
            "valid_from",
            "valid_to",
            "status",
            "region",
            "authority_region",
            "application",
            "created_at",
        ]
        read_only_fields = fields


class PublicCheckRequestSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40, help_text="Registration number or certificate management number")
    name = serializers.CharField(max_length=100, help_text="The holder's full name")


class PublicCheckAnswerSerializer(serializers.Serializer):
    found = serializers.BooleanField()
    name = serializers.CharField(required=False, help_text="Partly masked")
    level = serializers.CharField(required=False)
    level_name = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    status_name = serializers.CharField(required=False)
    valid_from = serializers.DateField(required=False)
    valid_to = serializers.DateField(required=False)
    authority = serializers.CharField(required=False)
    followed_by = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="The newer registration number when this registration has been followed by another (else null)",
    )
    followed_by_renewal = serializers.BooleanField(
        required=False, help_text="Whether that newer registration is a re-registration"
    )
