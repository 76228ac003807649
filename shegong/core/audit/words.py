"""Stored codes as words, for every page that shows what an audit event recorded.

An event stores codes: its object type (``accounts.User``), the changed fields' names, their choice
values (``bachelor``, ``public_institution``), foreign keys as ids and regions as codes. People read
words: the model's ``verbose_name``, the field's ``verbose_name``, the choice's label, the related
object's ``str`` and the region's full name. ``describe_changes`` turns an event's ``changes`` (in
any of the shapes the services record: ``{"before": {...}, "after": {...}}``, ``{field: [old, new]}``
or ``{key: value}``) into rows of words; the audit pages and a person's change history use it.

Related objects are read outside the viewer's scope on purpose: the audit log already names the
object (``object_repr``) and the page shows only its name, never more of it.
"""

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Keys the services record that are not a field of the event's object.
KEY_LABELS = {
    "reason": gettext_lazy("Reason"),
    "corrected": gettext_lazy("Corrected"),
    "matched": gettext_lazy("Matched the registry"),
    "id_number": gettext_lazy("ID number"),
    "person": gettext_lazy("Social worker"),
    "provider": gettext_lazy("Training provider"),
    "activity": gettext_lazy("Activity"),
    "certificate": gettext_lazy("Certificate"),
    "application": gettext_lazy("Application"),
    "region": gettext_lazy("Region"),
    "province": gettext_lazy("Province"),
    "username": gettext_lazy("Account"),
    "full_name": gettext_lazy("Name"),
    "name": gettext_lazy("Name"),
    "number": gettext_lazy("Registration number"),
    "count": gettext_lazy("Number of rows"),
    "date": gettext_lazy("Date"),
    "file": gettext_lazy("File"),
    "batch_id": gettext_lazy("Import batch"),
    "mode": gettext_lazy("Import mode"),
    "from_row": gettext_lazy("From row"),
    "error": gettext_lazy("Error"),
    "records": gettext_lazy("Records"),
    "field": gettext_lazy("Field"),
    "via": gettext_lazy("Created by"),
    "method": gettext_lazy("Method"),
    "second_factor": gettext_lazy("Second factor"),
    "recovery_codes": gettext_lazy("Recovery codes"),
    "devices_removed": gettext_lazy("Authenticator devices removed"),
    "attempts_cleared": gettext_lazy("Failed attempts cleared"),
    "ip_address": gettext_lazy("Address"),
    "flow": gettext_lazy("Review flow"),
    "version": gettext_lazy("Version"),
    "key_id": gettext_lazy("Key"),
    "rotated": gettext_lazy("Re-encrypted"),
    "retention_days": gettext_lazy("Retention (days)"),
    "deleted": gettext_lazy("Deleted"),
    "before": gettext_lazy("Before"),
    "after": gettext_lazy("After"),
    "value": gettext_lazy("Value"),
    "rows": gettext_lazy("Rows"),
    "table": gettext_lazy("Table"),
    "format": gettext_lazy("Format"),
    "filters": gettext_lazy("Filters"),
    "level": gettext_lazy("Level"),
    "management_no": gettext_lazy("Management number"),
    "exam_year": gettext_lazy("Exam year"),
    "status": gettext_lazy("Status"),
    "kind": gettext_lazy("Kind"),
    "valid_to": gettext_lazy("Valid to"),
    "comment": gettext_lazy("Comment"),
    "step": gettext_lazy("Step"),
}

# Words for values of keys that are not choice fields.
VALUE_WORDS = {
    "second_factor": {"pending": gettext_lazy("Asked for"), "none": gettext_lazy("Not needed")},
    "via": {"issue": gettext_lazy("Accounts issued in bulk")},
    "method": {"totp": gettext_lazy("Authenticator app"), "recovery": gettext_lazy("Recovery code")},
    "reason": {
        "user": gettext_lazy("Signed out"),
        "timeout": gettext_lazy("Session expired"),
        "idle": gettext_lazy("Session expired"),
    },
    "mode": {"create": gettext_lazy("Add new rows"), "update": gettext_lazy("Update existing rows")},
}

# Keys whose values are region codes.
REGION_KEYS = {"region", "province", "county", "city", "claimed_region", "household_region", "region_code", "within"}

EMPTY = "—"


def model_for(label):
    """The model an ``app_label.Model`` label names, or None."""
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def object_type_label(label):
    """``accounts.User`` as 账号: the model's verbose name (an unknown label is shown as it is)."""
    model = model_for(label)
    return str(model._meta.verbose_name) if model is not None else (label or "")


def object_type_choices():
    """``(label, words)`` of every model, sorted by the words: the audit filter's object types."""
    choices = [(model._meta.label, str(model._meta.verbose_name)) for model in apps.get_models()]
    return sorted(choices, key=lambda choice: choice[1])


def _field(model, key):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except Exception:
        pass
    for field in model._meta.get_fields():  # "region_id" -> region
        if getattr(field, "attname", None) == key and field.concrete:
            return field
    return None


