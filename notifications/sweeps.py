"""Shared pieces of the beat sweeps: pages of candidates, their recipients, the not-yet-told filter."""

from django.db.models import Exists, OuterRef

from accounts.models import User

from .models import Notification
from .services import BULK_CHUNK


def without_message(users, key: str = "event_key"):
    """Those of `users` who have no message yet for the outer row's annotated event key."""
    return users.filter(~Exists(Notification.objects.filter(recipient=OuterRef("pk"), event_key=OuterRef(OuterRef(key)))))


def pages_by_pk(queryset, *fields: str, size: int = BULK_CHUNK):
    """Rows of `queryset` as tuples of `fields` (the pk first), `size` at a time by ascending pk.

    Keyset pages rather than one open cursor: memory stays flat, and the inserts between pages
    are safe on SQLite too. A row the previous page notified drops out of the next page's query.
    """
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk").values_list(*fields)[:size])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def organisation_members(*, organisation_ids, roles, active_only: bool) -> dict[tuple[int, str], list[int]]:
    """User ids per (organisation, role), for all the organisations of a page in one query."""
    users = User.objects.filter(organisation_id__in=set(organisation_ids), role_grants__role__in=roles)
    if active_only:
        users = users.filter(is_active=True)
    members: dict[tuple[int, str], list[int]] = {}
    for user_id, organisation_id, role in users.values_list("pk", "organisation_id", "role_grants__role"):
        members.setdefault((organisation_id, role), []).append(user_id)
    return members
