"""PHQ-9 and GAD-7 for clients: take them (drafts kept), see results in calm words."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import RadioField
from wtforms.validators import Optional

from icbt.accounts import pending
from icbt.db import db
from icbt.forms import choices
from icbt.measures import assessments, chartdata, scoring
from icbt.models.care import MeasureResponse
from icbt.models.people import User
from icbt.views import crisis
from icbt.views.access import client_or_404, owned_or_404, roles_required

bp = Blueprint("measures", __name__, url_prefix="/measures")


@cache
def form_class(key: str) -> type[FlaskForm]:
    """A form with one radio group per item of the measure (built once per measure)."""
    measure = scoring.MEASURES[key]
    options = choices([(value, label) for value, label in scoring.OPTIONS])
    fields = {f"q{i + 1}": RadioField(text, coerce=int, choices=options,
                                      validators=[Optional()])
              for i, text in enumerate(measure.items)}
    return type(f"{key.capitalize()}Form", (FlaskForm,), fields)


def _answers(form: FlaskForm, measure: scoring.Measure) -> list[int | None]:
    return [form[f"q{i + 1}"].data for i in range(len(measure.items))]


@bp.route("/")
@roles_required("client")
def index() -> str:
    """The client's questionnaires: what is due and how the results have gone."""
    client = client_or_404(current_user.id, target="measures")
    results = {key: assessments.history(client, key) for key in scoring.MEASURES}
    drafts = {key: assessments.draft_for(client.id, key) for key in scoring.MEASURES}
    return render_template("measures/index.html", client=client, results=results, drafts=drafts,
                           due=assessments.due_measures(client), measures=scoring.MEASURES,
                           band=scoring.band,
                           charts={k: chartdata.build(client, k) for k in scoring.MEASURES})


@bp.route("/<key>", methods=["GET", "POST"])
@roles_required("client")
def take(key: str) -> Response | str:
    """Answer a questionnaire; a partial answer is kept as a draft, never scored."""
    measure = scoring.get(key)
    if measure is None:
        abort(404)
    client = client_or_404(current_user.id, target="measures")
    form = form_class(key)()
    draft = assessments.draft_for(client.id, key)
    if request.method == "GET" and draft is not None:
        for i, value in enumerate(draft.answers or []):
            if i < len(measure.items):
                form[f"q{i + 1}"].data = value
    if form.validate_on_submit():
        answers = _answers(form, measure)
        if all(a is None for a in answers):
            form.q1.errors = [_("Please choose an answer for each question.")]
        else:
            result = assessments.save_answers(client, key, answers)
            if result.risk_flag is not None:
                return render_template(
                    "safety/help_now.html", **crisis.page_context(current_app.config),
                    reason="phq9", raised=True, failed=False, signed_out=False,
                    next_url=(url_for("measures.result", response_id=result.response.id)
                              if result.complete else url_for("measures.take", key=key)))
            if result.complete:
                return redirect(url_for("measures.result", response_id=result.response.id))
            flash(ngettext("Your answers so far are saved. %(num)d question still needs an "
                           "answer, whenever you are ready.",
                           "Your answers so far are saved. %(num)d questions still need an "
                           "answer, whenever you are ready.", result.missing), "info")
            for i, value in enumerate(answers):
                if value is None:
                    form[f"q{i + 1}"].errors = [_("Please choose an answer.")]
    return render_template("measures/take.html", form=form, measure=measure, client=client,
                           options=scoring.OPTIONS, draft=draft)


@bp.route("/result/<int:response_id>")
@roles_required("client")
def result(response_id: int) -> str:
    """One completed result, in calm words, with the change since the one before."""
    response = owned_or_404(db.session.get(MeasureResponse, response_id), target="measures")
    if response.total is None or response.measure not in scoring.MEASURES:
        abort(404)
    measure = scoring.MEASURES[response.measure]
    previous = db.session.scalar(
        select(MeasureResponse.total).where(
            MeasureResponse.client_id == response.client_id,
            MeasureResponse.measure == response.measure,
            MeasureResponse.completed_at.is_not(None),
            MeasureResponse.completed_at < response.completed_at,
        ).order_by(MeasureResponse.completed_at.desc()).limit(1))
    client = db.session.get(User, response.client_id)
    due = assessments.due_measures(client) if client else []
    return render_template("measures/result.html", response=response, measure=measure,
                           band=scoring.band(measure, response.total), previous=previous,
                           next_due=[k for k in due if k != response.measure])


@pending.keep_on_expiry("measures.take")
def _complete_take(user: User, view_args: dict[str, Any], form: dict[str, list[str]]) -> str:
    """Save answers posted after the session expired; a risk answer still raises the signal."""
    key = str(view_args.get("key"))
    measure = scoring.get(key)
    if measure is None or user.role != "client":
        return url_for("main.index")
    posted = form_class(key)(formdata=MultiDict([(k, v) for k, vs in form.items() for v in vs]),
                             meta={"csrf": False})
    posted.validate()
    answers = [None if posted[f"q{i + 1}"].errors else posted[f"q{i + 1}"].data
               for i in range(len(measure.items))]
    if all(a is None for a in answers):
        return url_for("measures.take", key=key)
    result = assessments.save_answers(user, key, answers)
    if result.risk_flag is not None:
        flash(_("Your answers are saved. We have let your therapist know that you need their "
                "attention. If you might not stay safe, please call one of these numbers now."),
              "warning")
        return url_for("main.help")
    flash(_("Your answers are saved."), "success")
    if result.complete:
        return url_for("measures.result", response_id=result.response.id)
    return url_for("measures.take", key=key)


@bp.app_template_global()
def measures_home_card(client: User) -> dict[str, Any]:
    """What the client home's questionnaire card shows."""
    due = assessments.due_measures(client)
    return {"due": [scoring.MEASURES[k] for k in due],
            "drafts": assessments.measures_with_drafts(client.id)}
