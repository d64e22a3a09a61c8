"""The core stays platform-neutral, and the project's modules import one another without cycles.

Every import is read from the source (function-local and ``TYPE_CHECKING`` ones included) and
followed through the project's own modules, so a platform reached through a helper counts too.
Only the composition root and the entry point (named in the README) may reach a chat platform.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("bot", "storage", "handlers")
CORE = ("bot", "storage")
PLATFORMS = ("slack_bolt", "slack_sdk", "microsoft_teams", "handlers")
COMPOSITION_ROOTS = {"bot.wiring", "bot.__main__"}  # they wire the platforms in, by design

Graph = dict[str, set[str]]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Every module of the packages, by dotted name."""
    return {
        module_name(path, root): path
        for package in packages
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.parts or path.name == "env.py"
    }


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """What a module imports, anywhere in it: a project module by its full name, anything else by its top name."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = {f"{base}.{alias.name}" for alias in node.names} & known
            found |= submodules or {base}
    return {module if module in known else _nearest(module, known) for module in found}


def _nearest(module: str, known: set[str]) -> str:
    """A project module's closest known parent (``bot.jobs.Jobs`` is ``bot.jobs``); an outside one's top name."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in known:
            return ".".join(parts[:end])
    return parts[0]


def import_graph(root: Path, packages: Iterable[str] = PROJECT) -> Graph:
    modules = project_modules(root, packages)
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def reaches(graph: Graph, start: str) -> set[str]:
    """Everything a module imports, directly or through the project's modules."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph.get(todo.pop(), set()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def platform_offenders(graph: Graph, roots: set[str] = COMPOSITION_ROOTS) -> list[str]:
    """Core modules (other than the roots) that reach a chat platform, with what they reach."""
    offenders = []
    for name in sorted(graph):
        if name.split(".")[0] in CORE and name not in roots:
            banned = sorted(m for m in reaches(graph, name) if m.split(".")[0] in PLATFORMS)
            if banned:
                offenders.append(f"{name} reaches {', '.join(banned[:3])}")
    return offenders


def cycles(graph: Graph) -> list[list[str]]:
    """Groups of project modules that import one another (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, set()) & graph.keys():
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, set()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_core_reaches_no_chat_platform_at_any_depth() -> None:
    graph = import_graph(ROOT)
    assert len([name for name in graph if name.startswith("bot.")]) > 30
    assert {"slack_bolt", "handlers.slack.app"} & reaches(graph, "bot.wiring")  # the walk does follow imports
    assert platform_offenders(graph) == []


def test_only_the_two_named_roots_import_a_platform() -> None:
    graph = import_graph(ROOT)
    importers = {
        name
        for name, imported in graph.items()
        if name.split(".")[0] in CORE and any(m.split(".")[0] in PLATFORMS for m in imported)
    }
    assert importers == COMPOSITION_ROOTS


def test_the_projects_modules_have_no_import_cycles() -> None:
    assert cycles(import_graph(ROOT)) == []


def _plant(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_walk_catches_a_function_local_import_through_a_helper(tmp_path: Path) -> None:
    _plant(tmp_path, {
        "bot/__init__.py": "",
        "bot/clean.py": "from bot import helper\n",
        "bot/helper.py": "def send() -> None:\n    from handlers.slack import blocks\n",
        "bot/wiring.py": "import slack_sdk\n",
        "storage/__init__.py": "",
        "handlers/__init__.py": "",
        "handlers/slack/__init__.py": "",
        "handlers/slack/blocks.py": "from .. import slack\n",
    })  # fmt: skip
    graph = import_graph(tmp_path)
    assert graph["bot.helper"] == {"handlers.slack.blocks"}
    assert graph["handlers.slack.blocks"] == {"handlers.slack"}  # a relative import, resolved
    assert platform_offenders(graph) == [
        "bot.clean reaches handlers.slack, handlers.slack.blocks",
        "bot.helper reaches handlers.slack, handlers.slack.blocks",
    ]


def test_the_walk_finds_a_cycle(tmp_path: Path) -> None:
    _plant(tmp_path, {
        "bot/__init__.py": "",
        "bot/a.py": "from bot.b import thing\n",
        "bot/b.py": "def thing() -> None:\n    from bot import a\n",
        "bot/c.py": "from bot import a\n",
        "storage/__init__.py": "",
        "handlers/__init__.py": "",
    })  # fmt: skip
    assert cycles(import_graph(tmp_path)) == [["bot.a", "bot.b"]]
