"""The web layer: one blueprint per area (each module exposes `bp`), and the request side.

access.py (the guards that apply icbt.accounts.policy to a request and audit it),
security.py (sign-in state in the session cookie, timeouts, re-authentication),
hardening.py (security headers, no-store, NUL characters) and the *_forms.py modules.

Only here is the request or the session read. May import every domain package and the
modules below them; never icbt.cli, icbt.jobs or icbt.demo.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from icbt.views import errors, language

# Every blueprint module, in one literal list so a reader sees them all.
BLUEPRINTS = [
    "auth",
    "account",
    "main",
    "admin",
    "staff",
    "privacy",
    "consent",
    "client",
    "program",
    "worksheets",
    "casework",
    "messages",
    "sessions",
    "mood",
    "measures",
    "safety",
    "charts",
    "reports",
    "designer",
    "content_assets",
]


# The main navigation per role: (endpoint, label). Links to endpoints that do not
# exist (a feature not installed) are left out.
NAV = {
    "client": [("client.home", _l("This week")), ("client.lessons", _l("Lessons")),
               ("worksheets.entries", _l("My worksheets")), ("mood.checkin", _l("Mood")),
               ("measures.index", _l("Questionnaires")), ("messages.client_thread", _l("Messages")),
               ("client.settings", _l("Settings"))],
    "therapist": [("staff.queue", _l("Review queue")), ("staff.clients", _l("Clients")),
                  ("staff.invite", _l("Invite a client")), ("account.index", _l("Account"))],
    "designer": [("designer.index", _l("Programs")), ("account.index", _l("Account"))],
    "admin": [("admin.users", _l("Accounts")), ("staff.invite", _l("Invite a client")),
              ("designer.index", _l("Programs")), ("admin.audit", _l("Audit log")),
              ("reports.outcomes", _l("Outcomes")), ("account.index", _l("Account"))],
}


def nav_items() -> list[tuple[str, str]]:
    """The navigation links for the current user."""
    if not current_user.is_authenticated:
        return []
    items = NAV.get(current_user.role, [])
    return [(e, str(label)) for e, label in items if e in current_app.view_functions]


# Who gets which help in the header: clients the "Need help now?" button (it alerts their
# therapist), staff the staff help page, everyone else the public crisis page.
STAFF_HELP_ROLES = ("therapist", "admin", "designer")


def help_control() -> str:
    """The header's help for the current user: "client", "staff" or "public"."""
    role = current_user.role if current_user.is_authenticated else None
    views = current_app.view_functions
    if role == "client" and "safety.help_now" in views:
        return "client"
    if role in STAFF_HELP_ROLES and "staff.help" in views:
        return "staff"
    return "public"


def register_blueprints(app: Flask) -> None:
    """Import and register every blueprint, plus the error pages."""
    import importlib

    for name in BLUEPRINTS:
        module = importlib.import_module(f"{__name__}.{name}")
        app.register_blueprint(module.bp)
    errors.init_app(app)
    language.init_app(app)
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["help_control"] = help_control
    app.jinja_env.globals["current_app"] = current_app
