"""Jobs: the scheduled work and the one scheduler that runs it.

scheduler.py (the jobs, their timing, catch-up after downtime, APScheduler) and
lock.py (a database lease: only one scheduler acts at a time). The command that
starts it is icbt.cli.scheduler.

On top of the domains: may import any domain package, icbt.models and icbt.db; never
a view, a command or icbt.demo.
"""
