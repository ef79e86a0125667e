"""Autograd semantics against torch: accumulation, retain_graph, detach, no_grad, leaf rules,
version counters, control flow, higher-order gradients, hooks, autograd.grad, Function."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

import glasstorch as gt
from oracle import both, needs_torch


def _np(t):
    return t.detach().numpy()


# ---- accumulation and retain_graph -----------------------------------------------------------
def test_grad_accumulates_across_backward_calls():
    x = gt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    grad = x.grad
    (x * 3).sum().backward()
    assert x.grad is grad, "accumulation keeps the .grad tensor's identity"
    np.testing.assert_allclose(_np(x.grad), [5.0, 7.0, 9.0])


def test_second_backward_without_retain_graph_raises():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(_np(x.grad), [4.0, 8.0])


def test_graph_without_saved_tensors_can_run_twice_like_torch():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    np.testing.assert_allclose(_np(x.grad), [2.0, 2.0])


def test_tensor_used_twice_gets_both_contributions():
    x = gt.tensor(3.0, requires_grad=True)
    a = x * 2
    y = a * a + a  # dy/dx = (2a + 1) * 2 = 26
    y.backward()
    assert float(x.grad) == 26.0


def test_nonscalar_backward_needs_gradient():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        (x * 2).backward()
    (x * 2).backward(gt.tensor([1.0, 0.5]))
    np.testing.assert_allclose(_np(x.grad), [2.0, 1.0])


def test_backward_of_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        gt.tensor(1.0).backward()


# ---- leaves, detach, no_grad -----------------------------------------------------------------
def test_leaf_rules_and_nonleaf_grad_warning():
    w = gt.tensor([1.0, 2.0], requires_grad=True)
    assert w.is_leaf and w.grad_fn is None
    v = w * 2
    assert not v.is_leaf and type(v.grad_fn).__name__ == "MulBackward0"
    v.sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert v.grad is None


def test_rebinding_outside_no_grad_makes_a_nonleaf_while_inplace_keeps_the_leaf():
    w = gt.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    before = id(w)
    with gt.no_grad():
        w -= 0.1 * w.grad
    assert id(w) == before and w.is_leaf and w.grad is not None
    w = w - 0.1 * w.grad
    assert id(w) != before and not w.is_leaf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert w.grad is None


def test_inplace_on_leaf_requiring_grad_raises_outside_no_grad():
    w = gt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match="a leaf Variable that requires grad is being used in an in-place operation",
    ):
        w += 1


def test_detach_shares_data_and_leaves_graph():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None
    d += 1  # shares memory with y: y sees it, and the version counter is shared
    np.testing.assert_allclose(_np(y), [3.0, 5.0])
    assert y._version == d._version == 1


def test_no_grad_records_nothing_and_restores():
    x = gt.tensor([1.0], requires_grad=True)
    with gt.no_grad():
        y = x * 2
        assert not gt.is_grad_enabled()
        with gt.enable_grad():
            z = x * 2
    assert gt.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad


def test_grad_mode_decorators_and_set_grad_enabled():
    x = gt.tensor([1.0], requires_grad=True)

    @gt.no_grad()
    def f():
        return x * 2

    @gt.inference_mode()
    def g():
        return x * 2

    assert not f().requires_grad and not g().requires_grad and gt.is_grad_enabled()
    with gt.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert gt.is_grad_enabled()
    gt.set_grad_enabled(False)
    assert not gt.is_grad_enabled()
    gt.set_grad_enabled(True)
    assert gt.is_grad_enabled()


def test_grad_mode_is_thread_local():
    seen = []
    with gt.no_grad():
        t = threading.Thread(target=lambda: seen.append(gt.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_requires_grad_only_for_floats_and_leaves():
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require"):
        gt.tensor([1, 2]).requires_grad_()
    y = gt.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)


# ---- version counters -------------------------------------------------------------------------
def test_modifying_a_saved_tensor_in_place_is_caught_at_backward():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1
    y = a * a
    a.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_inplace_on_nonleaf_is_differentiable_and_keeps_identity():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    a = x * 3
    ident = id(a)
    a += x  # a = 4x
    a *= 2  # a = 8x
    assert id(a) == ident and a._version == 2
    a.sum().backward()
    np.testing.assert_allclose(_np(x.grad), [8.0, 8.0])


def test_views_share_the_version_counter():
    x = gt.tensor([[1.0, 2.0], [3.0, 4.0]])
    v = x.reshape(4)
    v += 1
    assert x._version == 1
    np.testing.assert_allclose(_np(x), [[2.0, 3.0], [4.0, 5.0]])


# ---- control flow, deep graphs, higher order -------------------------------------------------
def test_python_control_flow_builds_the_graph_it_ran():
    x = gt.tensor(2.0, requires_grad=True)
    y = x
    steps = 0
    while y.item() < 100:
        y = y * y
        steps += 1
    y.backward()
    # y = x ** (2 ** steps)
    k = 2**steps
    assert float(x.grad) == pytest.approx(k * 2.0 ** (k - 1))


def test_deep_graph_does_not_hit_the_recursion_limit():
    x = gt.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(20000):
        y = y + 1e-4
    y.sum().backward()
    assert float(x.grad) == 1.0


def test_second_derivative_with_create_graph():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    y = (x**3).sum()
    (g,) = gt.autograd.grad(y, x, create_graph=True)
    np.testing.assert_allclose(_np(g), [3.0, 12.0])
    assert g.requires_grad
    (h,) = gt.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(_np(h), [6.0, 12.0])


def test_backward_create_graph_then_grad_of_grad():
    x = gt.tensor(3.0, requires_grad=True)
    y = x * x * x
    y.backward(create_graph=True)
    gx = x.grad
    assert gx.requires_grad
    x.grad = None
    gx.backward()
    assert float(x.grad) == 18.0


# ---- autograd.grad ----------------------------------------------------------------------------
def test_autograd_grad_leaves_dot_grad_alone():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    (g,) = gt.autograd.grad(y, [x])
    np.testing.assert_allclose(_np(g), [2.0, 4.0])
    assert x.grad is None


def test_autograd_grad_of_intermediate_and_unused():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    u = gt.tensor([1.0], requires_grad=True)
    a = x * 2
    y = (a * a).sum()
    ga, gu = gt.autograd.grad(y, [a, u], allow_unused=True)
    np.testing.assert_allclose(_np(ga), [4.0, 8.0])
    assert gu is None
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        gt.autograd.grad((x * 2).sum(), [u])


# ---- hooks, retain_grad -----------------------------------------------------------------------
def test_register_hook_sees_and_can_replace_the_gradient():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h = x.register_hook(lambda g: seen.append(_np(g).copy()))
    (x * 3).sum().backward()
    np.testing.assert_allclose(seen[0], [3.0, 3.0])
    h.remove()
    x.grad = None
    x.register_hook(lambda g: g * 0)
    (x * 3).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [0.0, 0.0])


def test_retain_grad_on_a_nonleaf():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    a.retain_grad()
    (a * a).sum().backward()
    np.testing.assert_allclose(_np(a.grad), [4.0, 8.0])
    np.testing.assert_allclose(_np(x.grad), [8.0, 16.0])


def test_gradients_given_to_two_leaves_are_not_aliased():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    y = gt.tensor([1.0, 2.0], requires_grad=True)
    (x + y).sum().backward()
    assert x.grad is not y.grad
    x.grad.zero_()
    np.testing.assert_allclose(_np(y.grad), [1.0, 1.0])


# ---- Function, gradcheck, anomaly -------------------------------------------------------------
class _Cube(gt.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


def test_custom_function():
    x = gt.tensor([1.0, 2.0], dtype=gt.float64, requires_grad=True)
    y = _Cube.apply(x)
    assert type(y.grad_fn).__name__ == "_CubeBackward"
    y.sum().backward()
    np.testing.assert_allclose(_np(x.grad), [3.0, 12.0])
    assert gt.autograd.gradcheck(_Cube.apply, (x,))


def test_gradcheck_catches_a_wrong_backward():
    class Wrong(gt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 3

    x = gt.tensor([1.0, 2.0], dtype=gt.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gt.autograd.gradcheck(Wrong.apply, (x,))


def test_detect_anomaly_names_the_op_that_made_nan():
    x = gt.tensor([0.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection"), gt.autograd.detect_anomaly():
        y = x / x  # 0/0: the gradient for the divisor is -0/0 = nan
        with pytest.raises(
            RuntimeError, match="Function 'DivBackward0' returned nan values in its 1th output"
        ):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                y.sum().backward()


# ---- against torch ----------------------------------------------------------------------------
@needs_torch
def test_error_messages_match_torch():
    def second_backward(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        try:
            y.backward()
        except RuntimeError as e:
            return str(e)

    def modified(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x * 1
        y = a * a
        a.mul_(2)
        try:
            y.sum().backward()
        except RuntimeError as e:
            return str(e)

    def leaf_inplace(lib):
        w = lib.tensor([1.0], requires_grad=True)
        try:
            w += 1
        except RuntimeError as e:
            return str(e)

    for fn in (second_backward, modified, leaf_inplace):
        ours, theirs = both(fn)
        assert ours == theirs, fn.__name__


@needs_torch
def test_grad_fn_names_match_torch():
    def names(lib):
        x = lib.ones(2, requires_grad=True)
        exprs = [
            x * 2,
            2 * x,
            x + 2,
            x - 2,
            2 - x,
            x / 2,
            x**2,
            2**x,
            x**x,
            x * x,
            -x,
            x.sum(),
            x.mean(),
            x.reshape(2, 1),
            x.expand(3, 2),
        ]
        return [type(e.grad_fn).__name__ for e in exprs]

    ours, theirs = both(names)
    assert ours == theirs


def _hook_order(lib):
    """The order in which backward reaches the tensors of a branching graph (tensor hooks)."""
    order = []
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b, c, d = x.exp(), x.sin(), a.cos()
    h = x * 1
    h[0:1].mul_(3)  # an in-place op on a view: h's node is a CopySlices
    y = ((b + c) + d + a.tanh() + h.sigmoid()).sum()
    for t, name in ((a, "a"), (b, "b"), (c, "c"), (d, "d"), (h, "h"), (x, "x")):
        t.register_hook(lambda g, name=name: order.append(name))
    y.backward()
    return order


def test_backward_visits_ready_nodes_in_torchs_order(torch):
    """Among nodes ready to run, the newest first (AccumulateGrad as soon as ready): the order
    hooks fire in, which stale tensor an error names, and the order gradients are summed in."""
    assert _hook_order(gt) == _hook_order(torch)


def test_gradgradcheck_with_several_inputs_of_different_shapes():
    """Inputs are found by position (``list.index`` would compare tensors with ``==``), and the
    first derivative is taken with grad mode on even inside gradcheck's finite differences."""
    a = gt.randn(3, 4, dtype=gt.float64, requires_grad=True)
    b = gt.randn(4, dtype=gt.float64, requires_grad=True)
    assert gt.autograd.gradgradcheck(lambda x, y: (x * y).sin().sum(1), (a, b))
    wrong = gt.autograd.gradgradcheck(
        lambda x, y: _WrongSecondDerivative.apply(x) + y.sum(), (a, b), raise_exception=False
    )
    assert wrong is False


class _WrongSecondDerivative(gt.autograd.Function):
    """x**3 summed, whose backward claims 3x² computed with a wrong constant for the 2nd order."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x ** 3).sum()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x.detach() ** 2 + 0 * x  # right value, but its own derivative is 0, not 6x
