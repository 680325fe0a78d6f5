"""The programme's figures (issue 13, section 5), always computed from the data, never typed in.

A handful of aggregate queries whatever the size of the data: the bangs grouped by (year of the
list's publication, organiser, field) once, the agreed awards grouped the same way once, and the
breakdowns and headline totals are added up from those rows in Python.

Definitions:
- published: a list in a state from 已发布 on (published, reviewing, noticed, concluded), and its bangs;
- signed (达成合作): a bang with at least one task book in force (or superseded by an amendment in force),
  counted once however many teams (赛马) it has;
- agreed investment and subsidy: the awards (reviews.Award) whose task book is in force; the award's
  figures, not the project's current subsidy (a mid-term change moves that one);
- winning leads: the distinct lead units of confirmed awards; out of region: their region's code does
  not start with 15 (accounts.Region.in_region);
- issuing enterprises: distinct issuers of published bangs.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext_lazy as _

from accounts.models import IN_REGION_PREFIX
from bangs.enums import BangListState
from bangs.models import Bang, BangList
from contracts.enums import ProjectState, TaskBookState
from contracts.models import Disbursement, Project, TaskBook
from notices.enums import NoticeBangState, ObjectionState
from notices.models import NoticeBang, Objection
from reviews.enums import DecisionState
from reviews.models import Award

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PUBLISHED_STATES = (BangListState.PUBLISHED, BangListState.REVIEWING, BangListState.NOTICED,
                    BangListState.CONCLUDED)
SIGNED_STATES = (TaskBookState.IN_FORCE, TaskBookState.SUPERSEDED)

# The breakdowns, in the order the page shows them: key, title, the column heading of their label.
BREAKDOWNS = (
    ("year", _("按年度"), _("年度")),
    ("organiser", _("按组织单位"), _("组织单位")),
    ("field", _("按技术领域"), _("技术领域")),
)
BREAKDOWN_KEYS = tuple(key for key, _title, _label in BREAKDOWNS)


@dataclass
class Row:
    """One line of a breakdown."""

    label: str
    bangs: int = 0
    signed: int = 0
    budget: Decimal = ZERO
    investment: Decimal = ZERO
    subsidy: Decimal = ZERO

    def as_dict(self) -> dict:
        return {"label": self.label, "bangs": self.bangs, "signed": self.signed, "budget": self.budget,
                "investment": self.investment, "subsidy": self.subsidy}


@dataclass
class Figures:
    lists: int = 0
    bangs: int = 0
    budget: Decimal = ZERO
    signed: int = 0
    investment: Decimal = ZERO
    subsidy: Decimal = ZERO
    leads: int = 0
    leads_outside: int = 0
    issuers: int = 0
    outcomes: list = field(default_factory=list)  # [{"state", "label", "count"}] in ProjectState's order
    breakdowns: dict = field(default_factory=dict)  # key -> [Row]

    @property
    def outside_share(self) -> Decimal | None:
        """区外揭榜单位占比 in percent, one decimal, or None when nobody has won yet."""
        if not self.leads:
            return None
        return (Decimal(self.leads_outside) * 100 / self.leads).quantize(Decimal("0.1"))

    @property
    def solvers(self) -> int:
        return self.leads

    def as_dict(self) -> dict:
        """The public figures, as the API and the page's chart script read them."""
        return {
            "lists": self.lists,
            "bangs": self.bangs,
            "budget": self.budget,
            "signed": self.signed,
            "investment": self.investment,
            "subsidy": self.subsidy,
            "leads": self.leads,
            "leads_outside": self.leads_outside,
            "outside_share": self.outside_share,
            "issuers": self.issuers,
            "solvers": self.solvers,
            "outcomes": self.outcomes,
            "breakdowns": {key: [row.as_dict() for row in rows] for key, rows in self.breakdowns.items()},
        }


def _signed_task_book(award_ref: str):
    return Exists(TaskBook.objects.filter(award=OuterRef(award_ref), state__in=SIGNED_STATES))


def _outside_region() -> Q:
    return ~Q(application__lead__region__code__startswith=IN_REGION_PREFIX)


