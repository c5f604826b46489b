"""A small world for access tests: two clients, two therapists, a designer, an admin, and
one object of every kind belonging to "the client". Features add their objects in BUILDERS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from icbt.models.people import User

# Each builder(app, people) returns {placeholder: value} for the URL templates.
Builder = Callable[[Flask, dict[str, User]], dict[str, Any]]
BUILDERS: list[Builder] = []


def builder(fn: Builder) -> Builder:
    BUILDERS.append(fn)
    return fn


def build_world(app: Flask, make_user: Callable[..., User]) -> tuple[dict[str, User], dict[str, Any]]:
    therapist = make_user("therapist", name="Tess Assigned")
    other_therapist = make_user("therapist", name="Otto Unassigned")
    client = make_user("client", therapist=therapist, name="Cara Client")
    other_client = make_user("client", therapist=other_therapist, name="Omar Other")
    spare = make_user("client", therapist=other_therapist, name="Spare Person")
    people = {
        "therapist": therapist, "other_therapist": other_therapist, "client": client,
        "other_client": other_client, "designer": make_user("designer"),
        "admin": make_user("admin"), "spare": spare,
    }
    values: dict[str, Any] = {"client_id": client.id, "spare_id": spare.id,
                              "bad_token": "not-a-real-token"}
    for fn in BUILDERS:
        values.update(fn(app, people))
    return people, values


# Feature test modules register builders by importing this module and decorating a
# function with @builder; they are imported here so that every builder is known.
def _load_feature_builders() -> None:
    import importlib
    import pkgutil
    from pathlib import Path

    here = Path(__file__).parent
    for info in pkgutil.iter_modules([str(here)]):
        if info.name.startswith("world_"):
            importlib.import_module(info.name)


_load_feature_builders()
