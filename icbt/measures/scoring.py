"""PHQ-9 and GAD-7: items, scoring, severity bands and outcome rules (pure: no database).

Sources (the questionnaires are free to use and reproduce; no permission is needed):
- PHQ-9: Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression
  severity measure. J Gen Intern Med 2001;16(9):606-613. Items, the 0-3 options and the
  severity bands 0-4 / 5-9 / 10-14 / 15-19 / 20-27 are from that paper.
- GAD-7: Spitzer RL, Kroenke K, Williams JBW, Loewe B. A brief measure for assessing
  generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166(10):1092-1097.
  Items, options and the bands 0-4 / 5-9 / 10-14 / 15-21 are from that paper.
- Outcome rules (caseness, reliable change, recovery, reliable recovery, reliable
  deterioration): NHS England, "NHS Talking Therapies for anxiety and depression Manual"
  (v7, 2024; formerly IAPT Manual) and the IAPT/NHS Talking Therapies data handbook
  (v2.x, "Recovery", "Reliable improvement", "Reliable deterioration" definitions):
  caseness is PHQ-9 >= 10 and/or GAD-7 >= 8; a reliable change is PHQ-9 by 6 or more,
  GAD-7 by 4 or more; outcomes use the first and the last paired scores of an episode.
- LOINC: 44261-6 "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
  70274-6 "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

# The four answer options, shared by both questionnaires (value = points).
OPTIONS: tuple[tuple[int, str], ...] = (
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
)

PHQ9_ITEMS: tuple[str, ...] = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself \u2014 or that you are a failure or have let yourself or "
    "your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite "
    "\u2014 being so fidgety or restless that you have been moving around a lot more than "
    "usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)

GAD7_ITEMS: tuple[str, ...] = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)


@dataclass(frozen=True)
class Band:
    """A severity band: totals from low to high inclusive."""

    key: str
    label: str
    low: int
    high: int


@dataclass(frozen=True)
class Measure:
    """One questionnaire and the numbers that go with it."""

    key: str
    title: str
    short: str
    stem: str
    items: tuple[str, ...]
    bands: tuple[Band, ...]
    caseness: int  # a total at or above this is "a case" (NHS Talking Therapies)
    reliable_change: int  # a change of at least this much is reliable
    loinc: str

    @property
    def max_total(self) -> int:
        """The highest possible total."""
        return 3 * len(self.items)


PHQ9 = Measure(
    key="phq9", title="PHQ-9", short="mood",
    stem="Over the last 2 weeks, how often have you been bothered by any of the following "
         "problems?",
    items=PHQ9_ITEMS,
    bands=(Band("minimal", "Minimal", 0, 4), Band("mild", "Mild", 5, 9),
           Band("moderate", "Moderate", 10, 14),
           Band("moderately_severe", "Moderately severe", 15, 19),
           Band("severe", "Severe", 20, 27)),
    caseness=10, reliable_change=6, loinc="44261-6",
)

GAD7 = Measure(
    key="gad7", title="GAD-7", short="worry",
    stem="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=GAD7_ITEMS,
    bands=(Band("minimal", "Minimal", 0, 4), Band("mild", "Mild", 5, 9),
           Band("moderate", "Moderate", 10, 14), Band("severe", "Severe", 15, 21)),
    caseness=8, reliable_change=4, loinc="70274-6",
)

MEASURES: dict[str, Measure] = {"phq9": PHQ9, "gad7": GAD7}

# PHQ-9 item 9 (thoughts of being better off dead or of self-harm): index in `answers`.
RISK_ITEM_INDEX = 8


def get(key: str) -> Measure | None:
    """Return the measure with this key, or None."""
    return MEASURES.get(key)


def is_complete(measure: Measure, answers: Sequence[int | None]) -> bool:
    """Tell whether every item has a valid answer (0-3)."""
    return len(answers) == len(measure.items) and all(
        isinstance(a, int) and not isinstance(a, bool) and 0 <= a <= 3 for a in answers
    )


def score(measure: Measure, answers: Sequence[int | None]) -> int | None:
    """Return the total, or None when any item is unanswered (a draft is never scored)."""
    if not is_complete(measure, answers):
        return None
    return sum(int(a) for a in answers if a is not None)


def band(measure: Measure, total: int) -> Band:
    """Return the severity band of a total; raise ValueError outside 0..max."""
    for b in measure.bands:
        if b.low <= total <= b.high:
            return b
    raise ValueError(f"{measure.title} total {total} is outside 0..{measure.max_total}")


def is_case(measure: Measure, total: int) -> bool:
    """Tell whether a total is at or above the caseness threshold."""
    return total >= measure.caseness


def risk_answer(answers: Sequence[int | None]) -> int:
    """Return the PHQ-9 item 9 answer (0 when unanswered)."""
    if len(answers) > RISK_ITEM_INDEX:
        value = answers[RISK_ITEM_INDEX]
        if isinstance(value, int) and value > 0:
            return value
    return 0


def change_direction(measure: Measure, before: int, after: int) -> int:
    """Return -1 for a reliable improvement, +1 for a reliable deterioration, else 0."""
    delta = after - before
    if delta <= -measure.reliable_change:
        return -1
    if delta >= measure.reliable_change:
        return 1
    return 0


@dataclass(frozen=True)
class Paired:
    """A PHQ-9 and a GAD-7 taken on the same occasion."""

    day: date
    phq9: int
    gad7: int

    @property
    def case(self) -> bool:
        """Caseness: PHQ-9 at or above 10 and/or GAD-7 at or above 8."""
        return is_case(PHQ9, self.phq9) or is_case(GAD7, self.gad7)


# Outcome statuses, for people and for CSV.
NOT_CASE_AT_START = "not_case_at_start"
RELIABLE_RECOVERY = "reliable_recovery"
RECOVERY = "recovery"  # recovered without reliable improvement
RELIABLE_IMPROVEMENT = "reliable_improvement"  # improved, still a case
RELIABLE_DETERIORATION = "reliable_deterioration"
MIXED = "mixed"  # one measure reliably better, the other reliably worse
NO_RELIABLE_CHANGE = "no_reliable_change"


@dataclass(frozen=True)
class Outcome:
    """The NHS Talking Therapies outcome from a baseline and a latest paired score."""

    baseline: Paired
    latest: Paired
    phq9_change: int  # -1 reliably better, 0 no reliable change, +1 reliably worse
    gad7_change: int
    case_at_start: bool
    case_at_end: bool
    reliable_improvement: bool
    reliable_deterioration: bool
    mixed: bool
    recovery: bool
    reliable_recovery: bool

    @property
    def status(self) -> str:
        """One word for the episode: worst news first, so deterioration is never hidden.

        A person who was not a case at the start is "not a case at start", never
        "recovered" (their reliable improvement is still counted in the flags).
        """
        if self.reliable_deterioration:
            return RELIABLE_DETERIORATION
        if self.mixed:
            return MIXED
        if not self.case_at_start:
            return NOT_CASE_AT_START
        if self.reliable_recovery:
            return RELIABLE_RECOVERY
        if self.recovery:
            return RECOVERY
        if self.reliable_improvement:
            return RELIABLE_IMPROVEMENT
        return NO_RELIABLE_CHANGE


def outcome(baseline: Paired, latest: Paired) -> Outcome:
    """Apply the NHS Talking Therapies outcome rules to the first and latest paired scores.

    The open case, "mixed change" (our choice, also in docs/outcomes.md): when one measure
    is reliably better and the other reliably worse, the episode counts as NEITHER reliable
    improvement NOR reliable deterioration (each definition requires that the other measure
    is not reliably changed the other way), and so never as reliable recovery. It is reported
    separately as "mixed" so that the worsening measure stays visible. Recovery depends on
    caseness alone, so a mixed episode can still count as recovery (case at start, not at
    the end), but never as reliable recovery. A person who is not a case at the start is
    never counted as recovered; reliable improvement and deterioration still apply to them.
    """
    dp = change_direction(PHQ9, baseline.phq9, latest.phq9)
    dg = change_direction(GAD7, baseline.gad7, latest.gad7)
    better = dp < 0 or dg < 0
    worse = dp > 0 or dg > 0
    mixed = better and worse
    improved = better and not worse
    deteriorated = worse and not better
    case_start, case_end = baseline.case, latest.case
    recovered = case_start and not case_end
    return Outcome(
        baseline=baseline, latest=latest, phq9_change=dp, gad7_change=dg,
        case_at_start=case_start, case_at_end=case_end,
        reliable_improvement=improved, reliable_deterioration=deteriorated, mixed=mixed,
        recovery=recovered, reliable_recovery=recovered and improved,
    )


# A PHQ-9 and a GAD-7 count as one occasion when taken at most this many days apart.
PAIR_WINDOW_DAYS = 3


def pair_scores(
    phq9: Sequence[tuple[date, int]], gad7: Sequence[tuple[date, int]],
    window_days: int = PAIR_WINDOW_DAYS,
) -> list[Paired]:
    """Pair PHQ-9s with GAD-7s taken within the window, closest first; each score used once."""
    candidates = sorted(
        (abs((g[0] - p[0]).days), p[0], i, j)
        for i, p in enumerate(phq9) for j, g in enumerate(gad7)
        if abs((g[0] - p[0]).days) <= window_days
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs: list[Paired] = []
    for _gap, _day, i, j in candidates:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pairs.append(Paired(day=max(phq9[i][0], gad7[j][0]), phq9=phq9[i][1], gad7=gad7[j][1]))
    return sorted(pairs, key=lambda p: p.day)


def episode_outcome(pairs: Sequence[Paired]) -> Outcome | None:
    """Return the outcome from the first and latest pairs, or None with fewer than two."""
    if len(pairs) < 2:
        return None
    ordered = sorted(pairs, key=lambda p: p.day)
    return outcome(ordered[0], ordered[-1])
