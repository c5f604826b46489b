"""The database tables (typed SQLAlchemy models), one module per concern.

people.py (accounts, tokens, sign-in attempts, kept forms), care.py (enrolment,
lessons, homework, entries, drafts, check-ins, questionnaires, messages, sessions,
contact time), flags.py (review flags, ReviewState), records.py (outbox, audit
trail, scheduler lock, job runs). Import a model from its module. Every table is
registered with the metadata as soon as any model module is imported (below), so
Alembic and the export see the whole schema.

May import icbt.db and icbt.timeutil only.
"""

from icbt.models import care, flags, people, records  # noqa: F401 - registers every table
