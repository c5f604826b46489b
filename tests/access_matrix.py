"""The access matrix: for every route and actor, allowed (A) or denied (D).

`test_access_matrix.py` walks the app's URL map and fails when a route has no
row here. Each row: (method, url template, expectations for the actors in
ACTORS order). URL placeholders are filled from the world built in world.py:
objects in it belong to "the client", whose assigned therapist is "the
therapist". Denied means 404 for a signed-in person (ids cannot be probed) and
a redirect to the login page for an anonymous one.

X marks a route whose access is decided by a one-time token rather than by
who is signed in (tested in test_accounts.py); the row still must exist.
"""

from __future__ import annotations

A, D, X = "allow", "deny", "token"
ACTORS = ("anonymous", "client", "other_client", "therapist", "other_therapist", "designer",
          "admin")


def row(*values: str) -> tuple[str, ...]:
    assert len(values) == len(ACTORS)
    return values


ALL = row(A, A, A, A, A, A, A)
SIGNED_IN = row(D, A, A, A, A, A, A)
OWNER = row(D, A, D, D, D, D, D)  # only the client themself
CARE = row(D, A, D, A, D, D, D)  # the client and their assigned therapist
THERAPIST_OF = row(D, D, D, A, D, D, D)  # only the assigned therapist
CLIENTS = row(D, A, A, D, D, D, D)  # any client, for their own data
THERAPISTS = row(D, D, D, A, A, D, D)
STAFF = row(D, D, D, A, A, D, A)  # therapists and admins
DESIGN = row(D, D, D, D, D, A, A)
ADMIN = row(D, D, D, D, D, D, A)
TOKEN = row(X, X, X, X, X, X, X)

MATRIX: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "static": ("GET", "/static/css/app.css", ALL),
    "main.index": ("GET", "/", SIGNED_IN),
    "main.help": ("GET", "/help", ALL),
    "main.healthz": ("GET", "/healthz", ALL),
    "auth.login": ("GET", "/login", ALL),
    "auth.logout": ("POST", "/logout", ALL),
    "auth.accept_invite": ("GET", "/invite/{bad_token}", TOKEN),
    "auth.reset_request": ("GET", "/reset", ALL),
    "auth.reset_password": ("GET", "/reset/{bad_token}", TOKEN),
    "auth.change_password": ("GET", "/account/password", SIGNED_IN),
    "admin.users": ("GET", "/admin/users", ADMIN),
    "admin.new_user": ("GET", "/admin/users/new", ADMIN),
    "admin.edit_user": ("GET", "/admin/users/{client_id}", ADMIN),
    "admin.toggle_user": ("POST", "/admin/users/{spare_id}/toggle", ADMIN),
    "staff.clients": ("GET", "/staff/clients", THERAPISTS),
    "staff.invite": ("GET", "/staff/invite", STAFF),
    "staff.client_overview": ("GET", "/staff/clients/{client_id}", THERAPIST_OF),
}
