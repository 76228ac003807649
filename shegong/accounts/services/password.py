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


@transaction.atomic
def require_change_if_below_rule(user, password):
    """At sign-in, with the password just given: an official whose password no longer meets the official rule
    (12 characters, no common password in disguise) must change it before anything else (the existing
    must-change flag). Returns whether it was asked."""
    from shegong.accounts.validators import official_password_problems

    if user.must_change_password or not official_password_problems(user, password):
        return False
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    record(user, actions.PASSWORD_BELOW_RULE, user)
    return True
