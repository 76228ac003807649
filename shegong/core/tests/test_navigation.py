"""The menu: grouped into dropdowns for officials, flat where a group would hold one entry, personal entries apart."""

import pytest
from django.urls import reverse

from shegong.core import navigation
from tests.factories import PersonFactory, official, worker_with_person

pytestmark = pytest.mark.django_db


def menu(client, user, path=None):
    client.force_login(user)
    response = client.get(path or reverse("home"))
    assert response.status_code == 200
    return response.context["nav_items"], response.context["account_items"]


def labels(entries):
    return [str(entry["label"]) for entry in entries]


def test_county_admin_menu_is_grouped_into_dropdowns(client):
    main, account = menu(client, official("440106"))
    groups = {entry["key"]: entry for entry in main if "children" in entry}
    assert set(groups) == {navigation.REGISTRY, navigation.EDUCATION, navigation.ADMINISTRATION}
    assert [child["key"] for child in groups[navigation.REGISTRY]["children"]] == [
        "workers-persons",
        "workers-signups",
        "workers-feedback",
        "workers-checking",
        "workers-transfer",  # 申请转入 (issue 11 item 9)
    ]
    assert {"users", "regions"} <= {child["key"] for child in groups[navigation.ADMINISTRATION]["children"]}
    # Few enough entries at the top to stay on one line; the personal ones are in the account menu.
    assert len(main) <= 8
    assert [entry["key"] for entry in account] == ["notifications", "tasks"]
    assert "tasks" not in navigation.keys_of(main)


def test_a_group_with_one_visible_entry_shows_that_entry(client):
    user = worker_with_person(PersonFactory())
    main, _account = menu(client, user)
    assert not any("children" in entry for entry in main)
    keys = [entry["key"] for entry in main]
    assert "regions" in keys  # the only entry of 系统管理 a social worker sees, shown directly
    assert "workers-me" in keys and "users" not in keys


def test_the_current_page_marks_its_entry_and_group(client):
    main, _account = menu(client, official("440106"), reverse("workers:person-list"))
    registry = next(entry for entry in main if entry["key"] == navigation.REGISTRY)
    assert registry["active"]
    assert [child["key"] for child in registry["children"] if child["active"]] == ["workers-persons"]
    assert not any(entry.get("active") for entry in main if entry["key"] != navigation.REGISTRY)


def test_the_rendered_menu_has_labelled_dropdowns(client):
    client.force_login(official("440106"))
    html = client.get(reverse("home")).content.decode()
    assert 'id="menu-registry" data-bs-toggle="dropdown" aria-expanded="false">社工库</button>' in html
    assert 'aria-labelledby="menu-registry"' in html
    assert 'id="menu-account"' in html and "我的后台任务" in html


def test_an_entry_for_an_unknown_group_is_refused():
    with pytest.raises(ValueError, match="unknown menu group"):
        navigation.register(navigation.NavItem(key="x", label="x", url_name="home", group="nowhere"))
    assert "x" not in navigation._items
