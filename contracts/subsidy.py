"""The subsidy rules in Decimal 万元. Pure: no Django.

- The award (30% of the team's R&D investment, capped by kind; or 一事一议) is reviews' rule.
- The yearly 到账 rule (seed 001, "研发补助按照上年度揭榜方实际到账金额给予资助"): in a year, what may be
  disbursed is the smaller of 30% of the issuing enterprise's money confirmed as arrived at the lead
  in the previous year, less what was already disbursed this year, and what remains of the award's
  subsidy.
- The tranche plan: only tranches whose condition is met count.
Amounts are rounded down to the fen (0.01 万元): the rule never pays a cent more than it allows.
"""

from collections.abc import Iterable, Mapping
from decimal import ROUND_DOWN, Decimal

SHARE = Decimal("0.30")
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _fen(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


def rule_due(*, year: int, arrivals_by_year: Mapping[int, Decimal], subsidy: Decimal, disbursed_total: Decimal,
             disbursed_this_year: Decimal, share: Decimal = SHARE) -> Decimal:
    """What the 到账 rule allows to disburse in `year`, never below zero."""
    by_arrivals = _fen(arrivals_by_year.get(year - 1, ZERO) * share) - disbursed_this_year
    remaining = subsidy - disbursed_total
    return max(ZERO, min(by_arrivals, remaining))


def tranche_room(*, tranches: Iterable[tuple[Decimal, bool]], disbursed_total: Decimal) -> Decimal:
    """What the tranche plan allows: the tranches whose condition is met, less what was disbursed."""
    unlocked = sum((amount for amount, met in tranches if met), ZERO)
    return max(ZERO, unlocked - disbursed_total)


def refund_due(*, disbursed_total: Decimal, spent: Decimal | None) -> Decimal:
    """A terminated or failed team refunds the subsidy it has not spent (all of it if nothing is known)."""
    if spent is None:
        return disbursed_total
    return max(ZERO, disbursed_total - spent)
