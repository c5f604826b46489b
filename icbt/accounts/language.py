"""An account's language: saved in settings, chosen by staff on invitation."""

from __future__ import annotations

from icbt import audit, i18n
from icbt.db import db
from icbt.models.people import User


def choices() -> list[tuple[str, str]]:
    """(code, the language's own name) for every language the clinic offers."""
    return [(code, i18n.name(code)) for code in i18n.languages()]


def of(user: User | None) -> str:
    """The language to speak to user in: theirs when offered, else the clinic's."""
    return i18n.usable(user.language if user is not None else None)


def set_language(user: User, code: str, *, actor: User | None = None) -> bool:
    """Save user's language (audited); False when the clinic does not offer it."""
    code = i18n.normalise(code)
    if code not in i18n.languages():
        return False
    user.language = code
    audit.record("change", actor_id=(actor or user).id,
                 client_id=user.id if user.role == "client" else None, target="language")
    db.session.commit()
    return True
