"""Draw the autograd graph behind a tensor: what ``loss.backward()`` will walk.

Every tensor computed from tensors that require grad has a ``grad_fn``: the backward node of the
op that made it (``MmBackward0``, ``DivBackward0``, ...). Each node's ``next_functions`` holds one
``(node, 0)`` pair per input of the op: the input's own ``grad_fn``, an ``AccumulateGrad`` node for
a leaf tensor that requires grad (its ``.variable`` is that leaf; backward adds into its
``.grad``), or ``(None, 0)`` for an input that needs no gradient. Following those pairs from
``loss.grad_fn`` visits the whole graph::

    >>> import glasstorch as torch
    >>> from glasstorch import viz
    >>> X, w = torch.randn(8, 3), torch.randn(3, 1, requires_grad=True)
    >>> loss = ((X @ w - 1) ** 2).sum() / 8
    >>> print(viz.to_text(loss))
    tensor () ← DivBackward0  saved (), ()
    └─ SumBackward0
       └─ PowBackward0  saved (8, 1)
          └─ SubBackward0
             └─ MmBackward0  saved (8, 3), (3, 1)
                └─ AccumulateGrad → leaf (3, 1)

- ``to_dot(tensor)``: the graph in Graphviz's DOT language (a string);
- ``to_text(tensor)``: an indented tree (a node reached twice is shown once, then ``↑ [n]``);
- ``draw_graph(tensor, path)``: an SVG or PNG through Graphviz's ``dot`` program when it is
  installed (``apt install graphviz``; the ``graphviz`` Python package is not needed), otherwise
  the text tree, printed and returned.

Colours follow the usual picture: the output tensor green, op nodes grey, leaf tensors blue.
``params`` (e.g. ``dict(model.named_parameters())``) names the leaves.
"""

from __future__ import annotations

import os
import shutil
import subprocess

__all__ = ["draw_graph", "to_dot", "to_text"]


def _shape(shape) -> str:
    dims = tuple(shape)
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def _saved_shapes(node) -> list[str]:
    """Shapes of the tensors a node saved for its backward (empty once backward freed them)."""
    shapes = []
    for entry in getattr(node, "_saved", None) or ():
        t = entry[0] if isinstance(entry, tuple) else entry
        if t is not None and hasattr(t, "shape"):
            shapes.append(_shape(t.shape))
    out = getattr(node, "_saved_out", None)
    if isinstance(out, tuple) and out and hasattr(out[0], "shape"):
        shapes.append(_shape(out[0].shape))
    return shapes


def _root(tensor):
    fn = getattr(tensor, "grad_fn", None)
    if fn is None and not getattr(tensor, "requires_grad", False):
        raise ValueError(
            "draw_graph: this tensor has no autograd graph (requires_grad=False and no grad_fn); "
            "draw a tensor computed from tensors created with requires_grad=True"
        )
    return fn


def _walk(tensor):
    """The nodes reachable from ``tensor.grad_fn`` (first-seen order) and the edges between them.

    Returns ``(nodes, edges)``: ``nodes`` a list of backward nodes, ``edges`` a list of
    ``(input_node, node)`` pairs — gradients flow from ``node`` to ``input_node``.
    """
    root = _root(tensor)
    if root is None:
        return [], []
    nodes, edges, seen, stack = [], [], {id(root)}, [root]
    while stack:
        node = stack.pop(0)
        nodes.append(node)
        for nxt, _ in getattr(node, "next_functions", ()):
            if nxt is None:
                continue
            edges.append((nxt, node))
            if id(nxt) not in seen:
                seen.add(id(nxt))
                stack.append(nxt)
    return nodes, edges


