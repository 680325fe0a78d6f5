"""The online signing ceremony (网上签约) of one list: what staff start from its page.

These belong with `services.py` (they write and have side effects) and should move there; they live
apart only because that module was being changed by someone else while this page was written.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from bangs.models import BangList
from core.exceptions import DomainError
from core.services import activity_record
from notifications.services import notification_send
from reviews.enums import DecisionState
from reviews.models import Award

from . import services
from .enums import AWAITING_SIGNATURES
from .models import SigningParty, TaskBook


def confirmed_awards(bang_list: BangList) -> QuerySet[Award]:
    """The list's confirmed, numbered awards, each with its current revision (`current_books`, at
    most one: the revision no amendment replaced) and that revision's parties. Three queries."""
    current = (TaskBook.objects.filter(amendment__isnull=True)
               .prefetch_related(Prefetch("parties", queryset=SigningParty.objects.select_related("confirmed_by"))))
    return (Award.objects.filter(decision__bang__bang_list=bang_list, decision__state=DecisionState.CONFIRMED,
                                 project_number__isnull=False)
            .select_related("decision__bang", "application__lead")
            .prefetch_related(Prefetch("task_books", queryset=current, to_attr="current_books")))


@dataclass
class DraftResult:
    made: list[TaskBook] = field(default_factory=list)
    refused: list[tuple[Award, str]] = field(default_factory=list)


def task_books_draft_for_list(*, bang_list: BangList, by: User) -> DraftResult:
    """A draft for each confirmed award of the list that has none yet (each through
    `services.task_book_draft`, which returns the existing one if another click got there first)."""
    result = DraftResult()
    awards = (Award.objects.filter(decision__bang__bang_list=bang_list, decision__state=DecisionState.CONFIRMED,
                                   project_number__isnull=False, task_books__isnull=True)
              .order_by("project_number"))
    for award in awards:
        try:
            result.made.append(services.task_book_draft(award=award, by=by))
        except DomainError as error:
            result.refused.append((award, error.message))
    return result


def signing_reminders_for_list(*, bang_list: BangList, by: User, now=None) -> int:
    """Remind each party of the list's issued task books that has not signed yet.

    The same claim as the beat's `services.signing_reminders_send`: a conditional update of
    `reminded_at`, and the same event key, so a party is reminded once in all, whether staff click
    twice, two workers run, or the beat got there first. Logged on the list with the number sent."""
    if not by.has_perm("contracts.ceremony", bang_list):
        raise DomainError(_("您无权执行此操作。"))
    now = now or timezone.now()
    pending = (SigningParty.objects.filter(task_book__award__decision__bang__bang_list=bang_list,
                                           task_book__state__in=AWAITING_SIGNATURES, signed_at__isnull=True,
                                           reminded_at__isnull=True)
               .select_related("task_book").order_by("task_book__project_number", "order", "pk"))
    sent = 0
    for party in pending:
        with transaction.atomic():
            if not SigningParty.objects.filter(pk=party.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue  # the beat, or another click, claimed it
            notification_send(
                recipients=services._party_users([party]),
                event_key=f"taskbook:{party.task_book_id}:remind:{party.pk}",
                title=_("请尽快签署任务书“%(name)s”") % {"name": party.task_book.project_name},
                body=_("贵单位（%(party)s）尚未上传盖章扫描件。") % {"party": party.name},
                url=reverse("contracts:detail", args=[party.task_book_id]))
            sent += 1
    activity_record(target=bang_list, by=by, action=_("提醒未签署单位签署任务书"),
                    note=_("发出提醒%(n)d条") % {"n": sent})
    return sent
