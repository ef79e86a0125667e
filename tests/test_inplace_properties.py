"""Version counters on every in-place path, as property tests against torch.

Every in-place write (``+=``, ``*_`` methods, ``__setitem__``, ``copy_``, an optimizer's step, an
in-place op on a view or on a ``detach()``-ed alias) bumps the tensor's version counter, shared by
all views of one base; a tensor saved for backward remembers the version it had, and backward
raises "one of the variables needed for gradient computation has been modified by an inplace
operation" when they differ. ``.data`` writes are the documented exception (no bump, so torch
and glasstorch both silently use the new values).

Hypothesis writes random little programs mixing out-of-place ops, views and in-place ops; each
runs under glasstorch and under torch on the same numbers. Either both raise the same exception
type with the same message (at the op or in backward), or both give the same gradients. Without
torch, smooth error-free programs are checked against central finite differences instead.

``GLASSTORCH_FUZZ_EXAMPLES`` (default 300 here) sets the number of programs per property.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glasstorch as gt
from oracle import needs_torch
from oracle import torch as real_torch

EXAMPLES = int(os.environ.get("GLASSTORCH_FUZZ_EXAMPLES", "300"))

X0 = np.array([[0.3, -0.7, 1.1], [0.9, 0.2, -0.4]])
W0 = np.array([0.5, -1.3, 0.8])

# Out-of-place ops: name -> fn(a, b) with a, b tensors of shapes (2, 3), (3,) or (1, 3).
PURE = {
    "exp": lambda a, b: a.exp(),
    "sin": lambda a, b: a.sin(),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "square": lambda a, b: a * a,
    "pow3": lambda a, b: a.pow(3),
    "mul": lambda a, b: a * b,
    "add": lambda a, b: a + b + b,
    "div": lambda a, b: a / (b * b + 1),
    "relu": lambda a, b: a.relu(),
}
# Views: they share their base's memory and version counter.
VIEWS = {
    "row0": lambda a: a[0] if a.dim() == 2 else a[None],
    "col": lambda a: a[..., 1:],
    "all": lambda a: a[:],
    "view": lambda a: a.view(a.shape),
    "unsqueeze": lambda a: a.unsqueeze(0) if a.dim() == 1 else a[:1],
}
# ``detach()`` shares the counter too, but it is left out of the random programs; products with a
# constant are covered by test_operand_saved_only_when_needed below. Every operand in these
# programs requires grad.


def _fits(target, other) -> bool:
    """``other`` broadcasts to ``target``'s shape (what an in-place op with it requires)."""
    try:
        return np.broadcast_shapes(tuple(target.shape), tuple(other.shape)) == tuple(target.shape)
    except ValueError:
        return False


def _iadd(a, b):
    a += b if _fits(a, b) else 1.5


def _imul(a, b):
    a *= b if _fits(a, b) else 0.5


def _setitem_const(a, b):
    a[..., 0] = 0.25


def _setitem_tensor(a, b):
    a[..., -1] = b.sum()


def _copy(a, b):
    a.copy_(b if _fits(a, b) else a + a + a)


def _data_write(a, b):
    a.data.mul_(2)  # .data: no version bump, as torch


INPLACE = {
    "add_": lambda a, b: a.add_(1.0),
    "mul_": lambda a, b: a.mul_(b) if _fits(a, b) else a.mul_(2.0),
    "iadd": _iadd,
    "imul": _imul,
    "exp_": lambda a, b: a.exp_(),
    "sigmoid_": lambda a, b: a.sigmoid_(),
    "tanh_": lambda a, b: a.tanh_(),
    "relu_": lambda a, b: a.relu_(),
    "clamp_": lambda a, b: a.clamp_(min=-0.5, max=0.5),
    "zero_": lambda a, b: a.zero_(),
    "setitem": _setitem_const,
    "setitem_t": _setitem_tensor,
    "copy_": _copy,
    "data": _data_write,
}
# In-place ops whose backward needs their own output (exp_, sigmoid_, tanh_, relu_): glasstorch
# saves a private copy of that output, so a later in-place change of the tensor is not reported
# where torch raises (a known difference, test_inplace_output_saved_then_modified below). The random
# programs use them only as their last in-place step.
SAVES_OUTPUT = {"exp_", "sigmoid_", "tanh_", "relu_"}
STEPS = [("pure", n) for n in PURE] + [("view", n) for n in VIEWS] + [
    ("inplace", n) for n in INPLACE
]
SMOOTH = {"exp", "sin", "tanh", "sigmoid", "square", "pow3", "mul", "add", "div", "row0", "col",
          "all", "view", "unsqueeze", "add_", "mul_", "iadd", "imul", "exp_", "sigmoid_",
          "tanh_", "setitem", "setitem_t"}

def _last_inplace_only(prog) -> bool:
    inplace = [name for (kind, name), _, _ in prog if kind == "inplace"]
    return not any(name in SAVES_OUTPUT for name in inplace[:-1])


