"""The clinic outcomes report: started/finished, completion, NHS TT outcomes, CSV with LOINC."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from conftest import login_as

from icbt.db import db
from icbt.measures import outcomes
from icbt.models.care import Enrolment, LessonProgress, MeasureResponse
from icbt.models.records import AuditEvent

START, END = date(2026, 1, 1), date(2026, 3, 31)


def _episode(client_id: int, slug: str, start: date, ended: date | None, lessons_done: int,
             scores: list[tuple[int, int]], linked: bool = True) -> Enrolment:
    """An enrolment with completed lessons and weekly paired PHQ-9/GAD-7 scores."""
    e = Enrolment(client_id=client_id, program_slug=slug, content_version="1", start_date=start,
                  status="ended" if ended else "active",
                  ended_at=datetime.combine(ended, datetime.min.time()) + timedelta(hours=12)
                  if ended else None)
    db.session.add(e)
    db.session.flush()
    for week in range(1, lessons_done + 1):
        db.session.add(LessonProgress(enrolment_id=e.id, client_id=client_id, week=week,
                                      lesson_slug=f"l{week}", lesson_title="t",
                                      completed_at=datetime(2026, 1, 1)))
    for i, (phq, gad) in enumerate(scores):
        at = datetime.combine(start + timedelta(weeks=i), datetime.min.time()) + timedelta(hours=9)
        for key, total in (("phq9", phq), ("gad7", gad)):
            db.session.add(MeasureResponse(client_id=client_id, enrolment_id=e.id if linked else None,
                                           measure=key,
                                           answers=[], total=total, completed_at=at))
    return e


@pytest.fixture
def clinic(app, make_user):  # type: ignore[no-untyped-def]
    t1 = make_user("therapist", name="Ada Therapist")
    t2 = make_user("therapist", name="Bo Therapist")
    clients = [make_user("client", therapist=t1 if i < 3 else t2) for i in range(6)]
    with app.app_context():
        c = [cl.id for cl in clients]
        _episode(c[0], "cbt-low-mood", date(2026, 1, 5), date(2026, 3, 2), 8,
                 [(15, 12), (12, 10), (5, 4)])  # completed, reliable recovery
        _episode(c[1], "cbt-low-mood", date(2026, 1, 12), date(2026, 2, 9), 3,
                 [(10, 8), (16, 8)])  # drop-out, reliable deterioration
        _episode(c[2], "cbt-low-mood", date(2025, 10, 1), date(2026, 1, 20), 8,
                 [(8, 5), (2, 1)])  # started before, finished in period; not a case at start
        _episode(c[3], "dbt-emotion-regulation", date(2026, 1, 5), date(2026, 3, 20), 6,
                 [(20, 4), (10, 8)], linked=False)  # completed, mixed; answers not linked
        _episode(c[4], "dbt-emotion-regulation", date(2026, 2, 2), None, 2,
                 [(14, 10)])  # started, still active
        _episode(c[5], "dbt-emotion-regulation", date(2025, 6, 1), date(2025, 9, 1), 6,
                 [(15, 15), (3, 3)])  # outside the period
        db.session.commit()
    return t1, t2, clients


def test_report_counts_and_rates(app, clinic) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        report = outcomes.clinic_report(START, END)
    o = report.overall
    assert (o.started, o.finished, o.completed, o.dropped) == (4, 4, 3, 1)
    assert (o.paired, o.case_at_start, o.improved, o.recovered, o.reliably_recovered,
            o.deteriorated, o.mixed) == (4, 3, 2, 1, 1, 1, 1)
    assert o.rates["completion"] == 0.75 and o.rates["dropout"] == 0.25
    assert o.rates["reliable_improvement"] == 0.5  # of 4 with paired scores
    assert o.rates["recovery"] == pytest.approx(1 / 3)  # of the 3 who were a case at start
    assert o.rates["reliable_deterioration"] == 0.25
    programs = {g.label: g for g in report.by_program}
    assert set(programs) == {"cbt-low-mood", "dbt-emotion-regulation"}
    assert (programs["cbt-low-mood"].finished, programs["cbt-low-mood"].improved) == (3, 2)
    assert (programs["dbt-emotion-regulation"].started, programs["dbt-emotion-regulation"].mixed) \
        == (2, 1)
    therapists = {g.label: g for g in report.by_therapist}
    assert therapists["Ada Therapist"].deteriorated == 1 and therapists["Bo Therapist"].mixed == 1
    assert len(report.episodes) == 5


def test_empty_period_has_no_rates(app, clinic) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        report = outcomes.clinic_report(date(2030, 1, 1), date(2030, 2, 1))
    assert report.overall.finished == 0 and report.overall.rates["completion"] is None


def test_completion_share_is_configurable(app, clinic) -> None:  # type: ignore[no-untyped-def]
    app.config["REPORT_COMPLETION_SHARE"] = 0.3
    with app.app_context():
        assert outcomes.clinic_report(START, END).overall.completed == 4


def test_page_and_csv_with_loinc_codes_and_audit(app, clinic, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("admin")
    c = login_as(app, admin)
    page = c.get("/reports/outcomes?start=2026-01-01&end=2026-03-31").get_data(as_text=True)
    assert "Clinic outcomes" in page and "cbt-low-mood" in page and "Ada Therapist" in page
    assert "75%" in page
    resp = c.get("/reports/outcomes.csv?start=2026-01-01&end=2026-03-31")
    assert resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    header = rows[0]
    assert "baseline_phq9_total_loinc_44261-6" in header
    assert "latest_gad7_total_loinc_70274-6" in header
    by_id = {r[header.index("client_id")]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    first = by_id[str(clinic[2][0].id)]
    assert first["baseline_phq9_total_loinc_44261-6"] == "15" and first["outcome"] == "reliable_recovery"
    assert by_id[str(clinic[2][3].id)]["mixed_change"] == "1"
    assert all("Therapist" not in cell for r in rows for cell in r)  # ids only
    summary = list(csv.reader(io.StringIO(c.get(
        "/reports/outcomes.csv?start=2026-01-01&end=2026-03-31&table=summary").get_data(
        as_text=True))))
    assert summary[1][:4] == ["all", "all", "4", "4"]
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "export")).all()
        assert [e.target for e in events] == ["outcomes_csv:episodes", "outcomes_csv:summary"]
        assert events[0].detail == "2026-01-01..2026-03-31"


def test_bad_period_is_explained_not_a_500(app, clinic, make_user) -> None:  # type: ignore[no-untyped-def]
    c = login_as(app, make_user("admin"))
    resp = c.get("/reports/outcomes?start=2026-04-01&end=2026-03-01")
    assert resp.status_code == 200 and "on or before the end" in resp.get_data(as_text=True)
    assert c.get("/reports/outcomes?start=junk").status_code == 200


def test_csv_cells_cannot_become_formulas() -> None:
    from icbt.views.reports import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _cell("-1+2") == "'-1+2"
    assert _cell(3) == 3 and _cell("cbt") == "cbt"
