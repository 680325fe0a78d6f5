"""A list closed for applications, its eligible applications, and an expert pool, for the review tests."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.enums import Role
from accounts.models import Region
from applications import services as application_services
from applications.models import Application
from bangs.models import BangList
from demands.models import TechField
from reviews import services
from reviews.models import ExpertProfile

from ..applications.helpers import fill, make_applicant
from ..factories import OrganisationFactory, UserFactory, make_bang_list

FIELD = "能源资源"


def make_expert(name: str, *, unit=None, out_of_region: bool = False, fields=(FIELD,), active=True, **profile):
    region = Region.objects.get(code="110000" if out_of_region else "150207")
    unit = unit or OrganisationFactory(kind="university", name=f"{name}所在大学", region=region)
    user = UserFactory(full_name=name, organisation=unit, roles=[Role.EXPERT])
    expert = ExpertProfile.objects.create(user=user, unit=unit, title="教授", is_active=active, **profile)
    expert.fields.set(TechField.objects.filter(name__in=fields))
    return user


def make_pool(n: int, *, out_of_region: int = 0, prefix: str = "专家") -> list:
    return [make_expert(f"{prefix}{i}", out_of_region=i < out_of_region) for i in range(n)]


def close_list(bang_list: BangList) -> None:
    """Move the list's deadlines into the past (as if time had passed)."""
    past = timezone.now() - datetime.timedelta(days=2)
    BangList.objects.filter(pk=bang_list.pk).update(opens_at=past - datetime.timedelta(days=10), deadline=past,
                                                     recommend_deadline=past + datetime.timedelta(days=1))
    bang_list.refresh_from_db()


def eligible_application(bang, staff, *, route="改良西门子法", applicant=None, partners=(), subsidy="200"):
    applicant = applicant or make_applicant()
    application = application_services.application_start(bang=bang, by=applicant)
    fill(application, applicant, partners=partners, subsidy=subsidy)
    if route:
        Application.objects.filter(pk=application.pk).update(route_label=route)
        application.refresh_from_db()
    application_services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    application_services.application_recommend(application=application, by=staff, note="符合条件")
    application.refresh_from_db()
    return application


def open_review(bang_list, staff, **plan):
    criteria = [{"name": "可行性", "weight": 40, "max_score": Decimal("40")},
                {"name": "团队", "weight": 60, "max_score": Decimal("60")}]
    settings = dict(panel_size=3, deadline=timezone.now() + datetime.timedelta(days=10))
    settings.update(plan)
    return services.review_open(bang_list=bang_list, by=staff, plan=settings, criteria=plan.pop("criteria", criteria)
                                if "criteria" in plan else criteria)


def scenario(staff, *, applications=2, max_teams=1, routes=None):
    """A list with one bang and `applications` eligible applications, closed and ready for review."""
    bang_list = make_bang_list(by=staff, max_teams=max_teams) if False else make_bang_list(by=staff)
    bang = bang_list.bangs.get()
    if max_teams != 1:
        type(bang).objects.filter(pk=bang.pk).update(max_teams=max_teams)
        bang.refresh_from_db()
    routes = routes or [f"路线{i}" for i in range(applications)]
    apps = [eligible_application(bang, staff, route=routes[i]) for i in range(applications)]
    close_list(bang_list)
    return bang_list, bang, apps
