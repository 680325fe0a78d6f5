"""The bench data set (benchmark/data.py) is coherent, and the floor view exists only for the bench."""

import json

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from applications import services as application_services
from applications.enums import ApplicationState
from applications.models import Application, ApplicationVersion
from bangs.enums import BangListState
from bangs.models import Bang, BangList
from bangs.models import DemandOpinion
from benchmark.data import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def manifest(tmp_path):
    out = tmp_path / "manifest.json"
    call_command("load_bench", "--lists", "3", "--bangs", "20", "--demands", "20", "--applications", "10",
                 "--assignments", "3", "--crush", "5", "--sweep-rows", "8", "--out", str(out))
    return json.loads(out.read_text())


def test_load_bench_lists_are_published_with_their_bangs(manifest):
    assert BangList.objects.exclude(state=BangListState.PUBLISHED).count() == 0
    assert Bang.objects.filter(bang_list_id=manifest["big_list"]).count() >= 6
    assert DemandOpinion.objects.count() == 3


def test_load_bench_submitted_applications_have_versions(manifest):
    submitted = Application.objects.filter(bang__bang_list_id=manifest["big_list"])
    assert submitted.count() == 10
    assert set(submitted.values_list("state", flat=True)) == {ApplicationState.SUBMITTED}
    assert ApplicationVersion.objects.filter(application__in=submitted).count() == 10


def test_load_bench_bulk_versions_hold_what_the_service_would_snapshot(manifest):
    bulk = Application.objects.filter(bang__bang_list_id=manifest["sweep_list"]).first()
    version = bulk.versions.get()
    assert version.data == json.loads(json.dumps(application_services.application_snapshot(bulk), default=str))
    assert snapshot(Application.objects.prefetch_related(
        "milestones", "budget_lines", "commitments__indicator", "attachments__item").get(pk=bulk.pk)) == version.data


def test_load_bench_crush_drafts_are_accepted_by_application_submit(manifest):
    drafts = manifest["crush"]["drafts"]
    assert len(drafts) == 5
    leads = set()
    for pk, _session in drafts:
        application = Application.objects.get(pk=pk)
        assert application_services.application_submission_errors(application) == {}
        leads.add(application.lead_id)
    application = Application.objects.get(pk=drafts[0][0])
    version = application_services.application_submit(application=application, by=application.created_by)
    assert version.receipt.endswith("-01")
    assert len(leads) == 5


def test_load_bench_refuses_a_database_that_holds_lists(manifest):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="empty"):
        call_command("load_bench", "--lists", "1", "--bangs", "1")


def test_floor_view_is_not_routed_by_default(client):
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")
    assert client.get("/bench/floor/").status_code == 404
