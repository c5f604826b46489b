"""The demo clinic: a few staff, a dozen clients, plausible history. Idempotent."""

from __future__ import annotations

from . import accounts, audit_search, mood_demo, program_demo, review_demo, worksheets_demo
from .db import db
from .models import User

DEMO_PASSWORD = "demo-calm-harbour-2026"
# Therapists and admins must use two-step sign-in. So that the demo can be tried without
# setting it up, its staff share this published secret: `icbt demo --code` prints the
# current code. A real deployment never has such a secret.
DEMO_TOTP_SECRET = "ICBTDEMOICBTDEMOICBTDEMO"

STAFF = [
    ("admin@demo.icbt", "admin", "Alex Admin"),
    ("designer@demo.icbt", "designer", "Dana Designer"),
    ("therapist@demo.icbt", "therapist", "Taylor Morgan"),
    ("therapist2@demo.icbt", "therapist", "Jordan Reyes"),
]

CLIENTS = [
    "Sam Carter", "Priya Shah", "Leo Novak", "Maya Okafor", "Tom Becker", "Ines Duarte",
    "Noah Kim", "Ava Lindqvist", "Omar Haddad", "Chloe Martin", "Ben Osei", "Zoe Laurent",
]


def client_email(i: int) -> str:
    return f"client{i + 1}@demo.icbt"


def build() -> bool:
    """Create the demo clinic unless it exists; return whether anything was created."""
    if accounts.get_by_email(STAFF[0][0]) is not None:
        return False
    staff: dict[str, User] = {}
    for email, role, name in STAFF:
        staff[email] = accounts.create_user(email, role, name=name, password=DEMO_PASSWORD,
                                            check_password=False)
    for user in staff.values():
        if user.role in ("therapist", "admin"):
            user.totp_secret = DEMO_TOTP_SECRET
            user.totp_enabled = True
    db.session.commit()
    therapists = [staff["therapist@demo.icbt"], staff["therapist2@demo.icbt"]]
    clients: list[User] = []
    for i, name in enumerate(CLIENTS):
        therapist = therapists[0] if i < 9 else therapists[1]
        clients.append(accounts.create_user(client_email(i), "client", name=name,
                                            password=DEMO_PASSWORD, therapist=therapist,
                                            check_password=False))
    for hook in HISTORY_HOOKS:
        hook(staff, clients)
    db.session.commit()
    return True


# Later features add their demo history here: hook(staff, clients) -> None.
HISTORY_HOOKS: list = [
    program_demo.demo_history,  # LESSONS: enrolments, lesson progress, homework (others read them)
    audit_search.demo_history,  # DATA-RIGHTS: therapists opened their clients' records
    mood_demo.demo_history,  # MOOD: check-ins and PHQ-9/GAD-7 stories, one risk answer
    worksheets_demo.demo_history,  # WORKSHEETS: entries of several types
    review_demo.demo_history,  # REVIEW: keep LAST (it reads the others' history, then flags)
]


def logins_text() -> str:
    """The demo logins, printed by `icbt demo`."""
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for email, role, _name in STAFF:
        lines.append(f"  {role:<10} {email}")
    lines.append(f"  {'client':<10} {client_email(0)}  (and client2 ... client{len(CLIENTS)})")
    lines.append("Therapists and the admin also need a two-step code: run `icbt demo --code`, or")
    lines.append(f"add the demo secret {DEMO_TOTP_SECRET} to an authenticator app.")
    return "\n".join(lines)


def current_code() -> str:
    """The demo staff's current two-step code (from the published demo secret)."""
    import pyotp

    return str(pyotp.TOTP(DEMO_TOTP_SECRET).now())
