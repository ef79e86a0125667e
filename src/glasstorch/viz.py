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
  the text tree, printed and returned. In a notebook, ``draw_graph(tensor)`` shows the graph as
  one inline SVG: drawn by ``dot`` when it is installed, else by ``to_svg`` (a simple layered
  drawing of our own).

Colours follow the usual picture: the output tensor green, op nodes grey, leaf tensors blue.
``params`` (e.g. ``dict(model.named_parameters())``) names the leaves.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess

__all__ = ["GraphPicture", "draw_graph", "to_dot", "to_svg", "to_text"]


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


def to_svg(tensor, show_shapes: bool = True, params: dict | None = None) -> str:
    """The autograd graph of ``tensor`` as an SVG picture, drawn without Graphviz.

    A layered drawing, read top to bottom as the data flows: each box sits one row above the
    lowest box that consumes it (leaves at the top, the output at the bottom), colours as in
    ``to_dot``. Less tidy than ``dot``'s layout for big graphs, but it needs nothing installed.
    """
    names = {id(p): n for n, p in (params or {}).items()}
    nodes, edges = _walk(tensor)
    labels = {"out": "output\n" + _shape(tensor.shape) if show_shapes else "output"}
    fills = {"out": "#caff70"}  # darkolivegreen1, lightgray, lightblue: as to_dot
    arrows = []  # (from box, to box): input → output
    for node in nodes:
        key = id(node)
        saved = _saved_shapes(node) if show_shapes else []
        labels[key] = type(node).__name__ + ("\nsaved " + ", ".join(saved) if saved else "")
        fills[key] = "#d3d3d3"
        variable = getattr(node, "variable", None)
        if variable is not None:
            labels[("leaf", key)] = _leaf_label(variable, names, show_shapes)
            fills[("leaf", key)] = "#add8e6"
            arrows.append((("leaf", key), key))
    if nodes:
        arrows.append((id(nodes[0]), "out"))
    else:
        labels["leaf"], fills["leaf"] = _leaf_label(tensor, names, show_shapes), "#add8e6"
        arrows.append(("leaf", "out"))
    arrows += [(id(src), id(dst)) for src, dst in edges]
    # depth below the output: one more than the deepest box that consumes this one
    depth = dict.fromkeys(labels, 0)
    for _ in range(len(labels)):
        changed = False
        for src, dst in arrows:
            if depth[src] < depth[dst] + 1:
                depth[src], changed = depth[dst] + 1, True
        if not changed:
            break
    rows: dict[int, list] = {}
    for key in labels:  # first-seen order within a row
        rows.setdefault(depth[key], []).append(key)
    char_w, line_h, pad, gap_x, gap_y = 7, 14, 6, 16, 34
    size = {k: (max(len(t) for t in v.split("\n")) * char_w + 2 * pad,
                len(v.split("\n")) * line_h + 2 * pad) for k, v in labels.items()}
    widths = {r: sum(size[k][0] for k in ks) + gap_x * (len(ks) - 1) for r, ks in rows.items()}
    width = max(widths.values()) + 2 * gap_x
    row_h = {r: max(size[k][1] for k in ks) for r, ks in rows.items()}
    top, box = gap_y // 2, {}
    for r in sorted(rows, reverse=True):
        x = (width - widths[r]) / 2
        for k in rows[r]:
            w, h = size[k]
            box[k] = (x, top + (row_h[r] - h) / 2, w, h)
            x += w + gap_x
        top += row_h[r] + gap_y
    height = top - gap_y // 2
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif" '
           'font-size="11">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>']
    for src, dst in arrows:
        (sx, sy, sw, sh), (dx, dy, dw, _) = box[src], box[dst]
        out.append(f'<line x1="{sx + sw / 2:.1f}" y1="{sy + sh:.1f}" x2="{dx + dw / 2:.1f}" '
                   f'y2="{dy:.1f}" stroke="black" marker-end="url(#arrow)"/>')
    for key, (x, y, w, h) in box.items():
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{h}" rx="4" '
                   f'fill="{fills[key]}" stroke="black"/>')
        for i, line in enumerate(labels[key].split("\n")):
            out.append(f'<text x="{x + w / 2:.1f}" y="{y + pad + (i + 0.8) * line_h:.1f}" '
                       f'text-anchor="middle">{html.escape(line)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


class GraphPicture:
    """What ``draw_graph`` returns in a notebook: shown as one inline SVG picture.

    ``svg`` is the picture (from Graphviz's ``dot`` when installed, else ``to_svg``), ``text``
    the tree of ``to_text`` (its ``repr``, for a console), ``dot`` the DOT source.
    """

    def __init__(self, svg: str, text: str, dot: str):
        self.svg, self.text, self.dot = svg, text, dot

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return self.text


def _in_notebook() -> bool:
    from .d2l.plotting import in_notebook

    return in_notebook()


def draw_graph(tensor, path: str | None = None, show_shapes: bool = True,
               params: dict | None = None):
    """Draw the autograd graph of ``tensor``.

    In a notebook without ``path``: returns a ``GraphPicture``, which the notebook shows as one
    inline SVG. Elsewhere, with Graphviz's ``dot`` on the PATH: writes ``path`` (default
    ``autograd_graph.svg``; the format follows the extension: ``.svg``, ``.png``, ``.pdf``) and
    returns the path. Without it: prints the text tree of ``to_text`` and returns it; if
    ``path`` was given, the DOT source is written next to it (``.dot``) so it can be rendered
    later.
    """
    dot_source = to_dot(tensor, show_shapes, params)
    dot = shutil.which("dot")
    if path is None and _in_notebook():
        svg = None
        if dot is not None:
            res = subprocess.run([dot, "-Tsvg"], input=dot_source.encode(), capture_output=True)
            svg = res.stdout.decode() if res.returncode == 0 else None
        return GraphPicture(svg or to_svg(tensor, show_shapes, params),
                            to_text(tensor, show_shapes, params), dot_source)
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
