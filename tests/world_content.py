"""CONTENT placeholders for the access world: a shipped program, its image and a worksheet.

Content is not per client (it is the same files for everyone), so nothing is created;
the shipped programs provide one object of each kind the routes need.
"""

from __future__ import annotations

from typing import Any

import world
from flask import Flask

from icbt.models.people import User


@world.builder
def content_world(app: Flask, people: dict[str, User]) -> dict[str, Any]:
    """Name a live program, one of its images and one designer-defined worksheet."""
    from icbt.programs import store

    with app.app_context():
        program = store.store().get_program("cbt-low-mood")
        assert program is not None and "cbt-cycle.svg" in program.images
        assert "problem_solving" in store.store().worksheets
    return {"content_program": "cbt-low-mood", "content_image": "cbt-cycle.svg",
            "content_worksheet": "problem_solving"}
