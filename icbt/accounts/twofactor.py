"""Two-step verification: TOTP (RFC 6238, pyotp), a locally drawn QR code, recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime

import pyotp
import segno
from flask import current_app

from icbt.db import db
from icbt.models.people import User
from icbt.timeutil import utcnow

STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits without look-alikes (0/o, 1/l/i).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_SEPARATORS = re.compile(r"[\s\-]+")


def required_for(user: User) -> bool:
    """Tell whether this person's role must use two-step verification here."""
    roles = current_app.config.get("REQUIRE_2FA_ROLES") or []
    return user.role in roles


def _timestamp(now: datetime | None = None) -> int:
    """Seconds since the epoch for a naive-UTC time from the app clock."""
    value = now or utcnow()
    return int(value.replace(tzinfo=UTC).timestamp())


def new_secret() -> str:
    """A new random TOTP secret (160 bits, base32); it becomes active only once confirmed."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    issuer = current_app.config.get("CLINIC_NAME") or "icbt"
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """Draw the QR code here (no third-party service) as an SVG data: URL for an <img>."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000",
                                                        light="#fff"))


def grouped(secret: str) -> str:
    """Show a secret in groups of four so it can be typed by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def code_at(secret: str, now: datetime | None = None) -> str:
    """The current six-digit code for a secret (for tests and the demo)."""
    return pyotp.TOTP(secret).generate_otp(_timestamp(now) // STEP_SECONDS)


def _matching_step(secret: str, code: str, now: datetime | None) -> int | None:
    """Return the time step the code belongs to (allowing one step of clock drift)."""
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = _timestamp(now) // STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _accept(user: User, secret: str, code: str) -> bool:
    """Check a code against a secret; a step already used by this user is refused (replay)."""
    step = _matching_step(secret, _SEPARATORS.sub("", code or ""), None)
    if step is None:
        return False
    if user.totp_last_step is not None and step <= user.totp_last_step:
        return False
    user.totp_last_step = step
    return True


def verify_totp(user: User, code: str) -> bool:
    """Check a code from the user's app; each code works once. Caller commits."""
    return bool(user.totp_secret) and _accept(user, user.totp_secret or "", code)


def code_just_used(user: User, code: str) -> bool:
    """Tell whether a right code was refused only because its time step was already used.

    Replay protection stays: such a code never signs in. This only lets the sign-in
    page say to wait for the next code instead of calling a correct code wrong.
    """
    if not (user.totp_enabled and user.totp_secret) or user.totp_last_step is None:
        return False
    step = _matching_step(user.totp_secret, _SEPARATORS.sub("", code or ""), None)
    return step is not None and step <= user.totp_last_step


def _hash_code(user: User, code: str) -> str:
    """Hash a recovery code with the user's id (the codes are random, so no slow hash is needed)."""
    return hashlib.sha256(f"{user.id}:{code}".encode()).hexdigest()


def _normalise_code(code: str) -> str:
    """Recovery codes are typed with or without dashes and spaces, in any case."""
    return _SEPARATORS.sub("", code or "").lower()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; return the new ones (only their hashes are kept)."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    user.recovery_codes = [_hash_code(user, _normalise_code(c)) for c in codes]
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Accept a recovery code once and strike it off. Caller commits."""
    normalised = _normalise_code(code)
    if not re.fullmatch(r"[a-z0-9]{10}", normalised):
        return False
    wanted = _hash_code(user, normalised)
    remaining = list(user.recovery_codes or [])
    for stored in remaining:
        if hmac.compare_digest(stored, wanted):
            remaining.remove(stored)
            user.recovery_codes = remaining  # a new list, so the JSON change is saved
            return True
    return False


def verify_second_factor(user: User, code: str) -> str | None:
    """Accept a TOTP code or a recovery code; return which one worked, or None. Caller commits."""
    if not user.totp_enabled:
        return None
    if verify_totp(user, code):
        return "totp"
    if use_recovery_code(user, code):
        return "recovery"
    return None


def confirm_enrolment(user: User, secret: str, code: str) -> list[str] | None:
    """Switch to a new secret if the code from it matches; return new recovery codes.

    Until this succeeds, the old secret (if any) keeps working, so setting up a
    new phone can be abandoned half-way without locking anyone out.
    """
    step = _matching_step(secret, _SEPARATORS.sub("", code or ""), None) if secret else None
    if step is None:
        return None
    user.totp_last_step = step
    user.totp_secret = secret
    user.totp_enabled = True
    codes = new_recovery_codes(user)
    user.session_version += 1  # sessions signed in before this end
    db.session.commit()
    return codes


def disable(user: User) -> None:
    """Turn two-step verification off and forget the secret and recovery codes."""
    user.totp_enabled = False
    user.totp_secret = None
    user.totp_last_step = None
    user.recovery_codes = []
    user.session_version += 1
    db.session.commit()


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the user has."""
    return len(user.recovery_codes or [])
