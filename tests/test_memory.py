"""Memory stays flat across epochs, graphs are freed, and ``total += loss`` keeps graphs (as torch).

- Training a small MLP for several epochs: after the first, each epoch ends with the same number
  of live tensors and graph nodes (counted with ``gc``), and traced memory does not grow.
- A graph is freed without the garbage collector (no reference cycles): its saved tensors when
  backward has run, its nodes when the last tensor pointing at them goes (weakrefs die).
- ``total_loss += loss`` (without ``.item()``) keeps every step's graph alive through ``total``,
  in torch as here; ``total_loss += loss.item()`` keeps nothing. This is documented in
  docs/RELIABILITY.md, not "fixed": it is what PyTorch does.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import pytest

import glasstorch as gt
from glasstorch.autograd.graph import Node
from glasstorch.utils import data as gdata


def live(kind: type) -> int:
    return sum(1 for o in gc.get_objects() if issubclass(type(o), kind))  # type(): no __class__


def _mlp_and_loader():
    gt.manual_seed(0)
    net = gt.nn.Sequential(gt.nn.Linear(10, 32), gt.nn.ReLU(), gt.nn.Dropout(0.1),
                           gt.nn.Linear(32, 3))
    X, y = gt.randn(256, 10), gt.randint(0, 3, (256,))
    loader = gdata.DataLoader(gdata.TensorDataset(X, y), batch_size=32, shuffle=True)
    return net, loader, gt.optim.Adam(net.parameters(), lr=1e-3)


def _epoch(net, loader, opt) -> float:
    total = 0.0
    for xb, yb in loader:
        loss = gt.nn.functional.cross_entropy(net(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
    return total


def test_live_tensors_and_nodes_do_not_grow_across_epochs():
    net, loader, opt = _mlp_and_loader()
    counts = []
    for _ in range(4):
        _epoch(net, loader, opt)
        gc.collect()
        counts.append((live(gt.Tensor), live(Node)))
    # epoch 1 creates the optimizer's state; from then on every epoch ends where it started
    assert counts[1:] == [counts[1]] * 3, counts


def test_traced_memory_does_not_grow_across_epochs():
    net, loader, opt = _mlp_and_loader()
    _epoch(net, loader, opt)
    gc.collect()
    tracemalloc.start()
    try:
        after = []
        for _ in range(3):
            _epoch(net, loader, opt)
            gc.collect()
            after.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    # a few KB of slack for interpreter caches; one leaked batch graph would be ~50 KB per step
    assert max(after) - min(after) < 32 * 1024, after


def test_a_graph_is_freed_without_the_garbage_collector():
    gc.disable()
    try:
        x = gt.randn(100, 50, requires_grad=True)
        hidden = (x * 2).tanh()
        loss = (hidden.exp() * hidden).sum()
        node = weakref.ref(loss.grad_fn)
        deep = weakref.ref(hidden.grad_fn)
        del hidden
        loss.backward()
        assert loss.grad_fn._saved in (None, ())  # saved tensors released by backward
        assert node() is not None  # the graph lives as long as the loss points at it (as torch)
        del loss
        assert node() is None and deep() is None  # freed by reference counting alone
    finally:
        gc.enable()


def test_saved_tensors_are_released_after_backward():
    x = gt.randn(8, requires_grad=True)
    h = x.exp()
    tmp = h * 3
    y = tmp * tmp  # MulBackward0 saves tmp (twice)
    ref = weakref.ref(tmp)
    del tmp
    assert ref() is not None  # saved for backward
    y.sum().backward()
    gc.collect()
    assert ref() is None  # backward freed it, though y (and its graph) still exist
    assert y.grad_fn is not None


def _steps_holding_the_loss(lib, keep_graph: bool, steps: int = 5):
    """``total += loss`` (keep_graph) or ``total += loss.item()`` over a few steps; returns the
    number of graph nodes reachable from ``total`` and (glasstorch only: torch's nodes take no
    weakrefs) whether each step's loss node is still alive."""
    lib.manual_seed(0)
    net = lib.nn.Linear(4, 1)
    total = 0.0
    refs = []
    for _ in range(steps):
        loss = net(lib.randn(8, 4)).pow(2).mean()
        if lib is gt:
            refs.append(weakref.ref(loss.grad_fn))
        loss.backward()
        total = total + (loss if keep_graph else loss.item())
        del loss
    gc.collect()
    return _reachable(total), [r() is not None for r in refs]


def _reachable(t) -> int:
    fn = getattr(t, "grad_fn", None)
    seen, stack = set(), [fn] if fn is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(nxt for nxt, _ in node.next_functions if nxt is not None)
    return len(seen)


@pytest.mark.parametrize("keep_graph", [True, False])
def test_total_plus_loss_keeps_every_graph_alive(keep_graph):
    nodes, alive = _steps_holding_the_loss(gt, keep_graph)
    assert alive == [keep_graph] * 5
    assert (nodes > 5) == keep_graph


def test_total_plus_loss_keeps_graphs_in_torch_too(torch):
    for keep_graph in (True, False):
        ours = _steps_holding_the_loss(gt, keep_graph)[0]
        theirs = _steps_holding_the_loss(torch, keep_graph)[0]
        assert (ours > 5) == (theirs > 5) == keep_graph, (ours, theirs)


def test_total_plus_loss_grows_the_graph_step_by_step():
    """The number of nodes kept alive grows linearly with the steps."""
    sizes = [_steps_holding_the_loss(gt, True, steps)[0] for steps in (2, 4, 8)]
    assert sizes[1] - sizes[0] == (sizes[2] - sizes[1]) / 2 > 0, sizes
    assert _steps_holding_the_loss(gt, False, 8)[0] == 0
