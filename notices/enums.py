from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodUnit(models.TextChoices):
    WORKING = "working", _("工作日")
    CALENDAR = "calendar", _("自然日")


class NoticeBangState(models.TextChoices):
    NOTICED = "noticed", _("公示中")
    CONFIRMED = "confirmed", _("公示无异议，已确认")
    REVOKED = "revoked", _("异议成立，已撤销")


NOTICE_BANG_TRANSITIONS: dict[str, set[str]] = {
    NoticeBangState.NOTICED: {NoticeBangState.CONFIRMED, NoticeBangState.REVOKED},
    NoticeBangState.CONFIRMED: set(),
    NoticeBangState.REVOKED: set(),
}


class ObjectorKind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("单位")


class ObjectionSource(models.TextChoices):
    ONLINE = "online", _("网上提交")
    PAPER = "paper", _("书面来函（录入）")


class ObjectionState(models.TextChoices):
    FILED = "filed", _("已提交（待受理）")
    REFUSED = "refused", _("不予受理")
    ACCEPTED = "accepted", _("已受理")
    INVESTIGATING = "investigating", _("调查核实中")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


O = ObjectionState
OBJECTION_TRANSITIONS: dict[str, set[str]] = {
    O.FILED: {O.ACCEPTED, O.REFUSED},
    O.ACCEPTED: {O.INVESTIGATING, O.UPHELD, O.DISMISSED},
    O.INVESTIGATING: {O.UPHELD, O.DISMISSED},
    O.REFUSED: set(),
    O.UPHELD: set(),
    O.DISMISSED: set(),
}
# An objection that still holds an award back (the stand-still), and one that ends it.
PENDING = {O.FILED, O.ACCEPTED, O.INVESTIGATING}


class RefusalGround(models.TextChoices):
    LATE = "late", _("逾期提出")
    OTHER_NOTICE = "other_notice", _("非本次公示内容")
    NO_GROUNDS = "no_grounds", _("无具体理由或证据")
    FALSE_IDENTITY = "false_identity", _("身份信息不实")
