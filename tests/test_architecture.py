"""The architecture `docs/ARCHITECTURE.md` describes, checked on the source so that it stays true.

- one place builds the graph: only `autograd/graph.py` (and the lines marked as hot-path inlines)
  assigns a tensor's `_grad_fn`;
- each torch grad_fn name is one class, defined once;
- no file imports at its bottom, and no file is named for what was left over (`_more`, `_core`);
- the backward of the MLP the map walks touches the engine's three files and the three files of
  the formulas it runs, nothing else.
"""

from __future__ import annotations

import ast
import collections
import os
import re
import subprocess
import sys

import glasstorch

SRC = os.path.dirname(os.path.abspath(glasstorch.__file__))
ROOT = os.path.dirname(os.path.dirname(SRC))


def _sources():
    for folder, _, files in os.walk(SRC):
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as f:
                    yield os.path.relpath(path, SRC), f.read()


def test_only_the_graph_helper_sets_grad_fn():
    # `_wrap` starts every tensor without history; the hot-path inlines say so on their line
    allowed = re.compile(r"_grad_fn = None|# hot path")
    places = []
    for rel, text in _sources():
        for number, line in enumerate(text.splitlines(), 1):
            if re.search(r"\._grad_fn = ", line) and not allowed.search(line):
                places.append(f"{rel}:{number}: {line.strip()}")
    outside = [p for p in places if not p.startswith("autograd/graph.py:")]
    assert len(places) == 1 and not outside, (
        "only autograd.graph.set_history may give a tensor its grad_fn:\n" + "\n".join(places)
    )


def test_each_grad_fn_class_is_defined_once():
    where = collections.defaultdict(list)
    for rel, text in _sources():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and re.fullmatch(
                r"\w+Backward\d*|CopySlices|AccumulateGrad", node.name
            ):
                where[node.name].append(rel)
    twice = {name: files for name, files in where.items() if len(files) > 1}
    assert not twice


def test_each_node_class_name_is_unique_at_run_time():
    """Also the node classes made from tables (padding's and resampling's), not only those
    written as ``class`` statements; a custom ``autograd.Function``'s node is the user's."""
    from glasstorch.autograd.function import BackwardCFunction
    from glasstorch.autograd.graph import Node

    def subclasses(cls):
        for sub in cls.__subclasses__():
            if not issubclass(sub, BackwardCFunction) and sub.__module__.startswith("glasstorch"):
                yield sub
                yield from subclasses(sub)

    where = collections.defaultdict(set)
    for cls in subclasses(Node):
        where[cls.__name__].add(cls)
    twice = {name: sorted(c.__module__ for c in classes) for name, classes in where.items()
             if len(classes) > 1}
    assert twice == {}


def test_no_import_at_the_bottom_of_a_file():
    late = []
    for rel, text in _sources():
        body = ast.parse(text).body
        seen_code = False
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if seen_code:
                    late.append(f"{rel}:{node.lineno}")
            elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
                if not (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)):
                    seen_code = True
    assert not late, "imports after code (import at the top, or split the concept):\n" + "\n".join(
        late
    )


def test_files_are_named_for_a_concept():
    leftovers = [rel for rel, _ in _sources() if re.search(r"_(more|core|misc|extra)\.py$", rel)]
    assert not leftovers


def test_the_mlp_backward_touches_the_engine_and_its_three_formulas_only():
    script = os.path.join(ROOT, "scripts", "trace_route.py")
    out = subprocess.run(
        [sys.executable, script, "--files"], capture_output=True, text=True, check=True
    ).stdout
    backward = out.split("backward:")[1].splitlines()[1:]
    files = [line.strip() for line in backward if line.startswith("  ")]
    mechanism = [f for f in files if f in ("_tensor.py", "autograd/engine.py", "autograd/graph.py")]
    # _array.py only answers "NumPy or CuPy?" for arrays a formula makes (namespace(x).arange);
    # _parallel.py's matmul only decides on how many BLAS threads a product runs
    formulas = [f for f in files if f not in mechanism and f not in ("_array.py", "_parallel.py")]
    assert len(mechanism) <= 3 and len(formulas) <= 3, files
