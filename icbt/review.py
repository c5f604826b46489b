"""Review flags: pure rules over client snapshots, and the batched queue (REVIEW area)."""

from __future__ import annotations


def recompute_client(client_id: int) -> None:
    """Recompute one client's flags after their data changed (filled in by the review work)."""
    return None
