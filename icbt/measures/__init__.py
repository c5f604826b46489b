"""Measures: questionnaires, mood, the safety path and the charts.

scoring.py (pure: PHQ-9/GAD-7 items, scores, bands and the outcome rules, with their
sources), assessments.py (when a questionnaire is due, answering it), mood.py (daily
check-ins), safety.py (a risk answer: the client's help page and the therapist's
urgent flag), outcomes.py (the clinic outcomes report), chartdata.py and charts.py
(series and PNG charts), fhir.py (scores as FHIR resources for the export).

May import: icbt.programs (the program's schedule, homework done), icbt.messaging
(the safety email), icbt.signals, icbt.models, icbt.db, icbt.timeutil. scoring.py
imports neither db nor models.
"""
