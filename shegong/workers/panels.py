"""Hooks through which higher apps add to a person's pages without workers importing them (docs/architecture.md, Layers).

Panels
    A person's page (the officials' person detail, and a social worker's own "My record") shows
    the whole history on one screen. Workers renders the person, certificates, employment and
    changes; higher apps (registration, education, ...) register panels for the rest::

        from shegong.workers.panels import register_person_panel

        @register_person_panel(order=40)
        def study_hours(request, person):
            if not can_see(request.user, person):
                return None                       # nothing for this viewer
            return {
                "title": _("Study hours"),        # the panel's heading
                "template": "education/_person_hours.html",
                "hours": ...,                     # anything else the template needs
            }

    A panel function receives the request and a person the viewer may already see (the page
    checked ``Person.objects.visible_to``); it returns None or a dict with ``template`` and
    ``title``. The page wraps each panel in a titled card and includes its template with
    ``panel`` (the dict), ``person`` and ``request`` in the context, so the template reads
    ``{{ panel.hours }}``. ``request.person_page`` is ``"official"`` on the officials' page and
    ``"own"`` on the worker's own page (``/workers/me/``, where "my study hours" appear).
    Panels render in ``order`` (lower first).

Edit locks
    ``register_edit_lock(func)``: ``func(person) -> str | None``; a non-empty string is the reason
    why the social worker may not change their personal information now (e.g. an application that
    passed initial review locks the table, docs/domain.md, Registration).

Certificate checks
    ``register_certificate_check(func)``: ``func(certificate, *, level, issued_on) -> [str]`` returns
    warnings, in words, about what correcting the certificate to that level and date of issue would
    break (e.g. registration's first-registration time limit). The correction page shows them and
    asks for a confirmation before saving.

Change listeners
    ``register_person_listener(func)``: ``func(person, changes, *, actor)`` is called inside the
    transaction after a person's data changed through workers.services (``changes`` maps field
    names to [old, new]).
"""

_panels = []
_locks = []
_listeners = []
_certificate_checks = []


def register_person_panel(func=None, *, order=100):
    """Register ``func(request, person) -> dict | None``; usable as ``@register_person_panel`` or with ``order``."""

    def decorator(function):
        _panels[:] = [entry for entry in _panels if entry[1] is not function]
        _panels.append((order, function))
        _panels.sort(key=lambda entry: entry[0])
        return function

    return decorator(func) if func is not None else decorator


def unregister_person_panel(func):
    _panels[:] = [entry for entry in _panels if entry[1] is not func]


def person_panels(request, person):
    """The panels that have something for this viewer, in order, each a dict with template and title."""
    rendered = []
    for order, function in _panels:
        panel = function(request, person)
        if panel:
            panel.setdefault("order", order)
            rendered.append(panel)
    return rendered


def register_edit_lock(func):
    if func not in _locks:
        _locks.append(func)
    return func


def edit_lock_reason(person):
    """Why the person's own information is locked now, or "" when the worker may change it."""
    for function in _locks:
        reason = function(person)
        if reason:
            return str(reason)
    return ""


def register_person_listener(func):
    if func not in _listeners:
        _listeners.append(func)
    return func


def person_changed(person, changes, *, actor):
    for function in _listeners:
        function(person, changes, actor=actor)


def register_certificate_check(func):
    if func not in _certificate_checks:
        _certificate_checks.append(func)
    return func


def certificate_warnings(certificate, *, level, issued_on):
    """Every registered check's warnings about correcting ``certificate`` to ``level`` and ``issued_on``."""
    warnings = []
    for function in _certificate_checks:
        warnings.extend(str(text) for text in function(certificate, level=level, issued_on=issued_on))
    return warnings
