"""Only one scheduler acts: a PostgreSQL advisory lock, or a lease row on SQLite.

On PostgreSQL the lock belongs to a dedicated connection held for the life of
the process, so it goes away by itself when the process dies. SQLite has no
such thing, so a row in scheduler_lock names the holder until a short expiry;
the holder renews it on every tick, and another process may take it over only
after it has expired (a conditional update, so two processes cannot both win).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from icbt.db import db
from icbt.models.records import SchedulerLock
from icbt.timeutil import utcnow

log = logging.getLogger("icbt.scheduler")

# Any fixed 64-bit number works; this one spells "icbtsch" so it is easy to spot in pg_locks.
ADVISORY_KEY = 0x6963627473636820
LOCK_NAME = "scheduler"


class Guard:
    """Decide, on each tick, whether this process is the one scheduler allowed to act."""

    def __init__(self, name: str = LOCK_NAME, lease: timedelta = timedelta(minutes=3)) -> None:
        self.name = name
        self.lease = lease
        self.holder = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._conn: Any = None

    def acquire(self, now: datetime | None = None) -> bool:
        """Take or renew the lock; return whether this process holds it now."""
        if db.engine.dialect.name == "postgresql":
            return self._advisory()
        return self._lease(now or utcnow())

    def _advisory(self) -> bool:
        """Hold pg_try_advisory_lock on our own connection (kept open while we run)."""
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except SQLAlchemyError:
                log.warning("scheduler lock connection lost; trying again")
                self._drop()
        conn = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                {"k": ADVISORY_KEY}).scalar())
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def _lease(self, now: datetime) -> bool:
        """Renew our lease row, take over an expired one, or create it."""
        table = SchedulerLock.__table__
        values = {"holder": self.holder, "expires_at": now + self.lease}
        try:
            renewed = db.session.execute(
                table.update().where(table.c.name == self.name,
                                     or_(table.c.holder == self.holder, table.c.expires_at <= now))
                .values(**values)).rowcount  # type: ignore[attr-defined]
            if renewed:
                db.session.commit()
                return True
            with db.session.begin_nested():
                db.session.execute(table.insert().values(name=self.name, **values))
            db.session.commit()
            return True
        except IntegrityError:
            db.session.rollback()
            return False  # someone else holds a live lease
        except OperationalError:
            db.session.rollback()
            log.warning("scheduler lease not renewed (database busy)")
            return False

    def release(self) -> None:
        """Give the lock up (on shutdown), so another scheduler can take over at once."""
        if self._conn is not None:
            self._drop()
            return
        if db.engine.dialect.name == "postgresql":
            return
        table = SchedulerLock.__table__
        db.session.execute(table.delete().where(table.c.name == self.name,
                                                table.c.holder == self.holder))
        db.session.commit()

    def _drop(self) -> None:
        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
        except SQLAlchemyError:
            pass  # the connection is gone, and the lock went with it
        try:
            self._conn.close()
        except SQLAlchemyError:
            pass
        self._conn = None
