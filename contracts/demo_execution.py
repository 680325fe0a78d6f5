"""Demo execution data (issue 13): racehorse elimination on the 2023 rare-earth list's motor bang.

When both racing teams of the motor bang hold a task book in force (two projects in progress), the
organiser's staff (`staff_rare`) record the mid-term review: the second team (-002) is terminated,
the first carries on. With only one team in force (contracts/demo.py seals -002 by its lead only),
nothing is recorded: a mid-term decision needs both teams running to mean elimination.
Idempotent: a team that has a mid-term decision is left alone."""

from bangs.models import BangList
from reviews.demo import RARE_EARTH

from .demo import MOTOR
from .enums import MidtermOutcome, ProjectState
from .midterm import midterm_decide
from .models import MidtermDecision, Project

REASON = ("中期评估专家组现场考核：该团队技术路线的推力密度实测值距考核指标差距较大，且剩余实施期内难以弥补；"
          "按赛马制择优支持另一团队继续攻关。")


def load_demo_execution(*, users: dict, units: dict) -> int:
    bang_list = BangList.objects.filter(title=RARE_EARTH).first()
    staff = users.get("staff_rare")
    if bang_list is None or staff is None:
        return 0
    projects = list(Project.objects.filter(award__decision__bang__bang_list=bang_list,
                                           award__decision__bang__title=MOTOR).order_by("project_number"))
    if len(projects) < 2 or MidtermDecision.objects.filter(project__in=projects).exists():
        return 0
    if any(p.state != ProjectState.IN_PROGRESS for p in projects):
        return 0
    midterm_decide(projects[-1], staff, MidtermOutcome.TERMINATE, REASON)
    return 1
