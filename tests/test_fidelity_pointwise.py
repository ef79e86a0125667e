"""Regression tests for the elementwise mismatches issue 12's differential fuzz found, each
checked against the real torch (skipped without it): gradients torch has and we lacked (fmod),
results that must require grad and raise at backward (``//``), what a node keeps (``%``), NaN that
must not leak from an exponent 0, and grad_fn names the catalogue does not check.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import glasstorch as gt
from oracle import same_error


def _both(torch, fn, *arrays, grad=()):
    """Run ``fn(lib, *tensors)`` in both libraries on the same arrays; the tensors at the
    positions ``grad`` require grad. Returns ``(ours, theirs)`` as ``(result, inputs)`` pairs."""
    runs = []
    for lib in (gt, torch):
        ts = [lib.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrays)]
        runs.append((fn(lib, *ts), ts))
    return runs


def _np(t):
    return None if t is None else t.detach().numpy()


def _same(ours, theirs):
    np.testing.assert_allclose(_np(ours), _np(theirs), rtol=1e-6, atol=1e-7, equal_nan=True)


def test_fmod_gradient_flows_to_both_operands(torch):
    # issue 12 #1: x*2 + fmod(x, 1.5) has gradient 3 (glasstorch gave 2: fmod was a constant)
    x = np.array([1.0, 2.5], np.float32)
    b = np.array([1.5, 0.7], np.float32)
    (o, (ox,)), (t, (tx,)) = _both(torch, lambda L, x: (x * 2 + L.fmod(x, 1.5)).sum(), x,
                                   grad=(0,))
    o.backward()
    t.backward()
    _same(ox.grad, tx.grad)
    (o, (oa, ob)), (t, (ta, tb)) = _both(torch, lambda L, a, b: L.fmod(a, b), x, b, grad=(1,))
    assert o.requires_grad and t.requires_grad
    assert type(o.grad_fn).__name__ == type(t.grad_fn).__name__ == "FmodBackward1"
    o.sum().backward()
    t.sum().backward()
    _same(ob.grad, tb.grad)


@pytest.mark.parametrize("program", [
    lambda L, x: x // 2,
    lambda L, x: 3 // x,
    lambda L, x: L.floor_divide(x, x),
    lambda L, x: 2.0 % x,
])
def test_floor_divide_requires_grad_and_raises_at_backward(torch, program):
    x = np.array([1.0, 2.5], np.float32)
    (o, _), (t, _) = _both(torch, program, x, grad=(0,))
    assert o.requires_grad and t.requires_grad
    assert type(o.grad_fn).__name__ == type(t.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError) as theirs:
        t.sum().backward()
    with pytest.raises(RuntimeError) as ours:
        o.sum().backward()
    assert str(ours.value) == str(theirs.value)


def test_rounded_div_has_a_zero_gradient(torch):
    x, b = np.array([1.0, 2.5], np.float32), np.array([1.5, -0.7], np.float32)
    for mode in ("floor", "trunc"):
        (o, (oa, ob)), (t, (ta, tb)) = _both(
            torch, lambda L, a, b, m=mode: L.div(a, b, rounding_mode=m), x, b, grad=(0, 1))
        assert type(o.grad_fn).__name__ == type(t.grad_fn).__name__ == "DivBackward2"
        o.sum().backward()
        t.sum().backward()
        _same(oa.grad, ta.grad)
        _same(ob.grad, tb.grad)


@pytest.mark.parametrize("op", ["remainder", "fmod"])
def test_a_constant_divisor_may_change_in_place_after_use(torch, op):
    # torch keeps the operands only when the divisor's gradient is needed
    x, d = np.array([1.0, 2.5], np.float32), np.array([1.5, 0.7], np.float32)
    for lib in (gt, torch):
        xt, dt = lib.tensor(x, requires_grad=True), lib.tensor(d)
        y = getattr(lib, op)(xt, dt)
        dt.mul_(2)
        y.sum().backward()
        np.testing.assert_array_equal(xt.grad.numpy(), [1.0, 1.0])


def test_remainder_divisor_requiring_grad_is_version_checked(torch):
    x, d = np.array([1.0, 2.5], np.float32), np.array([1.5, 0.7], np.float32)
    for lib in (gt, torch):
        xt, dt = lib.tensor(x, requires_grad=True), lib.tensor(d, requires_grad=True)
        z = dt * 1
        y = xt % z
        z.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


_BASES = [0.0, -0.0, 2.0, -2.0, math.inf, math.nan]
_POWERS = [0.0, 1.0, 2.0, -1.0, -2.0, 0.5, -0.5, 3.0]


def test_pow_tensor_exponent_gradients_at_every_edge(torch):
    # issue 12 #5: (x ** tensor([0, 2])) at x = [0, 2] has gradient [0, 4], no NaN from 0 * inf
    base = np.repeat(np.array(_BASES, np.float64), len(_POWERS))
    power = np.tile(np.array(_POWERS, np.float64), len(_BASES))
    (o, (ox, oe)), (t, (tx, te)) = _both(torch, lambda L, x, e: x ** e, base, power, grad=(0, 1))
    o.sum().backward()
    t.sum().backward()
    _same(ox.grad, tx.grad)
    _same(oe.grad, te.grad)
    (o, (ox, _)), (t, (tx, _)) = _both(torch, lambda L, x, e: x ** e,
                                       np.array([0.0, 2.0], np.float32), np.array([0, 2]),
                                       grad=(0,))
    o.sum().backward()
    t.sum().backward()
    np.testing.assert_array_equal(ox.grad.numpy(), [0.0, 4.0])
    _same(ox.grad, tx.grad)


@pytest.mark.parametrize("p", _POWERS + [0, 2, -1])
def test_pow_number_exponent_gradients_at_every_edge(torch, p):
    base = np.array([b for b in _BASES if not (b == 0 and math.copysign(1, b) < 0 and p == 0.5)])
    (o, (ox,)), (t, (tx,)) = _both(torch, lambda L, x: x ** p, base, grad=(0,))
    o.sum().backward()
    t.sum().backward()
    _same(ox.grad, tx.grad)


@pytest.mark.parametrize("c", [0.0, 2.0, -2.0, 1.0, 0])
def test_pow_number_base_gradients_at_every_edge(torch, c):
    (o, (oe,)), (t, (te,)) = _both(torch, lambda L, e: c ** e, np.array(_POWERS), grad=(0,))
    o.sum().backward()
    t.sum().backward()
    _same(oe.grad, te.grad)


def test_integer_pow_with_negative_exponent_tensor(torch):
    # issue 12: [-2, 3] ** [-2, 3] is [0, 27] in torch; a number exponent is still refused
    a = np.array([-2, 3])
    (o, _), (t, _) = _both(torch, lambda L, a: a ** a, a)
    np.testing.assert_array_equal(o.numpy(), t.numpy())
    (o, _), (t, _) = _both(torch, lambda L, a: a.clone().pow_(a), a)
    np.testing.assert_array_equal(o.numpy(), t.numpy())
    for lib in (gt, torch):
        with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
            lib.tensor(3) ** -1


def test_grad_fn_names_of_sgn_and_copy_of_a_number(torch):
    x = np.array([1.5, -2.0, 0.0], np.float32)
    (o, (ox,)), (t, (tx,)) = _both(torch, lambda L, x: L.sgn(x), x, grad=(0,))
    assert type(o.grad_fn).__name__ == type(t.grad_fn).__name__ == "SgnBackward0"
    o.sum().backward()
    np.testing.assert_array_equal(ox.grad.numpy(), [0.0, 0.0, 0.0])
    (o, (ox,)), (t, (tx,)) = _both(torch, lambda L, x: (x * 2).copy_(3), x, grad=(0,))
    assert type(o.grad_fn).__name__ == type(t.grad_fn).__name__ == "CopyBackwards"
    o.sum().backward()
    t.sum().backward()
    _same(ox.grad, tx.grad)


def test_heaviside_requires_grad_and_raises_at_backward(torch):
    x, v = np.array([-1.0, 0.0, 2.0], np.float32), np.array([0.5], np.float32)
    (o, _), (t, _) = _both(torch, lambda L, x, v: L.heaviside(x, v), x, v, grad=(0,))
    assert type(o.grad_fn).__name__ == type(t.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::heaviside is not implemented"):
        o.sum().backward()


def test_fill_converts_numbers_as_torch_does(torch):
    # a number that fits (wrapping into uint8 from down to -255) is written; one that does not is
    # refused as torch refuses it, not with NumPy's OverflowError
    for dtype, value in (("uint8", -1), ("int8", -1.5), ("int64", 2.5), ("bool", math.nan),
                         ("float16", math.inf)):
        outs = [lib.zeros(2, dtype=getattr(lib, dtype)).fill_(value) for lib in (gt, torch)]
        np.testing.assert_array_equal(outs[0].numpy(), outs[1].numpy())
    for dtype, value in (("uint8", -1.5), ("int32", 2.0 ** 31), ("float16", 1e5)):
        for lib in (gt, torch):
            with pytest.raises(RuntimeError, match="without overflow"):
                lib.zeros(2, dtype=getattr(lib, dtype)).fill_(value)


def test_relu_backward_gives_exact_zero_where_input_was_not_positive(torch):
    # an inf gradient reaching a clipped element must give 0 there, not inf * 0 = NaN
    x = np.array([-1.0, 0.0, 2.0, -0.0], np.float32)
    (o, (ox,)), (t, (tx,)) = _both(torch, lambda L, x: (L.relu(x) / 0).sum(), x, grad=(0,))
    o.backward()
    t.backward()
    np.testing.assert_array_equal(ox.grad.numpy(), tx.grad.numpy())
    assert not np.signbit(ox.grad.numpy()[[0, 1, 3]]).any()


@pytest.mark.parametrize("shapes", [((2,), (1, 0, 3, 3)), ((1, 0, 3, 3), (2,)), ((1,), (2,))])
def test_bool_pow_reports_shapes_before_the_dtype(torch, shapes):
    """Fuzz seed 46752: bool ** bool whose shapes do not broadcast is torch's size error first."""
    a, b = shapes

    def run(lib):
        return lib.zeros(a, dtype=lib.bool) ** lib.ones(b, dtype=lib.bool)

    same_error(run)

