"""CBT thought record: situation, emotions, automatic thoughts, traps, evidence, balance."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from icbt.modules.base import Settings, Worksheet, clip
from icbt.modules.fields import FieldSpec, FormValues, Group, Option, Parsed, Section, safe_int
from icbt.modules.formvalues import scalar

TRAPS = (
    Option("all_or_nothing", _l("All-or-nothing thinking"),
           _l("Seeing things as a total success or a total failure, with nothing in between.")),
    Option("catastrophising", _l("Catastrophising"),
           _l("Expecting the worst, and that you won't be able to cope with it.")),
    Option("mind_reading", _l("Mind reading"),
           _l("Feeling sure you know what someone else thinks of you, without checking.")),
    Option("fortune_telling", _l("Fortune telling"),
           _l("Predicting that things will go badly, as if it were certain.")),
    Option("should_statements", _l("Should statements"),
           _l("Harsh rules about how you or others 'should' or 'must' be.")),
    Option("labelling", _l("Labelling"),
           _l("Calling yourself a name, like 'I'm useless', instead of describing what happened.")),
    Option("personalising", _l("Personalising"),
           _l("Blaming yourself for something that was not only, or not at all, down to you.")),
    Option("emotional_reasoning", _l("Emotional reasoning"),
           _l("Believing something is true because it feels true.")),
    Option("discounting_positive", _l("Discounting the positive"),
           _l("Brushing off good things as if they don't count.")),
    Option("overgeneralising", _l("Overgeneralising"),
           _l("Seeing one bad event as a pattern that will always repeat ('always', 'never').")),
)

EMOTION = FieldSpec("name", _l("Feeling"), "short_text", required=True, max_length=60,
                    help=_l("One word, like sad, anxious, angry or ashamed."))
# Re-rating rows may leave the name blank: it is taken from the feeling in the same row above.
RERATE_NAME = FieldSpec("name", _l("Feeling"), "short_text", max_length=60)
INTENSITY = FieldSpec("intensity", _l("How strong (0–100)"), "scale_0_100", required=True,
                      low=_l("Not at all"), high=_l("As strong as it gets"))
# Re-rating is optional per feeling: a row left without a new strength is simply not re-rated.
RERATE_INTENSITY = FieldSpec("intensity", _l("How strong (0–100)"), "scale_0_100",
                             low=_l("Not at all"), high=_l("As strong as it gets"))


def _slug(text: str) -> str:
    """A stable value for a program's own thinking trap."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "trap"


def traps_from_settings(settings: Settings | None) -> tuple[Option, ...]:
    """The program's list of thinking traps (settings.thought_record.thinking_traps), or ours."""
    conf = (settings or {}).get("thought_record") if isinstance(settings, Mapping) else None
    items = conf.get("thinking_traps") if isinstance(conf, Mapping) else None
    if not isinstance(items, list):
        return TRAPS
    out: list[Option] = []
    for item in items[:30]:
        if isinstance(item, str) and item.strip():
            out.append(Option(_slug(item), item.strip()[:80]))
        elif isinstance(item, Mapping):
            label = str(item.get("label") or item.get("name") or "").strip()[:80]
            if label:
                explain = item.get("help") or item.get("explanation") or item.get("description")
                out.append(Option(str(item.get("key") or _slug(label))[:60], label,
                                  str(explain or "")[:300]))
        elif isinstance(item, (list, tuple)) and item and str(item[0]).strip():
            label = str(item[0]).strip()[:80]
            out.append(Option(_slug(label), label, str(item[1])[:300] if len(item) > 1 else ""))
    unique = {o.value: o for o in out}
    return tuple(unique.values()) or TRAPS


def shifts(data: Mapping[str, Any]) -> list[tuple[str, int, int]]:
    """(emotion, before, after) for each emotion re-rated: matched by name, else by order.

    Only rows with a new strength count; a row matched by order must have no name of
    its own, so a feeling that was not re-rated never borrows another feeling's rating.
    """
    before = [r for r in data.get("emotions") or [] if isinstance(r, Mapping)]
    after = [r for r in data.get("rerate") or [] if isinstance(r, Mapping)]
    by_name = {str(r.get("name") or "").lower(): r for r in after if r.get("name")}
    out = []
    for i, row in enumerate(before):
        name = str(row.get("name") or "")
        match = by_name.get(name.lower())
        if match is None and i < len(after) and not after[i].get("name"):
            match = after[i]
        b, a = row.get("intensity"), match.get("intensity") if match else None
        if isinstance(b, int) and isinstance(a, int):
            out.append((name, b, a))
    return out


