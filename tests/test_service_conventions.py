"""The verbs of every app are called one way: the object first, the acting user as the keyword ``actor=``.

A reader of ``approve(application, opinion, actor=reviewer)`` or ``update_person(person, actor=official, ...)``
never has to look up which positional argument is the person acting. Verbs about the caller's own account
(``change_own_password(user, ...)``, ``confirm_totp(user, ...)``) take that account as their object.
"""

import importlib
import inspect
import pkgutil
from pathlib import Path

import shegong

ACTOR_NAMES = {"actor", "admin", "official", "reviewer", "operator"}


def service_modules():
    root = Path(shegong.__file__).parent
    for info in pkgutil.walk_packages([str(root)], prefix="shegong."):
        parts = info.name.split(".")
        if "tests" in parts or "migrations" in parts:
            continue
        if parts[-1] == "services" or (len(parts) > 2 and parts[-2] == "services"):
            yield importlib.import_module(info.name)


def public_functions(module):
    for name, value in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(value):
            continue
        if inspect.unwrap(value).__module__ != module.__name__:
            continue  # imported from elsewhere: checked where it is defined
        yield name, inspect.signature(inspect.unwrap(value))


def test_service_modules_are_found():
    names = {module.__name__ for module in service_modules()}
    assert {"shegong.workers.services", "shegong.core.workflow.services", "shegong.accounts.services.users"} <= names


def test_the_acting_user_is_the_keyword_actor():
    offenders = []
    for module in service_modules():
        for name, signature in public_functions(module):
            for parameter in signature.parameters.values():
                positional = parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
                if parameter.name in ACTOR_NAMES and positional:
                    offenders.append(f"{module.__name__}.{name}({parameter.name}, ...)")
    assert not offenders, "the acting user must be keyword-only `actor`: " + ", ".join(offenders)
