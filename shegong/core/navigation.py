"""Role-based navigation: each app registers its menu entries in its AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    order: int = 100
    visible: Callable = field(default=lambda user: True)


_items: dict[str, NavItem] = {}


def register(item: NavItem):
    _items[item.key] = item


def items_for(user):
    entries = []
    for item in sorted(_items.values(), key=lambda i: i.order):
        if not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append({"key": item.key, "label": item.label, "url": url})
    return entries
