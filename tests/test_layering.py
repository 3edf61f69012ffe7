"""The layering of ../shared/design.md, checked on the import graph (every import counts, TYPE_CHECKING ones too).

Why a test: an import circle or a flow that reaches into a front or the database comes back one convenient import at
a time; reading the graph catches it the day it is written.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "i18n", "storage")
MESSENGER_LIBRARIES = ("telegram",)
SQL = re.compile(r"""["'](?:\s*)(SELECT\s|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|PRAGMA\s)""",
                 re.IGNORECASE)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def graph() -> dict[str, set[str]]:
    mods = modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        for target in imports_of(path):
            while target and target not in mods:
                target = target.rpartition(".")[0]
            if target and target != name:
                edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_no_import_circle() -> None:
    assert cycles(graph()) == []


def test_the_graph_is_real() -> None:
    """Guard against a check that passes because it reads nothing."""
    edges = graph()
    assert len(edges) > 40
    assert "bot.chat" in edges["handlers.flow"]
    assert "bot.fronts.dispatch" in edges["bot.fronts.telegram"]


def test_the_chat_vocabulary_is_the_bottom() -> None:
    assert graph()["bot.chat"] == set()


def test_flows_import_no_front_and_no_storage() -> None:
    for name, targets in graph().items():
        if name.startswith("handlers"):
            bad = {t for t in targets if t.startswith(("bot.fronts", "storage", "bot.app", "bot.delivery.worker"))}
            assert not bad, f"{name} imports {bad}"


def test_services_build_on_nothing_above_them() -> None:
    for name, targets in graph().items():
        if name.startswith(("bot.services", "bot.delivery", "storage", "bot.geo", "bot.faq")):
            bad = {t for t in targets if t.startswith(("handlers", "bot.fronts.telegram", "bot.fronts.signal",
                                                         "bot.fronts.console", "bot.fronts.dispatch", "bot.app"))}
            assert not bad, f"{name} imports {bad}"


def test_only_fronts_import_a_messenger_library() -> None:
    for name, path in modules().items():
        libraries = {i.split(".")[0] for i in imports_of(path)} & set(MESSENGER_LIBRARIES)
        if libraries:
            assert name == "bot.fronts.telegram", f"{name} imports {libraries}"


def test_only_storage_holds_sql() -> None:
    for name, path in modules().items():
        if name.startswith("storage"):
            continue
        text = path.read_text(encoding="utf-8")
        assert not SQL.search(text), f"{name} holds SQL: {SQL.search(text).group(0)!r}"  # type: ignore[union-attr]
