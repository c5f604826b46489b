"""Privacy: what a person may ask about their data, and what the clinic keeps.

audit_search.py (who looked at a record: the access log), export.py (a person's data,
with FHIR scores), importer.py (bring an export into another clinic), deletion.py
(delete an account after a grace period), retention.py (remove what the retention
rules say), backup.py, notice.py (the clinic's versioned privacy notice). The audit
trail itself (icbt.audit) is written by every domain.

May import: icbt.measures (FHIR), icbt.programs (the notice's Markdown), icbt.accounts,
icbt.messaging, icbt.audit, icbt.models, icbt.db, icbt.timeutil.
"""
