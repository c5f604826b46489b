import sys
sys.path.insert(0, "/work/main/tests/modules")
from hypothesis import HealthCheck, given, settings
from ws_helpers import assert_stored_or_errors, entry_count, hostile_form, new_client, open_form
from test_thought_record import ANSWERS
import time

@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=hostile_form(list(ANSWERS) + ["emotions-count", "thoughts-count", "rerate-count"]))
def test_many(app, make_user, data):
    who = getattr(test_many, "who", None)
    if who is None or who[2] is not app:
        u, c = new_client(app, make_user); who = (u, c, app); test_many.who = who
    user, c, _ = who
    _html, hidden = open_form(c, "/worksheets/new/thought_record")
    before = entry_count(app, user)
    resp = c.post("/worksheets/new/thought_record", data={**data, **hidden, "action": "submit"})
    assert_stored_or_errors(app, user, resp, before)
