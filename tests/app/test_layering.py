"""The layering is checked: `lint-imports` keeps every contract in pyproject.toml, and the
two contract types of our own (tools/import_contracts.py) do catch what they forbid."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import pytest

from tools.import_contracts import AcyclicContract, ForbiddenNamesContract

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def test_lint_imports_keeps_every_contract() -> None:
    done = subprocess.run([str(LINT)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def _package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
             files: dict[str, str]) -> grimp.ImportGraph:
    pkg = tmp_path / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for file, source in files.items():
        (pkg / file).write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(tmp_path))
    return grimp.build_graph(name, cache_dir=None)


def test_a_cycle_through_an_import_inside_a_function_breaks_the_acyclic_contract(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = _package(tmp_path, monkeypatch, "cyclepkg", {
        "a.py": "from cyclepkg import b\n",
        "b.py": "def late():\n    from cyclepkg import a\n    return a\n",
        "c.py": "from cyclepkg import b\n",
    })
    check = AcyclicContract("no cycles", {}, {"package": "cyclepkg"}).check(graph, verbose=False)
    assert not check.kept
    (lines,) = check.metadata["cycles"]
    assert lines == ["cyclepkg.a -> cyclepkg.b (l. 1)", "cyclepkg.b -> cyclepkg.a (l. 2)"]

    graph.remove_import(importer="cyclepkg.b", imported="cyclepkg.a")
    assert AcyclicContract("no cycles", {}, {"package": "cyclepkg"}).check(graph, False).kept


def test_reading_the_request_below_the_views_breaks_the_forbidden_names_contract(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = _package(tmp_path, monkeypatch, "reqpkg", {
        "fine.py": "from flask import current_app, g\n",
        "direct.py": "from flask import request\n",
        "attribute.py": "import flask\n\n\ndef who():\n    return flask.session.get('x')\n",
    })
    options = {"source_modules": ["reqpkg"], "forbidden_names": ["flask.request", "flask.session"]}
    check = ForbiddenNamesContract("no request", {}, options).check(graph, verbose=False)
    assert not check.kept
    assert check.metadata["hits"] == ["reqpkg.attribute (l. 5) uses flask.session",
                                      "reqpkg.direct (l. 1) uses flask.request"]


def test_a_running_app_never_loads_the_demo_data_code(tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        import sys
        from icbt import create_app
        app = create_app({{"TESTING": True, "SECRET_KEY": "x" * 40,
                          "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path}/db.sqlite",
                          "INSTANCE_PATH": "{tmp_path}/instance"}})
        app.test_client().get("/help")
        loaded = sorted(m for m in sys.modules if m.startswith("icbt.demo"))
        assert not loaded, loaded
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
