"""Dependencies are pinned to ranges, and what is installed (and so tested) is inside them."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _requirements() -> list[Requirement]:
    project = tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        lines.extend(extra)
    return [Requirement(line) for line in lines]


def test_every_dependency_has_a_lower_and_an_upper_bound() -> None:
    loose = []
    for req in _requirements():
        ops = {spec.operator for spec in req.specifier}
        if not (ops & {">=", ">", "~=", "=="}) or not (ops & {"<", "<=", "~=", "=="}):
            loose.append(str(req))
    assert not loose, f"pin these to a tested range: {loose}"


def test_installed_versions_are_inside_the_ranges() -> None:
    outside = []
    for req in _requirements():
        try:
            installed = version(req.name)
        except PackageNotFoundError:
            continue  # an optional tool not installed here (the CI installs the test extra)
        if not req.specifier.contains(installed, prereleases=True):
            outside.append(f"{req.name} {installed} not in {req.specifier}")
    assert not outside, outside
