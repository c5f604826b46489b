"""Messaging: everything that reaches a person outside the page.

mail.py (the outbox: queue, deliver with retries; absolute links for emails),
messages.py (the client-therapist thread), notify.py (notification settings, quiet
hours, the reminder and "lesson ready" emails).

The lowest domain package: may import icbt.audit, icbt.models, icbt.db and
icbt.timeutil only, so every other domain can send mail.
"""
