"""The clinic outcomes report for administrators (clinical leads), with a CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Blueprint, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField
from wtforms.validators import Optional

from icbt import audit
from icbt.db import db
from icbt.measures import outcomes as outcomes_svc
from icbt.timeutil import utcnow
from icbt.views.access import roles_required

bp = Blueprint("reports", __name__, url_prefix="/reports")


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To (inclusive)"), validators=[Optional()])


def _period() -> tuple[PeriodForm, date, date]:
    """Read the period from the query string (default: the last 90 days)."""
    form = PeriodForm(request.args)
    today = utcnow().date()
    form.validate()
    end = form.end.data if not form.end.errors and form.end.data else today
    start = form.start.data if not form.start.errors and form.start.data else \
        end - timedelta(days=89)
    if start > end:
        form.start.errors = [_("The start must be on or before the end.")]
        start = end - timedelta(days=89)
    form.start.data, form.end.data = start, end
    return form, start, end


@bp.route("/outcomes")
@roles_required("admin")
def outcomes() -> str:
    """Started, finished, completion, and NHS Talking Therapies outcomes by program and therapist."""
    form, start, end = _period()
    report = outcomes_svc.clinic_report(start, end)
    return render_template("reports/outcomes.html", form=form, report=report)


def _cell(value: object) -> object:
    """Keep spreadsheet programs from running a cell as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.route("/outcomes.csv")
@roles_required("admin")
def outcomes_csv() -> Response:
    """The report as CSV: one row per episode, or the summary groups (?table=summary)."""
    _form, start, end = _period()
    report = outcomes_svc.clinic_report(start, end)
    table = "summary" if request.args.get("table") == "summary" else "episodes"
    buf = io.StringIO()
    writer = csv.writer(buf)
    if table == "summary":
        rate_names = list(report.overall.rates)
        writer.writerow(["group", "label", "started", "finished", "completed", "dropped_out",
                         "with_paired_scores", "case_at_start", "reliable_improvement",
                         "recovery", "reliable_recovery", "reliable_deterioration",
                         "mixed_change"] + [f"{n}_rate" for n in rate_names])
        groups = [("all", report.overall)] + [("program", g) for g in report.by_program] + \
            [("therapist", g) for g in report.by_therapist]
        for kind, g in groups:
            writer.writerow([_cell(x) for x in [
                kind, g.label, g.started, g.finished, g.completed, g.dropped, g.paired,
                g.case_at_start, g.improved, g.recovered, g.reliably_recovered,
                g.deteriorated, g.mixed,
            ]] + ["" if r is None else f"{r:.3f}" for r in g.rates.values()])
    else:
        writer.writerow(outcomes_svc.EPISODE_COLUMNS)
        for row in outcomes_svc.episode_rows(report):
            writer.writerow([_cell(x) for x in row])
    audit.record("export", actor_id=current_user.id, target=f"outcomes_csv:{table}",
                 ip=request.remote_addr or "", detail=f"{start.isoformat()}..{end.isoformat()}")
    db.session.commit()
    resp = make_response(buf.getvalue())
    resp.mimetype = "text/csv"
    resp.headers["Content-Disposition"] = (
        f'attachment; filename="outcomes-{table}-{start.isoformat()}-{end.isoformat()}.csv"')
    return resp
