"""Accounts: people, sign-in credentials and who may see what.

users.py (accounts, passwords, invitations, reset tokens), twofactor.py (two-step
sign-in), throttle.py (sign-in throttling), email_change.py (confirmed address
changes), pending.py (a form kept across an expired session, completed after sign-in),
policy.py (the one access policy; icbt.views.access applies it to requests), consent.py
(each time a client agreed to a version of the privacy notice).

May import: icbt.messaging (the emails these send), icbt.models, icbt.db,
icbt.timeutil, icbt.extensions. Never the request: the web side of sign-in (the
session cookie, timeouts, re-authentication) is icbt.views.security.
"""
