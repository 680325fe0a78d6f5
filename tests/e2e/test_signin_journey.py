import re

import pytest
from playwright.sync_api import expect

from ..factories import UserFactory
from .conftest import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_five_wrong_passwords_lock_the_account_until_a_time_shown_on_the_login_page(new_page):
    user = UserFactory(username="gaoxin")
    user.set_password(PASSWORD)
    user.save()

    page = new_page()
    login(page, "gaoxin", "Wrong-pass-2026", succeeds=False)
    expect(page.get_by_text("请输入一个正确的用户名和密码。注意，两者都区分大小写。")).to_be_visible()
    for _ in range(4):
        page.fill("#id_password", "Wrong-pass-2026")
        with page.expect_navigation():  # each refusal is a new page: fill the next one, not the old
            page.click("form button[type=submit]")
    message = page.get_by_test_id("lockout-message")
    expect(message).to_contain_text(re.compile(r"账号已暂时锁定，请于 1[45] 分钟后（\d\d:\d\d 之后）再试。"))

    # The right password now is refused too, on the same page, with the username kept.
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    expect(message).to_contain_text("账号已暂时锁定")
    expect(page.locator("#id_username")).to_have_value("gaoxin")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
