"""The engine: run the backward steps of a graph once each, in dependency order.

``backward`` (what ``Tensor.backward`` calls) and ``grad`` check their arguments, make the
gradient of each root (``_root_grads``: 1 for a scalar loss), and call ``run_backward``. Its core
is the loop at its end, which reads like micrograd's ``for v in reversed(topo): v._backward()``:

1. count, for every node reachable from the roots, how many edges point at it
   (``_count_dependencies``: an explicit stack, no recursion, so a graph thousands of ops deep is
   fine);
2. take a node whose every consumer has run (the newest first, as in torch), call its
   ``backward`` with the sum of the gradients that reached it, free what it saved (unless
   ``retain_graph``), and add each result into the pending gradient of the matching input's
   node; a node is ready when its count drops to zero;
3. at a leaf, ``AccumulateGrad`` adds the gradient into ``.grad`` (``_accumulate``).

Everything else is a named helper called at a marked point of the loop: ``_Capture`` (the
``inputs=`` of ``autograd.grad`` and ``backward``: which gradients to return, which nodes can be
skipped), ``_run_pre_hooks`` (``Tensor.register_hook``, ``retain_grad``), ``_run_post_hooks``,
anomaly mode (``anomaly_mode.checked_backward``) and ``_Shared`` (which gradient arrays may be
taken over by ``.grad`` without a copy).

Backward formulas run with grad mode off, unless ``create_graph=True`` asks for a graph of the
backward itself (for higher-order gradients).
"""

from __future__ import annotations

import heapq
import itertools

import numpy as np

from . import grad_mode
from .anomaly_mode import checked_backward
from .graph import AccumulateGrad, edge


def _tensors(x) -> tuple:
    from .._tensor import Tensor

    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _root_grads(outputs, grad_outputs, create_graph):
    from .._tensor import Tensor, _wrap

    grads = []
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    # torch's order: every output's gradient is made (the scalar and dtype checks apply only to an
    # output that requires grad), and only then is an output without a history an error
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out.requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if out._data.dtype.kind != "f":
                    raise RuntimeError(
                        "grad can be implicitly created only for real scalar outputs but got "
                        f"{out.dtype}"
                    )
            g = _wrap(np.ones_like(out._data))
        elif not isinstance(g, Tensor):
            from .._creation import tensor

            g = tensor(g, dtype=out.dtype, device=out.device)
        elif g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                f"output[{i}] has a shape of {out.shape}."
            )
        elif type(g._data) is not type(out._data) and g.device != out.device:
            raise RuntimeError(
                f"invalid gradient at index {i} - expected device {out.device} but got {g.device}"
            )
        grads.append(g)
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate into ``.grad`` of the leaves the gradient of ``tensors`` (see Tensor.backward)."""
    outputs = _tensors(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _tensors(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    grads = _root_grads(outputs, grad_tensors, create_graph)
    run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` untouched)."""
    from .._tensor import _wrap

    outputs = _tensors(outputs)
    inputs_t = _tensors(inputs)
    if not inputs_t:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _root_grads(outputs, grad_outputs, create_graph)
    res = run_backward(
        outputs, grads, retain_graph, create_graph, inputs=inputs_t, accumulate=False
    )
    out = []
    for t, g in zip(inputs_t, res):
        if g is None:
            if materialize_grads:
                g = _wrap(np.zeros_like(t._data))
            elif not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
        elif g._data.shape != t._data.shape:
            g = g.expand(t._data.shape) if g._data.ndim <= t._data.ndim else g
        out.append(g)
    return tuple(out)


def run_backward(roots, grad_roots, retain_graph, create_graph, inputs=None, accumulate=True):
    """Backpropagate ``grad_roots`` from ``roots``; returns the gradients of ``inputs`` if given.

    ``accumulate=True`` (``Tensor.backward``) adds into ``.grad`` of the leaves, only of ``inputs``
    when given. ``accumulate=False`` (``autograd.grad``) leaves ``.grad`` alone and returns, for
    each of ``inputs``, the gradient that reached it (None if none did).
    """
    starts = _start_nodes(roots, grad_roots)
    deps = _count_dependencies([fn for fn, _ in starts])
    capture = None if inputs is None else _Capture(inputs, [fn for fn, _ in starts])
    shared = _Shared()

    pending: dict = {}  # node -> the sum of the gradients that reached it so far
    ready: list = []  # nodes whose consumers have all run: a heap, newest node first
    tick = itertools.count()  # ties keep first-come order
    for fn, g in starts:
        shared.mark(g)
        if fn in pending:  # two roots with one node: their gradients add up
            pending[fn] = pending[fn] + g
        else:
            pending[fn] = g
            if fn not in deps:
                heapq.heappush(ready, (-_priority(fn), next(tick), fn))

    anomaly = grad_mode.anomaly.enabled
    prev = grad_mode.state.enabled
    grad_mode.state.enabled = create_graph
    try:
        while ready:
            node = heapq.heappop(ready)[2]
            grad = pending.pop(node, None)
            if capture is not None and node not in capture.needed:
                grad = None  # inputs= given, and none of them is reached through this node
            if grad is not None and (node._pre_hooks is not None or node._retain is not None):
                grad = _run_pre_hooks(node, grad, shared)
            if capture is not None:
                grad = capture.take(node, grad)

            if type(node) is AccumulateGrad:
                if grad is not None and accumulate:
                    _accumulate(node, grad, create_graph, shared)
                continue
            nexts = node.next_functions
            if grad is None:
                grads = (None,) * len(nexts)
            else:  # run the node: its backward, its post-hooks, then free what it saved
                grads = checked_backward(node, grad) if anomaly else node.backward(grad)
                if type(grads) is not tuple:
                    grads = (grads,)
                if node._post_hooks:
                    _run_post_hooks(node, grads, grad)
                if not retain_graph:
                    node.release()
                if len(grads) > 1:
                    shared.mark_repeats(grads)

            for (nxt, _), g in zip(nexts, grads):
                if nxt is None:
                    continue
                if g is not None:  # sum the gradients reaching nxt, in its tensor's dtype
                    gd, dt = g._data.dtype, nxt._dtype
                    if gd is not dt and dt is not None and gd != dt:
                        g = _cast_grad(g, dt)
                    prev_g = pending.get(nxt)
                    pending[nxt] = g if prev_g is None else prev_g + g
                left = deps[nxt] - 1
                deps[nxt] = left
                if left == 0:
                    heapq.heappush(ready, (-(nxt._seq or _priority(nxt)), next(tick), nxt))
    finally:
        grad_mode.state.enabled = prev
    if final_callbacks:
        _run_final_callbacks()
    return None if capture is None else capture.results


