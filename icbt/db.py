"""The SQLAlchemy object, the engine set-up (SQLite pragmas) and the clock."""

from __future__ import annotations

import logging
from typing import Any

from flask import g, has_app_context
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
log = logging.getLogger("icbt.db")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Turn on foreign keys, WAL and a busy timeout for every SQLite connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # Let SQLAlchemy issue BEGIN itself (see _sqlite_begin) so writers take the lock up front.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.close()


def _reading_request() -> bool:
    """A GET or HEAD that has not been told to take the write lock (see retry_with_write_lock).

    The app marks a reading request in g (icbt.App.full_dispatch_request): this layer never
    looks at the request itself.
    """
    return (has_app_context() and bool(g.get("icbt_reading_request"))
            and not g.get("icbt_write_lock"))


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    """Start SQLite transactions so writers queue instead of failing, and readers share.

    Everything that may write (POST requests, jobs, commands) begins with BEGIN IMMEDIATE:
    it takes the write lock up front and waits its turn (busy_timeout) instead of failing
    half-way. A GET or HEAD begins with a plain BEGIN, so the workers read at the same
    time (WAL readers never block); if such a request then writes (an audit row, a lesson
    marked opened) and another worker wrote in between, SQLite refuses the upgrade and
    `retry_with_write_lock` runs the view once more with BEGIN IMMEDIATE.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN" if _reading_request() else "BEGIN IMMEDIATE")


def _busy(exc: BaseException) -> bool:
    """SQLITE_BUSY in any of its forms (BUSY_SNAPSHOT: a reader's write came too late)."""
    code = getattr(getattr(exc, "orig", None), "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == 5  # SQLITE_BUSY


def retry_with_write_lock(exc: BaseException) -> bool:
    """After a GET's write was refused, roll back and say whether to run the view again.

    True once per request, for SQLITE_BUSY in a reading request: the next transaction
    then begins with BEGIN IMMEDIATE, which waits for the lock instead of failing.
    """
    if not (_reading_request() and isinstance(exc, OperationalError) and _busy(exc)):
        return False
    db.session.rollback()
    g.icbt_write_lock = True
    log.info("a read request had to write; running it again with the write lock")
    return True
