"""Playwright journeys in Debian's Chromium against a live server."""

import os
import shutil

import pytest
from playwright.sync_api import expect

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (fixtures, assertions) are ordinary blocking calls, which is fine here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


WAIT_MS = 60_000
# expect() has its own default (5 s) that the context's timeout does not change.
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    contexts = []
    # Chromium reports what the Content-Security-Policy blocked on the console; a blocked script
    # or style would break the page quietly, so any report fails the journey.
    csp_violations = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            csp_violations.append(message.text)

    def make(**options):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
        # Upper bounds for waiting on conditions, not delays: a passing step returns as soon as its
        # condition holds, and a busy CI machine (PDF rendering, two xdist workers) still fits.
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        page.on("console", on_console)
        return page

    yield make
    for context in contexts:
        context.close()
    assert csp_violations == []


PASSWORD = "Journey-pass-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def with_password(user):
    """Give a fixture's user the journeys' password, so it can sign in through the login page."""
    user.set_password(PASSWORD)
    user.save()
    return user


def no_blocking_violations(page, what):
    """axe at 390 px on the page as it stands, then back to the desktop width."""
    from .axe import axe_violations, blocking, describe

    page.set_viewport_size(PHONE)
    found = blocking(axe_violations(page))
    page.set_viewport_size(DESKTOP)
    assert found == [], f"axe on {what} ({page.url}) at 390 px:\n{describe(found)}"


def journey_user(**kwargs):
    """A user who signs in through the login page (the factories' users only use force_login)."""
    from ..factories import UserFactory

    user = UserFactory(**kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def fill_demand(page, *, name: str, background: str) -> None:
    """The 需求表's fields on /demands/new/ (the round is chosen by the caller)."""
    page.check("input[name=field] >> nth=0")
    page.fill("#id_contact_title", "总经理")
    page.fill("#id_name", name)
    page.check("input[name=cooperation_mode][value=commissioned]")
    page.fill("#id_background", background)
    page.fill("#id_content", "研制推力密度不低于国外同类产品的直线电机样机，推力波动小于2%。")
    page.fill("#id_basis", "具备电机设计、装配与测试条件。")
    page.fill("#id_solver_requirements", "直线电机领域领先的高校或科研院所。")
    page.fill("#id_ip_terms", "知识产权双方共有。")
    page.fill("#id_field_test", "在发榜方生产线整机实测。")
    page.fill("#id_period_months", "36")
    page.fill("#id_total_investment", "800")


def login(page, username, password, *, succeeds=True):
    """Sign in and wait until the portal has answered, so the next navigation cannot cut the POST."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    if succeeds:
        page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Regions, departments and fields come from data migrations, which a transactional test's
    flush removes; put them back for each journey (the loaders are idempotent)."""
    from importlib import import_module

    from django.apps import apps

    import_module("accounts.migrations.0002_regions").load_regions(apps, None)
    import_module("demands.migrations.0002_default_fields").load_fields(apps, None)
