"""Role-based navigation: each app registers its menu entries in its AppConfig.ready().

An entry may belong to a group: the groups below are the menu's dropdowns (社工库, 继续教育, 系统管理),
so that an official's menu stays on one line; ``ACCOUNT`` entries go to the personal menu at the
right (我的账号). A group of which a user sees a single entry shows that entry directly.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str
    order: int


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    order: int = 100
    visible: Callable = field(default=lambda user: True)
    group: str = ""


REGISTRY = "registry"
EDUCATION = "education"
ADMINISTRATION = "administration"
ACCOUNT = "account"  # the personal menu at the right, not a dropdown of the main menu

_groups: dict[str, NavGroup] = {
    REGISTRY: NavGroup(REGISTRY, _("Registry"), 35),
    EDUCATION: NavGroup(EDUCATION, _("Continuing education"), 60),
    ADMINISTRATION: NavGroup(ADMINISTRATION, _("Administration"), 890),
}
_items: dict[str, NavItem] = {}


def register(*items: NavItem):
    for item in items:
        if item.group and item.group != ACCOUNT and item.group not in _groups:
            raise ValueError(f"unknown menu group {item.group!r} for {item.key!r}")
        _items[item.key] = item


def _entry(item):
    try:
        url = reverse(item.url_name)
    except NoReverseMatch:
        return None
    return {"key": item.key, "label": item.label, "url": url}


def items_for(user):
    """The main menu of ``user``: entries {key, label, url}, and groups {key, label, children}."""
    placed = []  # (order, entry)
    children = {}
    for item in sorted(_items.values(), key=lambda i: i.order):
        if item.group == ACCOUNT or not item.visible(user):
            continue
        entry = _entry(item)
        if entry is None:
            continue
        if item.group:
            children.setdefault(item.group, []).append(entry)
        else:
            placed.append((item.order, entry))
    for key, entries in children.items():
        group = _groups[key]
        if len(entries) == 1:
            placed.append((group.order, entries[0]))
        else:
            placed.append((group.order, {"key": group.key, "label": group.label, "children": entries}))
    placed.sort(key=lambda pair: pair[0])
    return [entry for _order, entry in placed]


def account_items_for(user):
    """The entries of the personal menu (after "My account")."""
    entries = []
    for item in sorted(_items.values(), key=lambda i: i.order):
        if item.group == ACCOUNT and item.visible(user):
            entry = _entry(item)
            if entry is not None:
                entries.append(entry)
    return entries


def keys_of(entries):
    """Every entry key in a menu, groups opened."""
    keys = []
    for entry in entries:
        if "children" in entry:
            keys.extend(child["key"] for child in entry["children"])
        else:
            keys.append(entry["key"])
    return keys


def mark_active(entries, path):
    """Flag the entry of the current page (and its group)."""
    for entry in entries:
        if "children" in entry:
            mark_active(entry["children"], path)
            entry["active"] = any(child["active"] for child in entry["children"])
        else:
            entry["active"] = path.startswith(entry["url"]) and entry["url"] != "/"
    return entries