program = st.lists(
    st.tuples(st.sampled_from(STEPS), st.integers(0, 63), st.integers(0, 63)),
    min_size=1, max_size=8,
).filter(_last_inplace_only)


def run(lib, prog, x0=X0, w0=W0, leaves_require_grad=True):
    """Run ``prog`` with library ``lib``: ``("error", type name, message)`` or
    ``("ok", loss, grad of x, grad of w)``, and whether a view was used after its base changed
    through something else (compared like every other program since glasstorch re-expresses such
    a view from its base, see test_view_used_after_its_base_changed)."""
    x = lib.tensor(x0.copy(), dtype=lib.float64, requires_grad=leaves_require_grad)
    w = lib.tensor(w0.copy(), dtype=lib.float64, requires_grad=leaves_require_grad)
    pool = [x, w]
    seen = [None, None]  # for a view: its base's version when the view last knew its history
    stale = False

    def use(k):
        nonlocal stale
        t = pool[k]
        if seen[k] is not None and t._base._version != seen[k]:
            stale = True
        return t

    try:
        for (kind, name), i, j in prog:
            i, j = i % len(pool), j % len(pool)
            a, b = use(i), use(j)
            if kind == "pure":
                pool.append(PURE[name](a, b))
                seen.append(None)
            elif kind == "view":
                pool.append(VIEWS[name](a))
                seen.append(pool[-1]._base._version if pool[-1]._base is not None else None)
            else:
                INPLACE[name](a, b)
                if seen[i] is not None:
                    seen[i] = a._base._version
        loss = sum((use(k) * (k + 1)).sum() for k in range(len(pool)))
        if leaves_require_grad:
            loss.backward()
    except (RuntimeError, ValueError, TypeError, IndexError) as e:
        return ("error", type(e).__name__, str(e)), stale
    grads = [None if t.grad is None else t.grad.detach().numpy().copy() for t in (x, w)]
    return ("ok", float(loss.detach()), *grads), stale


def assert_same_outcome(ours, theirs, prog):
    assert ours[0] == theirs[0], f"{prog}: glasstorch {ours} vs torch {theirs}"
    if ours[0] == "error":
        assert ours[1:] == theirs[1:], prog
        return
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-9, atol=1e-12, equal_nan=True,
                               err_msg=str(prog))
    for g, h in zip(ours[2:], theirs[2:]):
        assert (g is None) == (h is None), prog
        if g is not None:
            np.testing.assert_allclose(g, h, rtol=1e-9, atol=1e-12, equal_nan=True,
                                       err_msg=str(prog))


@needs_torch
@settings(max_examples=EXAMPLES)
@given(program)
def test_random_programs_raise_or_differentiate_exactly_as_torch(prog):
    ours, _ = run(gt, prog)  # views used after their base changed included (they were not)
    assert_same_outcome(ours, run(real_torch, prog)[0], prog)


def _numeric_grads(prog, eps=1e-6):
    """Central differences of the program's loss with respect to x and w (no graph at all)."""
    out = []
    for which in (0, 1):
        base = [X0.copy(), W0.copy()]
        g = np.zeros_like(base[which])
        for idx in np.ndindex(g.shape):
            vals = []
            for step in (eps, -eps):
                arrays = [X0.copy(), W0.copy()]
                arrays[which][idx] += step
                vals.append(run(gt, prog, *arrays, leaves_require_grad=False)[0][1])
            g[idx] = (vals[0] - vals[1]) / (2 * eps)
        out.append(g)
    return out


