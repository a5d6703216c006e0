"""No import cycle among papernotes' modules, read from the source with `ast` like
test_layering.py: imports inside functions count. An import under `if TYPE_CHECKING:` does not:
it never runs, so it cannot take part in a partly-initialised import (two are left that way:
ssl.config.model <-> checks and notes.importer.naming <-> plan, annotations only)."""

from __future__ import annotations

from .test_layering import SOURCES, imported_modules, module_name


def module_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """{module: the modules of `sources` it imports} from {module: (source, is package)}; an
    import names the longest module it reaches (`from a.b import c` is a.b.c when that is a
    module, else a.b); a module importing a sub-module also needs its package."""
    graph: dict[str, set[str]] = {m: set() for m in sources}
    for module, (source, is_package) in sources.items():
        for _, name in imported_modules(source, module, is_package, skip_type_checking=True):
            while name and name not in sources:
                name = name.rpartition(".")[0]
            if name and name != module:
                graph[module].add(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of `graph`: each strongly connected part of more than one module, or a
    module importing itself (Tarjan's algorithm, iterative), as a path that closes on itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                part = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    part.append(top)
                    if top == node:
                        break
                if len(part) > 1 or node in graph[node]:
                    found.append(_closed_path(graph, set(part)))
    return found


def _closed_path(graph: dict[str, set[str]], part: set[str]) -> list[str]:
    """A path through `part` from its first module back to it (breadth-first: the shortest)."""
    start = min(part)
    came: dict[str, str] = {}
    todo = [start]
    while todo:
        node = todo.pop(0)
        for child in sorted(graph[node] & part):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came[path[-1]])
                return [start, *reversed(path[:-1]), start] if node != start else [start, start]
            if child not in came:
                came[child] = node
                todo.append(child)
    return sorted(part)


def test_no_import_cycle():
    graph = module_graph({module_name(p): (p.read_text(encoding="utf-8"), p.name == "__init__.py")
                          for p in SOURCES})
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_a_planted_cycle_is_found_and_named():
    sources = {
        "papernotes.a": ("import papernotes.b\n", False),
        "papernotes.b": ("def f():\n    from papernotes.c import x\n", False),  # inside a function
        "papernotes.c": ("from . import a\n", False),
        "papernotes.d": ("import papernotes.a\n", False),  # reaches the cycle, is not in it
        "papernotes.e": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                         "    from papernotes.d import y\nelse:\n    import papernotes.f\n", False),
        "papernotes.f": ("def g():\n    import papernotes.e\n", False),
        "papernotes.g": ("if TYPE_CHECKING:\n    import papernotes.h\n", False),
        "papernotes.h": ("import papernotes.g\n", False),  # a cycle only for the type checker
    }
    graph = module_graph(sources)
    assert graph["papernotes.g"] == set() and graph["papernotes.e"] == {"papernotes.f"}
    assert cycles(graph) == [["papernotes.a", "papernotes.b", "papernotes.c", "papernotes.a"],
                             ["papernotes.e", "papernotes.f", "papernotes.e"]]
    assert cycles({"papernotes.x": {"papernotes.x"}}) == [["papernotes.x", "papernotes.x"]]
    assert cycles({"papernotes.x": set(), "papernotes.y": {"papernotes.x"}}) == []


def test_a_package_and_its_module_can_form_a_cycle():
    sources = {"papernotes.p": ("from papernotes.p.m import f\n", True),
               "papernotes.p.m": ("from papernotes.p import g\n", False)}
    assert cycles(module_graph(sources)) == [["papernotes.p", "papernotes.p.m", "papernotes.p"]]
