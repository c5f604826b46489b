"""Programs and lessons: parse, validate, render, cache (filled in by the content work)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Load every program once at start-up."""
