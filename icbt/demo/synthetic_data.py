"""Word pools and worksheet answers for the synthetic clinic (icbt.demo.synthetic).

Worksheet data is made by posting plausible answers through each worksheet's own
`parse()`, so every stored entry has exactly the shape its module expects.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from icbt.modules.fields import Group
from icbt.programs.registry import get

FIRST = ("Sam", "Priya", "Leo", "Maya", "Tom", "Ines", "Noah", "Ava", "Omar", "Chloe", "Ben",
         "Zoe", "Ruth", "Kwame", "Lena", "Marco", "Aisha", "Jonas", "Mei", "Pablo", "Hana",
         "Felix", "Nadia", "Oscar", "Freya", "Yusuf", "Elif", "Dan", "Ivy", "Rami")
LAST = ("Carter", "Shah", "Novak", "Okafor", "Becker", "Duarte", "Kim", "Lindqvist", "Haddad",
        "Martin", "Osei", "Laurent", "Moreau", "Jensen", "Rossi", "Nowak", "Tanaka", "Silva",
        "Ahmed", "Murphy", "Fischer", "Costa", "Berg", "Khan", "Evans")
ZONES = ("Europe/London",) * 7 + ("Europe/Berlin", "Europe/Dublin", "America/New_York")
TAGS = ("work", "sleep", "family", "friends", "exercise", "tired", "outdoors", "money", "study")
NOTES = ("Long day.", "Walked in the park.", "Slept badly.", "Saw a friend.",
         "Hard morning, better evening.", "Kept busy.", "Felt flat.", "Good talk with my sister.")
THERAPIST_NOTES = (
    "How did the practice go this week? Even a little counts.",
    "Thank you for your worksheet. Shall we look at it together on Thursday?",
    "I noticed the check-ins got harder this week. How are you doing?",
    "Well done for keeping going. What helped most?",
)
CLIENT_NOTES = ("Thanks, it went better than I expected.", "It was a hard week, to be honest.",
                "Could we talk about sleep next time?", "I did two of the three, sorry.")
SHORT = ("A walk with a friend", "Work meeting", "Call with mum", "Cooking dinner",
         "Reading", "Tidying the kitchen", "Gym", "Bus to town")
LONG = ("I felt tense before the meeting, but it went fine in the end.",
        "I noticed I was expecting the worst again, and wrote down what actually happened.",
        "Spent the afternoon outside; my mood lifted a bit afterwards.",
        "Hard to get started today. Did one small thing and that helped.")


def _value(spec: Any, rng: random.Random, today: date) -> Any:
    """A plausible posted value for one field spec (as a browser would send it)."""
    kind = spec.type
    if kind == "short_text":
        return rng.choice(SHORT)
    if kind == "long_text":
        return rng.choice(LONG)
    if kind == "tags":
        return ", ".join(rng.sample(TAGS, 2))
    if spec.scale:
        low, high = spec.scale
        return str(rng.randint(low, high))
    options = spec.options()
    if kind == "single_choice":
        return options[rng.randrange(len(options))].value if options else ""
    if spec.is_multi:
        return [options[rng.randrange(len(options))].value] if options else []
    if kind == "yes_no":
        return rng.choice(("yes", "no"))
    if kind == "date":
        return today.isoformat()
    if kind == "time":
        return f"{rng.randint(7, 21):02d}:{rng.choice((0, 15, 30, 45)):02d}"
    return ""


def worksheet_samples(keys: list[str], rng: random.Random, today: date,
                      per_kind: int = 4) -> dict[str, list[dict[str, Any]]]:
    """A few parsed answer sets per worksheet key (needs an app context for the registry)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for key in keys:
        ws = get(key)
        if ws is None:
            continue
        samples = []
        for _n in range(per_kind):
            form: dict[str, Any] = {}
            for item in ws.all_items():
                if isinstance(item, Group):
                    rows = rng.randint(1, min(3, item.max_rows))
                    form[f"{item.name}-count"] = str(rows)
                    for i in range(rows):
                        for spec in item.fields:
                            form[f"{item.name}-{i}-{spec.name}"] = _value(spec, rng, today)
                else:
                    form[item.name] = _value(item, rng, today)
            samples.append(ws.parse(form).data)
        out[key] = samples
    return out


def answers_for(total: int, items: int, rng: random.Random, last: int = 0) -> list[int]:
    """Item answers (0-3 each) adding up to `total`; the last item fixed to `last`."""
    n = items - 1
    q, r = divmod(max(0, min(total - last, 3 * n)), n)
    answers = [q + 1] * r + [q] * (n - r)
    if 0 < q < 3 and n > 1:  # spread them a little: one item up, another down
        i, j = rng.sample(range(n), 2)
        if answers[i] < 3 and answers[j] > 0:
            answers[i] += 1
            answers[j] -= 1
    rng.shuffle(answers)
    return answers + [last]
