"""An administrator who must use a second factor enrols at the first sign-in, keeps the recovery
codes, and signs in with a code the next time; the pages fit 390 px and pass axe."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from accounts.enums import Role

from .conftest import DESKTOP, PASSWORD, PHONE, journey_user, login, no_blocking_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code(secret: str, *, ahead: int = 0) -> str:
    """The authenticator's code for `secret` as shown on the enrolment page, `ahead` steps on."""
    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    totp.time = time.time() + 30 * ahead
    return f"{totp.token():06d}"


def test_administrator_enrols_then_signs_in_with_a_code(new_page, settings):
    settings.OTP_REQUIRED_ROLES = ["admin"]
    journey_user(username="pingtai", full_name="赵平台", roles=[Role.ADMIN])

    page = new_page()
    page.set_viewport_size(DESKTOP)
    login(page, "pingtai", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/enrol/$"))
    expect(page.get_by_test_id("enrol-required")).to_contain_text("须使用两步验证登录")
    expect(page.get_by_test_id("totp-qr")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(DESKTOP)
    no_blocking_violations(page, "the enrolment page")

    # A wrong code first: refused next to the field.
    page.fill("#id_code", "000000")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    expect(page.locator("#id_code + .invalid-feedback, .invalid-feedback")).to_contain_text("验证码不正确")

    page.fill("#id_code", code(secret))
    with page.expect_navigation():
        page.click("form button[type=submit]")
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    no_blocking_violations(page, "the recovery codes")
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    page.get_by_role("button", name="赵平台").click()
    with page.expect_navigation():
        page.get_by_role("button", name="退出登录").click()

    login(page, "pingtai", PASSWORD, succeeds=False)  # the code page's address starts /accounts/login/
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    no_blocking_violations(page, "the code page")
    page.get_by_role("link", name="使用恢复码").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/recovery/$"))
    no_blocking_violations(page, "the recovery-code page")
    page.go_back()
    # The enrolment used this time step's code, and a code is accepted once: the next step's code
    # (within the one step of tolerance) is what the app shows a few seconds later.
    page.fill("#id_code", code(secret, ahead=1))
    with page.expect_navigation():
        page.click("form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.goto("/accounts/two-factor/")
    expect(page.get_by_test_id("two-factor-status")).to_contain_text("两步验证已启用。剩余恢复码 10 个。")
    expect(page.get_by_test_id("two-factor-required")).to_be_visible()
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(DESKTOP)
    no_blocking_violations(page, "the two-step verification page")
