from rest_framework import serializers

from ..models import Region


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", allow_null=True, read_only=True)
    level_name = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "full_name", "level", "level_name", "parent", "gb_code", "active", "administered"]
