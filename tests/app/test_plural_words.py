"""Counts use real plural forms (ngettext), never "1 thing(s)", in every template and module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import icbt

ROOT = Path(icbt.__file__).parent
# A word with "(s)" glued on: "thing(s)", "minute(s)". Not "http(s)" (a scheme, not a count).
PLURAL_S = re.compile(r"(?<!htt)(?<!ft)[A-Za-z]\(s\)(?!\w)")


def _python_strings(path: Path) -> list[str]:
    """Every string constant in a module, f-string pieces and docstrings included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)]


def test_no_string_makes_a_plural_with_s_in_brackets() -> None:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        found += [f"{path.relative_to(ROOT)}: {s[:80]!r}" for s in _python_strings(path)
                  if PLURAL_S.search(s)]
    for path in sorted((ROOT / "templates").rglob("*.html")) + sorted(ROOT.rglob("*.txt")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PLURAL_S.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    assert not found, "use ngettext for these counts:\n" + "\n".join(found)


def test_the_pattern_finds_what_it_should() -> None:
    assert PLURAL_S.search('_("You have %(n)d unused recovery code(s).", n=3)')
    assert PLURAL_S.search("please wait %(n)d minute(s)")
    assert not PLURAL_S.search('_("Case status: %(s)s", s=x)')
    assert not PLURAL_S.search("a scheme other than http(s)/mailto")
