"""Imports run one way (docs/architecture.md, "Layers"): a lower app never refers to a higher one.

The order, bottom first: core and regions (they know no domain app), accounts, workers and
organizations, education, services, registration / evaluation / projects, then exchange, stats and
support on top. Apps in one group may use each other. Where a lower app must show or follow
something a higher app owns, the higher app registers a panel, a hook or a step in a registry of
the lower one (core.seeding, core.navigation, core.dashboard, workers.panels, education.hooks...).

What counts as a reference, anywhere in a module (top level or inside a function), outside tests and
migrations:
* ``import shegong.x``, ``from shegong.x import y``, ``from shegong import x``;
* relative imports, resolved against the module's package (``from ..x import y``);
* a string naming a module of the app, as given to ``import_module``, ``import_string`` or
  ``apps.is_installed`` (``"shegong.x.models"``);
* a model label (``"x.Model"``: ``ForeignKey``, signal senders, ``apps.get_model("x.Model")``) or an
  app label passed to ``apps.get_model("x", ...)`` / ``apps.get_app_config("x")``.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "shegong"
ORDER = [
    ["core", "regions"],
    ["accounts"],
    ["workers", "organizations"],
    ["education"],
    ["services"],
    ["registration", "evaluation", "projects"],
    ["exchange", "stats", "support"],
]
LEVEL = {app: level for level, group in enumerate(ORDER) for app in group}
MODULE_STRING = re.compile(rf"^{PACKAGE}\.(\w+)(\.\w+)*$")
MODEL_LABEL = re.compile(r"^(\w+)\.[A-Z]\w*$")
LABEL_CALLS = {"get_model", "get_app_config"}  # first argument: an app label (or a model label)


def _call_name(node):
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def references(tree, package_parts):
    """(line, app, how) for every reference of the module to an app of the project.

    ``package_parts``: the module's package below ``shegong`` (("workers",) for workers/models.py,
    ("core", "management", "commands") for a command)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == PACKAGE and len(parts) > 1:
                    yield node.lineno, parts[1], f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            module = node.module.split(".") if node.module else []
            if node.level:
                if node.level - 1 > len(package_parts):
                    continue  # above the project package: not ours
                base = list(package_parts[: len(package_parts) - (node.level - 1)])
                absolute = [PACKAGE, *base, *module]
            else:
                absolute = module
            if absolute[:1] != [PACKAGE]:
                continue
            dots = "." * node.level
            if len(absolute) > 1:
                yield node.lineno, absolute[1], f"from {dots}{node.module or ''} import ..."
            else:  # from shegong import x, y (or from .. import x at the top of the package)
                for alias in node.names:
                    yield node.lineno, alias.name, f"from {dots}{node.module or ''} import {alias.name}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = MODULE_STRING.match(node.value) or MODEL_LABEL.match(node.value)
            if match:
                yield node.lineno, match.group(1), f"the string {node.value!r}"
        if isinstance(node, ast.Call) and _call_name(node) in LABEL_CALLS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and "." not in first.value:
                yield node.lineno, first.value, f"{_call_name(node)}({first.value!r}, ...)"


def violations(package_root):
    """Every reference from a lower app to a higher one under ``package_root`` (the shegong directory)."""
    found = set()
    for path in sorted(package_root.rglob("*.py")):
        rel = path.relative_to(package_root)
        if len(rel.parts) < 2 or {"tests", "migrations", "templates"} & set(rel.parts):
            continue  # templates: makemessages (tests/test_translations.py) writes X.html.py there for a moment
        source = rel.parts[0]
        if source not in LEVEL:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, target, how in references(tree, rel.parts[:-1]):
            if target in LEVEL and LEVEL[target] > LEVEL[source]:
                found.add(f"{PACKAGE}/{rel}:{line}: {source} refers to the higher app {target} ({how})")
    return sorted(found)


def test_no_app_refers_to_a_higher_one():
    found = violations(ROOT / PACKAGE)
    assert not found, (
        "Imports against the layers of docs/architecture.md (let the higher app register a hook, panel or step "
        "instead):\n" + "\n".join(found)
    )


def test_every_app_has_its_place_in_the_order():
    installed = {path.parent.name for path in (ROOT / PACKAGE).glob("*/apps.py")}
    assert installed, "no apps found"
    assert installed <= set(LEVEL), (
        f"apps without a layer (add them to ORDER here and in docs/architecture.md): {installed - set(LEVEL)}"
    )


def _write(root, relative, text):
    path = root / PACKAGE / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_check_sees_every_kind_of_reference(tmp_path):
    """The check itself, on a small tree with one violation of each kind and allowed neighbours."""
    bad = {
        "core/a.py": "from shegong.workers.models import Person\n",
        "core/b.py": "def f():\n    import shegong.registration.services\n",
        "core/management/commands/c.py": "def handle():\n    from ....education import ledger\n",
        "regions/d.py": "from shegong import accounts\n",
        "workers/e.py": "from .. import registration\n",
        "workers/f.py": "from importlib import import_module\nm = import_module('shegong.education.queries')\n",
        "education/g.py": "from django.apps import apps\nR = apps.get_model('registration', 'Registration')\n",
        "education/h.py": "post_save.connect(f, sender='registration.Registration')\n",
        "education/i.py": "if apps.is_installed('shegong.registration'):\n    pass\n",
        "accounts/j.py": "person = models.ForeignKey('workers.Person', on_delete=models.CASCADE)\n",
        "organizations/k.py": "config = apps.get_app_config('stats')\n",
    }
    allowed = {
        "registration/a.py": "from shegong.workers.models import Person\nfrom shegong.education import services\n",
        "workers/b.py": "from shegong.organizations.models import Organization\nX = 'organizations.Organization'\n",
        "workers/c.py": "from .models import Person\nfrom ..core import scoping\nfrom . import panels\n",
        "education/d.py": "R = apps.get_model('workers', 'Person')\nS = 'registration:mine'\nT = 'registration/x.html'\n",
        "core/tests/test_x.py": "from shegong.registration.models import Registration\n",
        "workers/migrations/0001_x.py": "dependencies = [('registration', '0001')]\nX = 'registration.Registration'\n",
        "stats/e.py": "from shegong.support import models\n",
    }
    for relative, text in {**bad, **allowed}.items():
        _write(tmp_path, relative, text)
    found = violations(tmp_path / PACKAGE)
    flagged = {line.split(":", 1)[0].removeprefix(f"{PACKAGE}/") for line in found}
    assert flagged == set(bad), found
    assert len(found) == len(bad), found
    # Each names the app it reaches.
    targets = {line.split(":", 1)[0].removeprefix(f"{PACKAGE}/"): line for line in found}
    assert "higher app education" in targets["core/management/commands/c.py"]
    assert "higher app registration" in targets["workers/e.py"]
    assert "higher app stats" in targets["organizations/k.py"]
