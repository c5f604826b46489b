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
    "main.favicon": ("GET", "/favicon.ico", ALL),
    "auth.login": ("GET", "/login", ALL),
    "auth.logout": ("POST", "/logout", ALL),
    "auth.accept_invite": ("GET", "/invite/{bad_token}", TOKEN),
    "auth.reset_request": ("GET", "/reset", ALL),
    "auth.reset_password": ("GET", "/reset/{bad_token}", TOKEN),
    "auth.change_password": ("GET", "/account/password", SIGNED_IN),
    # AUTH-SEC: the second sign-in step and the account pages
    "auth.login_code": ("GET", "/login/code", ALL),
    "account.index": ("GET", "/account", SIGNED_IN),
    "account.reauth": ("GET", "/account/confirm", SIGNED_IN),
    "account.twofactor_status": ("GET", "/account/2fa", SIGNED_IN),
    "account.twofactor_setup": ("GET", "/account/2fa/setup", SIGNED_IN),
    "account.recovery_codes": ("POST", "/account/2fa/codes", SIGNED_IN),
    "account.twofactor_disable": ("POST", "/account/2fa/disable", SIGNED_IN),
    "account.change_email": ("GET", "/account/email", SIGNED_IN),
    "account.choose_language": ("GET", "/account/language", SIGNED_IN),
    "account.confirm_email": ("GET", "/account/email/{bad_token}", TOKEN),
    "admin.users": ("GET", "/admin/users", ADMIN),
    "admin.new_user": ("GET", "/admin/users/new", ADMIN),
    "admin.edit_user": ("GET", "/admin/users/{client_id}", ADMIN),
    "admin.toggle_user": ("POST", "/admin/users/{spare_id}/toggle", ADMIN),
    "staff.clients": ("GET", "/staff/clients", THERAPISTS),
    "staff.invite": ("GET", "/staff/invite", STAFF),
    "staff.client_overview": ("GET", "/staff/clients/{client_id}", THERAPIST_OF),
    "staff.help": ("GET", "/staff/help", row(D, D, D, A, A, A, A)),  # every staff role
    # LESSONS: the client's week and lessons, and the therapist's program actions
    "client.home": ("GET", "/home", CLIENTS),
    "client.talk_note": ("POST", "/home/talk-note", CLIENTS),
    "client.lessons": ("GET", "/lessons", CLIENTS),
    "client.lesson": ("GET", "/lessons/{program_slug}/1", OWNER),
    "client.lesson_done": ("POST", "/lessons/{program_slug}/1/done", OWNER),
    "client.settings": ("GET", "/settings", CLIENTS),
    "client.unsubscribe": ("GET", "/unsubscribe/{bad_token}", TOKEN),
    "program.enrol": ("GET", "/staff/clients/{client_id}/program/enrol", THERAPIST_OF),
    "program.move": ("GET", "/staff/clients/{client_id}/program/move", THERAPIST_OF),
    "program.add_homework": ("GET", "/staff/clients/{client_id}/program/homework", THERAPIST_OF),
    "program.feedback": ("POST", "/staff/clients/{client_id}/program/feedback", THERAPIST_OF),
    "program.unlock_next": ("POST", "/staff/clients/{client_id}/program/unlock", THERAPIST_OF),
    "program.pause": ("POST", "/staff/clients/{client_id}/program/pause", THERAPIST_OF),
    "program.resume": ("POST", "/staff/clients/{client_id}/program/resume", THERAPIST_OF),
    # DATA-RIGHTS: the audit search, and each client's own data pages
    "admin.audit": ("GET", "/admin/audit", ADMIN),
    "privacy.index": ("GET", "/my-data/", CLIENTS),
    "privacy.access_log": ("GET", "/my-data/access-log", CLIENTS),
    "privacy.download": ("GET", "/my-data/download", CLIENTS),
    "privacy.delete": ("GET", "/my-data/delete", CLIENTS),
    "privacy.deletion_notice": ("GET", "/my-data/deletion", CLIENTS),
    "privacy.cancel_deletion": ("POST", "/my-data/deletion/cancel", CLIENTS),
    # CONSENT: the privacy notice is public; agreeing to a new version is for clients
    "consent.notice": ("GET", "/privacy-notice", ALL),
    "consent.review": ("GET", "/consent", CLIENTS),
    # MOOD: check-ins, questionnaires, the crisis button, charts and the outcomes report
    "mood.checkin": ("GET", "/mood/", CLIENTS),
    "mood.edit_day": ("GET", "/mood/day/{mood_day}", CLIENTS),
    "measures.index": ("GET", "/measures/", CLIENTS),
    "measures.take": ("GET", "/measures/phq9", CLIENTS),
    "measures.result": ("GET", "/measures/result/{measure_response_id}", OWNER),
    "safety.help_now": ("POST", "/help-now", ALL),  # the crisis page is never refused
    "charts.chart": ("GET", "/charts/{client_id}/mood.png", CARE),
    "reports.outcomes": ("GET", "/reports/outcomes", ADMIN),
    "reports.outcomes_csv": ("GET", "/reports/outcomes.csv", ADMIN),
    # REVIEW: the queue, flags, case management, messages, live sessions and the brief
    "staff.queue": ("GET", "/staff/queue", THERAPISTS),
    "casework.acknowledge": ("GET", "/staff/flags/{flag_id}/acknowledge", THERAPIST_OF),
    "casework.set_status": ("POST", "/staff/clients/{client_id}/status", THERAPIST_OF),
    "casework.log_contact": ("GET", "/staff/clients/{client_id}/contacts/new", THERAPIST_OF),
    "messages.client_thread": ("GET", "/messages", CLIENTS),
    "messages.staff_thread": ("GET", "/staff/clients/{client_id}/messages", THERAPIST_OF),
    "sessions.new": ("GET", "/staff/clients/{client_id}/sessions/new", THERAPIST_OF),
    "sessions.edit": ("GET", "/staff/sessions/{session_id}", THERAPIST_OF),
    "sessions.session_brief": ("GET", "/staff/clients/{client_id}/brief", THERAPIST_OF),
    # CONTENT: the designer pages, and program images for anyone signed in
    "designer.index": ("GET", "/designer/", DESIGN),
    "designer.program": ("GET", "/designer/programs/{content_program}", DESIGN),
    "designer.lesson": ("GET", "/designer/programs/{content_program}/1", DESIGN),
    "designer.worksheet": ("GET", "/designer/worksheets/{content_worksheet}", DESIGN),
    "designer.reload": ("POST", "/designer/reload", DESIGN),
    "content.image": ("GET", "/content/{content_program}/images/{content_image}", SIGNED_IN),
    # WORKSHEETS: the client's entries, drafts and trash; the therapist's view of them
    "worksheets.entries": ("GET", "/worksheets/", CLIENTS),
    "worksheets.new": ("GET", "/worksheets/new/{ws_kind}", CLIENTS),
    "worksheets.detail": ("GET", "/worksheets/entries/{ws_entry_id}", OWNER),
    "worksheets.edit": ("GET", "/worksheets/entries/{ws_entry_id}/edit", OWNER),
    "worksheets.delete": ("POST", "/worksheets/entries/{ws_delete_entry_id}/delete", OWNER),
    "worksheets.trash": ("GET", "/worksheets/trash", CLIENTS),
    "worksheets.restore": ("POST", "/worksheets/trash/{ws_trashed_entry_id}/restore", OWNER),
    "worksheets.autosave": ("POST", "/worksheets/drafts/{ws_kind}", CLIENTS),
    "worksheets.discard_draft": ("POST", "/worksheets/drafts/{ws_kind}/discard", CLIENTS),
    "worksheets.staff_entries": ("GET", "/worksheets/staff/clients/{client_id}/entries",
                                 THERAPIST_OF),
    "worksheets.staff_entry": ("GET",
                               "/worksheets/staff/clients/{client_id}/entries/{ws_entry_id}",
                               THERAPIST_OF),
    "worksheets.staff_medication_log": ("POST",
                                        "/worksheets/staff/clients/{client_id}/medication-log",
                                        THERAPIST_OF),
}
