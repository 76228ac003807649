import time

from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scoping import ScopedQuerySet

ROOT_CODE = "000000"
TREE_CACHE_KEY = "regions:tree-version"


class Level(models.IntegerChoices):
    NATIONAL = 0, _("National")
    PROVINCE = 1, _("Province")
    PREFECTURE = 2, _("Prefecture")
    COUNTY = 3, _("County")


class RegionQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        # The division tree is public reference data: everyone signed in may read it, nobody edits
        # it through the application (it is loaded from the official list by load_regions).
        return models.Q() if purpose == "view" else None

    def administered(self):
        return self.filter(active=True, administered=True)


class Region(models.Model):
    """A unit of the management hierarchy (管理区划): ministry, province, prefecture, county.

    ``code`` is the GB/T 2260 code, except for the units the official list does not have as such
    (the national root, 兵团 and its divisions, the 市辖区 groups of municipalities), which get
    shegong's own codes; ``gb_code`` keeps the official code where there is one. Scoped rows store
    a region code, and a subtree is a code-prefix match with the exceptions that ``subtree_q``
    handles (the 兵团 division-cities coded 6590xx inside Xinjiang's 65).
    """

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=60, db_index=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    prefix = models.CharField(_("code prefix"), max_length=6, db_index=True)
    gb_code = models.CharField(_("GB/T 2260 code"), max_length=6, blank=True)
    active = models.BooleanField(_("active"), default=True, help_text=_("Abolished divisions stay, marked inactive."))
    administered = models.BooleanField(
        _("administered"),
        default=True,
        help_text=_("False for Hong Kong, Macao and Taiwan, listed but not managed here."),
    )
    synthetic = models.BooleanField(
        _("grouping unit"), default=False, help_text=_("A unit shegong adds to keep four levels (e.g. 市辖区).")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"], name="region_children")]

    def __str__(self):
        return self.full_name or self.name

    # --- subtree ------------------------------------------------------------------------
    def ancestors(self):
        """The chain from the root down to this unit's parent (cached tree, no query per level)."""
        chain, nodes = [], _tree()
        code = nodes.get(self.code, (None, None))[0]
        while code is not None:
            chain.append(code)
            code = nodes.get(code, (None, None))[0]
        return list(reversed(chain))

    def subtree_q(self, field):
        """A Q selecting rows whose region code in ``field`` lies in this unit's subtree."""
        if self.level == Level.NATIONAL:
            return models.Q()
        include, exclude = scope_prefixes(self.code, self.prefix)
        if self.level == Level.COUNTY and include == [self.code] and not exclude:
            # A county is a leaf: equality uses the index better than a prefix match.
            return models.Q(**{field: self.code})
        q = models.Q()
        for prefix in include:
            q |= models.Q(**{f"{field}__startswith": prefix})
        for prefix in exclude:
            q &= ~models.Q(**{f"{field}__startswith": prefix})
        return q

    def contains(self, code):
        """Whether the unit ``code`` lies in this unit's subtree (itself included)."""
        if self.level == Level.NATIONAL:
            return True
        include, exclude = scope_prefixes(self.code, self.prefix)
        return any(code.startswith(p) for p in include) and not any(code.startswith(p) for p in exclude)


_memo = {"version": None, "loaded_at": 0.0, "nodes": {}, "foreign": []}
TREE_MEMO_SECONDS = 600


def _tree_memo():
    """The tree as {code: (parent_code, prefix)} plus its "foreign" units, memoised per process.

    About 3,500 small rows. A reload bumps the version in the shared cache, which every process
    sees (with Redis); without a shared cache the memo expires after TREE_MEMO_SECONDS.
    """
    version = cache.get(TREE_CACHE_KEY)
    now = time.monotonic()
    if _memo["version"] != version or version is None or now - _memo["loaded_at"] > TREE_MEMO_SECONDS:
        nodes = {
            code: (parent, prefix) for code, parent, prefix in Region.objects.values_list("code", "parent", "prefix")
        }
        foreign = []
        for node, (parent, node_prefix) in nodes.items():
            if parent is None or node_prefix.startswith(nodes.get(parent, (None, ""))[1]):
                continue
            chain, up = set(), parent
            while up is not None:
                chain.add(up)
                up = nodes.get(up, (None, None))[0]
            foreign.append((node, node_prefix, chain))
        if version is None:
            version = now
            cache.set(TREE_CACHE_KEY, version, None)
        _memo.update(version=version, loaded_at=now, nodes=nodes, foreign=foreign)
    return _memo


def _tree():
    return _tree_memo()["nodes"]


def tree_version():
    """Changes whenever the division table is reloaded: a key for other per-process memos of the tree."""
    memo = _tree_memo()
    return (memo["version"], memo["loaded_at"])


def clear_tree_cache():
    cache.set(TREE_CACHE_KEY, time.time(), None)
    _memo["version"] = None


def scope_prefixes(code, prefix):
    """Prefixes to include and exclude for ``code``'s subtree.

    A "foreign" unit is one whose prefix does not extend its parent's (the 兵团 division-cities).
    It is added to the subtrees of its management ancestors and removed from the geographic
    ancestor whose prefix it happens to share.
    """
    include, exclude = [prefix], []
    for node, node_prefix, chain in _tree_memo()["foreign"]:
        if code in chain:
            include.append(node_prefix)
        elif node_prefix.startswith(prefix) and node != code:
            exclude.append(node_prefix)
    return include, exclude
