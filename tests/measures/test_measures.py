"""PHQ-9 / GAD-7 scoring, bands and NHS Talking Therapies outcome rules, as tables."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from icbt.measures import scoring as m
from icbt.measures.scoring import GAD7, PHQ9, Paired

D0 = date(2026, 3, 2)

# Every band edge (and one step outside each) for both measures.
BAND_EDGES = [
    (PHQ9, 0, "minimal"), (PHQ9, 4, "minimal"), (PHQ9, 5, "mild"), (PHQ9, 9, "mild"),
    (PHQ9, 10, "moderate"), (PHQ9, 14, "moderate"), (PHQ9, 15, "moderately_severe"),
    (PHQ9, 19, "moderately_severe"), (PHQ9, 20, "severe"), (PHQ9, 27, "severe"),
    (GAD7, 0, "minimal"), (GAD7, 4, "minimal"), (GAD7, 5, "mild"), (GAD7, 9, "mild"),
    (GAD7, 10, "moderate"), (GAD7, 14, "moderate"), (GAD7, 15, "severe"), (GAD7, 21, "severe"),
]


@pytest.mark.parametrize(("measure", "total", "key"), BAND_EDGES)
def test_band_edges(measure: m.Measure, total: int, key: str) -> None:
    assert m.band(measure, total).key == key


@pytest.mark.parametrize(("measure", "total"), [(PHQ9, -1), (PHQ9, 28), (GAD7, -1), (GAD7, 22)])
def test_band_outside_range_raises(measure: m.Measure, total: int) -> None:
    with pytest.raises(ValueError):
        m.band(measure, total)


def test_bands_cover_every_total_once() -> None:
    for measure in (PHQ9, GAD7):
        covered = [t for b in measure.bands for t in range(b.low, b.high + 1)]
        assert covered == list(range(measure.max_total + 1))


@pytest.mark.parametrize(("measure", "total", "case"), [
    (PHQ9, 9, False), (PHQ9, 10, True), (GAD7, 7, False), (GAD7, 8, True),
])
def test_caseness_edges(measure: m.Measure, total: int, case: bool) -> None:
    assert m.is_case(measure, total) is case


@pytest.mark.parametrize(("measure", "before", "after", "direction"), [
    (PHQ9, 15, 10, 0), (PHQ9, 15, 9, -1), (PHQ9, 10, 15, 0), (PHQ9, 10, 16, 1),
    (GAD7, 12, 9, 0), (GAD7, 12, 8, -1), (GAD7, 8, 11, 0), (GAD7, 8, 12, 1),
])
def test_reliable_change_edges(measure: m.Measure, before: int, after: int,
                               direction: int) -> None:
    assert m.change_direction(measure, before, after) == direction


@pytest.mark.parametrize(("measure", "answers", "total"), [
    (PHQ9, [0] * 9, 0), (PHQ9, [3] * 9, 27), (PHQ9, [1, 2, 3, 0, 1, 2, 3, 0, 1], 13),
    (GAD7, [0] * 7, 0), (GAD7, [3] * 7, 21), (GAD7, [2, 2, 1, 1, 0, 0, 3], 9),
    (PHQ9, [0] * 8 + [None], None),  # one unanswered: a draft, never scored
    (PHQ9, [0] * 8, None),  # too short
    (GAD7, [0] * 6 + [4], None),  # out of range
    (GAD7, [0] * 6 + [True], None),  # not a number
    (GAD7, [None] * 7, None),
])
def test_score_only_when_complete(measure: m.Measure, answers: list, total: int | None) -> None:
    assert m.score(measure, answers) == total
    assert m.is_complete(measure, answers) is (total is not None)


def test_item_texts_and_options_are_the_published_ones() -> None:
    assert len(PHQ9.items) == 9 and len(GAD7.items) == 7
    assert PHQ9.items[8].startswith("Thoughts that you would be better off dead")
    assert GAD7.items[0] == "Feeling nervous, anxious or on edge"
    assert [label for _v, label in m.OPTIONS] == [
        "Not at all", "Several days", "More than half the days", "Nearly every day"]
    assert (PHQ9.loinc, GAD7.loinc) == ("44261-6", "70274-6")


@pytest.mark.parametrize(("answers", "risk"), [
    ([0] * 9, 0), ([0] * 8 + [1], 1), ([3] * 8 + [0], 0), ([0] * 8 + [None], 0),
    ([0] * 8 + [3], 3), ([0] * 4, 0),
])
def test_risk_answer(answers: list, risk: int) -> None:
    assert m.risk_answer(answers) == risk


# (baseline PHQ-9, GAD-7) -> (latest PHQ-9, GAD-7):
# case_start, improvement, deterioration, mixed, recovery, reliable_recovery, status
OUTCOMES = [
    ((15, 12), (5, 4), True, True, False, False, True, True, m.RELIABLE_RECOVERY),
    ((15, 12), (9, 7), True, True, False, False, True, True, m.RELIABLE_RECOVERY),  # edges
    ((15, 12), (10, 7), True, True, False, False, False, False, m.RELIABLE_IMPROVEMENT),
    ((15, 12), (11, 8), True, True, False, False, False, False, m.RELIABLE_IMPROVEMENT),
    ((12, 6), (8, 5), True, False, False, False, True, False, m.RECOVERY),
    ((14, 10), (9, 7), True, False, False, False, True, False, m.RECOVERY),  # -5 and -3
    ((10, 7), (10, 7), True, False, False, False, False, False, m.NO_RELIABLE_CHANGE),
    ((9, 8), (9, 7), True, False, False, False, True, False, m.RECOVERY),  # GAD-7 case only
    ((9, 7), (9, 7), False, False, False, False, False, False, m.NOT_CASE_AT_START),
    ((8, 5), (2, 1), False, True, False, False, False, False, m.NOT_CASE_AT_START),
    ((10, 8), (16, 8), True, False, True, False, False, False, m.RELIABLE_DETERIORATION),
    ((5, 5), (5, 9), False, False, True, False, False, False, m.RELIABLE_DETERIORATION),
    ((10, 8), (15, 11), True, False, False, False, False, False, m.NO_RELIABLE_CHANGE),
    ((0, 0), (27, 21), False, False, True, False, False, False, m.RELIABLE_DETERIORATION),
    ((27, 21), (0, 0), True, True, False, False, True, True, m.RELIABLE_RECOVERY),
    # The open case: one measure reliably better, the other reliably worse ("mixed").
    ((20, 4), (10, 8), True, False, False, True, False, False, m.MIXED),
    ((12, 3), (5, 7), True, False, False, True, True, False, m.MIXED),  # recovered, mixed
    ((4, 14), (10, 9), True, False, False, True, False, False, m.MIXED),
    ((16, 2), (8, 2), True, True, False, False, True, True, m.RELIABLE_RECOVERY),
]


@pytest.mark.parametrize(
    ("base", "latest", "case_start", "improved", "worse", "mixed", "recovered", "rr", "status"),
    OUTCOMES,
)
def test_outcome_table(base, latest, case_start, improved, worse, mixed, recovered, rr,  # type: ignore[no-untyped-def]
                       status) -> None:
    o = m.outcome(Paired(D0, *base), Paired(D0 + timedelta(weeks=8), *latest))
    assert o.case_at_start is case_start
    assert o.reliable_improvement is improved
    assert o.reliable_deterioration is worse
    assert o.mixed is mixed
    assert o.recovery is recovered
    assert o.reliable_recovery is rr
    assert o.status == status
    # Invariants every row must keep.
    assert not (o.reliable_improvement and o.reliable_deterioration)
    assert not (o.mixed and (o.reliable_improvement or o.reliable_deterioration))
    assert not o.recovery or o.case_at_start
    assert o.reliable_recovery == (o.recovery and o.reliable_improvement)


def test_mixed_keeps_per_measure_directions() -> None:
    o = m.outcome(Paired(D0, 20, 4), Paired(D0, 10, 8))
    assert (o.phq9_change, o.gad7_change) == (-1, 1)


def test_pair_scores_within_window_closest_first() -> None:
    phq = [(D0, 15), (D0 + timedelta(days=7), 12), (D0 + timedelta(days=30), 9)]
    gad = [(D0 + timedelta(days=1), 11), (D0 + timedelta(days=6), 10),
           (D0 + timedelta(days=8), 99), (D0 + timedelta(days=40), 5)]
    pairs = m.pair_scores(phq, gad)
    assert [(p.phq9, p.gad7) for p in pairs] == [(15, 11), (12, 10)]
    assert pairs[0].day == D0 + timedelta(days=1)


def test_pair_scores_use_each_score_once() -> None:
    phq = [(D0, 10), (D0 + timedelta(days=1), 11)]
    gad = [(D0 + timedelta(days=1), 8)]
    pairs = m.pair_scores(phq, gad)
    assert [(p.phq9, p.gad7) for p in pairs] == [(11, 8)]


def test_episode_outcome_needs_two_pairs_and_uses_first_and_latest() -> None:
    p1, p2, p3 = (Paired(D0 + timedelta(weeks=w), phq, gad)
                  for w, phq, gad in [(0, 18, 14), (4, 22, 16), (8, 6, 5)])
    assert m.episode_outcome([p1]) is None
    assert m.episode_outcome([]) is None
    o = m.episode_outcome([p3, p1, p2])
    assert o is not None and o.baseline == p1 and o.latest == p3
    assert o.status == m.RELIABLE_RECOVERY
