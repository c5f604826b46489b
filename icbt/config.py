"""Configuration: defaults here, then instance/config.py, then ICBT_* environment variables."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Crisis resources shown on the "Need help now?" page, after the clinic's own contact
# (CLINIC_PHONE and friends below). These defaults are international and deliberately
# generic: every deployment MUST replace them with the numbers and services of its own
# country. Each one has a name and a detail, and may have a phone and a url (http/https).
DEFAULT_CRISIS_RESOURCES: list[dict[str, str]] = [
    {
        "name": "Emergency services",
        "detail": "If you or someone else is in danger right now, call your local emergency number "
        "(112 in the EU and many other countries, 999 in the UK, 911 in the US and Canada, "
        "000 in Australia).",
        "phone": "112",
    },
    {
        "name": "A crisis line in your country",
        "detail": "Find a free, confidential helpline near you in the international directory.",
        "phone": "",
        "url": "https://findahelpline.com",
    },
]

# Used in email links when BASE_URL is not set (development only: production refuses).
DEV_BASE_URL = "http://127.0.0.1:5000"

# Settings that are always text, even when they look like JSON (a phone number "999").
_TEXT_KEYS = {"SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "SMTP_PASSWORD", "SMTP_USER", "BASE_URL",
              "CLINIC_NAME", "CLINIC_PHONE", "CLINIC_HOURS", "CLINIC_OUT_OF_HOURS_NAME",
              "CLINIC_OUT_OF_HOURS_PHONE"}


class Defaults:
    """Built-in defaults; every key can be overridden."""

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    WTF_CSRF_TIME_LIMIT = 3600 * 4
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    BABEL_DEFAULT_LOCALE = "en"
    LANGUAGES = ["en", "de"]  # ICBT_LANGUAGES=en,de: offered to people, in this order
    DEFAULT_LANGUAGE = "en"  # ICBT_DEFAULT_LANGUAGE: when neither account nor browser says
    PSEUDO_LOCALE: str | None = None  # en_XA or ar_XB: every page in it, for layout tests
    BABEL_DEFAULT_TIMEZONE = "UTC"

    HTTPS = False  # ICBT_HTTPS=1: Secure cookies and HSTS
    PRODUCTION = False  # ICBT_PRODUCTION=1: refuse weak secrets and debug
    # The public address, used in emails where no request is around. None: DEV_BASE_URL
    # (`icbt demo` uses the host and port it serves on); production refuses to start without it.
    BASE_URL: str | None = None
    CLINIC_NAME = "icbt"
    # The clinic's own contact, shown first on "Need help now?"; a part left unset is left out.
    CLINIC_PHONE: str | None = None
    CLINIC_HOURS: str | None = None  # opening hours in words: "Monday to Friday, 9:00 to 17:00"
    CLINIC_OUT_OF_HOURS_NAME: str | None = None  # who to call when the clinic is closed
    CLINIC_OUT_OF_HOURS_PHONE: str | None = None
    DEFAULT_TIMEZONE = "Europe/London"
    CONTENT_DIR: str | None = None  # None: the programs shipped in icbt/content
    # Markdown with `version:` in its front matter; clients agree to each new version.
    PRIVACY_NOTICE_FILE: str | None = None  # None: icbt/data/privacy-notice.md
    OUTBOX_DIR: str | None = None  # None: instance/outbox

    SMTP_HOST: str | None = None
    SMTP_PORT = 25
    SMTP_USER: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = False
    SMTP_SSL = False
    MAIL_FROM = "icbt <no-reply@localhost>"
    MAIL_MAX_ATTEMPTS = 8

    INVITE_DAYS = 7
    RESET_HOURS = 2
    PASSWORD_MIN_LENGTH = 12
    IDLE_TIMEOUT_MINUTES = 30
    ABSOLUTE_TIMEOUT_HOURS = 12
    REQUIRE_2FA_ROLES = ["therapist", "admin"]
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_IP = 30
    LOGIN_WINDOW_MINUTES = 15
    DELETION_GRACE_DAYS = 14
    # Data rights (docs/data-rights.md): days to keep operational rows, by table.
    RETENTION: dict[str, int] = {"outbox_message": 90, "login_attempt": 30,
                                 "pending_submission": 2, "token": 30}
    EXPORT_STAFF_NOTES = True  # False: leave therapists' notes out of a client's export
    BACKUP_DIR: str | None = None  # None: instance/backups
    MAIL_SENDING_TIMEOUT_MINUTES = 15  # a message "sending" longer than this is requeued

    CRISIS_RESOURCES = DEFAULT_CRISIS_RESOURCES

    # Review flag thresholds (see icbt/review/rules.py for the rules and their sources)
    FLAG_MOOD_DROP = 2.0
    FLAG_STALLED_DAYS = 7
    FLAG_LESSON_DAYS = 10
    FLAG_HOMEWORK_OVERDUE_DAYS = 3
    FLAG_HOMEWORK_WINDOW_DAYS = 28  # overdue homework older than this drops off every page
    FLAG_QUIET_DAYS = 5

    # Reminders: local hour they go out, and default quiet hours
    REMINDER_HOUR = 18
    QUIET_HOURS = [22, 8]

    SCHEDULER_IN_PROCESS = False


# Environment names that do not follow the ICBT_<KEY> pattern one to one.
_ENV_ALIASES = {"ICBT_DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}


def _parse_env(value: str) -> Any:
    """Read an environment value: JSON when it parses (numbers, lists, true/false), else text."""
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"} and not lowered.isdigit():
        return True
    if lowered in {"0", "false", "no", "off"} and not lowered.isdigit():
        return False
    try:
        return json.loads(value)
    except ValueError:
        return value


def env_overrides(environ: dict[str, str] | os._Environ[str] = os.environ) -> dict[str, Any]:
    """Collect ICBT_* variables as config keys."""
    out: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith("ICBT_"):
            continue
        key = _ENV_ALIASES.get(name, name[len("ICBT_") :])
        parsed = _parse_env(value)
        if key in _TEXT_KEYS:
            parsed = value
        if key == "HTTPS" or key == "PRODUCTION":
            parsed = value.strip().lower() in {"1", "true", "yes", "on"}
        out[key] = parsed
    return out


def instance_secret_key(instance_path: str) -> str:
    """Return the instance's secret key, creating a random one on first use."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


