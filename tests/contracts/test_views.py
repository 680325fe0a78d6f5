"""The task-book pages: the lead's draft, comments and returns, 定稿, signing (issue 12)."""

import io
import re

import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from contracts.enums import TaskBookState
from contracts.models import TaskBook

from ..factories import OrganisationFactory, UserFactory
from .helpers import drafted, lead_user, valid_content

pytestmark = pytest.mark.django_db


def draft_post(content: dict, seen: int, **overrides) -> dict:
    """The edit form's POST for `content` (what a browser sends after the lead's changes)."""
    data = {"seen_version": str(seen), "start": content["project"]["start"], "end": content["project"]["end"],
            "objectives": content["objectives"] or "目标", "route": content["route"] or "路线",
            "ip": content.get("ip", ""), "benefit": content.get("benefit", ""), "note": ""}
    for row in content["indicators"]:
        if row["key"].startswith("b"):
            data[f"t_{row['key']}"] = row["target"]
            data[f"m_{row['key']}"] = row["test_method"]
    for prefix, rows, fields in (
            ("extra", [], ()),
            ("schedule", content["schedule"], ("due_date", "goal", "indicator")),
            ("staffing", content["staffing"], ("name", "unit", "title", "role", "months")),
            ("tranches", content["disbursement"], ("label", "condition", "amount"))):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))  # as the page renders it
        for i, row in enumerate(rows):
            for field in fields:
                data[f"{prefix}-{i}-{field}"] = str(row.get(field, ""))
    for line in content["budget"]:
        for source in ("subsidy", "enterprise", "self_raised", "other"):
            data[f"{line['category']}__{source}"] = line[source]
    data.update(overrides)
    return data


def issuer_user(task_book):
    issuer = task_book.award.decision.bang.issuers.first()
    return UserFactory(username="issuer-user", organisation=issuer, roles=[Role.ENTERPRISE])


def test_the_lead_saves_a_version_and_the_comparison_shows_what_changed(client, organiser_staff):
    task_book = drafted(organiser_staff)
    lead = lead_user(task_book)
    client.force_login(lead)
    page = client.get(reverse("contracts:edit", args=[task_book.pk]))
    assert page.status_code == 200
    content = valid_content(task_book)
    content["objectives"] = "新的目标与主要内容"
    response = client.post(reverse("contracts:edit", args=[task_book.pk]), draft_post(content, 1))
    assert response.status_code == 302, re.findall(r"(?:alert-danger|invalid-feedback)[^>]*>(.*?)</div>", response.content.decode(), re.S)
    task_book.refresh_from_db()
    assert task_book.content["objectives"] == "新的目标与主要内容"
    assert task_book.versions.count() == 2
    compare = client.get(reverse("contracts:version", args=[task_book.pk, 2])).content.decode()
    assert "新的目标与主要内容" in compare and "已修改" in compare


def test_a_weaker_indicator_is_refused_next_to_the_indicators_and_nothing_is_saved(client, organiser_staff):
    task_book = drafted(organiser_staff)
    client.force_login(lead_user(task_book))
    content = valid_content(task_book)
    key = content["indicators"][0]["key"]
    response = client.post(reverse("contracts:edit", args=[task_book.pk]),
                           draft_post(content, 1, **{f"t_{key}": "≥0.5"}))
    assert response.status_code == 200
    assert "不能降低" in response.content.decode()
    assert 'data-testid="errors-indicators"' in response.content.decode()
    assert 'value="≥0.5"' in response.content.decode()  # nothing typed is lost
    assert task_book.versions.count() == 1


def test_the_issuer_returns_the_draft_and_the_lead_sees_the_reason(client, organiser_staff):
    task_book = drafted(organiser_staff)
    client.force_login(issuer_user(task_book))
    response = client.post(reverse("contracts:comment", args=[task_book.pk]),
                           {"body": "请把中试规模写清楚", "action": "return"})
    assert response.status_code == 302
    task_book.refresh_from_db()
    assert task_book.state == TaskBookState.RETURNED
    client.force_login(lead_user(task_book))
    assert "请把中试规模写清楚" in client.get(reverse("contracts:edit", args=[task_book.pk])).content.decode()


