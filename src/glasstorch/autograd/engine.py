"""The engine: run the backward steps of a graph once each, in dependency order.

``run_backward`` is what ``Tensor.backward`` and ``autograd.grad`` call. It

1. walks the graph from the roots with an explicit stack (no recursion, so a graph thousands of ops
   deep is fine) and counts, for every node, how many edges point at it;
2. runs a node only when every node that feeds it a gradient has run, so each node runs once with
   the sum of its incoming gradients (a tensor used twice gets both contributions); among the
   nodes ready to run, the most recently created goes first, as in torch;
3. hands the gradients that reach a leaf to its ``AccumulateGrad``, which adds them into ``.grad``
   (or, for ``autograd.grad``, returns them instead of touching ``.grad``);
4. frees each node's saved tensors after it ran, unless ``retain_graph=True``.

Backward formulas run with grad mode off, unless ``create_graph=True`` asks for a graph of the
backward itself (for higher-order gradients).
"""

from __future__ import annotations

import heapq
import itertools

import numpy as np

from . import grad_mode
from .graph import AccumulateGrad, edge


def run_backward(roots, grad_roots, retain_graph, create_graph, inputs=None, accumulate=True):
    """Backpropagate ``grad_roots`` from ``roots``; returns the gradients of ``inputs`` if given.

    ``accumulate=True`` (``Tensor.backward``) adds into ``.grad`` of the leaves, only of ``inputs``
    when given. ``accumulate=False`` (``autograd.grad``) leaves ``.grad`` alone and returns, for
    each of ``inputs``, the gradient that reached it (None if none did).
    """
    starts = []
    for t, g in zip(roots, grad_roots):
        fn, _ = edge(t)
        if fn is None:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
        starts.append((fn, g))

    capture = needed = results = None
    if inputs is not None:
        capture = {}
        for i, t in enumerate(inputs):
            fn, _ = edge(t)
            if fn is None:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            capture.setdefault(fn, []).append(i)
        results = [None] * len(inputs)
    deps, children = _count_dependencies([fn for fn, _ in starts], capture is not None)
    if capture is not None:
        needed = _needed(children, capture)

    buffers: dict = {}
    shared: set = set()  # ids of gradient arrays held in more than one place: never stolen
    for fn, g in starts:
        shared.add(id(g._data))
        _add_to(buffers, fn, g)
    # Nodes whose inputs are all in, newest first (torch's order: it decides which hook fires
    # first, which stale saved tensor is reported, and the order gradients are summed in).
    ready: list = []
    tick = itertools.count()  # ties (equal priority) keep first-come order
    queued = set()
    for fn, _ in starts:
        if fn not in deps and fn not in queued:
            queued.add(fn)
            heapq.heappush(ready, (-_priority(fn), next(tick), fn))

    prev = grad_mode.state.enabled
    grad_mode.state.enabled = create_graph
    anomaly = grad_mode.anomaly.enabled
    try:
        while ready:
            node = heapq.heappop(ready)[2]
            grad = buffers.pop(node, None)
            if grad is not None:
                if needed is not None and node not in needed:
                    grad = None
                elif node._pre_hooks is not None or node._retain is not None:
                    grad = _run_pre_hooks(node, grad, shared)
            if capture is not None and grad is not None and node in capture:
                for i in capture[node]:
                    results[i] = grad
            if type(node) is AccumulateGrad:
                if grad is not None and accumulate and (capture is None or node in capture):
                    _accumulate(node, grad, create_graph, shared)
                continue
            nexts = node.next_functions
            if grad is None or (
                needed is not None and not any(k in needed for k in children[node])
            ):
                grads = (None,) * len(nexts)
            else:
                if anomaly:
                    grads = _backward_with_anomaly(node, grad)
                else:
                    grads = node.backward(grad)
                    if type(grads) is not tuple:
                        grads = (grads,)
                if node._post_hooks:
                    for h in list(node._post_hooks.values()):
                        h(grads, (grad,))
                if not retain_graph:
                    node.release()
                if len(grads) == 2:
                    a, b = grads
                    if a is not None and b is not None and a._data is b._data:
                        shared.add(id(a._data))  # one array handed to both inputs (add does)
                elif len(grads) > 2:
                    _mark_repeats(grads, shared)
            for (nxt, _), g in zip(nexts, grads):
                if nxt is None:
                    continue
                if g is not None:
                    prev_g = buffers.get(nxt)
                    buffers[nxt] = g if prev_g is None else prev_g + g
                left = deps[nxt] - 1
                deps[nxt] = left
                if left == 0:
                    heapq.heappush(ready, (-(nxt._seq or _priority(nxt)), next(tick), nxt))
    finally:
        grad_mode.state.enabled = prev
    return results


