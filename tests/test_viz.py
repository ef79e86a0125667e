"""glasstorch.viz: the autograd graph as DOT source, as a text tree, and drawn by Graphviz."""

from __future__ import annotations

import os
import re
import shutil
import stat

import pytest

import glasstorch
import glasstorch as torch
from glasstorch import viz


def linear_loss():
    torch.manual_seed(0)
    X = torch.randn(8, 3)
    w = torch.randn(3, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return ((X @ w + b - 1) ** 2).sum() / 8, w, b


def parse_dot(source: str):
    labels = dict(re.findall(r'^\s*(\w+) \[label="([^"]*)"', source, re.M))
    edges = re.findall(r"^\s*(\w+) -> (\w+)$", source, re.M)
    return labels, edges


def test_dot_nodes_edges_and_shapes():
    loss, w, b = linear_loss()
    source = viz.to_dot(loss, params={"w": w, "b": b})
    assert source.startswith("digraph autograd {") and source.rstrip().endswith("}")
    labels, edges = parse_dot(source)
    names = {k: v.split("\\n")[0] for k, v in labels.items()}
    by_name = {v: k for k, v in names.items()}
    for op in ("DivBackward0", "SumBackward0", "PowBackward0", "SubBackward0", "AddBackward0",
               "MmBackward0"):
        assert op in by_name, source
    assert list(names.values()).count("AccumulateGrad") == 2
    assert labels["out"] == "output\\n()"
    assert "saved (8, 3), (3, 1)" in labels[by_name["MmBackward0"]]
    # leaves are named and shaped, and feed their AccumulateGrad
    assert labels[by_name["w"]] == "w\\n(3, 1)" and labels[by_name["b"]] == "b\\n(1,)"
    assert (by_name["w"], by_name["w"].replace("_leaf", "")) in edges
    # the chain input → output: Mm → Add → Sub → Pow → Sum → Div → out
    chain = ["MmBackward0", "AddBackward0", "SubBackward0", "PowBackward0", "SumBackward0",
             "DivBackward0"]
    for a, c in zip(chain, chain[1:]):
        assert (by_name[a], by_name[c]) in edges
    assert (by_name["DivBackward0"], "out") in edges
    # one edge per non-None next_functions entry, plus leaf → AccumulateGrad and root → out
    assert len(edges) == 7 + 2 + 1


def test_dot_without_shapes():
    loss, _, _ = linear_loss()
    labels, _ = parse_dot(viz.to_dot(loss, show_shapes=False))
    assert not any("(" in v for v in labels.values())


def test_text_tree():
    loss, w, _ = linear_loss()
    text = viz.to_text(loss, params={"w": w})
    assert text.splitlines() == [
        "tensor () ← DivBackward0",  # divided by a number: nothing saved (as torch)
        "└─ SumBackward0",
        "   └─ PowBackward0  saved (8, 1)",
        "      └─ SubBackward0",
        "         └─ AddBackward0",
        "            ├─ MmBackward0  saved (8, 3), (3, 1)",
        "            │  └─ AccumulateGrad → leaf w (3, 1)",
        "            └─ AccumulateGrad → leaf (1,)",
    ]


def test_text_tree_shared_nodes_are_drawn_once():
    w = torch.ones(3, 1, requires_grad=True)
    h = w * 2
    text = viz.to_text(h @ h.T + w.sum())
    assert text.count("MulBackward0  [1]") == 1  # drawn in full once, then referred to
    assert "MulBackward0  ↑ [1]" in text
    assert "AccumulateGrad  ↑ [2]" in text


def test_matches_torch_node_names(torch):
    def build(lib):
        lib.manual_seed(0)
        X = lib.ones(4, 3)
        w = lib.ones(3, 2, requires_grad=True)
        return (lib.relu(X @ w).mean() / 2, w)

    def names(fn, out):
        if fn is None or id(fn) in out:
            return out
        out[id(fn)] = type(fn).__name__
        for nxt, _ in fn.next_functions:
            names(nxt, out)
        return out

    ours, _ = build(glasstorch)
    theirs, _ = build(torch)
    assert sorted(names(ours.grad_fn, {}).values()) == sorted(names(theirs.grad_fn, {}).values())


def test_no_graph_is_a_clear_error():
    with pytest.raises(ValueError, match="no autograd graph"):
        viz.to_dot(torch.ones(2))
    leaf = torch.ones(2, requires_grad=True)
    assert "a leaf" in viz.to_text(leaf)
    labels, edges = parse_dot(viz.to_dot(leaf))
    assert labels["leaf"] == "(2,)" and ("leaf", "out") in edges


def test_draw_graph_without_dot_prints_text(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    loss, _, _ = linear_loss()
    text = viz.draw_graph(loss, str(tmp_path / "g.svg"))
    assert capsys.readouterr().out == text
    assert "MmBackward0" in text and "apt install graphviz" in text
    assert (tmp_path / "g.dot").read_text() == viz.to_dot(loss)
    assert not (tmp_path / "g.svg").exists()


def test_draw_graph_calls_dot(tmp_path, monkeypatch):
    # a stand-in `dot` that copies its input to the -o file, so the call itself is tested
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nwhile [ "$1" != "-o" ]; do shift; done\ncat > "$2"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    loss, _, _ = linear_loss()
    out = tmp_path / "g.svg"
    assert viz.draw_graph(loss, str(out)) == str(out)
    assert out.read_text() == viz.to_dot(loss)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("ext", ["svg", "png"])
def test_draw_graph_with_graphviz(tmp_path, ext):
    loss, _, _ = linear_loss()
    out = tmp_path / f"graph.{ext}"
    assert viz.draw_graph(loss, str(out)) == str(out)
    assert out.stat().st_size > 0


def test_to_svg_draws_every_box_and_arrow_without_graphviz():
    import xml.etree.ElementTree as ET

    loss, w, b = linear_loss()
    svg = viz.to_svg(loss, params={"w": w, "b": b})
    root = ET.fromstring(svg)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(ns + "text")]
    for label in ("output", "DivBackward0", "MmBackward0", "saved (8, 3), (3, 1)", "w", "b",
                  "(3, 1)", "(1,)"):
        assert label in texts, texts
    labels, edges = parse_dot(viz.to_dot(loss))
    assert len(list(root.iter(ns + "rect"))) == len(labels)  # one box per DOT node
    assert len(list(root.iter(ns + "line"))) == len(edges)  # one arrow per DOT edge
    # data flows down: every arrow ends below where it starts
    assert all(float(ln.get("y2")) > float(ln.get("y1")) for ln in root.iter(ns + "line"))


@pytest.mark.parametrize("dot_installed", [True, False])
def test_draw_graph_in_a_notebook_is_one_inline_svg(monkeypatch, capsys, dot_installed):
    monkeypatch.setattr(viz, "_in_notebook", lambda: True)
    if not dot_installed:
        monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    elif shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    loss, _, _ = linear_loss()
    picture = viz.draw_graph(loss)
    assert capsys.readouterr().out == ""  # shown once, as the cell's result
    assert isinstance(picture, viz.GraphPicture)
    assert "<svg" in picture._repr_svg_() and "DivBackward0" in picture._repr_svg_()
    assert repr(picture) == viz.to_text(loss)
    assert not os.path.exists("autograd_graph.svg")
