"""Demo clients have agreed to the privacy notice in force, so the demo does not bounce them."""

from __future__ import annotations

from conftest import csrf_from
from flask import Flask
from sqlalchemy import select

from icbt.accounts import consent
from icbt.db import db
from icbt.demo import clinic
from icbt.demo.people import DEMO_PASSWORD
from icbt.models.people import User
from icbt.privacy import notice


def test_every_demo_client_has_agreed_to_the_current_notice(app: Flask) -> None:
    with app.app_context():
        assert clinic.build()
        version = notice.current().version
        clients = db.session.scalars(select(User).where(User.role == "client",
                                                        User.password_hash.is_not(None))).all()
        assert len(clients) >= 12
        assert all(consent.is_current(c, version) for c in clients)
        email = clients[0].email
    web = app.test_client()
    page = web.get("/login").get_data(as_text=True)
    web.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                             "csrf_token": csrf_from(page)})
    assert web.get("/home").status_code == 200
