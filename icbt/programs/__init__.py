"""Programs: the content engine and a client's way through a program.

The engine turns the Markdown programs in icbt/content into a store: load.py (files),
frontmatter.py (YAML), check.py (the designer's error messages), render.py (Markdown
to sanitised HTML), types.py, build.py, designer_worksheets.py, store.py (the loaded
store, snapshots of lessons), registry.py (worksheet types: the built-in plug-ins of
icbt.modules plus the designer's). A client's program: enrolment.py (enrol, unlock,
pause, feedback), pacing.py (pure: when each lesson opens), lessons.py, homework.py,
reminders.py (the daily "due tomorrow" and "no check-in today" reminders).

May import: icbt.messaging, icbt.modules, icbt.audit, icbt.signals (to announce a
client's changed data), icbt.models, icbt.db, icbt.timeutil. pacing.py imports
neither db nor models.
"""
