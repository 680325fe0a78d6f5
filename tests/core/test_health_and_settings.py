import os
from decimal import Decimal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.utils import OperationalError
from django.urls import reverse

from accounts.models import Organisation, User
from demands.models import Demand

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert "broker" in response.json()


@pytest.mark.django_db
def test_healthz_503_when_database_does_not_answer(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


def _run_check(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="jiebang.settings")
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_debug_off_refuses_default_secret_key():
    result = _run_check({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_wsgi_server_refuses_default_secret_key_when_debug_is_unset():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run(
        [sys.executable, "-c", "import jiebang.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_off_starts_with_a_secret_key():
    result = _run_check({"DEBUG": "0", "SECRET_KEY": "a-real-secret-for-this-test-0123456789"})
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_demo_data_is_idempotent(client):
    from applications.models import Application
    from contracts.models import SigningParty, TaskBook, TaskBookVersion
    from notices.models import Notice, NoticeBang, Objection, ResponseRequest
    from reviews.models import Assignment, Award, ExpertConflict, ExpertProfile, PanelDraw, ReviewPlan, Score

    review_models = (ExpertProfile, ExpertConflict, ReviewPlan, PanelDraw, Assignment, Score, Award, Application,
                     Notice, NoticeBang, Objection, ResponseRequest, TaskBook, TaskBookVersion, SigningParty)
    call_command("load_demo", stdout=open(os.devnull, "w"))
    counts = (Organisation.objects.count(), User.objects.count(), Demand.objects.count(),
              *(m.objects.count() for m in review_models))
    call_command("load_demo", stdout=open(os.devnull, "w"))
    assert (Organisation.objects.count(), User.objects.count(), Demand.objects.count(),
            *(m.objects.count() for m in review_models)) == counts
    # The motor demand was accepted, then condensed into a bang of the 2023 rare-earth list.
    assert Demand.objects.filter(name="高推力密度永磁同步直线电机研制", state="listed").exists()
    from bangs.models import BangList

    tongliao = BangList.objects.get(title="2024年通辽市科技“突围”工程首批“揭榜挂帅”技术榜单")
    assert tongliao.bangs.count() == 4 and tongliao.contacts.exclude(bang_numbers="").count() == 3
    ordos = BangList.objects.get(title="鄂尔多斯市“揭榜挂帅”科技项目榜单")
    assert ordos.bangs.count() == 6 and sum(b.total_investment for b in ordos.bangs.all()) == Decimal("1157.9")
    assert BangList.objects.get(title__contains="定向").is_targeted
    assert Demand.objects.filter(name="骨肽乳酸菌口服液开发及产业化", state="submitted").exists()
    _check_demo_review()
    _check_demo_notices(client)
    _check_demo_contracts(client)


def _check_demo_review():
    """The expert review in the demo: a pool, the 鄂尔多斯 list in review, awards on the rare-earth list."""
    from bangs.models import BangList
    from reviews.models import BangDecision, ExpertConflict, ExpertProfile, PanelDraw, Score

    profiles = ExpertProfile.objects.select_related("unit__region")
    assert profiles.count() >= 15 and ExpertConflict.objects.exists()
    assert {p.in_region for p in profiles} == {True, False}
    ordos = BangList.objects.get(title="鄂尔多斯市“揭榜挂帅”科技项目榜单")
    assert ordos.state == "reviewing" and not ordos.is_open()
    assert PanelDraw.objects.filter(bang__bang_list=ordos).count() == 2
    assert Score.objects.filter(assignment__bang__bang_list=ordos, state="submitted").exists()
    # 高专家 has an invitation waiting in 评审任务.
    assert ordos.review_plan.draws.filter(assignments__expert__username="expert",
                                          assignments__state="invited").exists()
    # Applicants still have a list open to everyone.
    assert any(bl.is_open() for bl in BangList.objects.filter(is_targeted=False))
    rare = BangList.objects.get(title="内蒙古自治区稀土科技创新重大示范工程“揭榜挂帅”项目技术榜单")
    assert rare.review_plan.closed_at is not None
    # Proposed, then put to the public notice (notices/demo.py): one confirmed, one still noticed.
    decisions = BangDecision.objects.filter(bang__bang_list=rare, state__in=["confirmed", "noticed"],
                                            outcome="awarded")
    assert sorted(d.awards.count() for d in decisions) == [1, 2]
    racehorse = next(d for d in decisions if d.awards.count() == 2)
    assert len({a.route_label for a in racehorse.awards.all()}) == 2
    with pytest.raises(SystemExit) as exited:
        call_command("replay_draw", "--all", stdout=open(os.devnull, "w"))
        raise SystemExit(0)
    assert exited.value.code == 0


def _check_demo_notices(client):
    """The result notices in the demo: one ended with its awards confirmed, one running with an
    objection under investigation and a written response asked of the lead unit."""
    from django.utils import timezone

    from bangs.models import BangList
    from notices.models import Notice, Objection

    rare = BangList.objects.get(title="内蒙古自治区稀土科技创新重大示范工程“揭榜挂帅”项目技术榜单")
    now = timezone.now()
    ended = Notice.objects.get(bang_list=rare, ends_at__lt=now)
    entry = ended.entries.get()
    assert entry.state == "confirmed" and entry.content["racehorse"]
    numbers = sorted(entry.decision.awards.values_list("project_number", flat=True))
    assert len(numbers) == 2 and all(n and n.startswith("NMKJ-JBGS-") for n in numbers)
    assert set(entry.bang.applications.values_list("state", flat=True)) == {"awarded"}
    running = Notice.objects.get(bang_list=rare, ends_at__gt=now)
    assert running.is_running() and running.published_at <= now
    entry = running.entries.get()
    assert entry.state == "noticed" and entry.decision.state == "noticed"
    objection = Objection.objects.get(entry=entry)
    assert objection.state == "investigating" and objection.handling_deadline > now
    request = objection.response_requests.get()
    assert request.deadline > now and request.answered_at is None
    assert rare.state == "noticed"
    # Staff of the organiser handle it and see who objected; the lead unit sees the grounds only.
    client.force_login(User.objects.get(username="staff_rare"))
    page = client.get(reverse("notices:objection", args=[objection.pk])).content.decode()
    assert objection.number in page and objection.name in page
    client.force_login(User.objects.get(username="applicant"))
    response = client.get(reverse("notices:response", args=[request.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert objection.name not in page and objection.id_number not in page and objection.mobile not in page


@pytest.mark.django_db
def test_english_can_be_chosen(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="en"' in page
    assert "Enterprises set the problems, the able solve them" in page
    assert "Lists open for applications" in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-hans"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_browser_language_alone_does_not_switch_to_english(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page


@pytest.mark.django_db
def test_staff_enter_future_holidays_others_refused(client):
    import datetime

    from core.calendar import add_working_days
    from core.models import CalendarDay
    from tests.factories import UserFactory

    client.force_login(UserFactory(roles=["applicant"]))
    assert client.get(reverse("calendar_days")).status_code == 403
    client.force_login(UserFactory(roles=["staff"]))
    client.post(reverse("calendar_days"), {"date": "2027-02-08", "name": "春节", "is_workday": ""})
    assert CalendarDay.objects.get(date=datetime.date(2027, 2, 8)).is_workday is False
    result = add_working_days(datetime.date(2027, 2, 5), 1)  # Fri → (Mon 8 is a holiday) → Tue 9
    assert result.day == datetime.date(2027, 2, 9) and result.warnings == []


@pytest.mark.django_db
def test_staff_set_recommender_route(client):
    from accounts.models import Region
    from applications.models import RecommenderRoute
    from tests.factories import OrganisationFactory, UserFactory

    bureau = OrganisationFactory(kind="government")
    client.force_login(UserFactory(roles=["recommender"]))
    assert client.get(reverse("applications:routes")).status_code == 403
    client.force_login(UserFactory(roles=["staff"]))
    region = Region.objects.get(code="150600")
    client.post(reverse("applications:routes"), {"region": region.pk, "recommender": bureau.pk})
    assert RecommenderRoute.objects.get(region=region).recommender == bureau


def _site_url(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT", "DJANGO_SETTINGS_MODULE"}}
    env.update(env_overrides, DEBUG="1", DJANGO_SETTINGS_MODULE="jiebang.settings")
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "http://127.0.0.1:8000"),
    ({"PORT": "8123"}, "http://127.0.0.1:8123"),
    ({"PORT": "8123", "SITE_URL": "https://jiebang.example.cn"}, "https://jiebang.example.cn"),
])
def test_site_url_follows_the_port_make_run_serves_on(env, expected):
    assert _site_url(env) == expected


def test_run_script_exports_port_for_server_and_worker():
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert 'export PORT="${PORT:-8000}"' in script


def _check_demo_contracts(client):
    """The task books in the demo: the racehorse bang's first award in force, its second being signed
    (by its lead only), both shown on the organiser's signing ceremony page."""
    from bangs.models import BangList
    from contracts.models import TaskBook

    rare = BangList.objects.get(title="内蒙古自治区稀土科技创新重大示范工程“揭榜挂帅”项目技术榜单")
    books = list(TaskBook.objects.filter(award__decision__bang__bang_list=rare).order_by("project_number"))
    assert [b.project_number[-3:] for b in books] == ["001", "002"]
    in_force, signing = books
    assert in_force.state == "in_force" and in_force.fingerprint and in_force.in_force_at is not None
    assert all(p.signed and p.scan_sha256 and p.signer_name for p in in_force.parties.all())
    assert in_force.parties.count() == 3
    assert signing.state == "signing"
    assert {p.kind: p.signed for p in signing.parties.all()} == {"lead": True, "issuer": False, "organiser": False}
    assert {b.award.application.lead.name for b in books} == {"哈尔滨工业大学", "内蒙古民族大学"}
    client.force_login(User.objects.get(username="staff_rare"))
    page = client.get(reverse("contracts:ceremony", args=[rare.pk])).content.decode()
    assert "已签 3 / 共 3" in page and "已签 1 / 共 3" in page
