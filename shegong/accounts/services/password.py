"""Account verbs: every change to an account goes through these functions, which write the audit log."""

from django.db import transaction
from django.utils import timezone

from shegong.accounts import actions
from shegong.core.audit import record


@transaction.atomic
def change_own_password(user, new_password):
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    record(user, actions.PASSWORD_CHANGE, user)
