"""The random draw of a review panel (随机抽取), replayable by anyone (issue 10).

The draw needs no trust in the portal's random numbers after the fact:

1. A seed of 128 bits comes from `secrets` when the draw is made, and is stored with it.
2. Each candidate's place is the SHA-256 of the text "<seed>:<expert id>" (UTF-8), as hexadecimal;
   candidates are ordered by it, smallest first. Any tool that computes SHA-256 can redo this.
3. Walking that order, each expert joins the panel until it has `size` members, except that an
   in-region expert is passed over while taking them would leave too few seats for the required
   number of out-of-region experts. Everyone not on the panel is the reserve, in the same order;
   replacements come from the reserve in that order, never from a fresh draw.

Given the stored seed and candidate list, `draw()` gives the same panel and reserve every time.
"""

import hashlib
import math
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.exceptions import DomainError


class TooFewCandidates(DomainError):
    """Not enough eligible experts for the panel: nothing is drawn."""


@dataclass(frozen=True)
class Candidate:
    expert_id: int
    out_of_region: bool


@dataclass(frozen=True)
class Draw:
    seed: str
    order: tuple[int, ...]  # every candidate's expert id, in draw order
    panel: tuple[int, ...]
    reserve: tuple[int, ...]


def new_seed() -> str:
    """128 bits from the operating system's secure source, as 32 hexadecimal characters."""
    return secrets.token_hex(16)


def place(seed: str, expert_id: int) -> str:
    """A candidate's place in the order: SHA-256 of "<seed>:<expert id>", hexadecimal."""
    return hashlib.sha256(f"{seed}:{expert_id}".encode()).hexdigest()


def out_of_region_needed(size: int, share: Decimal | float | None) -> int:
    """How many of `size` seats must go to out-of-region experts: the share, rounded up."""
    if not share:
        return 0
    return min(size, math.ceil(Decimal(str(share)) * size - Decimal("1e-9")))


def draw(seed: str, candidates: list[Candidate], *, size: int, out_of_region_share=None) -> Draw:
    """Draw a panel of `size` from `candidates` (see the module). Raises TooFewCandidates, with a
    message for staff, when there are not enough candidates, or not enough out-of-region ones."""
    if size < 1:
        raise ValueError("size must be at least 1")
    needed_out = out_of_region_needed(size, out_of_region_share)
    if len(candidates) < size:
        raise TooFewCandidates(
            _("符合条件的专家只有%(n)d人，不足评审组所需的%(size)d人。请放宽领域（并记录理由）后重新抽取。")
            % {"n": len(candidates), "size": size}
        )
    available_out = sum(1 for c in candidates if c.out_of_region)
    if available_out < needed_out:
        raise TooFewCandidates(
            _("区外专家只有%(n)d人，不足评审组所需的%(needed)d人。请放宽领域（并记录理由）后重新抽取。")
            % {"n": available_out, "needed": needed_out}
        )
    by_id = {c.expert_id: c for c in candidates}
    if len(by_id) != len(candidates):
        raise ValueError("an expert is listed twice")
    order = tuple(sorted(by_id, key=lambda expert_id: place(seed, expert_id)))
    panel: list[int] = []
    in_region_seats = size - needed_out
    in_region_taken = 0
    for expert_id in order:
        if len(panel) == size:
            break
        if not by_id[expert_id].out_of_region:
            if in_region_taken == in_region_seats:
                continue  # this seat is kept for an out-of-region expert further down the order
            in_region_taken += 1
        panel.append(expert_id)
    chosen = set(panel)
    return Draw(seed=seed, order=order, panel=tuple(panel), reserve=tuple(e for e in order if e not in chosen))


def next_from_reserve(result: Draw, *, serving: list[int], used: set[int], candidates: list[Candidate],
                      out_of_region_share=None, size: int) -> int | None:
    """The expert who replaces one leaving the panel: the first in reserve order not used yet whose
    joining keeps the out-of-region share (`serving`: the members who stay). None if nobody can."""
    by_id = {c.expert_id: c for c in candidates}
    needed_out = out_of_region_needed(size, out_of_region_share)
    out_now = sum(1 for e in serving if by_id[e].out_of_region)
    seats_left = size - len(serving)
    for expert_id in result.reserve:
        if expert_id in used or expert_id in serving:
            continue
        joins_out = by_id[expert_id].out_of_region
        if out_now + joins_out + (seats_left - 1) < needed_out:
            continue  # an in-region expert here would leave too few seats for the share
        return expert_id
    return None
