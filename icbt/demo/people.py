"""The demo clinic's people: who they are, their shared password and two-step secret."""

from __future__ import annotations

from collections.abc import Sequence

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


def logins_text(client_emails: Sequence[str]) -> str:
    """The demo logins, printed by `icbt demo`: the client accounts as the database has them."""
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for email, role, _name in STAFF:
        lines.append(f"  {role:<10} {email}")
    if client_emails:
        names = [e.split("@", 1)[0] for e in client_emails]
        rest = ""
        if len(names) == 2:
            rest = f"  (and {names[1]})"
        elif len(names) > 2:
            rest = f"  (and {names[1]} ... {names[-1]})"
        lines.append(f"  {'client':<10} {client_emails[0]}{rest}")
    lines.append("Therapists and the admin also need a two-step code: run `icbt demo --code`, or")
    lines.append(f"add the demo secret {DEMO_TOTP_SECRET} to an authenticator app.")
    return "\n".join(lines)


def current_code() -> str:
    """The demo staff's current two-step code (from the published demo secret)."""
    import pyotp

    return str(pyotp.TOTP(DEMO_TOTP_SECRET).now())
