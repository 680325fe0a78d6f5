"""A small hand-counted world for the statistics (rows written directly: only the figures matter here).

Two published lists (and one draft that must not count):
- 甲: organiser 甲组织单位, published 2022, deadline 2022-04-01. Bangs:
  b1 能源资源 budget 1000, racehorse: U1 (北京, out of region) 600/180 in force; U2 (in region) 400/100,
     revision 1 superseded and revision 2 in force. Counted once as signed.
  b2 能源资源 budget 500: U2's award confirmed, task book still signing (not agreed).
  b3 现代农牧业 budget 300: 未揭榜.
- 乙: organiser 乙组织单位, published 2023, deadline 2023-06-01. Bangs:
  b4 现代农牧业 budget 800: U3 (上海, out of region) 800/240 in force.
  b5 能源资源 budget 200: U4 (out of region) proposed, still in notice (not a winner yet).
- a draft list with one bang of budget 9999 (its issuer E4 does not count).
Issuers: E1 (b1, b2), E2 (b3, b4), E3 (b5). Projects: U1's passed, U2's terminated, U3's in progress.
Notice entries: b1 settled 10 days after 甲's deadline, b4 30 days after 乙's. Objections: one dismissed
on b1 (甲), one filed and one upheld on b5 (乙). Disbursed: 100 to U1's project, 60 to U3's.
"""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from accounts.enums import OrganisationKind, Role
from accounts.models import Region
from applications.enums import ApplicationState
from applications.models import Application
from bangs.enums import BangListState
from bangs.models import Bang, BangList
from contracts.enums import ProjectState, TaskBookState
from contracts.models import Disbursement, Project, TaskBook
from demands.models import TechField
from notices.enums import NoticeBangState, ObjectionState
from notices.models import Notice, NoticeBang, Objection
from reviews.enums import DecisionOutcome, DecisionState
from reviews.models import Award, BangDecision

from ..factories import OrganisationFactory, UserFactory

_numbers = itertools.count(1)


