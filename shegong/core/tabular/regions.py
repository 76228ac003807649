"""Finding a division from what people write in a spreadsheet: a code, a name, or a path of names.

- ``440106`` → 440106 (an abolished code is refused with that reason);
- ``天河区`` → 440106 when only one active unit has the name;
- ``朝阳区`` is ambiguous (北京市朝阳区 110105, 吉林省长春市朝阳区 220104): refused with the candidates,
  unless the importer's scope holds exactly one of them (rows outside the scope are refused anyway),
  which is used and reported as a warning;
- ``吉林省长春市朝阳区``, ``吉林 长春 朝阳区``, ``长春市/朝阳区``, ``北京朝阳区``: the last name is matched, and
  the names before it must be its ancestors (full or short names, 省/市/自治区 left out), in order.

The index is built from the division table (about 3,500 rows) once per process until the tree is
reloaded, and every distinct cell text is resolved once per import.
"""

import re

from django.utils.translation import gettext as _

from .cells import CellError

_SEPARATORS_RE = re.compile(r"[\s/\\|,，、\-－—>＞·・.]+")
_SUFFIX_RE = re.compile(
    r"^(.{2,}?)(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市|地区|盟|(?:[^族]{1,6}族)+自治州|自治州)$"
)


def short_name(name):
    match = _SUFFIX_RE.match(name)
    return match.group(1) if match else name


_index_memo = {"version": None, "tables": None}


def _index_tables():
    """(nodes, by_name, by_full_name) of the division table, memoised per process until the tree is
    reloaded (``tree_version``): building them is most of the fixed cost of a small import."""
    from shegong.regions.models import Region, tree_version

    version = tree_version()
    if _index_memo["version"] != version:
        nodes, by_name, by_full_name = {}, {}, {}
        for code, name, full_name, level, parent, active, synthetic in Region.objects.values_list(
            "code", "name", "full_name", "level", "parent_id", "active", "synthetic"
        ):
            nodes[code] = (name, full_name or name, level, parent, active, synthetic)
            if not synthetic or level != 2:  # 市辖区 groupings are never written by people
                by_name.setdefault(name, []).append(code)
                if full_name:
                    by_full_name.setdefault(full_name, []).append(code)
        _index_memo.update(version=version, tables=(nodes, by_name, by_full_name))
    return _index_memo["tables"]


class RegionIndex:
    def __init__(self):
        # Shared, read-only tables; only the per-import cache of resolved texts is this instance's.
        self.nodes, self.by_name, self.by_full_name = _index_tables()
        self._cache = {}

    def full_name(self, code):
        node = self.nodes.get(code)
        return node[1] if node else ""

    def _ancestor_names(self, code):
        """Names of the ancestors, nearest first, each as (full, short); groupings left out."""
        names = []
        parent = self.nodes[code][3]
        while parent is not None:
            name, _full, level, grand, _active, synthetic = self.nodes[parent]
            if level > 0 and not synthetic:
                names.append((name, short_name(name)))
            parent = grand
        return names

    def _prefix_matches(self, code, rest):
        """Whether ``rest`` (no separators) is a sequence of the unit's ancestors' names ending at the unit."""
        if not rest:
            return True
        for full, short in self._ancestor_names(code):
            for name in (full, short):
                if rest.endswith(name):
                    rest = rest[: -len(name)]
                    break
            if not rest:
                return True
        return False

    def _candidates(self, text):
        compact = _SEPARATORS_RE.sub("", text)
        codes = set(self.by_full_name.get(compact, ()))
        if codes:
            return codes
        for start in range(len(compact)):  # every suffix of the text that is the name of a unit
            named = self.by_name.get(compact[start:])
            if named:
                rest = compact[:start]
                codes.update(code for code in named if self._prefix_matches(code, rest))
        return codes

    def _describe(self, code):
        return f"{self.full_name(code)} ({code})"

    def resolve(self, text, *, level=None, scope=None):
        """(code, warning or "") for ``text``; raises ``CellError``. ``scope`` is an ``ImportScope`` or None."""
        key = (text, level, id(scope))
        hit = self._cache.get(key)
        if hit is not None:
            if isinstance(hit, CellError):
                raise hit
            return hit
        try:
            result = self._resolve(text, level, scope)
        except CellError as exc:
            self._cache[key] = exc
            raise
        self._cache[key] = result
        return result

    def _resolve(self, text, level, scope):
        if not text:
            raise CellError("required", _("This column is required."))
        compact = text.replace(" ", "")
        if compact.isdigit():
            node = self.nodes.get(compact)
            if len(compact) != 6 or node is None:
                raise CellError(
                    "region_unknown", _("%(code)s is not a division code in the division table.") % {"code": compact}
                )
            code = compact
        else:
            codes = self._candidates(text)
            active = {c for c in codes if self.nodes[c][4]}
            if level is not None:
                at_level = {c for c in active if self.nodes[c][2] == level}
                if at_level:
                    active = at_level
            if not codes:
                raise CellError(
                    "region_unknown",
                    _("No division is called %(name)s; give its six-digit code or its full name.") % {"name": text},
                )
            if not active:
                code = sorted(codes)[0]
            elif len(active) == 1:
                code = next(iter(active))
            else:
                inside = {c for c in active if scope is not None and scope.contains(c)}
                listed = "; ".join(self._describe(c) for c in sorted(active))
                if len(inside) != 1:
                    raise CellError(
                        "region_ambiguous",
                        _("%(name)s is the name of several divisions: %(list)s. Give the code or the full name.")
                        % {"name": text, "list": listed},
                    )
                code = next(iter(inside))
                self._check(code, level, text)
                return code, _(
                    "%(name)s is the name of several divisions (%(list)s); the one in your region, %(chosen)s, was used."
                ) % {"name": text, "list": listed, "chosen": self._describe(code)}
        self._check(code, level, text)
        return code, ""

    def _check(self, code, level, text):
        name, full_name, node_level, _parent, active, _synthetic = self.nodes[code]
        if not active:
            raise CellError(
                "region_abolished",
                _("%(region)s has been abolished; use the division that replaced it.")
                % {"region": self._describe(code)},
            )
        if level is not None and node_level != level:
            if level == 3:
                message = _(
                    "Choose a county-level unit (county, district or county-level city); %(region)s is not one."
                )
            else:
                message = _("%(region)s is not a division of the required level.")
            raise CellError("region_level", message % {"region": self._describe(code)})
