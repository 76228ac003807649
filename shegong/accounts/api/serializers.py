from rest_framework import serializers

from ..models import User


class UserSerializer(serializers.ModelSerializer):
    """An account as the API shows it: never a password, hash or second-factor secret."""

    role_display = serializers.CharField(source="get_role_display", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True, allow_null=True)
    region_name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "username",
            "full_name",
            "role",
            "role_display",
            "region",
            "region_name",
            "is_active",
            "must_change_password",
            "last_login",
            "date_joined",
            "password_changed_at",
        ]
        read_only_fields = fields

    def get_region_name(self, user) -> str:
        return str(user.region) if user.region_id else ""
