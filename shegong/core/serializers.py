"""Shared serializer fields. ``MaskedIdField`` is the API's one place for masking identifiers."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import crypto, identifiers

# Serializer context key: a view that may show full numbers sets it (and audits doing so).
UNMASK_CONTEXT_KEY = "unmask_identifiers"


@extend_schema_field(OpenApiTypes.STR)
class MaskedIdField(serializers.Field):
    """A read-only identity number: masked (440106********123X) unless the context allows it.

    The source may be a plain number or an encrypted token (``id_encrypted``). The full value is
    returned only when ``serializer.context[UNMASK_CONTEXT_KEY]`` is true; the view that sets it is
    responsible for writing the "reveal" audit event.
    """

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value in (None, ""):
            return None
        if crypto.is_token(value):
            try:
                value = crypto.decrypt(value)
            except crypto.DecryptionError:
                return None
        if self.context.get(UNMASK_CONTEXT_KEY):
            return value
        return identifiers.mask_id_number(value)
