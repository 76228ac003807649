"""Audit action codes: declared once each, as named constants, in one namespaced scheme.

A code is ``<area>.<what>`` (``accounts.user_create``, ``registration.revoke``): the area is the app
or engine that writes it, the rest says what happened. Each app declares the codes it records in its
own ``actions.py`` (core's are below); ``record()`` refuses a code nobody declared, so a typo cannot
create a new kind of event, and the audit pages show every code as words through ``label_of``.

Events are append-only: codes written before this scheme keep their stored value and are declared
as ``legacy`` aliases, so they still show as words and can still be found.
"""

import re

from django.utils.translation import gettext_lazy as _

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9]*\.[a-z0-9][a-z0-9_]*$")

_LABELS = {}  # code -> label
_CANONICAL = {}  # legacy code -> code


class AuditAction(str):
    """A declared code; compares and stores as the plain string."""

    label = ""


def declare(code, label, *, legacy=()):
    if not CODE_PATTERN.match(code):
        raise ValueError(f"audit action {code!r} does not follow '<area>.<what>'")
    if code in _LABELS and str(_LABELS[code]) != str(label):
        raise ValueError(f"audit action {code!r} is declared twice with different labels")
    _LABELS[code] = label
    for old in legacy:
        _CANONICAL[old] = code
    action = AuditAction(code)
    action.label = label
    return action


def is_declared(code):
    return code in _LABELS


def label_of(code):
    """The words for a stored code (legacy codes included); an unknown code is shown as it is."""
    canonical = _CANONICAL.get(code, code)
    return _LABELS.get(canonical) or _LEGACY_LABELS.get(code, code)


def canonical_code(code):
    """The declared code a stored value stands for (a legacy code's successor)."""
    return _CANONICAL.get(code, code)


def codes_matching(code):
    """The stored values that mean ``code``: itself and its legacy aliases (for the audit filter)."""
    canonical = _CANONICAL.get(code, code)
    return [canonical, *(old for old, new in _CANONICAL.items() if new == canonical)]


def declared():
    return dict(_LABELS)


# The engines' own codes (core): file downloads, exports, imports, the review engine, audit upkeep.
DOWNLOAD = declare("core.download", _("Downloaded a file"), legacy=["download"])
EXPORT = declare("core.export", _("Exported a list"), legacy=["export"])
FIELD_KEY_ROTATION = declare(
    "core.field_key_rotation", _("Re-encrypted identifiers under a new key"), legacy=["field_key_rotation"]
)
CALENDAR_LOAD = declare("core.calendar_load", _("Loaded the holiday calendar"))
AUDIT_PRUNE = declare("audit.prune", _("Pruned old audit events"), legacy=["audit_prune"])

IMPORT_UPLOAD = declare("import.upload", _("Uploaded an import file"))
IMPORT_VALIDATE = declare("import.validate", _("Validated an import file"))
IMPORT_INVALID = declare("import.invalid", _("Refused an unreadable import file"))
IMPORT_CONFIRM = declare("import.confirm", _("Confirmed an import"))
IMPORT_BATCH = declare("import.batch", _("Committed an import batch"))
IMPORT_COMMIT = declare("import.commit", _("Completed an import"))
IMPORT_RESUME = declare("import.resume", _("Resumed an import"))
IMPORT_DISCARD = declare("import.discard", _("Discarded an import"))

WORKFLOW_CREATE = declare("workflow.create", _("Created an application"))
WORKFLOW_EDIT = declare("workflow.edit", _("Edited an application"))
# One code per action of the review engine (core.models.workflow.Action), keyed by its stored value.
WORKFLOW_ACTIONS = {
    "submit": declare("workflow.submit", _("Submitted an application")),
    "approve": declare("workflow.approve", _("Approved an application step")),
    "return": declare("workflow.return", _("Returned an application for revision")),
    "reject": declare("workflow.reject", _("Refused an application")),
    "withdraw": declare("workflow.withdraw", _("Withdrew an application")),
    "resubmit": declare("workflow.resubmit", _("Resubmitted an application")),
}

# A code written before this scheme that no longer maps to one action ("create" was written for persons
# and certificates alike) keeps a label of its own.
_LEGACY_LABELS = {"create": _("Added to the registry")}

# A signed-in or anonymous caller was refused a page, an object or a file (403, or the one 404 of an
# object outside its scope); one event per caller, route and minute (core/audit/refusals.py).
ACCESS_REFUSED = declare("core.access_refused", _("Refused access to a page or file"))