def public_figures() -> Figures:
    """The headline figures and their breakdowns (6 queries)."""
    figures = Figures()
    figures.lists = BangList.objects.filter(state__in=PUBLISHED_STATES).count()

    # 1. Bangs by (year, organiser, field), with how many have a signed task book.
    signed = Exists(TaskBook.objects.filter(award__decision__bang=OuterRef("pk"), state__in=SIGNED_STATES))
    bang_rows = (
        Bang.objects.filter(bang_list__state__in=PUBLISHED_STATES)
        .annotate(year=ExtractYear("bang_list__published_at"), is_signed=signed)
        .values("year", "bang_list__organiser_id", "bang_list__organiser__name", "field_id", "field__name",
                "field__sort_order")
        .annotate(bangs=Count("pk"), signed=Count("pk", filter=Q(is_signed=True)),
                  budget=Coalesce(Sum("total_investment"), ZERO))
        .order_by()
    )
    # 2. The agreed awards (task book in force), grouped the same way.
    award_rows = (
        Award.objects.filter(decision__state=DecisionState.CONFIRMED,
                             decision__bang__bang_list__state__in=PUBLISHED_STATES)
        .filter(_signed_task_book("pk"))
        .annotate(year=ExtractYear("decision__bang__bang_list__published_at"))
        .values("year", "decision__bang__bang_list__organiser_id", "decision__bang__field_id")
        .annotate(investment=Coalesce(Sum("investment"), ZERO), subsidy=Coalesce(Sum("subsidy"), ZERO))
        .order_by()
    )

    tables: dict[str, dict] = {key: {} for key in BREAKDOWN_KEYS}
    order: dict[str, dict] = {key: {} for key in BREAKDOWN_KEYS}

    def row(key: str, ident, label: str, sort) -> Row:
        if ident not in tables[key]:
            tables[key][ident] = Row(label=label)
            order[key][ident] = sort
        return tables[key][ident]

    for r in bang_rows:
        year_label = str(r["year"]) if r["year"] else str(_("未发布"))
        targets = (
            row("year", r["year"], year_label, r["year"] or 0),
            row("organiser", r["bang_list__organiser_id"], r["bang_list__organiser__name"], None),
            row("field", r["field_id"], r["field__name"], (r["field__sort_order"], r["field__name"])),
        )
        budget = Decimal(r["budget"]).quantize(CENT)
        for target in targets:
            target.bangs += r["bangs"]
            target.signed += r["signed"]
            target.budget += budget
        figures.bangs += r["bangs"]
        figures.signed += r["signed"]
        figures.budget += budget
    for r in award_rows:
        # Every agreed award is on a published bang, so its groups exist already.
        targets = (tables["year"].get(r["year"]),
                   tables["organiser"].get(r["decision__bang__bang_list__organiser_id"]),
                   tables["field"].get(r["decision__bang__field_id"]))
        investment, subsidy = Decimal(r["investment"]).quantize(CENT), Decimal(r["subsidy"]).quantize(CENT)
        for target in targets:
            if target is not None:
                target.investment += investment
                target.subsidy += subsidy
        figures.investment += investment
        figures.subsidy += subsidy
    # Years in order, fields in their configured order, organisers by how many bangs they published.
    for ident, r in tables["organiser"].items():
        order["organiser"][ident] = (-r.bangs, r.label)
    for key in BREAKDOWN_KEYS:
        idents = sorted(tables[key], key=lambda ident: order[key][ident])
        figures.breakdowns[key] = [tables[key][ident] for ident in idents]

    # 3. The winning leads, and how many are from outside the region.
    leads = Award.objects.filter(decision__state=DecisionState.CONFIRMED).aggregate(
        leads=Count("application__lead", distinct=True),
        outside=Count("application__lead", distinct=True, filter=_outside_region()),
    )
    figures.leads, figures.leads_outside = leads["leads"], leads["outside"]

    # 4. The issuing enterprises of published bangs.
    figures.issuers = (Bang.issuers.through.objects
                       .filter(bang__bang_list__state__in=PUBLISHED_STATES)
                       .aggregate(n=Count("organisation", distinct=True))["n"])

    # 5. The projects by state (acceptance outcomes and those still running).
    counts = dict(Project.objects.values_list("state").annotate(n=Count("pk")).order_by())
    figures.outcomes = [{"state": state.value, "label": str(state.label), "count": counts.get(state.value, 0)}
                        for state in ProjectState]
    return figures


@dataclass
class StaffFigures:
    decided: int = 0  # confirmed decisions with a settle time
    days_to_award: Decimal | None = None  # mean days from the list's deadline to the confirmation
    objections: int = 0
    objections_upheld: int = 0
    objections_open: int = 0
    agreed_subsidy: Decimal = ZERO
    disbursed: Decimal = ZERO

    @property
    def disbursed_share(self) -> Decimal | None:
        if not self.agreed_subsidy:
            return None
        return (self.disbursed * 100 / self.agreed_subsidy).quantize(Decimal("0.1"))


def staff_figures(*, organiser_id: int | None = None) -> StaffFigures:
    """What only staff see (4 queries): scoped to one organiser's lists unless `organiser_id` is None."""
    scope = {} if organiser_id is None else {"bang__bang_list__organiser_id": organiser_id}
    out = StaffFigures()

    # Time from deadline to award: the notice entry's settle time (公示无异议，已确认) minus the deadline.
    waited = (NoticeBang.objects
              .filter(state=NoticeBangState.CONFIRMED, settled_at__isnull=False,
                      decision__state=DecisionState.CONFIRMED, **scope)
              .annotate(waited=ExpressionWrapper(F("settled_at") - F("bang__bang_list__deadline"),
                                                 output_field=DurationField()))
              .aggregate(n=Count("pk"), mean=Avg("waited")))
    out.decided = waited["n"]
    if waited["mean"] is not None:
        out.days_to_award = (Decimal(waited["mean"].total_seconds()) / 86400).quantize(Decimal("0.1"))

    objection_scope = {} if organiser_id is None else {"entry__bang__bang_list__organiser_id": organiser_id}
    objections = Objection.objects.filter(**objection_scope).aggregate(
        n=Count("pk"), upheld=Count("pk", filter=Q(state=ObjectionState.UPHELD)),
        open=Count("pk", filter=Q(state__in=[ObjectionState.FILED, ObjectionState.ACCEPTED,
                                             ObjectionState.INVESTIGATING])),
    )
    out.objections, out.objections_upheld, out.objections_open = (objections["n"], objections["upheld"],
                                                                  objections["open"])

    award_scope = {} if organiser_id is None else {"decision__bang__bang_list__organiser_id": organiser_id}
    out.agreed_subsidy = (Award.objects.filter(decision__state=DecisionState.CONFIRMED, **award_scope)
                          .filter(_signed_task_book("pk"))
                          .aggregate(s=Coalesce(Sum("subsidy"), ZERO))["s"]).quantize(CENT)
    money_scope = {} if organiser_id is None else {
        "project__award__decision__bang__bang_list__organiser_id": organiser_id}
    out.disbursed = Decimal(
        Disbursement.objects.filter(**money_scope).aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]).quantize(CENT)
    return out
