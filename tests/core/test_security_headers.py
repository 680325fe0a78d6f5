"""Content Security Policy: the header on every page, and pages that work under it."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from applications import services as application_services

from ..applications.helpers import make_applicant
from ..factories import make_bang_list

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """Collects what a strict policy would block: inline scripts, on* handlers, style attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self._in_inline_script = True
            self.found.append("<script> without src")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def pages(alice, round_, organiser_staff):
    """(name, user or None, url) of the main pages, each as the role that uses it."""
    bang = make_bang_list(by=organiser_staff).bangs.get()
    applicant = make_applicant()
    application = application_services.application_start(bang=bang, by=applicant)
    return [
        ("home", None, reverse("home")),
        ("bangs", None, reverse("bangs:browse")),
        ("bang", None, reverse("bangs:bang_detail", args=[bang.pk])),
        ("list", organiser_staff, reverse("bangs:list_detail", args=[bang.bang_list_id])),
        ("login", None, reverse("login")),
        ("register", None, reverse("accounts:register")),
        ("demand form", alice, reverse("demands:create") + f"?round={round_.pk}"),
        ("application edit", applicant, reverse("applications:edit", args=[application.pk])),
        ("password change", applicant, reverse("password_change")),
    ]


def test_main_pages_have_a_strict_policy_and_no_inline_code(client, pages):
    for name, user, url in pages:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, name
        policy = directives(response)
        assert policy["default-src"] == ["'self'"], name
        assert policy["script-src"] == ["'self'"], name
        assert policy["style-src"] == ["'self'"], name
        assert policy["img-src"] == ["'self'", "data:"], name
        assert policy["object-src"] == ["'none'"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert policy["form-action"] == ["'self'"], name
        assert policy["base-uri"] == ["'self'"], name
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], name
        assert inline_code(response.content.decode()) == [], name


def test_lockout_page_has_the_policy_too(client):
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "nobody", "password": "Wrong-pass-999"})
    assert response.status_code == 429
    assert directives(response)["script-src"] == ["'self'"]
    assert inline_code(response.content.decode()) == []


def test_the_check_finds_inline_code():
    """The parser above would notice, so an empty list means something."""
    html = '<p style="color:red" onclick="x()">a</p><script>alert(1)</script><script src="/s.js"></script>'
    assert inline_code(html) == ["<p style='color:red'>", "<p onclick='x()'>", "<script> without src"]
