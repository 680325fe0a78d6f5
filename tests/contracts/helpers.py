"""A confirmed award and its task book, for the contracts tests."""

import copy
import datetime
from decimal import Decimal

from django.utils import timezone

from contracts import services
from notices import services as notice_services
from notices.models import Notice
from reviews import services as review_services
from reviews.models import Assignment, Award

from ..reviews.helpers import make_pool, open_review, scenario


def proposed(staff, applications=2, racing=1, **propose):
    """A list in review with one bang: scored applications, the best one proposed (or, for a
    racehorse bang, the best `racing` teams on their own routes)."""
    routes = [f"技术路线{i}" for i in range(applications)] if racing > 1 else None
    bang_list, bang, apps = scenario(staff, applications=applications, max_teams=racing, routes=routes)
    make_pool(3)
    plan = open_review(bang_list, staff)
    record = review_services.panel_draw(bang=bang, by=staff)
    crit = list(plan.criteria.all())
    for seat in Assignment.objects.filter(draw=record).select_related("expert", "bang__bang_list"):
        review_services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
        seat.refresh_from_db()
        for i, app in enumerate(apps):
            review_services.score_save(assignment=seat, application=app, by=seat.expert,
                                       values={str(crit[0].pk): 38 - i, str(crit[1].pk): 55 - i},
                                       comments={str(c.pk): "说明" for c in crit}, comment="意见",
                                       recommendation="recommend", submit=True)
    review_services.scoring_close(plan=plan, by=staff)
    review_services.award_propose(bang=bang, by=staff, application_ids=[a.pk for a in apps[:racing]], **propose)
    bang_list.refresh_from_db()
    return bang_list, bang, apps


def noticed_award(staff) -> Award:
    """An award whose notice is still running."""
    bang_list, bang, apps = proposed(staff)
    notice_services.notice_publish(bang_list=bang_list, by=staff, title="揭榜结果公示", basis="依据",
                                   how_to_object="书面实名提出", confirm_warnings=True)
    return Award.objects.select_related("decision__bang__bang_list", "application__lead").get(application=apps[0])


def confirmed_award(staff) -> Award:
    """An award whose notice ended with no objection, confirmed and numbered."""
    award = noticed_award(staff)
    past = timezone.now() - datetime.timedelta(seconds=5)
    notice = Notice.objects.get(entries__decision=award.decision)
    Notice.objects.filter(pk=notice.pk).update(published_at=past - datetime.timedelta(days=10), ends_at=past)
    assert notice_services.notices_confirm_due() == 1
    return Award.objects.select_related("decision__bang__bang_list", "application__lead").get(pk=award.pk)


def valid_content(task_book, start: datetime.date | None = None) -> dict:
    """The draft's content adjusted so every rule holds: the budget's subsidy column equals the award's.
    `start` moves the project's period (execution tests date money in earlier years)."""
    content = copy.deepcopy(task_book.content)
    if start is not None:
        from contracts.content import add_months

        content["project"]["start"] = start.isoformat()
        content["project"]["end"] = (add_months(start, content["project"]["period_months"])
                                     - datetime.timedelta(days=1)).isoformat()
    subsidy = task_book.award.subsidy
    content["budget"] = [{"category": "equipment", "subsidy": str(subsidy), "enterprise": "500.00",
                          "self_raised": "100.00", "other": "0.00"}]
    start = datetime.date.fromisoformat(content["project"]["start"])
    content["schedule"] = [{"due_date": (start + datetime.timedelta(days=180)).isoformat(), "goal": "完成中试",
                            "indicator": ""}]
    for row in content["indicators"]:
        row["target"] = row["committed"] or row["bang_target"]
    return content


def drafted(staff):
    award = confirmed_award(staff)
    return services.task_book_draft(award=award, by=staff)


def lead_user(task_book):
    from accounts.enums import Role
    from accounts.models import User

    return User.objects.filter(organisation_id=task_book.award.application.lead_id,
                               role_grants__role=Role.APPLICANT).first()


def finalised(staff, start: datetime.date | None = None):
    """A task book saved valid by its lead and finalised by staff."""
    task_book = drafted(staff)
    services.task_book_save(task_book=task_book, by=lead_user(task_book), content=valid_content(task_book, start),
                            seen_version=1)
    task_book.refresh_from_db()
    return services.task_book_finalise(task_book=task_book, by=staff, seen_version=2)


__all__ = ["Decimal"]


def sign_all(task_book, staff):
    """Every party seals (each with a scan of its own); the task book is in force."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.enums import Role
    from accounts.models import User

    for party in task_book.parties.all():
        if party.kind == "organiser":
            user = staff
        else:
            role = Role.ENTERPRISE if party.kind == "issuer" else Role.APPLICANT
            user = (User.objects.filter(organisation=party.organisation, role_grants__role=role).first()
                    or _user(party.organisation, role))
        scan = SimpleUploadedFile("seal.png", b"\x89PNG\r\n\x1a\n" + f"{party.pk}".encode() + b"\x00" * 64)
        services.task_book_sign(party=party, by=user, scan=scan, signer_name="签署人", signer_title="职务")
    task_book.refresh_from_db()
    return task_book


def _user(organisation, role):
    from ..factories import UserFactory

    return UserFactory(organisation=organisation, roles=[role])


def execution_start() -> datetime.date:
    """Projects under execution tests started on 1 January two years ago, so that money can be dated
    in the previous year (the 到账 rule pays on last year's arrivals) and still fall in the period."""
    return datetime.date(timezone.localdate().year - 2, 1, 1)


def project_in_force(staff, start: datetime.date | None = None):
    """A confirmed award whose task book all parties signed: its project, in progress."""
    task_book = sign_all(finalised(staff, start or execution_start()), staff)
    return task_book.award.project

