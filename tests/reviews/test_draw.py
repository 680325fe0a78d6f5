"""The replayable panel draw (issue 10, section 3)."""

import hashlib
from decimal import Decimal

import pytest

from reviews.draw import Candidate, TooFewCandidates, draw, new_seed, next_from_reserve, out_of_region_needed

SEED = "00112233445566778899aabbccddeeff"


def pool(n_in: int, n_out: int) -> list[Candidate]:
    return [Candidate(expert_id=i, out_of_region=False) for i in range(1, n_in + 1)] + [
        Candidate(expert_id=100 + i, out_of_region=True) for i in range(1, n_out + 1)
    ]


def by_hand(seed: str, ids) -> list[int]:
    """The README's recipe, written out: SHA-256 of "<seed>:<id>", smallest first."""
    return sorted(ids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode("utf-8")).hexdigest())


def test_the_order_is_the_published_recipe_and_replays_exactly():
    candidates = pool(8, 4)
    first = draw(SEED, candidates, size=5)
    assert list(first.order) == by_hand(SEED, [c.expert_id for c in candidates])
    assert first.panel == first.order[:5] and first.reserve == first.order[5:]
    assert draw(SEED, list(reversed(candidates)), size=5) == first  # the listing order does not matter
    assert draw("ffeeddccbbaa99887766554433221100", candidates, size=5).order != first.order


def test_seeds_carry_128_bits():
    seeds = {new_seed() for _ in range(50)}
    assert len(seeds) == 50 and all(len(s) == 32 and int(s, 16) >= 0 for s in seeds)


@pytest.mark.parametrize("share, size, needed", [
    (None, 5, 0), (Decimal("0.3333"), 5, 2), (Decimal("0.2"), 5, 1), (Decimal("0.5"), 3, 2), (Decimal("1"), 3, 3),
    (0.6, 5, 3),
])
def test_the_out_of_region_seats_round_up(share, size, needed):
    assert out_of_region_needed(size, share) == needed


def test_in_region_experts_are_passed_over_to_keep_the_out_of_region_share():
    candidates = pool(10, 3)
    result = draw(SEED, candidates, size=5, out_of_region_share=Decimal("0.4"))
    out = {c.expert_id for c in candidates if c.out_of_region}
    assert len(result.panel) == 5 and sum(e in out for e in result.panel) >= 2
    # Walking the order, the panel is each expert taken unless only out-of-region seats are left.
    expected, in_taken = [], 0
    for expert_id in result.order:
        if len(expected) == 5:
            break
        if expert_id not in out:
            if in_taken == 3:
                continue
            in_taken += 1
        expected.append(expert_id)
    assert list(result.panel) == expected
    assert [e for e in result.order if e not in result.panel] == list(result.reserve)


def test_too_few_candidates_draw_nothing():
    with pytest.raises(TooFewCandidates, match="不足评审组所需的5人"):
        draw(SEED, pool(3, 1), size=5)
    with pytest.raises(TooFewCandidates, match="区外专家只有1人"):
        draw(SEED, pool(10, 1), size=5, out_of_region_share=Decimal("0.4"))


def test_replacements_come_from_the_reserve_in_order_and_keep_the_share():
    candidates, share = pool(10, 4), Decimal("0.4")  # 2 of 5 seats out of region
    out = {c.expert_id for c in candidates if c.out_of_region}
    # A seed whose panel has exactly the 2 out-of-region experts and whose reserve starts in region.
    draws = (draw(f"seed-{i}", candidates, size=5, out_of_region_share=share) for i in range(200))
    result = next(r for r in draws if sum(e in out for e in r.panel) == 2 and r.reserve[0] not in out)

    def replace(leaving, used=()):
        serving = [e for e in result.panel if e != leaving]
        return next_from_reserve(result, serving=serving, used=set(result.panel) | set(used), candidates=candidates,
                                 out_of_region_share=share, size=5)

    in_region_member = next(e for e in result.panel if e not in out)
    out_member = next(e for e in result.panel if e in out)
    assert replace(in_region_member) == result.reserve[0]  # simply the next in order
    assert replace(out_member) == next(e for e in result.reserve if e in out)  # the share holds
    assert replace(out_member, used=[e for e in result.reserve if e in out]) is None  # never a fresh pick


def test_the_readmes_shell_recipe_gives_the_same_order():
    import shutil
    import subprocess

    if shutil.which("sha256sum") is None:
        pytest.skip("no sha256sum here")
    ids = [3, 7, 12, 15, 21]
    script = ("SEED=%s; for id in %s; do printf '%%s:%%s' \"$SEED\" \"$id\" | sha256sum | sed \"s/ .*/ $id/\"; done | sort"
              % (SEED, " ".join(map(str, ids))))
    lines = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True).stdout.split("\n")
    by_shell = [int(line.split()[1]) for line in lines if line]
    assert by_shell == list(draw(SEED, [Candidate(i, False) for i in ids], size=3).order)
