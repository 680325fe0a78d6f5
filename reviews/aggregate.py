"""How scores add up (issue 10 §5). Pure functions on Decimals, pinned by hand-worked tests.

- An expert's total: Σ weight × score ÷ maximum over the criteria, on 0–100, rounded to 0.01.
- An application's score: with at least TRIM_FROM submitted totals, the highest and the lowest are
  dropped and the rest averaged; with fewer, the plain average.
- Spread: count, minimum, maximum, and the population standard deviation of the submitted totals;
  divergent when maximum − minimum exceeds the plan's threshold.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TRIM_FROM = 5


def weighted_total(criteria: Iterable, values: Mapping[str, Decimal]) -> Decimal:
    """`criteria`: objects with pk, weight and max_score; `values`: {str(pk): score}."""
    total = Decimal("0")
    for criterion in criteria:
        value = Decimal(str(values[str(criterion.pk)]))
        total += Decimal(criterion.weight) * value / Decimal(criterion.max_score)
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Summary:
    count: int
    score: Decimal | None  # the trimmed mean (≥ 5 totals) or the plain mean
    trimmed: bool
    minimum: Decimal | None
    maximum: Decimal | None
    stdev: Decimal | None
    divergent: bool


def summarise(totals: Iterable[Decimal], *, threshold: Decimal) -> Summary:
    totals = sorted(Decimal(t) for t in totals)
    n = len(totals)
    if n == 0:
        return Summary(0, None, False, None, None, None, False)
    trimmed = n >= TRIM_FROM
    kept = totals[1:-1] if trimmed else totals
    score = (sum(kept) / len(kept)).quantize(CENT, rounding=ROUND_HALF_UP)
    mean = sum(totals) / n
    variance = sum((t - mean) ** 2 for t in totals) / n
    stdev = variance.sqrt().quantize(CENT, rounding=ROUND_HALF_UP)
    spread = totals[-1] - totals[0]
    return Summary(n, score, trimmed, totals[0], totals[-1], stdev, spread > Decimal(threshold))


def rank(rows: list, key=lambda row: row.summary.score) -> list:
    """Sort rows by score, best first (unscored last), and give each `rank`: equal scores share a
    rank, the next rank skips (1, 2, 2, 4). Unscored rows get rank None."""
    scored = sorted((r for r in rows if key(r) is not None), key=lambda r: (-key(r), r.pk))
    unscored = [r for r in rows if key(r) is None]
    previous, place = None, 0
    for index, row in enumerate(scored, start=1):
        if key(row) != previous:
            place, previous = index, key(row)
        row.rank = place
    for row in unscored:
        row.rank = None
    return scored + unscored