def _priority(node) -> int:
    """When a ready node runs: the later it was created, the sooner (AccumulateGrad first). A node
    built without ``Node.__init__`` (an in-place op's ``CopySlices``) takes its inner op's."""
    seq = node._seq
    if not seq:
        inner = getattr(node, "inner", None)
        seq = inner._seq if inner is not None else 0
    return seq


def _mark_repeats(grads, shared):
    """A node handing one gradient array to several inputs: mark it shared."""
    seen = set()
    for g in grads:
        if g is not None:
            gid = id(g._data)
            if gid in seen:
                shared.add(gid)
            seen.add(gid)


def _count_dependencies(starts, want_children: bool):
    """How many edges point at each node reachable from ``starts`` (an explicit-stack walk)."""
    deps: dict = {}  # also the set of nodes seen so far (besides the starts)
    children: dict = {}
    roots = set(starts)
    stack = list(starts)
    while stack:
        node = stack.pop()
        nexts = node.next_functions
        if want_children:
            children[node] = [fn for fn, _ in nexts if fn is not None]
        for nxt, _ in nexts:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                if nxt not in roots:
                    stack.append(nxt)
    return deps, children


def _needed(children, capture):
    """Nodes from which some captured node can be reached: only these need to run."""
    needed = set(capture)
    parents: dict = {}
    for node, kids in children.items():
        for k in kids:
            parents.setdefault(k, []).append(node)
    stack = list(capture)
    while stack:
        node = stack.pop()
        for p in parents.get(node, ()):
            if p not in needed:
                needed.add(p)
                stack.append(p)
    return needed


def _add_to(buffers, node, g):
    prev = buffers.get(node)
    buffers[node] = g if prev is None else prev + g


def _run_pre_hooks(node, grad, shared):
    hooks = node._pre_hooks
    if hooks:
        shared.add(id(grad._data))
        for h in list(hooks.values()):
            new = h(grad)
            if new is not None:
                grad = new
                shared.add(id(grad._data))
    ref = node._retain
    if ref is not None:
        t = ref()
        if t is not None:
            g = grad.detach() if not grad_mode.state.enabled else grad
            if t._grad is None:
                from .._tensor import _wrap

                t._grad = _wrap(g._data.copy()) if not grad_mode.state.enabled else g
            else:
                t._grad = t._grad + g
    return grad


def _accumulate(node, grad, create_graph, shared):
    """Add ``grad`` into the leaf's ``.grad``: taken over without a copy when nothing else holds it,
    added in place into an existing ``.grad`` (keeping its identity) unless building a graph."""
    leaf = node.variable
    if leaf is None:
        return
    data = grad._data
    if data.dtype != leaf._data.dtype:
        data = data.astype(leaf._data.dtype)
    if data.shape != leaf._data.shape:
        data = np.broadcast_to(data, leaf._data.shape)
    old = leaf._grad
    if old is None:
        if create_graph and grad._grad_fn is not None:
            leaf._grad = grad
            return
        from .._tensor import _wrap

        if id(grad._data) in shared or data.base is not None or not data.flags.c_contiguous:
            data = np.array(data, order="C")
        leaf._grad = _wrap(data)
    elif create_graph or old._rg:
        leaf._grad = old + grad
    else:
        np.add(old._data, data, out=old._data)
        old._vc[0] += 1


def _backward_with_anomaly(node, grad):
    """``node.backward(grad)`` in anomaly mode: NaN results are an error (unless check_nan=False)
    and any error first warns with the forward stack recorded when the node was created."""
    try:
        grads = node.backward(grad)
        if type(grads) is not tuple:
            grads = (grads,)
        if grad_mode.anomaly.check_nan:
            for i, g in enumerate(grads):
                if g is not None and g._data.dtype.kind in "fc" and np.isnan(g._data).any():
                    raise RuntimeError(
                        f"Function '{node.name()}' returned nan values in its {i}th output."
                    )
    except Exception:
        trace = node._trace or getattr(getattr(node, "inner", None), "_trace", None)
        if trace:
            import warnings

            warnings.warn(
                f"Error detected in {node.name()}. Traceback of forward call that caused the "
                "error:\n" + "".join(trace),
                UserWarning,
                stacklevel=3,
            )
        raise
    return grads
