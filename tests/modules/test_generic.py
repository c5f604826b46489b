"""Designer-defined worksheets (FieldWorksheet): every field type checked, hostile input, over HTTP."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from ws_helpers import (
    HOSTILE,
    fill,
    hostile_form,
    hostile_text,
    latest_entry,
    new_client,
    post_hostile,
    summary,
)

from icbt.modules.fields import FIELD_TYPES, FieldSpec
from icbt.modules.generic import FieldWorksheet

SPECS = (
    FieldSpec("title", "Title", "short_text", required=True, max_length=40),
    FieldSpec("story", "Story", "long_text", max_length=300),
    FieldSpec("small", "Small", "scale_0_5"), FieldSpec("ten", "Ten", "scale_0_10"),
    FieldSpec("hundred", "Hundred", "scale_0_100"),
    FieldSpec("one", "One", "single_choice", choices=("A", "B & C")),
    FieldSpec("many", "Many", "multiple_choice", choices=("X", "Y", "Z")),
    FieldSpec("ticks", "Ticks", "checklist", choices=("P", "Q")),
    FieldSpec("day", "Day", "date"), FieldSpec("at", "At", "time"),
    FieldSpec("yes", "Yes?", "yes_no"), FieldSpec("tags", "Tags", "tags"),
)
WS = FieldWorksheet("every_type", "Every type", "CBT", SPECS, ("title", "one"), "", "test")
TYPES = {"short_text": str, "long_text": str, "scale_0_5": int, "scale_0_10": int,
         "scale_0_100": int, "single_choice": str, "multiple_choice": list, "checklist": list,
         "date": str, "time": str, "yes_no": bool, "tags": list}


def test_every_field_type_is_covered() -> None:
    assert {s.type for s in SPECS} == set(FIELD_TYPES)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from([s.name for s in SPECS]),
                            st.one_of(hostile_text, st.lists(hostile_text, max_size=3))))
def test_parse_returns_typed_data_or_messages(app, data) -> None:
    form = MultiDict([(k, x) for k, v in data.items() for x in (v if isinstance(v, list) else [v])])
    with app.test_request_context():
        parsed = WS.parse(form)
        if parsed.ok:
            for spec in SPECS:
                value = parsed.data[spec.name]
                assert value is None or value == "" or isinstance(value, TYPES[spec.type])
                if spec.scale and value is not None:
                    assert spec.scale[0] <= value <= spec.scale[1]
                if isinstance(value, str):
                    assert "\x00" not in value and len(value) <= spec.limit
            WS.summary(parsed.data)
            assert WS.parse(WS.values(parsed.data)).data == parsed.data  # edit round trip
        else:
            assert set(parsed.errors) <= {s.name for s in SPECS}
        # Whatever was typed is there to show again.
        assert set(parsed.values) == {s.name for s in SPECS}


def test_designer_worksheet_over_http(app, make_user) -> None:
    user, c = new_client(app, make_user)
    resp = fill(c, "problem_solving", {"problem": "Bills piling up", "can_act": "Partly",
                                       "worry_before": "7", "chosen": "Call the bank",
                                       "when": "2026-03-09"})
    assert resp.status_code == 302
    entry = latest_entry(app, user)
    assert entry.kind == "problem_solving" and entry.data["worry_before"] == 7
    assert summary(app, entry).startswith("What is the problem? Bills piling up")


@settings(**HOSTILE, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_form(["problem", "can_act", "worry_before", "chosen", "when", "next_step"]))
def test_hostile_input_never_500(app, make_user, data) -> None:
    post_hostile(app, make_user, "problem_solving", data)
