from rest_framework import serializers

from ..models import Activity, Provider, StudyRecord


class ProviderSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province_id", read_only=True)
    province_name = serializers.CharField(source="province.name", read_only=True)
    status_name = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "credit_code",
            "province",
            "province_name",
            "status",
            "status_name",
            "contact_name",
            "contact_phone",
            "address",
            "website",
            "filed_on",
            "published_at",
        ]


class ActivitySerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    kind_name = serializers.CharField(source="get_kind_display", read_only=True)
    form = serializers.CharField(read_only=True)
    # The status as shown: "ended" once the activity is past its end, whatever ``status`` stores.
    status_name = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "provider",
            "provider_name",
            "title",
            "kind",
            "kind_name",
            "form",
            "starts_at",
            "ends_at",
            "place",
            "link",
            "hours",
            "capacity",
            "status",
            "status_name",
        ]


class StudyRecordSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    region = serializers.CharField(source="person.region_id", read_only=True)
    form_name = serializers.CharField(source="get_form_display", read_only=True)
    source_name = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = StudyRecord
        fields = [
            "id",
            "person",
            "person_name",
            "region",
            "form",
            "form_name",
            "source",
            "source_name",
            "source_ref",
            "title",
            "provider",
            "activity",
            "declaration",
            "hours_claimed",
            "hours_credited",
            "occurred_on",
            "decision",
            "created_at",
        ]