def at(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def region(code: str) -> Region:
    return Region.objects.get(code=code)


class World:
    pass


def make_list(w, *, organiser, title, year, deadline, state=BangListState.CONCLUDED) -> BangList:
    return BangList.objects.create(
        organiser=organiser, title=title, state=state, opens_at=at(year, 1, 1), deadline=deadline,
        published_at=None if state == BangListState.DRAFT else at(year, 3, 1, 9), created_by=w.staff)


def make_bang(bang_list, number, field, budget, issuer) -> Bang:
    bang = Bang.objects.create(bang_list=bang_list, number=number, title=f"{bang_list.title}技术榜{number}",
                               field=field, total_investment=Decimal(budget))
    bang.issuers.add(issuer)
    return bang


def make_decision(w, bang, state=DecisionState.CONFIRMED, outcome=DecisionOutcome.AWARDED) -> BangDecision:
    return BangDecision.objects.create(bang=bang, outcome=outcome, state=state, decided_by=w.staff)


def make_award(w, decision, lead, investment, subsidy, rank=1) -> Award:
    n = next(_numbers)
    app = Application.objects.create(bang=decision.bang, lead=lead, created_by=w.staff,
                                     state=ApplicationState.AWARDED, number=f"T{n}")
    number = f"TEST-{n:04d}" if decision.state == DecisionState.CONFIRMED else None
    return Award.objects.create(decision=decision, application=app, rank=rank, score=Decimal(80),
                                investment=Decimal(investment), subsidy=Decimal(subsidy), project_number=number)


def make_task_book(award, state=TaskBookState.IN_FORCE, revision=1) -> TaskBook:
    return TaskBook.objects.create(award=award, revision=revision, state=state, project_number=award.project_number,
                                   project_name=award.decision.bang.title)


def make_project(award, task_book, state) -> Project:
    return Project.objects.create(award=award, task_book=task_book, state=state, project_number=award.project_number,
                                  subsidy=award.subsidy)


def make_entry(w, notice, decision, settled_at=None, state=NoticeBangState.CONFIRMED) -> NoticeBang:
    return NoticeBang.objects.create(notice=notice, bang=decision.bang, decision=decision, state=state,
                                     settled_at=settled_at)


def make_notice(w, bang_list) -> Notice:
    return Notice.objects.create(bang_list=bang_list, title="公示", basis="依据", how_to_object="书面",
                                 period_days=5, published_at=bang_list.deadline, ends_at=bang_list.deadline,
                                 published_by=w.staff)


def make_objection(entry, state) -> Objection:
    return Objection.objects.create(entry=entry, number=f"YY{next(_numbers):05d}", kind="person", name="异议人",
                                    grounds="理由", state=state, filed_at=timezone.now())


def build_world() -> World:
    w = World()
    w.org_a = OrganisationFactory(name="甲组织单位", kind=OrganisationKind.GOVERNMENT, region=region("150000"))
    w.org_b = OrganisationFactory(name="乙组织单位", kind=OrganisationKind.GOVERNMENT, region=region("150200"))
    w.staff = UserFactory(organisation=w.org_a, roles=[Role.STAFF])
    w.staff_b = UserFactory(organisation=w.org_b, roles=[Role.STAFF])
    energy, farming = TechField.objects.get(name="能源资源"), TechField.objects.get(name="现代农牧业")
    w.e1, w.e2, w.e3, w.e4 = (OrganisationFactory() for _ in range(4))
    w.u1 = OrganisationFactory(name="北京某大学", kind=OrganisationKind.UNIVERSITY, region=region("110000"))
    w.u2 = OrganisationFactory(name="区内某大学", kind=OrganisationKind.UNIVERSITY, region=region("150105"))
    w.u3 = OrganisationFactory(name="上海某大学", kind=OrganisationKind.UNIVERSITY, region=region("310000"))
    w.u4 = OrganisationFactory(name="湖北某大学", kind=OrganisationKind.UNIVERSITY, region=region("420000"))

    w.list_a = make_list(w, organiser=w.org_a, title="甲榜单", year=2022, deadline=at(2022, 4, 1, 23, 59, 59))
    w.list_b = make_list(w, organiser=w.org_b, title="乙榜单", year=2023, deadline=at(2023, 6, 1, 23, 59, 59),
                         state=BangListState.NOTICED)
    draft = make_list(w, organiser=w.org_a, title="草稿榜单", year=2024, deadline=at(2024, 6, 1),
                      state=BangListState.DRAFT)
    make_bang(draft, 1, energy, "9999", w.e4)

    b1 = make_bang(w.list_a, 1, energy, "1000", w.e1)
    b2 = make_bang(w.list_a, 2, energy, "500", w.e1)
    b3 = make_bang(w.list_a, 3, farming, "300", w.e2)
    b4 = make_bang(w.list_b, 1, farming, "800", w.e2)
    b5 = make_bang(w.list_b, 2, energy, "200", w.e3)

    d1 = make_decision(w, b1)
    a1 = make_award(w, d1, w.u1, "600", "180")
    a2 = make_award(w, d1, w.u2, "400", "100", rank=2)
    t1 = make_task_book(a1)
    old = make_task_book(a2, state=TaskBookState.SUPERSEDED)
    t2 = make_task_book(a2, revision=2)
    assert old.pk
    d2 = make_decision(w, b2)
    make_task_book(make_award(w, d2, w.u2, "500", "150"), state=TaskBookState.SIGNING)
    make_decision(w, b3, outcome=DecisionOutcome.UNAWARDED)
    d4 = make_decision(w, b4)
    a4 = make_award(w, d4, w.u3, "800", "240")
    t4 = make_task_book(a4)
    d5 = make_decision(w, b5, state=DecisionState.NOTICED)
    make_award(w, d5, w.u4, "200", "60")

    w.p1 = make_project(a1, t1, ProjectState.PASSED)
    w.p2 = make_project(a2, t2, ProjectState.TERMINATED)
    w.p4 = make_project(a4, t4, ProjectState.IN_PROGRESS)
    for project, amount in ((w.p1, "100"), (w.p4, "60")):
        Disbursement.objects.create(project=project, amount=Decimal(amount), paid_on=datetime.date(2023, 7, 1),
                                    document_number="拨付文号", recorded_by=w.staff)

    notice_a, notice_b = make_notice(w, w.list_a), make_notice(w, w.list_b)
    e1 = make_entry(w, notice_a, d1, settled_at=w.list_a.deadline + datetime.timedelta(days=10))
    make_entry(w, notice_b, d4, settled_at=w.list_b.deadline + datetime.timedelta(days=30))
    e5 = make_entry(w, notice_b, d5, state=NoticeBangState.NOTICED)
    make_objection(e1, ObjectionState.DISMISSED)
    make_objection(e5, ObjectionState.FILED)
    make_objection(e5, ObjectionState.UPHELD)
    return w


def grow(w, n: int) -> None:
    """n more published bangs on 甲, each agreed with a new out-of-region lead and a running project:
    the query counts must not follow."""
    field = TechField.objects.get(name="生态环境")
    start = w.list_a.bangs.count() + 1
    for i in range(n):
        bang = make_bang(w.list_a, start + i, field, "100", OrganisationFactory())
        award = make_award(w, make_decision(w, bang), OrganisationFactory(region=region("110000")), "100", "30")
        task_book = make_task_book(award)
        make_project(award, task_book, ProjectState.IN_PROGRESS)