def hot_thought(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The thought marked hot (or the first one)."""
    thoughts = [t for t in data.get("thoughts") or [] if isinstance(t, Mapping)]
    return next((t for t in thoughts if t.get("hot")), thoughts[0] if thoughts else None)


class ThoughtRecord(Worksheet):
    """The classic seven-column thought record."""

    key = "thought_record"
    title = _l("Thought record")
    therapy = "CBT"
    description = _l("Slow down an upsetting moment and look at the thoughts behind it.")
    recall_label = _l("Your hot thought")
    recall_source = "thoughts:text"
    mirror = "emotions:rerate:name"
    help = _l("Pick one moment this week when your mood changed. Take it one step at a time; "
              "there are no right or wrong answers, and you can save a draft and come back.")

    def sections(self, settings: Settings | None = None) -> tuple[Section, ...]:
        """Seven steps; the hot thought stays in view from the thinking-traps step on."""
        return (
            Section("situation", _l("1. The situation"), (
                FieldSpec("when", _l("When was it?"), "short_text", max_length=100,
                          help=_l("For example: Tuesday evening, about 9 pm.")),
                FieldSpec("where", _l("Where were you?"), "short_text", max_length=100),
                FieldSpec("who", _l("Who was there?"), "short_text", max_length=100,
                          help=_l("Or 'on my own'.")),
                FieldSpec("what", _l("What was happening?"), "long_text", required=True,
                          max_length=1000,
                          help=_l("Just the facts, the way a camera would see them.")),
            ), help=_l("Describe one moment when your mood changed.")),
            Section("emotions", _l("2. Feelings"), (
                Group("emotions", _l("What did you feel, and how strongly?"), (EMOTION, INTENSITY),
                      required=True, blank_rows=3, max_rows=8,
                      add_label=_l("Add another feeling"),
                      help=_l("Rate each feeling from 0 (not at all) to 100 (as strong as it "
                              "gets).")),
            )),
            Section("thoughts", _l("3. Automatic thoughts"), (
                Group("thoughts", _l("What went through your mind?"), (
                    FieldSpec("text", _l("Thought"), "long_text", required=True, max_length=500),
                    FieldSpec("belief", _l("How much do you believe it? (0–100 %)"),
                              "scale_0_100"),
                ), required=True, blank_rows=3, max_rows=8, add_label=_l("Add another thought"),
                    pick_key="hot", pick_label=_l("This is the hot thought"),
                    pick_default_by="belief",
                    help=_l("Write the thoughts as they came, even if they seem silly or "
                            "harsh. Mark the one that upsets you most: the 'hot thought'.")),
            )),
            Section("traps", _l("4. Thinking traps"), (
                FieldSpec("traps", _l("Do any of these fit your hot thought?"), "checklist",
                          choices=traps_from_settings(settings),
                          help=_l("Everyone falls into these sometimes. Tick any that fit.")),
            ), recall=True),
            Section("evidence", _l("5. Looking at the evidence"), (
                FieldSpec("evidence_for", _l("What makes me think the hot thought is true?"),
                          "long_text", max_length=2000, help=_l("Facts, not feelings.")),
                FieldSpec("evidence_against",
                          _l("What suggests it might not be completely true?"), "long_text",
                          max_length=2000,
                          help=_l("What would you say to a friend who had this thought?")),
            ), recall=True),
            Section("balanced", _l("6. A more balanced thought"), (
                FieldSpec("balanced", _l("A more balanced way to see it"), "long_text",
                          max_length=1000,
                          help=_l("It doesn't have to be positive, just fair to all the "
                                  "evidence.")),
                FieldSpec("balanced_belief", _l("How much do you believe it? (0–100 %)"),
                          "scale_0_100"),
            ), recall=True),
            Section("rerate", _l("7. Your feelings now"), (
                Group("rerate", _l("Rate the same feelings again"),
                      (RERATE_NAME, RERATE_INTENSITY), blank_rows=3, max_rows=8,
                      help=_l("Any change counts, even a small one. No change is useful to "
                              "know too. Leave a strength empty to skip that feeling.")),
            ), recall=True),
        )

    def check(self, parsed: Parsed) -> None:
        """Name each re-rated feeling after the feeling above when blank; drop unrated rows."""
        before = parsed.data.get("emotions") or []
        rows = parsed.data.get("rerate") or []
        for i, row in enumerate(rows):
            if not row.get("name") and i < len(before):
                row["name"] = before[i].get("name")
        parsed.data["rerate"] = [row for row in rows if row.get("intensity") is not None]

    def prefill(self, values: FormValues) -> FormValues:
        """Offer every feeling for re-rating: its name goes into the first free re-rating row.

        A feeling already named in a re-rating row (say, from an entry that re-rated
        only some feelings) is not offered twice; the rows grow to fit the feelings.
        """
        out = dict(values)
        names = [n for n in (out.get(f"emotions-{i}-name") for i in range(8))
                 if isinstance(n, str) and n.strip()]
        taken = {str(out.get(f"rerate-{i}-name") or "").strip().lower() for i in range(8)}
        free = [i for i in range(8) if not out.get(f"rerate-{i}-name")
                and not out.get(f"rerate-{i}-intensity")]
        for name in names:
            if name.strip().lower() not in taken and free:
                out[f"rerate-{free.pop(0)}-name"] = name
        used = [i for i in range(8) if out.get(f"rerate-{i}-name")]
        count = max([3, safe_int(scalar(out.get("rerate-count")), 3, 1, 8)]
                    + [i + 1 for i in used])
        out["rerate-count"] = str(count)
        return out

    def recall(self, data: Mapping[str, Any]) -> str:
        """The hot thought, shown on the later steps."""
        hot = hot_thought(data)
        return str(hot.get("text") or "") if hot else ""

    def title_of(self, data: Mapping[str, Any]) -> str:
        """The situation, shortened."""
        return clip(data.get("what"), 60)

    def highlights(self, data: Mapping[str, Any]) -> list[str]:
        """How much each feeling shifted."""
        lines = []
        for name, before, after in shifts(data):
            if after < before:
                lines.append(_("%(name)s: %(b)d → %(a)d (down %(d)d)", name=name, b=before,
                               a=after, d=before - after))
            elif after > before:
                lines.append(_("%(name)s: %(b)d → %(a)d (up %(d)d)", name=name, b=before,
                               a=after, d=after - before))
            else:
                lines.append(_("%(name)s: %(b)d → %(a)d (no change)", name=name, b=before,
                               a=after))
        return lines

    def summary(self, data: Mapping[str, Any]) -> str:
        """Hot thought and belief, feeling shifts, traps, balanced belief."""
        parts = []
        hot = hot_thought(data)
        if hot:
            belief = hot.get("belief")
            parts.append(_("Hot thought: “%(t)s”", t=clip(hot.get("text"), 70))
                         + (f" ({belief}%)" if isinstance(belief, int) else ""))
        moved = shifts(data)
        if moved:
            parts.append(", ".join(f"{clip(n, 20)} {b}→{a}" for n, b, a in moved[:3]))
        else:
            feelings = [r for r in data.get("emotions") or [] if isinstance(r, Mapping)]
            if feelings:
                parts.append(", ".join(f"{clip(r.get('name'), 20)} {r.get('intensity')}"
                                       for r in feelings[:3]))
        traps = data.get("traps") or []
        if traps:
            labels = {o.value: str(o.label) for o in TRAPS}
            parts.append(_("Traps: %(t)s", t=", ".join(
                labels.get(str(t), str(t).replace("_", " ")) for t in traps[:3])))
        if isinstance(data.get("balanced_belief"), int):
            parts.append(_("balanced thought %(n)d%%", n=data["balanced_belief"]))
        return " · ".join(parts)

    def chart_points(self, entries: Any) -> list[tuple[Any, float]] | None:
        """(date, average drop in intensity) per entry that re-rated its feelings."""
        points = []
        for entry in entries:
            moved = shifts(entry.data or {})
            if moved:
                points.append((entry.created_at.date(),
                               sum(b - a for _n, b, a in moved) / len(moved)))
        return points