def _leaf_label(variable, names: dict, show_shapes: bool) -> str:
    name = names.get(id(variable), "")
    shape = _shape(variable.shape) if show_shapes else ""
    return "\n".join(x for x in (name, shape) if x) or "leaf"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(tensor, show_shapes: bool = True, params: dict | None = None) -> str:
    """The autograd graph of ``tensor`` as Graphviz DOT source (arrows point input → output)."""
    names = {id(p): n for n, p in (params or {}).items()}
    nodes, edges = _walk(tensor)
    ids = {id(n): f"n{i}" for i, n in enumerate(nodes)}
    lines = [
        "digraph autograd {",
        '  node [shape=box, style="filled,rounded", fontname="Helvetica", fontsize=10, '
        "height=0.2]",
        '  out [label=' + _quote("output\n" + _shape(tensor.shape) if show_shapes else "output")
        + ", fillcolor=darkolivegreen1]",
    ]
    for node in nodes:
        label = type(node).__name__
        saved = _saved_shapes(node) if show_shapes else []
        if saved:
            label += "\nsaved " + ", ".join(saved)
        lines.append(f"  {ids[id(node)]} [label={_quote(label)}, fillcolor=lightgray]")
        variable = getattr(node, "variable", None)
        if variable is not None:
            leaf = _leaf_label(variable, names, show_shapes)
            lines.append(f"  {ids[id(node)]}_leaf [label={_quote(leaf)}, fillcolor=lightblue]")
            lines.append(f"  {ids[id(node)]}_leaf -> {ids[id(node)]}")
    if nodes:
        lines.append(f"  {ids[id(nodes[0])]} -> out")
    else:  # a leaf tensor on its own
        lines.append(f"  leaf [label={_quote(_leaf_label(tensor, names, show_shapes))}, "
                     "fillcolor=lightblue]")
        lines.append("  leaf -> out")
    for src, dst in edges:
        lines.append(f"  {ids[id(src)]} -> {ids[id(dst)]}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_text(tensor, show_shapes: bool = True, params: dict | None = None) -> str:
    """The autograd graph of ``tensor`` as an indented tree, output first, leaves last.

    A node reached along two paths (a tensor used twice) is drawn in full the first time, marked
    ``[n]``, and referred to as ``↑ [n]`` afterwards.
    """
    names = {id(p): n for n, p in (params or {}).items()}
    root = _root(tensor)
    head = "tensor " + _shape(tensor.shape) if show_shapes else "tensor"
    if root is None:
        name = names.get(id(tensor))
        return f"{head}{' ' + name if name else ''}: a leaf (requires_grad=True, no grad_fn)\n"
    parents: dict[int, int] = {}
    for src, _ in _walk(tensor)[1]:
        parents[id(src)] = parents.get(id(src), 0) + 1
    marks: dict[int, int] = {}
    lines: list[str] = []

    def describe(node) -> str:
        text = type(node).__name__
        saved = _saved_shapes(node) if show_shapes else []
        if saved:
            text += "  saved " + ", ".join(saved)
        variable = getattr(node, "variable", None)
        if variable is not None:
            text += " → leaf " + _leaf_label(variable, names, show_shapes).replace("\n", " ")
        if parents.get(id(node), 0) > 1:
            marks[id(node)] = len(marks) + 1
            text += f"  [{marks[id(node)]}]"
        return text

    def visit(node, prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└─ " if last else "├─ ")
        if id(node) in marks:
            lines.append(f"{prefix}{branch}{type(node).__name__}  ↑ [{marks[id(node)]}]")
            return
        lines.append(f"{head} ← {describe(node)}" if top else f"{prefix}{branch}{describe(node)}")
        children = [n for n, _ in getattr(node, "next_functions", ()) if n is not None]
        inner = "" if top else prefix + ("   " if last else "│  ")
        for i, child in enumerate(children):
            visit(child, inner, i == len(children) - 1, False)

    visit(root, "", True, True)
    return "\n".join(lines) + "\n"


def draw_graph(tensor, path: str | None = None, show_shapes: bool = True,
               params: dict | None = None) -> str:
    """Draw the autograd graph of ``tensor``.

    With Graphviz's ``dot`` on the PATH: writes ``path`` (default ``autograd_graph.svg``; the
    format follows the extension: ``.svg``, ``.png``, ``.pdf``) and returns the path. Without it:
    prints the text tree of ``to_text`` and returns it; if ``path`` was given, the DOT source is
    written next to it (``.dot``) so it can be rendered later.
    """
    dot_source = to_dot(tensor, show_shapes, params)
    dot = shutil.which("dot")
    if dot is None:
        text = to_text(tensor, show_shapes, params)
        if path is not None:
            dot_path = os.path.splitext(path)[0] + ".dot"
            with open(dot_path, "w") as fh:
                fh.write(dot_source)
            text += (f"(Graphviz's `dot` is not installed: wrote the DOT source to {dot_path}; "
                     "`apt install graphviz` to draw SVG/PNG)\n")
        print(text, end="")
        return text
    path = path or "autograd_graph.svg"
    fmt = os.path.splitext(path)[1].lstrip(".").lower() or "svg"
    res = subprocess.run([dot, f"-T{fmt}", "-o", path], input=dot_source.encode(),
                         capture_output=True)
    if res.returncode != 0:
        raise RuntimeError(f"draw_graph: Graphviz's dot failed to write {path}: "
                           f"{res.stderr.decode(errors='replace').strip()}")
    return path
