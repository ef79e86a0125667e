"""Node: the backward step of one op, linked to the nodes of its inputs.

Each differentiable op that runs while grad mode is on and some input requires grad creates one
``Node`` subclass instance (named as torch names it: ``MulBackward0``) and sets it as the output's
``grad_fn``. The node keeps

- ``next_functions``: one ``(node, 0)`` pair per input — the input's own ``grad_fn``, the
  ``AccumulateGrad`` of a leaf that requires grad, or ``(None, 0)`` for an input that needs no grad;
- the tensors its backward needs (``save``), each with the version it had, so that backward can tell
  whether something modified it in place since;
- ``backward(grad)``: given the gradient of the output (a Tensor), the gradient of each input.

``attach`` is the one place where an op's result joins the graph: it decides whether the result
requires grad and builds its node. Ops compute; nodes differentiate.

Backward formulas are written with glasstorch ops, so with ``create_graph=True`` they record a graph
of their own and higher-order gradients come for free.
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections import OrderedDict

from .._dtype import scalar_name
from ..utils.hooks import RemovableHandle
from . import grad_mode
from .anomaly_mode import forward_trace

_sequence = itertools.count(1)  # creation order of nodes, as torch's sequence_nr

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


def edge(t):
    """The node a gradient for tensor ``t`` flows into: its grad_fn, its AccumulateGrad, or None
    (also for a Python number given as an op's input).

    The node learns ``t``'s dtype here (``_dtype``): a gradient reaching it in another dtype is
    cast to it by the engine, as torch does (``h`` float32 used in a float64 product gets a
    float32 gradient, in its hooks and ``retain_grad`` too)."""
    try:
        fn = t._grad_fn
    except AttributeError:
        return (None, 0)
    base = t._base
    if base is not None and base._grad_fn is not t._vfn:
        fn = refresh_view(t)
    if fn is not None:
        fn._dtype = t._data.dtype
        return (fn, 0)
    if t._rg:
        acc = t._acc
        if acc is None:
            acc = t._acc = AccumulateGrad(t)
        return (acc, 0)
    return (None, 0)


def attach(result, node_type, *inputs, **kept):
    """Make ``result`` an output of the graph, if it must be one; returns ``result``.

    When grad mode is on and some tensor among ``inputs`` requires grad, the node
    ``node_type(*inputs, **kept)`` is built (its edges lead to the inputs' own nodes) and becomes
    ``result.grad_fn``; otherwise nothing is recorded. ``inputs`` may hold Python numbers and None
    (they get no edge). A node class that sets ``keeps_output = True`` gets the result saved for
    its backward (``exp``: the derivative is the output itself).

    Every op joins the graph here (the role of tinygrad's ``Function.apply``)::

        res = _wrap(np.multiply(a._data, b._data))
        return attach(res, MulBackward0, a, b)
    """
    for t in inputs:
        if getattr(t, "_rg", False):
            break
    else:
        return result  # no input requires grad: nothing to record
    if grad_mode.state.enabled:
        node = node_type(*inputs, **kept)
        if node_type.keeps_output:
            node.save_output(result)
        result._grad_fn = node  # hot path: set_history inlined (every op with grad comes here)
        result._rg = True
    return result


def set_history(t, node) -> None:
    """Make ``node`` the history of ``t`` (which then requires grad). ``attach`` calls this for a
    new result; in-place ops and views (``autograd.views``) call it to rewrite a tensor's past."""
    t._grad_fn = node
    t._rg = True


def refresh_view(view):
    """The ``grad_fn`` of a view, re-expressed from its base if the base's history was rewritten
    since the view was made (``autograd.views.refresh``)."""
    from .views import refresh  # views builds on Node: it is imported when first needed

    return refresh(view)


class _NeedsInputGrad:
    """``node.needs_input_grad``: which inputs want a gradient, worked out on first use and then
    kept in the instance (a non-data descriptor, so the instance's value shadows it)."""

    def __get__(self, node, owner=None):
        if node is None:
            return self
        value = tuple([fn is not None for fn, _ in node.next_functions])
        node.__dict__["needs_input_grad"] = value
        return value


class Node:
    """The backward step of one op (see the module docstring)."""

    keeps_output = False  # True: attach saves the op's output for backward (saved_output)
    _saved = ()
    _saved_out = None
    _pre_hooks = None
    _post_hooks = None
    _retain = None
    _trace = None
    _seq = 0  # creation order (the engine runs newer nodes first)
    _dtype = None  # the NumPy dtype of the tensor this node is the history of (see edge)

    def __init__(self, *inputs):
        self.next_functions = tuple([edge(t) for t in inputs])
        self._seq = next(_sequence)
        if grad_mode.anomaly.enabled:  # one attribute read when anomaly mode is off
            self._trace = forward_trace()

    needs_input_grad = _NeedsInputGrad()

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    # ---- saved tensors -------------------------------------------------------------------
    def save(self, *tensors):
        """Keep inputs for backward: tensors with their versions (checked when unpacked),
        Python numbers (and None) as they are."""
        self._saved = tuple([
            (t, t._vc[0]) if hasattr(t, "_vc") else (t, None)  # numbers have no version counter
            for t in tensors
        ])
        return self

    def save_output(self, out):
        """Keep this node's own output for backward without a reference cycle: its array and
        version counter are stored, and a tensor with this node as grad_fn is rebuilt on unpack."""
        self._saved_out = (out._data, out._vc, out._vc[0])
        return self

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED)
        for t, v in saved:
            if v is not None and t._vc[0] != v:
                # torch names the tensor's grad_fn as it is now (after the in-place op)
                _raise_modified(t, v, t._vc[0], t._grad_fn)
        return tuple(t for t, _ in saved)

    @property
    def saved_output(self):
        s = self._saved_out
        if s is None:
            raise RuntimeError(_FREED)
        data, vc, v = s
        from .._tensor import _wrap

        if vc[0] != v:
            _raise_modified(_wrap(data), v, vc[0], self)

        out = _wrap(data)
        out._vc = vc
        set_history(out, self)
        return out

    def release(self):
        """Free what backward kept (called after backward unless retain_graph=True)."""
        if self._saved:
            self._saved = None
        if self._saved_out is not None:
            self._saved_out = None
            self._saved = None

    # ---- the step itself -----------------------------------------------------------------
    def backward(self, grad):  # pragma: no cover - every subclass defines it
        raise NotImplementedError(type(self).__name__)

    def register_hook(self, fn):
        """A hook called as ``fn(grad_inputs, grad_outputs)`` after this node runs (torch's API)."""
        if self._post_hooks is None:
            self._post_hooks = OrderedDict()  # a plain dict cannot be weakly referenced
        return _add_hook(self._post_hooks, fn)

    def register_prehook(self, fn):
        """A hook called as ``fn(grad_outputs)`` before this node runs; may return new grads."""
        return self.add_grad_hook(lambda g: _first(fn((g,))))

    def add_grad_hook(self, fn):
        """A hook called as ``fn(grad)`` on the gradient of this node's output before the node
        runs; a returned tensor replaces the gradient (``Tensor.register_hook`` lands here)."""
        if self._pre_hooks is None:
            self._pre_hooks = OrderedDict()
        return _add_hook(self._pre_hooks, fn)


def _add_hook(hooks: dict, fn):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return handle


def _first(res):
    return None if res is None else res[0]


def _message_name(node) -> str:
    """How torch's version error names a node: generated nodes lose "Backward" and a 0 suffix
    (``MulBackward0`` → ``Mul``, ``ClampBackward1`` → ``Clamp1``); its hand-written ones carry
    their C++ namespace (``torch::autograd::CopySlices``)."""
    name = node.name()
    if name in ("CopySlices", "CopyBackwards"):
        return "torch::autograd::" + name
    return re.sub(r"Backward(0$)?", "", name, count=1)


def _raise_modified(t, expected, actual, producer):
    """torch's error for a saved tensor changed in place after it was saved for backward."""
    shape = list(t._data.shape)
    # torch names the tensor by its legacy type, except bool, which has none: "CPUBoolType"
    kind = "CPUBoolType" if t._data.dtype == bool else f"torch.{scalar_name(t)}Tensor"
    where = f", which is output 0 of {_message_name(producer)}," if producer is not None else ""
    if grad_mode.anomaly.enabled:
        hint = (
            "Hint: the backtrace further above shows the operation that failed to "
            "compute its gradient. The variable in question was changed in there or anywhere "
            "later. Good luck!"
        )
    else:
        hint = (
            "Hint: enable anomaly detection to find the operation that failed to compute its "
            "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
        )
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{kind} {shape}]{where} is at version {actual}; expected version "
        f"{expected} instead. {hint}"
    )


class NotImplemented(Node):  # noqa: A001 - torch's name for a node without a formula
    """The node of an op torch has no derivative for (``x // y``, ``scatter`` with ``reduce``):
    the result requires grad, as in torch, and backward raises ``message``."""

    def __init__(self, *inputs, message: str):
        super().__init__(*inputs)
        self.message = message

    def backward(self, grad):
        raise RuntimeError(self.message)


class AccumulateGrad(Node):
    """The end of the graph at a leaf: adds the incoming gradient into ``leaf.grad``."""

    _seq = 1 << 62  # as in torch: accumulating into .grad runs as soon as it is ready

    def __init__(self, leaf):
        self.next_functions = ()
        self._leaf = weakref.ref(leaf)
        self._dtype = leaf._data.dtype

    @property
    def variable(self):
        return self._leaf()
