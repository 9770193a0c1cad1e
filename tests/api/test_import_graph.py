"""``cuecard.api`` has no import cycle, and its modules import one another only at the top of
the file (a function-level import must not hide a cycle). Every module is imported for real;
the graph is read from the source with ``ast``, restricted to ``cuecard.api``."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import cuecard.api

PACKAGE = "cuecard.api"
MODULES = sorted(info.name for info in pkgutil.iter_modules(cuecard.api.__path__, PACKAGE + "."))


def _source(module: str) -> Path:
    return Path(cuecard.api.__path__[0]) / (module.rsplit(".", 1)[1] + ".py")


def _targets(node: ast.Import | ast.ImportFrom, module: str) -> set[str]:
    """The ``cuecard.api`` modules an import statement loads (``from cuecard.api import x``
    loads ``cuecard.api.x`` when ``x`` is a module)."""
    if isinstance(node, ast.Import):
        names = {alias.name for alias in node.names}
    else:
        base = node.module or ""
        if node.level:  # relative: resolve against this module's package
            base = ".".join(module.split(".")[: -node.level] + ([base] if base else []))
        names = {base} | {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in names if name in MODULES}


def import_graph() -> dict[str, dict[str, bool]]:
    """module → {imported module: imported at the top level of the file}."""
    graph: dict[str, dict[str, bool]] = {}
    for module in MODULES:
        tree = ast.parse(_source(module).read_text(), filename=str(_source(module)))
        top = {id(node) for node in tree.body}
        edges: dict[str, bool] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(node, module):
                    edges[target] = edges.get(target, True) and id(node) in top
        graph[module] = edges
    return graph


def find_cycle(graph: dict[str, dict[str, bool]]) -> list[str] | None:
    state: dict[str, str] = {}  # "visiting" | "done"
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "visiting"
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == "visiting":
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_every_api_module_imports():
    assert f"{PACKAGE}.app" in MODULES and f"{PACKAGE}.keys" in MODULES
    for module in MODULES:
        importlib.import_module(module)


def test_api_import_graph_has_no_cycle():
    graph = import_graph()
    assert graph[f"{PACKAGE}.app"], "the graph reader found no imports at all"
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_api_modules_import_each_other_only_at_the_top():
    late = [f"{src} -> {dst}" for src, edges in import_graph().items() for dst, at_top in edges.items() if not at_top]
    assert late == []


def test_keys_imports_no_other_api_module_but_value_types():
    """``keys`` sits at the bottom of the graph: it may name the record types it stores, never a
    module with routes (``security_login`` holds the login throttle's state and no route)."""
    value_types = {f"{PACKAGE}.live_session", f"{PACKAGE}.route_spec", f"{PACKAGE}.security_login"}
    assert set(import_graph()[f"{PACKAGE}.keys"]) <= value_types


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b": True}, "b": {"c": True}, "c": {"a": False}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": True}, "b": {}, "c": {"a": True}}) is None
