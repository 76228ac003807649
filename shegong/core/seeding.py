"""What each app contributes to generated data: national-scale steps, sample import files, demo data.

Core knows no domain app (docs/architecture.md, Layers): ``manage.py seed_national`` and ``manage.py seed_demo``
run the steps the apps register here, from their AppConfig.ready() (each app's ``national.py`` and
``demo.py``), in ``order`` (lower first). A step may name the steps it needs (``after``): those must
be registered with a lower order, or the registry refuses to run (a wrong order would write
registrations before the certificates they refer to).

National-scale steps (``NATIONAL``)
    ``func(run)``: ``run`` is a :class:`NationalRun` with the shared generator, the scale, the
    options, ``log(message)`` and whatever earlier steps left on it for later ones (documented by the
    step that sets it, e.g. ``run.first_person``). Steps write with ``core.synthetic.write_rows``.

Sample files (``SAMPLES``)
    ``func(generator, target, rows) -> {file name: manifest entry}``: writes files with a known share
    of faulty rows into ``target``; the entries go into ``manifest.json``.

Demo data (``DEMO``)
    ``func() -> [lines]``: creates the app's demo records (safe to re-run) and returns the lines
    ``seed_demo`` prints (accounts and what was created).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

NATIONAL = "national"
SAMPLES = "samples"
DEMO = "demo"
KINDS = (NATIONAL, SAMPLES, DEMO)


@dataclass(frozen=True)
class Step:
    kind: str
    key: str
    func: Callable
    order: int
    after: tuple[str, ...] = ()
    help: str = ""


_steps: dict[str, dict[str, Step]] = {kind: {} for kind in KINDS}


def register(kind, key, func=None, *, order, after=(), help=""):
    """Register ``func`` as step ``key`` of ``kind``; usable as a decorator (``@register(DEMO, "x", order=30)``).
    Registering the same key again replaces the step (ready() may run more than once in tests)."""
    if kind not in _steps:
        raise ValueError(f"unknown kind of step {kind!r}")

    def decorator(function):
        _steps[kind][key] = Step(kind, key, function, order, tuple(after), help)
        return function

    return decorator(func) if func is not None else decorator


def unregister(kind, key):
    _steps[kind].pop(key, None)


def steps(kind):
    """The registered steps of ``kind`` in order; refuses an order that runs a step before one it needs."""
    registered = _steps[kind]
    ordered = sorted(registered.values(), key=lambda step: (step.order, step.key))
    for step in ordered:
        for needed in step.after:
            before = registered.get(needed)
            if before is None:
                raise ImproperlyConfigured(f"{kind} step {step.key!r} needs {needed!r}, which no app registers")
            if before.order >= step.order:
                raise ImproperlyConfigured(
                    f"{kind} step {step.key!r} (order {step.order}) must run after {needed!r} (order {before.order})"
                )
    return ordered


def keys(kind):
    return [step.key for step in steps(kind)]


class NationalRun:
    """The state of one ``seed_national`` run, handed to every national-scale step in turn."""

    def __init__(self, generator, *, scale, log, append=False, skip=()):
        self.generator = generator
        self.scale = scale
        self.log = log
        self.append = append
        self.skip = set(skip)

    def count(self, full_scale):
        """``full_scale`` (the national figure of docs/architecture.md) at this run's scale."""
        return int(full_scale * self.scale)
