"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's live server.

Never ``playwright install``: the browser is the distribution's ``/usr/bin/chromium`` (``apt-get install
chromium fonts-noto-cjk``). Without it the browser tests are skipped, unless SHEGONG_REQUIRE_BROWSER=1
(CI sets it through scripts/test.sh), in which case they fail.

Every test here runs against a live server, so it uses a transactional database that is emptied after
each test: the ``site`` fixture loads the division tree and the demo accounts again before each one.
"""

import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses database access from a
# thread with a running loop unless told that this is intended.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("SHEGONG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEFAULT_TIMEOUT_MS = 15_000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"


def browser_required():
    return os.environ.get("SHEGONG_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def _no_browser(reason):
    if browser_required():
        pytest.fail(f"SHEGONG_REQUIRE_BROWSER=1 but the browser is not usable: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (install Debian's chromium: apt-get install chromium)")


@pytest.fixture(scope="session")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        _no_browser(f"playwright is not installed ({exc})")
    if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        _no_browser(f"{CHROMIUM} not found")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    try:
        browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:
        _no_browser(f"chromium did not start: {exc}")
    yield browser
    browser.close()


class SerializedApp:
    """Let the live server handle one request at a time.

    With SQLite in memory, the server's request threads and the test share one connection; two
    requests at once (a page and an HTMX poll), or a request while the test runs a background job,
    could interleave their transactions. Tests hold ``site.lock`` around their own database work
    while a page may be polling (never around a browser action: that would wait for itself).
    """

    lock = threading.RLock()

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        with self.lock:
            return self.app(environ, start_response)


@pytest.fixture
def site(live_server, settings):
    """The live server with the division tree and the demo accounts, static files served from the sources."""
    from django.core.management import call_command

    from shegong.regions.models import Region
    from shegong.regions.services import load_divisions

    # No collectstatic needed: plain storage, files found by the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Hashing a dozen demo passwords with Argon2 costs more than a test; the hasher is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    if not Region.objects.filter(code="440106").exists():  # emptied by the previous transactional test
        load_divisions()
    call_command("seed_demo", quiet=True)
    from shegong.core.limits import shared_cache

    shared_cache().clear()  # the counters outlive the emptied tables when they are in the database
    httpd = live_server.thread.httpd
    if not isinstance(httpd.get_app(), SerializedApp):
        httpd.set_app(SerializedApp(httpd.get_app()))
    live_server.lock = SerializedApp.lock
    return live_server


def htmx_settled(page):
    """Wait until HTMX has finished requests, swaps and settling.

    New content is in the page about 20 ms before HTMX wires up its hx-* attributes (the settle
    step); a person cannot act that fast, a test can.
    """
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def _new_context(browser, **options):
    context = browser.new_context(locale="zh-CN", accept_downloads=True, **options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


def _save_failure(request, page):
    """Keep a screenshot of a failed test's page under test-results/ (ignored by git)."""
    report = getattr(request.node, "rep_call", None)
    if report is None or not report.failed:
        return
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    except Exception:  # a failing screenshot must not hide the test's own failure
        pass


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _watch(page):
    """Collect what must never happen on a page: a Content-Security-Policy refusal or an uncaught script error."""
    problems = []

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP refusal on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"script error on {page.url}: {error}"))
    return problems


def _finish(request, page, problems):
    _save_failure(request, page)
    report = getattr(request.node, "rep_call", None)
    if problems and report is not None and report.passed:
        pytest.fail("The page reported problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(browser, request):
    """A desktop page (1280x800) in a fresh browser context whose language is Chinese.

    The test fails if the page reports a Content-Security-Policy refusal (an inline script or
    style) or an uncaught script error.
    """
    context = _new_context(browser, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems = _watch(page)
    yield page
    try:
        _finish(request, page, problems)
    finally:
        context.close()


@pytest.fixture
def phone_page(browser, request):
    """A phone-sized touch page (390x844), Chinese; watched like ``page``."""
    context = _new_context(
        browser, viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    problems = _watch(page)
    yield page
    try:
        _finish(request, page, problems)
    finally:
        context.close()


@pytest.fixture
def login(site):
    """``login(page, username, password=DEMO_PASSWORD)``: sign in through the form, with the second factor if asked."""
    from shegong.accounts.management.commands.seed_demo import DEMO_PASSWORD

    def sign_in(page, username, password=DEMO_PASSWORD, next_url="/"):
        page.goto(f"{site.url}/accounts/login/?{urlencode({'next': next_url})}")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password)
        page.locator("form:has(input[name=password]) [type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        complete_second_factor(page, username)
        return page

    return sign_in


def complete_second_factor(page, username):
    """If the site asks for a one-time code (enrolment or verification), answer it like an authenticator app."""
    from . import otp

    otp.answer_if_asked(page, username)


@pytest.fixture
def check_a11y():
    """``check_a11y(page)``: run axe-core (WCAG 2.1 A and AA) on the page and fail with a readable list."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, context=None, disable=()):
        options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
        if disable:
            options["rules"] = {rule: {"enabled": False} for rule in disable}
        results = axe.run(page, context=context, options=options)
        violations = results.response["violations"]
        if violations:
            pytest.fail(f"axe-core found accessibility problems on {page.url}:\n{format_violations(violations)}")
        return results

    return check


def format_violations(violations):
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:10]:
            target = ", ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}: {node.get('html', '')[:200]}")
            summary = node.get("failureSummary")
            if summary:
                lines.extend(f"      {line}" for line in summary.splitlines())
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)
