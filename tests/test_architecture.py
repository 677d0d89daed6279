"""The code's shape: imports go one way, modules stay small.

Every module has a layer, given by its path (LAYER_PATHS); it may import its own layer or
a lower one: kernel < web < domain < products < wiring. Domain and product packages may
import each other, but never in a loop (a loop hidden by an import inside a function is
still a loop, so imports inside functions are refused too).
"""

import ast
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
KERNEL, WEB, DOMAIN, PRODUCTS, WIRING = LAYERS = ("kernel", "web", "domain", "products", "wiring")

# Path prefix -> layer; the longest matching prefix wins, then WIRING_NAMES.
LAYER_PATHS = {
    "community/": DOMAIN,  # the domain packages (accounts/, forum/, ...)
    "community/__init__.py": KERNEL,
    "community/kernel/": KERNEL,
    "community/web/": WEB,  # and community/web/pagecache/
    "products/": PRODUCTS,
    "app.py": WIRING,
    "demo/": WIRING,
}
# Each package's wiring (blueprints, listeners, registries) may import anything.
WIRING_NAMES = {"wiring.py"}

# Loops still to cut (issue 21 item 6): (importer, imported) arrows left out of the loop
# check until they go. An arrow listed here that no longer exists fails the test, so the
# list only shrinks.
KNOWN_LOOP_ARROWS = {
    ("community.accounts", "community.engagement"),  # the profile page's story
    ("community.accounts", "community.forum"),  # follows of boards; the profile's posts
    ("community.accounts", "community.ideas"),  # follows of ideas
    ("community.accounts", "community.mail"),  # account mails (verification, recovery)
    ("community.ideas", "community.rounds"),  # a vote spends a round's budget
    ("community.ideas", "community.search"),  # the duplicate finder on the idea form
    ("community.mail", "community.notifications"),  # notification mail and its kinds
    ("products.campaigns", "products.orders"),  # a campaign's settling reads orders
    ("products.catalog", "products.campaigns"),  # the product page shows its campaign
    ("products.catalog", "products.funnel"),  # the product page's top sharers
    ("products.catalog", "products.orders"),  # co-creation rules on orders
}


def _sources():
    for top in ("community", "products", "demo"):
        yield from (p.relative_to(ROOT).as_posix() for p in sorted((ROOT / top).rglob("*.py")))
    yield "app.py"


def _dotted(rel):
    parts = list(PurePosixPath(rel).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _path_of(module):
    """The source file a module name stands for, or None (not ours)."""
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate.relative_to(ROOT).as_posix()
    return None


def _imports(rel):
    """(line, module, inside a function) for each name imported by the file `rel`."""
    path = ROOT / rel
    package = _dotted(rel).split(".")
    if path.name != "__init__.py":
        package = package[:-1]

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                yield from ((child.lineno, alias.name, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(package[:len(package) - child.level + 1] + [base]).strip(".")
                for alias in child.names:
                    sub = f"{base}.{alias.name}"  # `from package import module`
                    yield child.lineno, sub if _path_of(sub) else base, in_function
            inside = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            yield from visit(child, in_function or inside)

    yield from visit(ast.parse(path.read_text(), filename=str(path)), False)


def _layer(rel):
    if PurePosixPath(rel).name in WIRING_NAMES:
        return WIRING
    matches = [p for p in LAYER_PATHS if rel == p or (p.endswith("/") and rel.startswith(p))]
    return LAYER_PATHS[max(matches, key=len)] if matches else None


def _arrows():
    """(importer file, line, imported file) for every import of our own code."""
    for rel in _sources():
        for line, module, _ in _imports(rel):
            if (target := _path_of(module)) and target != rel:
                yield rel, line, target


def _package(rel):
    """The node of the loop check: community/forum/x.py -> community.forum."""
    return ".".join(PurePosixPath(rel).with_suffix("").parts[:2])


def test_every_module_has_a_layer():
    assert [rel for rel in _sources() if _layer(rel) is None] == []


def test_no_imports_inside_functions():
    offenders = [
        f"{rel}:{line} imports {module} inside a function"
        for rel in _sources()
        for line, module, in_function in _imports(rel)
        if in_function
    ]
    assert offenders == []


def test_layers_import_downward_only():
    offenders = [
        f"{rel}:{line} ({_layer(rel)}) imports {target} ({_layer(target)})"
        for rel, line, target in _arrows()
        if LAYERS.index(_layer(target)) > LAYERS.index(_layer(rel))
    ]
    assert offenders == []


def test_no_package_loops():
    graph = {}
    for rel, _line, target in _arrows():
        if _layer(rel) in (DOMAIN, PRODUCTS) and _layer(target) in (DOMAIN, PRODUCTS):
            a, b = _package(rel), _package(target)
            if a != b:
                graph.setdefault(a, set()).add(b)
    gone = {arrow for arrow in KNOWN_LOOP_ARROWS if arrow[1] not in graph.get(arrow[0], ())}
    assert gone == set(), "cut: take these out of KNOWN_LOOP_ARROWS"
    for a, b in KNOWN_LOOP_ARROWS:
        graph[a].discard(b)

    def path(start, goal):
        """A shortest import path start -> ... -> goal, or None."""
        seen, frontier = {start: None}, [start]
        while frontier:
            node = frontier.pop(0)
            if node == goal:
                found = [goal]
                while seen[found[-1]] is not None:
                    found.append(seen[found[-1]])
                return found[::-1]
            for after in sorted(graph.get(node, ())):
                if after not in seen:
                    seen[after] = node
                    frontier.append(after)
        return None

    loops = set()
    for a in sorted(graph):
        for b in sorted(graph[a]):
            if (back := path(b, a)) is not None:
                loops.add(" -> ".join([a, *back]))
    assert sorted(loops) == []


def test_community_never_imports_products():
    offenders = [
        f"{rel}:{line} imports {target}"
        for rel, line, target in _arrows()
        if rel.startswith("community/") and target.startswith("products/")
    ]
    assert offenders == []


def test_services_never_touch_the_request():
    offenders = []
    for path in ROOT.glob("*/**/service.py"):
        text = path.read_text()
        for forbidden in ("from flask import request", "request.", "render_template", "session["):
            if forbidden in text:
                offenders.append(f"{path.relative_to(ROOT)}: {forbidden}")
    assert offenders == []


def test_modules_stay_small():
    big = [
        f"{path.relative_to(ROOT)}: {n} lines"
        for package in ("community", "products")
        for path in (ROOT / package).rglob("*.py")
        if (n := len(path.read_text().splitlines())) > 400
    ]
    assert big == []