@settings(max_examples=max(EXAMPLES // 6, 10))
@given(program)
def test_error_free_smooth_programs_match_finite_differences(prog):
    """The same programs, torch-free: where no version error is raised, backward's gradients
    equal central differences (smooth steps only, so the differences are accurate)."""
    prog = [step for step in prog if step[0][1] in SMOOTH]
    result, _ = run(gt, prog)
    if result[0] == "error":
        return  # a version error or a shape mismatch: compared with torch by the test above
    _, loss, gx, gw = result
    if not np.isfinite(loss) or abs(loss) > 1e6:
        return  # exp of exp of ...: finite differences are meaningless there
    nx, nw = _numeric_grads(prog)
    for ours, numeric in ((gx, nx), (gw, nw)):
        got = np.zeros_like(numeric) if ours is None else ours
        np.testing.assert_allclose(got, numeric, rtol=1e-4, atol=1e-5, err_msg=str(prog))


# ---- hand-written cases: each in-place path bumps the counter ----------------------------------
def _version(t) -> int:
    return t._version


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_every_inplace_path_bumps_the_shared_counter_except_data(name):
    base = gt.tensor(X0.copy())
    view = base[0]
    other = gt.tensor(W0.copy())
    before = _version(base)
    INPLACE[name](view, other)
    bumped = _version(base) - before
    assert _version(view) == _version(base)  # one counter for the base and its views
    assert bumped == (0 if name == "data" else 1), name


@needs_torch
@pytest.mark.parametrize("name", sorted(INPLACE))
def test_version_numbers_equal_torchs(name, torch):
    def versions(lib):
        base = lib.tensor(X0.copy())
        view = base[0]
        INPLACE[name](view, lib.tensor(W0.copy()))
        alias = base.detach()
        alias.add_(1)
        return base._version, view._version, alias._version

    assert versions(gt) == versions(torch)


def _modify_unneeded_operand(lib, op):
    """``y = h op c`` with ``c`` constant: torch saves ``h`` only if ``c`` needs a gradient, so
    changing ``h`` in place afterwards does not spoil the backward of ``y``."""
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    c = lib.tensor([3.0, 4.0])
    h = x * 1
    y = op(c, h)
    h.add_(1)
    y.sum().backward()
    return x.grad.tolist()


@pytest.mark.parametrize(
    "op, expected",
    [(lambda c, h: h * c, [3.0, 4.0]), (lambda c, h: h / c, [1 / 3, 1 / 4])],
    ids=["mul", "div"],
)
def test_operand_saved_only_when_needed(op, expected):
    """torch's result (checked by test_unneeded_operand_in_torch): no error, these grads."""
    np.testing.assert_allclose(_modify_unneeded_operand(gt, op), expected)


def _inplace_output_saved_then_modified(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    e = x * 1
    e.exp_()  # ExpBackward0 saves its output: e at version 1
    e.add_(1)  # version 2: torch's backward refuses the stale output
    e.sum().backward()


def test_inplace_output_saved_then_modified():
    with pytest.raises(RuntimeError, match="output 0 of Exp, is at version 2; expected version 1"):
        _inplace_output_saved_then_modified(gt)


def _view_used_after_its_base_changed(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    s = x * 1
    r = s[0]  # a view of s
    s.mul_(x)  # r now holds (x * x)[0]: its history must be replayed from s's new one
    r.sum().backward()
    return x.grad.tolist()


def test_view_used_after_its_base_changed():
    assert _view_used_after_its_base_changed(gt) == [[2.0, 4.0], [0.0, 0.0]]


@needs_torch
def test_the_known_differences_are_torchs_behaviour(torch):
    assert _view_used_after_its_base_changed(torch) == [[2.0, 4.0], [0.0, 0.0]]
    with pytest.raises(RuntimeError, match="output 0 of Exp, is at version 2; expected version 1"):
        _inplace_output_saved_then_modified(torch)


@needs_torch
def test_unneeded_operand_in_torch(torch):
    np.testing.assert_allclose(_modify_unneeded_operand(torch, lambda c, h: h * c), [3.0, 4.0])
    np.testing.assert_allclose(_modify_unneeded_operand(torch, lambda c, h: h / c), [1 / 3, 0.25])


@needs_torch
@pytest.mark.parametrize("optimizer", [
    "SGD", "Adam", "RMSprop", "Adagrad", "AdamW",
])
def test_optimizer_step_between_forward_and_backward_is_caught_as_torch(optimizer, torch):
    """``opt.step()`` writes the parameters in place: a graph that saved them is stale."""

    def run_steps(lib):
        w = lib.nn.Parameter(lib.tensor(W0.copy()))
        opt = getattr(lib.optim, optimizer)([w], lr=0.1)
        (w * w).sum().backward()
        loss = (w * w).sum()  # saves w at its current version
        opt.step()
        try:
            loss.backward()
        except RuntimeError as e:
            return w._version, str(e)
        return w._version, None

    ours, theirs = run_steps(gt), run_steps(torch)
    assert ours == theirs
    assert "modified by an inplace operation" in ours[1]


@needs_torch
def test_a_step_after_backward_is_fine_and_gives_torchs_parameters(torch):
    def train(lib):
        w = lib.nn.Parameter(lib.tensor(W0.copy()))
        opt = lib.optim.SGD([w], lr=0.1, momentum=0.9)
        for _ in range(3):
            opt.zero_grad()
            loss = (w.sin() * w).sum()
            loss.backward()
            opt.step()
        return w.detach().numpy().copy(), w._version

    (ours, v1), (theirs, v2) = train(gt), train(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert v1 == v2


@pytest.mark.parametrize("op", ["exp_", "sigmoid_", "tanh_", "relu_"])
def test_inplace_op_using_its_output_gives_torchs_gradient(op):
    """After ``e.exp_()`` the node reads ``e`` itself; left unmodified, the gradient is right."""
    x = gt.tensor([0.5, -1.0, 2.0], requires_grad=True)
    e = x * 3
    getattr(e, op)()
    e.sum().backward()
    y = x.detach().clone().requires_grad_(True)
    getattr(gt, op.rstrip("_"))(y * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), rtol=1e-6)