WELL_KNOWN_SECRETS = {"dev", "secret", "changeme", "change-me", "development", "test", "secret-key"}
# Words that show a key was copied from an example, a test or a tutorial, not generated.
_EXAMPLE_WORDS = ("changeme", "change-me", "change_me", "secret-key", "secretkey", "example",
                  "test-secret", "your-secret", "replace-me", "placeholder", "development",
                  "insecure", "do-not-use")


def _well_known(key: str) -> bool:
    """Tell whether a long key is still a known or made-up value rather than a random one."""
    lowered = key.lower()
    if lowered in WELL_KNOWN_SECRETS or any(word in lowered for word in _EXAMPLE_WORDS):
        return True
    # A repeated word or character ("changeme" * 4, "a" * 40) has too few distinct characters.
    return len(set(key)) < 10


def check_production(config: dict[str, Any]) -> list[str]:
    """List the reasons this configuration is unsafe for production (empty when fine)."""
    problems = []
    key = config.get("SECRET_KEY") or ""
    if not key:
        problems.append("ICBT_SECRET_KEY is not set")
    elif len(key) < 32:
        problems.append("ICBT_SECRET_KEY is shorter than 32 characters")
    elif _well_known(key):
        problems.append("ICBT_SECRET_KEY is a well-known value")
    if config.get("DEBUG"):
        problems.append("debug mode is on")
    if not config.get("BASE_URL"):
        problems.append("ICBT_BASE_URL is not set (set it to the public address people open, "
                        "e.g. https://icbt.example.org: email links use it)")
    return problems


def production_warnings(config: dict[str, Any]) -> list[str]:
    """List what a production deployment should still localise (no personal data in them)."""
    warnings = []
    if config.get("CRISIS_RESOURCES") == DEFAULT_CRISIS_RESOURCES:
        warnings.append("the crisis contacts are still the generic defaults: set "
                        "CRISIS_RESOURCES to your country's crisis lines")
    if not config.get("CLINIC_PHONE"):
        warnings.append("the crisis page shows no clinic phone: set ICBT_CLINIC_PHONE "
                        "(and ICBT_CLINIC_HOURS, ICBT_CLINIC_OUT_OF_HOURS_NAME and _PHONE)")
    return warnings


def base_url(config: Mapping[str, Any]) -> str:
    """The address email links start with: BASE_URL, else the development default."""
    return str(config.get("BASE_URL") or DEV_BASE_URL).rstrip("/")
