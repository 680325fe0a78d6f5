"""Every task-book page against every kind of visitor (issue 12): the parties reach what is theirs,
another unit's user and another organiser's staff get a 404 (they cannot learn that it exists),
a party without the right gets a 403, a visitor is sent to log in; and no refused POST changes anything."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.enums import Role
from contracts import services
from contracts.models import SigningParty, TaskBook, TaskBookComment

from ..factories import OrganisationFactory, UserFactory
from .helpers import drafted, finalised, lead_user

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(organiser_staff, other_organiser_staff):
    issued = finalised(organiser_staff)
    lead = lead_user(issued)
    lead_party = issued.parties.get(kind="lead")
    services.task_book_sign(party=lead_party, by=lead, scan=SimpleUploadedFile("s.png", PNG), signer_name="甲",
                            signer_title="乙")
    issuer = UserFactory(username="issuer", organisation=issued.award.decision.bang.issuers.first(),
                         roles=[Role.ENTERPRISE])
    users = {
        "anonymous": None,
        "stranger": UserFactory(username="stranger", organisation=OrganisationFactory(), roles=[Role.APPLICANT]),
        "expert": UserFactory(username="an-expert", organisation=OrganisationFactory(), roles=[Role.EXPERT]),
        "other_staff": other_organiser_staff,
        "lead": lead,
        "issuer": issuer,
        "staff": organiser_staff,
    }
    return issued, lead_party, users


# (name, args from the world, method, expected per user: anonymous, stranger, expert, other_staff, lead, issuer, staff)
ISSUED_PAGES = [
    ("detail", lambda tb, p: [tb.pk], "get", (302, 404, 404, 404, 200, 200, 200)),
    ("pdf", lambda tb, p: [tb.pk], "get", (302, 404, 404, 404, 200, 200, 200)),
    ("version", lambda tb, p: [tb.pk, 2], "get", (302, 404, 404, 404, 200, 200, 200)),
    ("scan", lambda tb, p: [tb.pk, p.pk], "get", (302, 404, 404, 404, 200, 200, 200)),
    ("edit", lambda tb, p: [tb.pk], "get", (302, 404, 404, 404, 403, 403, 403)),
    ("finalise", lambda tb, p: [tb.pk], "get", (302, 404, 404, 404, 403, 403, 200)),
    ("amend", lambda tb, p: [tb.pk], "get", (302, 404, 404, 404, 403, 403, 200)),
    ("sign", lambda tb, p: [tb.pk, tb.parties.get(kind="issuer").pk], "get", (302, 404, 404, 404, 403, 200, 403)),
]


def test_every_page_answers_each_visitor_as_it_should(client, world):
    issued, lead_party, users = world
    for name, args, method, expected in ISSUED_PAGES:
        for (who, user), code in zip(users.items(), expected):
            client.logout()
            if user is not None:
                client.force_login(user)
            response = getattr(client, method)(reverse(f"contracts:{name}", args=args(issued, lead_party)))
            assert response.status_code == code, (name, who, response.status_code)
            if code == 302:
                assert "/accounts/login/" in response["Location"]


def test_refused_posts_change_nothing(client, world, organiser_staff):
    issued, lead_party, users = world
    draft = drafted(organiser_staff)
    snapshot = list(TaskBook.objects.values_list("pk", "state", "fingerprint", "content").order_by("pk"))
    issuer_party = issued.parties.get(kind="issuer")
    posts = [
        # another unit or another organiser: not found
        ("stranger", "comment", [draft.pk], {"body": "x", "action": "return"}, 404),
        ("other_staff", "comment", [draft.pk], {"body": "x", "action": "return"}, 404),
        ("other_staff", "finalise", [draft.pk], {"seen_version": "1"}, 404),
        ("other_staff", "amend", [issued.pk], {"reason": "x"}, 404),
        ("stranger", "sign", [issued.pk, issuer_party.pk], {"signer_name": "x", "signer_title": "y", "confirm": "on"}, 404),
        # a party acting beyond its right: forbidden
        ("lead", "sign", [issued.pk, issuer_party.pk], {"signer_name": "x", "signer_title": "y", "confirm": "on"}, 403),
        ("lead", "finalise", [draft.pk], {"seen_version": "1"}, 404),  # another list's draft: not the lead's
        ("issuer", "amend", [issued.pk], {"reason": "x"}, 403),
        ("lead", "indicator_confirm", [issued.pk, "b1"], {}, 403),
        ("issuer", "comment", [issued.pk], {"body": "定稿后退回", "action": "return"}, 403),
        ("lead", "edit", [issued.pk], {"seen_version": "2", "objectives": "改"}, 403),
    ]
    for who, name, args, data, code in posts:
        client.logout()
        client.force_login(users[who])
        response = client.post(reverse(f"contracts:{name}", args=args), data)
        assert response.status_code == code, (who, name, response.status_code)
    assert list(TaskBook.objects.values_list("pk", "state", "fingerprint", "content").order_by("pk")) == snapshot
    assert not TaskBookComment.objects.exists()
    assert SigningParty.objects.filter(signed_at__isnull=False).count() == 1


def test_a_replayed_signature_is_refused_and_changes_nothing(client, world):
    issued, lead_party, users = world
    client.force_login(users["lead"])
    signed_at = SigningParty.objects.get(pk=lead_party.pk).signed_at
    response = client.post(reverse("contracts:sign", args=[issued.pk, lead_party.pk]),
                           {"scan": SimpleUploadedFile("again.png", PNG + b"1"), "signer_name": "冒充", "signer_title": "x",
                            "confirm": "on"})
    assert response.status_code == 302
    assert "已签署" in client.get(response["Location"]).content.decode()
    party = SigningParty.objects.get(pk=lead_party.pk)
    assert party.signed_at == signed_at and party.signer_name == "甲"


def test_junk_in_the_query_string_and_form_gives_a_message_not_an_error(client, world):
    issued, lead_party, users = world
    client.force_login(users["staff"])
    for query in ("?state=nonsense", "?q=%00", "?page=x", "?page=99999999999999999999"):
        assert client.get(reverse("contracts:list") + query).status_code == 200
    response = client.post(reverse("contracts:finalise", args=[issued.pk]), {"seen_version": "9" * 30})
    assert response.status_code == 302
    assert client.post(reverse("contracts:indicator_confirm", args=[issued.pk, "x" * 500])).status_code == 302
