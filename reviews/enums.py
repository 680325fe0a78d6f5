from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    NEVER = "never", _("不可见")
    AFTER_SUBMIT = "after_submit", _("提交本人评分后可见")


class AssignmentState(models.TextChoices):
    INVITED = "invited", _("已邀请（待确认）")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已谢绝")
    CONFLICT = "conflict", _("申明回避")
    EXPIRED = "expired", _("逾期未确认")
    REMOVED = "removed", _("已被移出")


A = AssignmentState
ASSIGNMENT_TRANSITIONS: dict[str, set[str]] = {
    A.INVITED: {A.ACCEPTED, A.DECLINED, A.CONFLICT, A.EXPIRED, A.REMOVED},
    # An expert who finds a conflict only on reading the plans may still declare it.
    A.ACCEPTED: {A.CONFLICT, A.REMOVED},
    A.DECLINED: set(),
    A.CONFLICT: set(),
    A.EXPIRED: set(),
    A.REMOVED: set(),
}
# A seat that no longer counts: its expert is replaced from the reserve.
VACATED = {A.DECLINED, A.CONFLICT, A.EXPIRED, A.REMOVED}
SERVING = {A.INVITED, A.ACCEPTED}


class ScoreState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


SCORE_TRANSITIONS: dict[str, set[str]] = {
    ScoreState.DRAFT: {ScoreState.SUBMITTED},
    ScoreState.SUBMITTED: {ScoreState.DRAFT},  # reopened by staff, with a reason
}


class Recommendation(models.TextChoices):
    RECOMMEND = "recommend", _("推荐")
    AFTER_CHANGES = "after_changes", _("修改后推荐")
    REJECT = "reject", _("不推荐")


class DecisionOutcome(models.TextChoices):
    AWARDED = "awarded", _("拟立项")
    UNAWARDED = "unawarded", _("未揭榜")


class DecisionState(models.TextChoices):
    PROPOSED = "proposed", _("拟定（待公示）")
    WITHDRAWN = "withdrawn", _("已撤销")
    # Set by the public notice (notices/): noticed when published, then confirmed after a period with
    # no pending or upheld objection, or revoked by an upheld one.
    NOTICED = "noticed", _("公示中")
    CONFIRMED = "confirmed", _("公示无异议，已确认")
    REVOKED = "revoked", _("异议成立，已撤销")


DECISION_TRANSITIONS: dict[str, set[str]] = {
    DecisionState.PROPOSED: {DecisionState.WITHDRAWN, DecisionState.NOTICED},
    DecisionState.NOTICED: {DecisionState.CONFIRMED, DecisionState.REVOKED},
    DecisionState.WITHDRAWN: set(),
    DecisionState.CONFIRMED: set(),
    DecisionState.REVOKED: set(),
}
# A decision that stands for its bang: at most one at a time.
LIVE_DECISION_STATES = [DecisionState.PROPOSED, DecisionState.NOTICED, DecisionState.CONFIRMED]

# The rubric a review plan starts with (shared/DOMAIN.md, "Expert review"): (name, weight, maximum).
DEFAULT_RUBRIC = [
    (_("技术可行性与创新性"), 30, Decimal("30")),
    (_("团队能力与业绩"), 20, Decimal("20")),
    (_("现有基础与条件"), 20, Decimal("20")),
    (_("经费预算合理性"), 15, Decimal("15")),
    (_("对发榜企业的预期效益"), 15, Decimal("15")),
]
DEFAULT_PANEL_SIZE = 5
MIN_PANEL_SIZE = 3
DEFAULT_DIVERGENCE = Decimal("20")
# A criterion scored below this share of its maximum is "weak": the expert must say why.
WEAK_SHARE = Decimal("0.6")
MAX_AVOIDED = 3
