"""Phone-first lists: at 390x844 every list page shows its rows as cards and hides no action.

The list pages come from the URL conf (every view that lists: ``KeysetListMixin`` or Django's
``MultipleObjectMixin``) plus the table pages named in ``TABLE_PAGES``; each must be named in
``LIST_PAGES`` with an account that sees rows there, so a new list page cannot be forgotten (the
first test fails until it is added). On each page: nothing is wider than the screen, every link and
button of the content is inside the viewport width (none behind a horizontal scroll), and no table
cell is narrower than two characters.
"""

from collections import defaultdict

import pytest

pytestmark = pytest.mark.e2e

# url name -> the demo account that sees rows there (an official of the region the demo data is in).
LIST_PAGES = {
    "accounts:user-list": "gd_admin",
    "accounts:security-2fa": "gd_security",
    "accounts:security-lockouts": "gd_security",
    "workers:signup-list": "th_admin",
    "workers:feedback-list": "th_admin",
    "workers:person-list": "gd_admin",
    "workers:certificate-list": "gd_admin",
    "workers:checking": "th_admin",
    "regions:list": "gd_admin",
    "core:task-list": "gd_admin",
    "tabular:list": "gd_admin",
    "tabular:tables": "gd_admin",
    "audit:list": "gd_auditor",
    "workflow:inbox": "th_admin",
    "workflow:applications": "gd_admin",
    "workflow:mine": "worker_applicant",
    "workflow:notifications": "worker_applicant",
    "organizations:list": "gd_admin",
    "education:activity-list": "gd_admin",
    "education:provider-list": "gd_admin",
    "education:public-providers": "gd_admin",
    "education:compliance": "gd_admin",
    "education:policy": "gd_admin",
    "registration:mine": "worker_demo",
}

# Pages with a table that are not list views by class (kept in LIST_PAGES too).
TABLE_PAGES = {"accounts:security-lockouts", "tabular:tables", "education:policy", "registration:mine"}

# Pages whose demo data may legitimately be empty for every account (the check then covers the page's
# own links and buttons only).
MAY_BE_EMPTY = {"accounts:security-lockouts", "workflow:notifications", "core:task-list", "tabular:list"}

CHECK = """
() => {
  const width = window.innerWidth;
  const problems = [];
  const overflow = document.documentElement.scrollWidth - width;
  if (overflow > 0) problems.push(`the page is ${overflow}px wider than the screen`);
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return false;
    return !el.closest('.visually-hidden, .visually-hidden-focusable, .dropdown-menu:not(.show), [hidden]');
  };
  const name = (el) => (el.textContent || el.value || el.getAttribute('aria-label') || el.outerHTML).trim().slice(0, 60);
  for (const el of document.querySelectorAll('main a[href], main button, main input[type=submit]')) {
    if (!visible(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.left < -0.5 || rect.right > width + 0.5) {
      problems.push(`action "${name(el)}" is outside the screen (${Math.round(rect.left)}..${Math.round(rect.right)} of ${width})`);
    }
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const ox = getComputedStyle(box).overflowX;
      if ((ox === 'auto' || ox === 'scroll' || ox === 'hidden') && box.scrollWidth > box.clientWidth + 1) {
        problems.push(`action "${name(el)}" is inside a horizontal scroll box (${box.className})`);
        break;
      }
    }
  }
  let cells = 0;
  for (const cell of document.querySelectorAll('main table tbody td, main table tbody th')) {
    if (!visible(cell)) continue;
    cells += 1;
    const style = getComputedStyle(cell);
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const inner = cell.getBoundingClientRect().width - padding;
    const twoCharacters = 2 * parseFloat(style.fontSize);
    if (inner < twoCharacters) {
      problems.push(`cell "${name(cell)}" is ${Math.round(inner)}px wide, less than two characters (${twoCharacters}px)`);
    }
    if (!cell.hasAttribute('colspan') && cell.tagName === 'TD' && !cell.dataset.label && cell.closest('table').tHead) {
      problems.push(`cell "${name(cell)}" has no data-label`);
    }
  }
  const rows = document.querySelectorAll('main table tbody tr').length;
  return {problems, cells, rows};
}
"""


def _list_url_names():
    """Every argument-less route whose view lists rows, as ``namespace:name``."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.views.generic.list import MultipleObjectMixin

    from shegong.core.keyset import KeysetListMixin

    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(part for part in (namespace, pattern.namespace) if part)
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "view_class", None)
                if view and issubclass(view, KeysetListMixin | MultipleObjectMixin) and pattern.name:
                    names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_list_page_is_named():
    """A list page added to the URL conf fails here until it is checked on the phone below."""
    from django.urls import reverse

    missing = _list_url_names() - set(LIST_PAGES)
    assert not missing, f"add these list pages (with an account that sees rows) to LIST_PAGES: {sorted(missing)}"
    for name in LIST_PAGES:  # every named page still exists and needs no argument
        reverse(name)
    assert TABLE_PAGES <= set(LIST_PAGES)


def _rows_the_demo_lacks():
    """A sign-up waiting in 天河区 and an open registry feedback there (the demo data has neither)."""
    from shegong.accounts.roles import Role
    from shegong.core import crypto
    from shegong.workers.models import Person, RegistryFeedback, WorkerSignup
    from tests import factories

    number = factories.id_number_for(9301, "440106")
    WorkerSignup.objects.create(
        user=factories.UserFactory(username="phone_signup", role=Role.WORKER, region_id=None),
        name="陈小明",
        id_blind_index=crypto.blind_index(number),
        id_encrypted=crypto.encrypt(number),
        phone="13900002222",
        claimed_region_id="440106",
    )
    person = Person.objects.unscoped("test data").filter(region_id="440106", account__isnull=True).first()
    RegistryFeedback.objects.create(
        person=person,
        user=factories.worker_with_person(person, username="phone_feedback"),
        level="intermediate",
        management_no="2021440106000123",
        exam_year=2021,
        message="我的中级证书没有显示，请您核对。",
    )


def test_every_list_page_is_cards_on_a_phone(site, browser, request, login):
    from django.urls import reverse

    from .conftest import _finish, _new_context, _watch

    with site.lock:
        _rows_the_demo_lacks()

    by_user = defaultdict(list)
    for name, username in LIST_PAGES.items():
        by_user[username].append(name)
    failures = []
    for username, names in by_user.items():
        context = _new_context(
            browser, viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        problems = _watch(page)
        try:
            login(page, username)
            for name in names:
                url = reverse(name)
                response = page.goto(f"{site.url}{url}")
                if response.status != 200:
                    failures.append(f"{name} ({url}) as {username}: answered {response.status}")
                    continue
                page.wait_for_load_state("networkidle")
                result = page.evaluate(CHECK)
                failures.extend(f"{name} ({url}) as {username}: {problem}" for problem in result["problems"])
                if result["cells"] < 2 and name not in MAY_BE_EMPTY:
                    failures.append(f"{name} ({url}) as {username}: no rows to check; sign in as someone who sees data")
        finally:
            _finish(request, page, problems)
            context.close()
        failures.extend(problems)
    assert not failures, "\n".join(failures)
