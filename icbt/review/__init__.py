"""Review: what the therapist's queue shows and the work done on it.

rules.py (pure: the flag rules and their thresholds), lifecycle.py (pure: open,
update, close a flag), snapshots.py (batched queries: what the rules read), flags.py
(recompute and acknowledge flags, keep ReviewState; listens to icbt.signals), queue.py
(the queue), words.py (why a client is in it, in plain words), brief.py (the brief
before a session), casework.py (notes and tasks), live_sessions.py.

May import: icbt.measures, icbt.programs, icbt.messaging, icbt.modules, icbt.signals,
icbt.models, icbt.db, icbt.timeutil. rules.py and lifecycle.py import neither db nor
models.
"""
