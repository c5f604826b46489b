"""One writer process for test_concurrency.py: saves N journal entries through the service.

Usage: python concurrent_writer.py DATABASE_URL INSTANCE_PATH CLIENT_ID N WORKER START_AT
Prints one JSON line: {"saved": n, "errors": [...]}. Each entry is its own app context,
session and transaction, as a web request would be.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    url, instance, client_id, n, worker, start_at = sys.argv[1:7]
    from icbt import create_app
    from icbt.db import db
    from icbt.models.people import User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance, "TESTING": True,
                      "SECRET_KEY": "concurrency-test-secret-key-0123456789abcdef"})
    from icbt.programs import registry
    from icbt.worksheets import entries

    saved, errors = 0, []
    while time.time() < float(start_at):  # start together, for the most contention
        time.sleep(0.002)
    for i in range(int(n)):
        with app.app_context():
            try:
                client = db.session.get(User, int(client_id))
                ws = registry.get("journal")
                result = entries.create_entry(
                    client, ws, {"text": f"w{worker}-{i:03d}"},
                    submission_key=entries.new_submission_key())
                if result.entry is not None:
                    saved += 1
                else:
                    errors.append(f"not saved: {i}")
            except Exception as exc:  # noqa: BLE001 - report every failure to the test
                errors.append(f"{type(exc).__name__}: {exc}"[:300])
            finally:
                db.session.remove()
    print(json.dumps({"saved": saved, "errors": errors}))


if __name__ == "__main__":
    main()
