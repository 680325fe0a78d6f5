"""The workbench (我的工作台): one page that shows each user, for each of their roles, what waits.

`core` is the earliest stage and imports no later app, so the later apps contribute their blocks
through this registry: each app registers its block functions in its `AppConfig.ready()`. A block
function takes the user and returns a `Block`, or None when the block does not concern that user.
Each block function runs a fixed number of queries, whatever the number of items.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

# Shown per block; the "全部" link leads to the full list.
ITEM_LIMIT = 5


@dataclass(frozen=True)
class Count:
    label: str
    value: int
    url: str = ""


@dataclass(frozen=True)
class Item:
    label: str
    url: str
    note: str = ""
    # Marks an item that needs attention first (a deadline passed or near, a return to correct).
    urgent: bool = False


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass
class Block:
    key: str
    title: str
    total: int
    items: list[Item]
    all_url: str
    counts: list[Count] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    empty_text: str = ""


BlockFunction = Callable[[object], Block | None]

_registry: list[tuple[int, str, BlockFunction]] = []


def register(block_fn: BlockFunction, *, order: int = 100) -> BlockFunction:
    """Add a block to the workbench; blocks appear by `order`. Registering the same function twice
    (ready() may run more than once in tests) keeps one."""
    name = f"{block_fn.__module__}.{block_fn.__qualname__}"
    if all(existing != name for _order, existing, _fn in _registry):
        _registry.append((order, name, block_fn))
        _registry.sort(key=lambda entry: (entry[0], entry[1]))
    return block_fn


def blocks_for_user(user) -> list[Block]:
    blocks = []
    for _order, _name, block_fn in _registry:
        block = block_fn(user)
        if block is not None:
            blocks.append(block)
    return blocks


def deadline_note(deadline: datetime.datetime | None, *, label: str) -> tuple[str, bool]:
    """"申报截止：2026-12-01 17:00，剩余3天", and whether it is urgent (past, today or within three days)."""
    if deadline is None:
        return "", False
    local = timezone.localtime(deadline)
    values = {"label": label, "date": f"{local:%Y-%m-%d %H:%M}"}
    if deadline < timezone.now().replace(microsecond=0):
        return _("%(label)s%(date)s，已截止") % values, True
    days = (local.date() - timezone.localdate()).days
    if days == 0:
        return _("%(label)s%(date)s，今天截止") % values, True
    return _("%(label)s%(date)s，剩余%(days)d天") % {**values, "days": days}, days <= 3


def list_url(name: str, **params) -> str:
    """A list page's URL with its filters, for a block's counts and 全部 links."""
    from urllib.parse import urlencode

    from django.urls import reverse

    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)
