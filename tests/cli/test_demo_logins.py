"""`icbt demo` names the demo client accounts the database really has (client1 ... client14)."""

from __future__ import annotations

import re

from flask import Flask

from icbt.db import db
from icbt.models.people import User


def test_demo_prints_the_real_range_of_client_accounts(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    r = runner.invoke(args=["demo", "--no-serve"])
    assert r.exit_code == 0, r.output
    with app.app_context():
        emails = db.session.scalars(db.select(User.email).where(
            User.role == "client", User.email.like("%@demo.icbt"))).all()
    numbers = sorted(int(m.group(1)) for e in emails if (m := re.fullmatch(r"client(\d+)@demo\.icbt", e)))
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 12  # the review hook adds some
    line = next(x for x in r.output.splitlines() if "client1@demo.icbt" in x)
    assert line.strip() == f"client     client1@demo.icbt  (and client2 ... client{numbers[-1]})"
    # A second run (nothing added) prints the same range.
    again = runner.invoke(args=["demo", "--no-serve"])
    assert line in again.output


def test_the_logins_text_follows_the_accounts_given() -> None:
    from icbt.demo import people

    assert "(and client2 ... client14)" in people.logins_text(
        [f"client{n}@demo.icbt" for n in range(1, 15)])
    assert "client1@demo.icbt  (and client2)\n" in people.logins_text(
        ["client1@demo.icbt", "client2@demo.icbt"])
    assert "  (and" not in people.logins_text(["client1@demo.icbt"])
    assert "client1@" not in people.logins_text([])