def test_staff_finalise_and_the_three_parties_sign(client, organiser_staff):
    task_book = drafted(organiser_staff)
    lead = lead_user(task_book)
    client.force_login(lead)
    client.post(reverse("contracts:edit", args=[task_book.pk]), draft_post(valid_content(task_book), 1))
    client.force_login(organiser_staff)
    response = client.post(reverse("contracts:finalise", args=[task_book.pk]), {"seen_version": "2"})
    assert response.status_code == 302
    task_book.refresh_from_db()
    assert task_book.state == TaskBookState.FINALISED and task_book.fingerprint
    pdf = client.get(reverse("contracts:pdf", args=[task_book.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    issuer = issuer_user(task_book)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    for user, kind in ((lead, "lead"), (issuer, "issuer"), (organiser_staff, "organiser")):
        party = task_book.parties.get(kind=kind)
        client.force_login(user)
        scan = io.BytesIO(png + kind.encode())  # each party its own sealed page
        scan.name = "盖章页.png"
        response = client.post(reverse("contracts:sign", args=[task_book.pk, party.pk]),
                               {"scan": scan, "signer_name": "王五", "signer_title": "法定代表人", "confirm": "on"})
        assert response.status_code == 302, response.content.decode()[:2000]
    task_book.refresh_from_db()
    assert task_book.state == TaskBookState.IN_FORCE
    page = client.get(reverse("contracts:detail", args=[task_book.pk])).content.decode()
    assert "已生效" in page


def test_another_unit_cannot_see_edit_or_sign(client, organiser_staff, other_organiser_staff):
    task_book = drafted(organiser_staff)
    stranger = UserFactory(username="stranger", organisation=OrganisationFactory(), roles=[Role.APPLICANT])
    for user in (stranger, other_organiser_staff):
        client.force_login(user)
        for name in ("detail", "edit", "finalise"):
            assert client.get(reverse(f"contracts:{name}", args=[task_book.pk])).status_code == 404
        assert client.post(reverse("contracts:comment", args=[task_book.pk]), {"body": "x", "action": "return"}).status_code == 404
    # The issuing enterprise reads and comments but cannot edit or finalise.
    client.force_login(issuer_user(task_book))
    assert client.get(reverse("contracts:detail", args=[task_book.pk])).status_code == 200
    assert client.get(reverse("contracts:edit", args=[task_book.pk])).status_code == 403
    assert client.get(reverse("contracts:finalise", args=[task_book.pk])).status_code == 403
    task_book.refresh_from_db()
    assert task_book.state == TaskBookState.DRAFTING and task_book.versions.count() == 1
    assert User.objects.filter(username="stranger").exists()
    assert TaskBook.objects.count() == 1


def test_the_list_costs_the_same_queries_for_one_task_book_and_for_four(client, organiser_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contracts.models import TaskBookVersion

    first = drafted(organiser_staff)
    client.force_login(organiser_staff)
    url = reverse("contracts:list")
    client.get(url)  # warm the session and the content types

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    one = count()
    for revision in range(2, 5):  # more rows of the same award, as amendments would make
        extra = TaskBook.objects.create(award=first.award, revision=revision, content=first.content,
                                        project_number=first.project_number, project_name=f"项目{revision}")
        TaskBookVersion.objects.create(task_book=extra, number=1, content=first.content)
    assert TaskBook.objects.count() == 4
    page = client.get(url).content.decode()
    assert "项目4" in page
    assert count() == one


def test_the_form_as_rendered_posts_back_and_only_what_was_changed_changes(client, organiser_staff):
    from .formpost import form_data

    task_book = drafted(organiser_staff)
    client.force_login(lead_user(task_book))
    url = reverse("contracts:edit", args=[task_book.pk])
    data = form_data(client.get(url).content.decode(), "task-book-form")
    data["equipment__subsidy"] = str(task_book.award.subsidy)
    response = client.post(url, data)
    assert response.status_code == 302, re.findall(r"(?:alert-danger|invalid-feedback)[^>]*>(.*?)</div>",
                                                    response.content.decode(), re.S)
    task_book.refresh_from_db()
    assert task_book.versions.count() == 2
    changed = [row for row in __import__("contracts.compare", fromlist=["compare"]).compare(
        task_book.versions.get(number=1).content, task_book.content) if row["changed"]]
    assert [row["label"] for row in changed] == ["经费预算（万元）"], changed


def test_a_negative_row_count_is_refused_and_drops_no_rows(client, organiser_staff):
    from .formpost import form_data

    task_book = drafted(organiser_staff)
    client.force_login(lead_user(task_book))
    url = reverse("contracts:edit", args=[task_book.pk])
    data = form_data(client.get(url).content.decode(), "task-book-form")
    data["equipment__subsidy"] = str(task_book.award.subsidy)
    data["schedule-TOTAL_FORMS"] = "-1"
    response = client.post(url, data)
    assert response.status_code == 200 and "表格数据不完整" in response.content.decode()
    assert task_book.versions.count() == 1


def test_after_a_version_conflict_the_stale_form_still_cannot_overwrite(client, organiser_staff):
    """The refused form is shown again with what was typed and the version it was based on, so a
    second click is refused too instead of undoing the other save."""
    from .formpost import form_data

    task_book = drafted(organiser_staff)
    lead = lead_user(task_book)
    client.force_login(lead)
    url = reverse("contracts:edit", args=[task_book.pk])
    stale = form_data(client.get(url).content.decode(), "task-book-form")
    other = dict(stale, route="另一个标签页的修改", equipment__subsidy=str(task_book.award.subsidy))
    assert client.post(url, other).status_code == 302
    stale.update(objectives="我输入的长文本", equipment__subsidy=str(task_book.award.subsidy))
    first = client.post(url, stale)
    assert "更新的版本" in first.content.decode()
    again = form_data(first.content.decode(), "task-book-form")
    assert again["objectives"] == "我输入的长文本"
    second = client.post(url, again)
    assert second.status_code == 200 and "更新的版本" in second.content.decode()
    task_book.refresh_from_db()
    assert task_book.content["route"] == "另一个标签页的修改" and task_book.versions.count() == 2