def field_label(model, key):
    field = _field(model, key)
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)
    if key in KEY_LABELS:
        return str(KEY_LABELS[key])
    field = _field_named_anywhere(key)
    if field is not None:
        return str(field.verbose_name)
    return key.replace("_", " ")


def _field_named_anywhere(key, value=None):
    """A field of that name in one of the project's models (with ``value`` among its choices if given)."""
    for model in apps.get_models():
        if not model.__module__.startswith("shegong."):
            continue
        field = _field(model, key)
        if field is None or not getattr(field, "verbose_name", None):
            continue
        if value is None:
            return field
        if getattr(field, "choices", None) and value in dict(field.flatchoices):
            return field
    return None


def _region_name(code):
    from shegong.regions.models import Region

    region = Region.objects.unscoped("division tree: public reference data").filter(code=str(code)).first()
    return region.full_name if region is not None else None


def _related_name(model, pk):
    queryset = model._default_manager.all()
    if hasattr(queryset, "unscoped"):
        queryset = queryset.unscoped("audit words: the name of an object the event refers to")
    try:
        obj = queryset.filter(pk=pk).first()
    except (ValueError, TypeError, Exception):
        return None
    if obj is None:
        return None
    return getattr(obj, "full_name", None) or str(obj)


def _scalar(value):
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def value_words(model, key, value):
    """One stored value as words: a choice's label, a related object's name, a region's name."""
    if isinstance(value, list):
        return "、".join(value_words(model, key, item) for item in value) or EMPTY
    if isinstance(value, dict):
        if not value:
            return EMPTY
        parts = [f"{field_label(model, k)}：{value_words(model, k, v)}" for k, v in value.items()]
        return "；".join(parts) or EMPTY
    if value is None or value == "" or isinstance(value, bool):
        return _scalar(value)
    if key == "corrected" or key == "field":  # names of fields
        return field_label(model, str(value))
    words = VALUE_WORDS.get(key, {})
    if str(value) in words:
        return str(words[str(value)])
    field = _field(model, key)
    if field is None:
        field = _field_named_anywhere(key, value) if isinstance(value, str) else None
    if field is not None and getattr(field, "choices", None):
        label = dict(field.flatchoices).get(value)
        if label is None and isinstance(value, str):
            label = {str(k): v for k, v in field.flatchoices}.get(value)
        if label is not None:
            return str(label)
    related = getattr(field, "related_model", None) if field is not None else None
    if related is None and key in KEY_LABELS:
        related = _related_by_key(key)
    if related is not None:
        from shegong.regions.models import Region

        name = _region_name(value) if related is Region else _related_name(related, value)
        return name if name is not None else _scalar(value)
    if key in REGION_KEYS:
        name = _region_name(value)
        if name is not None:
            return name
    return _scalar(value)


def _related_by_key(key):
    """The model a bare key such as ``person`` or ``provider`` refers to: that of a field of the name."""
    field = _field_named_anywhere(key)
    return getattr(field, "related_model", None) if field is not None and field.is_relation else None


def describe_changes(changes, object_type=""):
    """``(fields, others)``: before/after rows ``{"name", "label", "before", "after", "changed"}`` and
    ``(label, words)`` pairs for the keys that are not a before/after pair."""
    model = model_for(object_type)
    changes = changes if isinstance(changes, dict) else {"value": changes}
    before = changes.get("before") if isinstance(changes.get("before"), dict) else None
    after = changes.get("after") if isinstance(changes.get("after"), dict) else None
    fields, others = [], []
    if before is not None or after is not None:
        before, after = before or {}, after or {}
        for key in dict.fromkeys([*before, *after]):
            fields.append(
                {
                    "name": key,
                    "label": field_label(model, key),
                    "before": value_words(model, key, before.get(key)) if key in before else "",
                    "after": value_words(model, key, after.get(key)) if key in after else "",
                    "changed": before.get(key) != after.get(key),
                }
            )
    for key, value in changes.items():
        if key in ("before", "after") and isinstance(value, dict):
            continue
        if isinstance(value, list) and len(value) == 2 and _is_pair(model, key, value):
            fields.append(
                {
                    "name": key,
                    "label": field_label(model, key),
                    "before": value_words(model, key, value[0]),
                    "after": value_words(model, key, value[1]),
                    "changed": value[0] != value[1],
                }
            )
        else:
            others.append((field_label(model, key), value_words(model, key, value)))
    return fields, others


def _is_pair(model, key, value):
    """``[old, new]`` of a field (not a list value such as the names of corrected fields)."""
    if key in ("corrected", "rotated"):
        return False
    return not any(isinstance(item, list | dict) for item in value)


def change_text(changes, object_type=""):
    """The changes as one line of words: ``学历：本科 → 硕士；原因：……``."""
    fields, others = describe_changes(changes, object_type)
    parts = [f"{row['label']}：{row['before'] or EMPTY} → {row['after'] or EMPTY}" for row in fields]
    parts.extend(f"{label}：{words}" for label, words in others)
    return "；".join(parts)
