"""Does an answer hand in the course library's own implementation of its exercise?

``asrlab`` is importable in the sandbox (later lessons build on the library's versions of
earlier exercises), and it holds the functions the references of many exercises call:
``from asrlab.audio import int_to_float`` would pass ``l01-int-to-float``.

Policy (``docs/grading.md``): using ``asrlab`` is allowed, except the functions that compute
the answer of the exercise being graded.  The grader finds those functions by reading the
reference (the ``asrlab`` functions it calls, directly or through one helper of the exercise
module) and reads the submitted answer cell (never running it): when the cell names
``asrlab`` and one of those functions (as a name, an attribute, an imported alias or a
string, so ``getattr(asrlab.audio, "int_to_float")`` counts), the notebook is **flagged**
with a note naming the exercise and the function.  The score is not changed: an instructor
decides, because a flag is a reading of the source and a lesson may legitimately use a
library function its reference also happens to use.
"""

from __future__ import annotations

import ast
import inspect
import types
from typing import Any, Callable

from ..exercise import Exercise


def _asrlab_callables(fn: Callable[..., Any], depth: int = 2) -> dict[str, str]:
    """``{name: "module.name"}`` of the ``asrlab`` functions ``fn`` calls (via helpers too)."""
    found: dict[str, str] = {}
    module = getattr(fn, "__module__", "") or ""
    if module.split(".")[0] == "asrlab":
        found[fn.__name__] = f"{module}.{fn.__name__}"
        return found
    code = getattr(fn, "__code__", None)
    if code is None or depth <= 0:
        return found
    names: set[str] = set()
    todo = [code]
    while todo:
        c = todo.pop()
        names.update(c.co_names)
        names.update(c.co_freevars)
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    scope = dict(getattr(fn, "__globals__", {}))
    if fn.__closure__:
        for name, cell in zip(code.co_freevars, fn.__closure__):
            try:
                scope[name] = cell.cell_contents
            except ValueError:
                pass
    for name in names:
        obj = scope.get(name)
        if isinstance(obj, types.ModuleType) or obj is None:
            continue
        if callable(obj) and (getattr(obj, "__module__", "") or "").split(".")[0] == "asrlab":
            qual = getattr(obj, "__name__", name)
            found[qual] = f"{obj.__module__}.{qual}"
            if name != qual:
                found[name] = f"{obj.__module__}.{qual}"
        elif inspect.isfunction(obj) and obj.__module__ == fn.__module__:
            found.update(_asrlab_callables(obj, depth - 1))
    return found


def reference_functions(exercise: Exercise) -> dict[str, str]:
    """The ``asrlab`` functions that compute ``exercise``'s answer, by name."""
    try:
        return _asrlab_callables(exercise.reference)
    except Exception:  # noqa: BLE001 - an unusual reference: nothing to look for
        return {}


def uses_reference(exercise: Exercise, source: str) -> list[str]:
    """The reference functions (``"asrlab.audio.int_to_float"``) the answer ``source`` names."""
    allowed = set(exercise.builds_on)
    funcs = {name: qual for name, qual in reference_functions(exercise).items() if qual not in allowed}
    if not funcs or "asrlab" not in source:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        words = set(source.replace(".", " ").replace("'", " ").replace('"', " ").split())
        return sorted({funcs[n] for n in funcs if n in words})
    mentions_asrlab = False
    hits: set[str] = set()
    bare: set[str] = set()   # names used on their own: a hit only after ``from asrlab... import *``
    star = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mentions_asrlab |= any(a.name.split(".")[0] == "asrlab" for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] == "asrlab":
                mentions_asrlab = True
                for a in node.names:
                    star |= a.name == "*"
                    if a.name in funcs:
                        hits.add(funcs[a.name])
        elif isinstance(node, ast.Name):
            mentions_asrlab |= node.id == "asrlab"
            bare.add(node.id)
        elif isinstance(node, ast.Attribute):
            if node.attr in funcs:
                hits.add(funcs[node.attr])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            mentions_asrlab |= "asrlab" in node.value
            hits.update(funcs[w] for w in node.value.replace(".", " ").split() if w in funcs)
    if not mentions_asrlab:
        return []
    if star:
        hits.update(funcs[n] for n in bare if n in funcs)
    return sorted(hits)