# Called once when the backward that is running ends, after every leaf's .grad is in place
# (torch's ``Variable._execution_engine.queue_callback``; DistributedDataParallel waits for its
# gradient all-reduces here).
final_callbacks: list = []


def queue_callback(fn) -> None:
    """Run ``fn()`` when the current backward pass has finished."""
    final_callbacks.append(fn)


def _run_final_callbacks() -> None:
    while final_callbacks:
        final_callbacks.pop(0)()


def _cast_grad(g, npd):
    """``g`` in the NumPy dtype ``npd`` (a recorded cast under ``create_graph``)."""
    from .. import _dtype
    from ..ops.conversion import _cast  # ops build on autograd: imported when first needed

    return _cast(g, _dtype.from_numpy_dtype(npd))


def _run_post_hooks(node, grads, grad) -> None:
    """After ``node`` ran: its hooks see the input gradients and the output gradient."""
    for hook in list(node._post_hooks.values()):
        hook(grads, (grad,))


def _start_nodes(roots, grad_roots) -> list:
    """``(node, gradient)`` for each root tensor: where the walk starts."""
    starts = []
    for t, g in zip(roots, grad_roots):
        fn, _ = edge(t)
        if fn is None:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
        starts.append((fn, g))
    return starts


def _priority(node) -> int:
    """When a ready node runs: the later it was created, the sooner (AccumulateGrad first). A node
    built without ``Node.__init__`` (an in-place op's ``CopySlices``) takes its inner op's."""
    seq = node._seq
    if not seq:
        inner = getattr(node, "inner", None)
        seq = inner._seq if inner is not None else 0
    return seq


def _count_dependencies(starts) -> dict:
    """How many edges point at each node reachable from ``starts`` (an explicit-stack walk)."""
    deps: dict = {}  # also the set of nodes seen so far (besides the starts)
    roots = set(starts)
    stack = list(starts)
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                if nxt not in roots:
                    stack.append(nxt)
    return deps


class _Capture:
    """The ``inputs=`` of ``autograd.grad`` (and of ``backward``): the gradient reaching each
    input's node is kept in ``results``; only the nodes through which some input is reached run
    (``needed``), and they pass gradients on only where that leads somewhere (``through``)."""

    def __init__(self, inputs, starts):
        self.where: dict = {}  # node -> positions in inputs
        for i, t in enumerate(inputs):
            fn, _ = edge(t)
            if fn is None:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            self.where.setdefault(fn, []).append(i)
        self.results = [None] * len(inputs)
        parents: dict = {}
        stack, seen = list(starts), set(starts)
        while stack:
            node = stack.pop()
            for nxt, _ in node.next_functions:
                if nxt is not None:
                    parents.setdefault(nxt, []).append(node)
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
        self.needed = set(self.where)  # the inputs' nodes and every node leading to one
        self.through = {fn for fn in self.where if type(fn) is AccumulateGrad}
        stack = list(self.where)
        while stack:
            for p in parents.get(stack.pop(), ()):
                self.through.add(p)
                if p not in self.needed:
                    self.needed.add(p)
                    stack.append(p)

    def take(self, node, grad):
        """Record ``grad`` if ``node`` is an input's; return it if ``node`` should run on it."""
        if grad is not None and node in self.where:
            for i in self.where[node]:
                self.results[i] = grad
        return grad if node in self.through else None


class _Shared(set):
    """Ids of gradient arrays that are held in more than one place (a root gradient the caller
    owns, one array handed to two inputs, one a hook has seen): ``.grad`` must copy these rather
    than take them over."""

    def mark(self, g) -> None:
        self.add(id(g._data))

    def mark_repeats(self, grads) -> None:
        if len(grads) == 2:
            a, b = grads
            if a is not None and b is not None and a._data is b._data:
                self.add(id(a._data))  # add hands one array to both inputs
        else:
            seen = set()
            for g in grads:
                if g is not None:
                    gid = id(g._data)
                    if gid in seen:
                        self.add(gid)
                    seen.add(gid)


def _run_pre_hooks(node, grad, shared):
    """Before ``node`` runs: the hooks of ``Tensor.register_hook`` (a returned tensor replaces the
    gradient), then ``retain_grad`` (the tensor keeps a copy in ``.grad``)."""
    hooks = node._pre_hooks
    if hooks:
        shared.mark(grad)
        for h in list(hooks.values()):
            new = h(grad)
            if new is not None:
                grad = new
                shared.mark(grad)
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

        if id(data) in shared or data.base is not None or not data.flags.c_contiguous:
            data = data.copy(order="C")
        leaf._grad = _wrap(data)
    elif create_graph or old._rg:
        leaf._grad = old + grad
    else:
        np.add(old._data, data, out=old._data)
        old._vc[0] += 1
