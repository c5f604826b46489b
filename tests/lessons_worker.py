"""A scheduler process for the tests: run the due jobs once against a shared database.

Usage: python lessons_worker.py '<json settings>'. It waits for the "go" file so that
two workers start together, writes what it did to its "result" file, then (holding
the scheduler lock, if it took it) waits for the "finish" file before exiting.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path


def wait_for(path: Path, seconds: float = 60.0) -> None:
    """Wait until a file exists."""
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {path.name}")
        time.sleep(0.01)


def main() -> None:
    """Run once, as the settings say."""
    args = json.loads(sys.argv[1])
    now = datetime.fromisoformat(args["now"])
    from icbt import create_app

    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": args["db"], "INSTANCE_PATH": args["instance"],
        "OUTBOX_DIR": args["outbox"], "CLOCK": lambda: now, "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": args["smtp_port"], "REQUIRE_2FA_ROLES": [],
    })
    with app.app_context():
        from icbt.jobs import scheduler
        from icbt.jobs.lock import Guard

        guard = Guard()
        wait_for(Path(args["go"]))
        if args["lock"]:
            results = scheduler.run_guarded(guard, now)
        else:
            results = scheduler.run_due_jobs(now)
        Path(args["result"]).write_text(json.dumps({"acted": results is not None,
                                                    "jobs": sorted(results or {})}))
        wait_for(Path(args["finish"]))
        if results is not None and args["lock"]:
            guard.release()


if __name__ == "__main__":
    main()
