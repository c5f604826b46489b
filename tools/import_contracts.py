"""Two import-linter contract types the built-in ones do not cover (see pyproject.toml).

- `acyclic`: no import cycle between any two modules of the package, counting imports
  made inside functions (grimp reads every import statement, wherever it is): an import
  moved into a function to dodge a cycle is still a cycle.
- `forbidden_names`: the source packages never import the given names from an external
  module, e.g. `flask.request` and `flask.session` below the views. Grimp records only
  which external package a module imports, so this contract reads the source itself.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import grimp
from importlinter import Contract, ContractCheck, fields, output


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & modules)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(
                        graph.find_modules_directly_imported_by(child) & modules))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


class AcyclicContract(Contract):
    """No two modules of `package` import each other, directly or through others."""

    type_name = "acyclic"

    package = fields.StringField()

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        package = str(self.package)  # type: ignore[attr-defined]
        modules = {m for m in graph.modules if m == package or m.startswith(package + ".")}
        cycles = []
        for component in _cycles(graph, modules):
            members = set(component)
            lines = []
            for importer in component:
                for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
                    for detail in graph.get_import_details(importer=importer, imported=imported):
                        lines.append(f"{importer} -> {imported} (l. {detail['line_number']})")
            cycles.append(lines)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for lines in check.metadata["cycles"]:
            output.print_error("These modules import each other:")
            for line in lines:
                output.indent_cursor()
                output.print(line)
            output.new_line()


def _module_file(name: str) -> Path | None:
    """The source file of a module, found without importing it."""
    top, _, rest = name.partition(".")
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations)))
    path = base.joinpath(*rest.split(".")) if rest else base
    if path.is_dir():
        return path / "__init__.py"
    return path.with_suffix(".py") if path.with_suffix(".py").exists() else None


def _name_uses(tree: ast.AST, names: set[str]) -> list[tuple[int, str]]:
    """(line, "module.name") for every import or attribute use of one of the dotted names."""
    found: list[tuple[int, str]] = []
    aliases: dict[str, str] = {}  # local name -> external module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}"
                if dotted in names or node.module in names:
                    found.append((node.lineno, dotted if dotted in names else node.module))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0])
                if alias.name in names:
                    found.append((node.lineno, alias.name))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = aliases.get(node.value.id)
            if module and f"{module}.{node.attr}" in names:
                found.append((node.lineno, f"{module}.{node.attr}"))
    return sorted(set(found))


class ForbiddenNamesContract(Contract):
    """The source packages never import (or reach through an attribute) the forbidden names."""

    type_name = "forbidden_names"

    source_modules = fields.ListField(subfield=fields.StringField())
    forbidden_names = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        names = {str(n) for n in self.forbidden_names}  # type: ignore[attr-defined]
        roots = [str(m) for m in self.source_modules]  # type: ignore[attr-defined]
        hits = []
        for module in sorted(graph.modules):
            if not any(module == r or module.startswith(r + ".") for r in roots):
                continue
            path = _module_file(module)
            if path is None:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            hits += [f"{module} (l. {line}) uses {name}" for line, name in _name_uses(tree, names)]
        return ContractCheck(kept=not hits, metadata={"hits": hits})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for hit in check.metadata["hits"]:
            output.print_error(hit, bold=False)
        output.new_line()
