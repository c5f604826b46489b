"""docs/hazard-log.md names real tests: every reference exists and every hazard has one."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "docs" / "hazard-log.md"
REF = re.compile(r"`(tests/[\w/]+\.py)::([\w:]+)(\[[^\]`]*\])?`")
HAZARD = re.compile(r"^### (H\d+)\. (.+)$", re.M)


@cache
def _tests_in(path: Path) -> frozenset[str]:
    """The test ids pytest would collect by name: test_x and Class::test_x."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef) and \
                        sub.name.startswith("test"):
                    names.add(f"{node.name}::{sub.name}")
    return frozenset(names)


def _sections(text: str) -> list[tuple[str, str, str]]:
    """(id, title, body) of each hazard."""
    marks = list(HAZARD.finditer(text))
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out.append((m.group(1), m.group(2), text[m.end():end]))
    return out


def missing_references(text: str, root: Path = ROOT) -> list[str]:
    """Every reference in the text that does not name an existing test."""
    missing = []
    for path, name, _param in REF.findall(text):
        file = root / path
        if not file.is_file() or name not in _tests_in(file):
            missing.append(f"{path}::{name}")
    return missing


def test_every_named_test_exists() -> None:
    text = LOG.read_text(encoding="utf-8")
    assert REF.search(text), "the hazard log names no tests"
    missing = missing_references(text)
    assert not missing, "docs/hazard-log.md names tests that do not exist:\n" + "\n".join(missing)


def test_every_hazard_has_a_control_and_a_test() -> None:
    sections = _sections(LOG.read_text(encoding="utf-8"))
    assert len(sections) >= 10
    ids = [s[0] for s in sections]
    assert len(ids) == len(set(ids)), "hazard ids must be unique"
    for hid, title, body in sections:
        assert "**Hazard**" in body and "**Control**" in body, f"{hid} {title}"
        assert REF.search(body), f"{hid} {title} names no test"


def test_the_checker_catches_a_renamed_test(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text(
        "def test_real():\n    pass\n\nclass TestGroup:\n    def test_inner(self):\n        pass\n")
    text = ("`tests/test_a.py::test_real` `tests/test_a.py::TestGroup::test_inner` "
            "`tests/test_a.py::test_real[sqlite]` `tests/test_a.py::test_gone` "
            "`tests/test_b.py::test_real`")
    assert missing_references(text, tmp_path) == ["tests/test_a.py::test_gone",
                                                  "tests/test_b.py::test_real"]
