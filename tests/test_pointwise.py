"""Properties of the pointwise family beyond the catalogue: broadcasting (hypothesis), in-place
identity and versions, grad_fn names, second-order gradients, and the Python protocol details
(operators, hashing, warnings) that the catalogue's one-line calls do not reach."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import glasstorch as gt
from oracle import assert_same, needs_torch, torch

# ---- broadcasting ------------------------------------------------------------------------------
BINARY = {
    "add": lambda lib, a, b: a + b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "fmin": lambda lib, a, b: lib.fmin(a, b),
    "atan2": lambda lib, a, b: lib.atan2(a, b),
    "xlogy": lambda lib, a, b: lib.xlogy(a, b),
    "lerp": lambda lib, a, b: lib.lerp(a, b, 0.3),
    "where": lambda lib, a, b: lib.where(a > b, a, b),
    "clamp": lambda lib, a, b: lib.clamp(a, min=b),
}

_shape_pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3)


def _pair(shapes, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 2.0, size=shapes.input_shapes[0]).astype(np.float32)
    b = rng.uniform(0.5, 2.0, size=shapes.input_shapes[1]).astype(np.float32)
    return a, b


@pytest.mark.parametrize("name", list(BINARY))
@settings(max_examples=25, deadline=None)
@given(shapes=_shape_pairs, seed=st.integers(0, 2**16))
def test_broadcast_shape_and_gradient_shapes(name, shapes, seed):
    a, b = _pair(shapes, seed)
    x = gt.tensor(a, requires_grad=True)
    y = gt.tensor(b, requires_grad=True)
    out = BINARY[name](gt, x, y)
    assert tuple(out.shape) == np.broadcast_shapes(a.shape, b.shape)
    out.backward(gt.ones(*out.shape) if out.dim() else gt.tensor(1.0))
    assert tuple(x.grad.shape) == a.shape and x.grad.dtype == gt.float32
    assert tuple(y.grad.shape) == b.shape and y.grad.dtype == gt.float32


@needs_torch
@pytest.mark.parametrize("name", list(BINARY))
@settings(max_examples=15, deadline=None)
@given(shapes=_shape_pairs, seed=st.integers(0, 2**16))
def test_broadcast_values_and_gradients_match_torch(name, shapes, seed):
    a, b = _pair(shapes, seed)
    ours = [gt.tensor(a, requires_grad=True), gt.tensor(b, requires_grad=True)]
    theirs = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
    o, t = BINARY[name](gt, *ours), BINARY[name](torch, *theirs)
    assert_same(o, t, msg=name)
    g = np.random.default_rng(seed).uniform(-1, 1, size=tuple(t.shape)).astype(np.float32)
    o.backward(gt.tensor(g))
    t.backward(torch.tensor(g))
    for p, q in zip(ours, theirs):
        assert_same(p.grad, q.grad, msg=f"{name} grad")


@settings(max_examples=30, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3),
       seed=st.integers(0, 2**16))
def test_three_way_broadcast_where_and_clamp(shapes, seed):
    rng = np.random.default_rng(seed)
    c, a, b = (rng.uniform(-1, 1, size=s).astype(np.float32) for s in shapes.input_shapes)
    expected = np.broadcast_shapes(*shapes.input_shapes)
    out = gt.where(gt.tensor(c) > 0, gt.tensor(a), gt.tensor(b))
    np.testing.assert_array_equal(out.numpy(), np.where(c > 0, a, b))
    lo, hi = gt.tensor(np.minimum(a, b)), gt.tensor(np.maximum(a, b))
    x = gt.tensor(c, requires_grad=True)
    clamped = gt.clamp(x, lo, hi)
    assert tuple(clamped.shape) == expected
    clamped.sum().backward()
    assert tuple(x.grad.shape) == c.shape


def test_shape_mismatch_names_the_dimension():
    with pytest.raises(RuntimeError, match=r"tensor a \(3\) must match .* tensor b \(2\) at "
                                           r"non-singleton dimension 1"):
        gt.maximum(gt.ones(2, 3), gt.ones(3, 2))


# ---- in place: same object, version bumped ------------------------------------------------------
INPLACE = [
    ("abs_", ()), ("exp_", ()), ("exp2_", ()), ("expm1_", ()), ("log_", ()), ("log2_", ()),
    ("log10_", ()), ("log1p_", ()), ("sqrt_", ()), ("rsqrt_", ()), ("square_", ()),
    ("sin_", ()), ("cos_", ()), ("tan_", ()), ("asin_", ()), ("acos_", ()), ("atan_", ()),
    ("sinh_", ()), ("cosh_", ()), ("tanh_", ()), ("sigmoid_", ()), ("relu_", ()),
    ("reciprocal_", ()), ("sign_", ()), ("floor_", ()), ("ceil_", ()), ("round_", ()),
    ("trunc_", ()), ("frac_", ()), ("erf_", ()), ("nan_to_num_", ()), ("clamp_", (0.2, 0.6)),
    ("clip_", (None, 0.5)), ("clamp_min_", (0.3,)), ("clamp_max_", (0.3,)),
    ("lerp_", ("end", 0.5)), ("atan2_", ("end",)), ("xlogy_", ("end",)),
]


def _args(args, like):
    return tuple(gt.full_like(like, 0.7) if a == "end" else a for a in args)


@pytest.mark.parametrize("name,args", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_keeps_identity_and_bumps_version(name, args):
    x = gt.tensor([[0.2, 0.5, 0.9]])
    expected = getattr(x, name[:-1])(*_args(args, x)).numpy().copy()
    before, version = id(x), x._version
    res = getattr(x, name)(*_args(args, x))
    assert res is x and id(x) == before
    assert x._version == version + 1
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-6)


@needs_torch
@pytest.mark.parametrize("name,args", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_in_graph_matches_torch(name, args):
    results = []
    for lib in (gt, torch):
        leaf = lib.tensor([[0.2, 0.5, 0.9]], requires_grad=True)
        x = leaf * 1
        more = tuple(lib.full_like(x, 0.7) if a == "end" else a for a in args)
        out = getattr(x, name)(*more)
        assert out is x
        x.backward(lib.tensor([[1.0, -2.0, 0.5]]))
        results.append((type(x.grad_fn).__name__, x, leaf.grad))
    (gn, gx, gg), (tn, tx, tg) = results
    assert gn == tn
    assert_same(gx, tx, msg=name)
    assert_same(gg, tg, msg=name)


def test_inplace_on_a_view_bumps_the_shared_version():
    base = gt.tensor([[1.0, 2.0], [3.0, 4.0]])
    row = base[0]
    row.exp_()
    assert base._version == row._version == 1
    np.testing.assert_allclose(base.numpy()[0], np.exp([1.0, 2.0]), rtol=1e-6)


def test_inplace_on_a_zero_dim_result():
    a = gt.tensor(2.0) * 3  # arithmetic on 0-d tensors may hold a NumPy scalar
    a.clamp_(0, 1).exp_()
    assert a.dim() == 0 and abs(a.item() - np.e) < 1e-6


def test_inplace_on_leaf_requiring_grad_is_refused():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an "
                                           "in-place operation"):
        x.clamp_(0, 1)
    with gt.no_grad():
        x.clamp_(0, 1.5)  # allowed without recording
    assert x.tolist() == [1.0, 1.5] and x.grad_fn is None


def test_inplace_after_save_is_detected_in_backward():
    x = gt.tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()  # saves its output
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_bitwise_inplace_operators_keep_identity():
    m = gt.tensor([True, False, True])
    before = id(m)
    m &= gt.tensor([True, True, False])
    m |= gt.tensor([False, True, False])
    m ^= gt.tensor([True, False, False])
    assert id(m) == before and m.tolist() == [False, True, False] and m._version == 3


# ---- grad_fn names, second order, non-differentiable results ----------------------------------
GRAD_FN = {
    "exp": lambda lib, a, b: lib.exp(a), "log": lambda lib, a, b: lib.log(a),
    "log1p": lambda lib, a, b: a.log1p(), "sqrt": lambda lib, a, b: a.sqrt(),
    "rsqrt": lambda lib, a, b: a.rsqrt(), "square": lambda lib, a, b: lib.square(a),
    "sigmoid": lambda lib, a, b: lib.sigmoid(a), "relu": lambda lib, a, b: lib.relu(a),
    "tanh": lambda lib, a, b: a.tanh(), "abs": lambda lib, a, b: abs(a),
    "round": lambda lib, a, b: lib.round(a), "round-dec": lambda lib, a, b: a.round(decimals=1),
    "clamp": lambda lib, a, b: a.clamp(0, 1), "clamp-min": lambda lib, a, b: a.clamp(min=0),
    "clamp-t": lambda lib, a, b: a.clamp(b, b + 1), "clamp-t-min": lambda lib, a, b: a.clamp(b),
    "clamp_min": lambda lib, a, b: a.clamp_min(0.5),
    "clamp_min-t": lambda lib, a, b: a.clamp_min(b),
    "clamp_max": lambda lib, a, b: a.clamp_max(0.5),
    "clamp_max-t": lambda lib, a, b: a.clamp_max(b),
    "maximum": lambda lib, a, b: lib.maximum(a, b), "fmax": lambda lib, a, b: lib.fmax(a, b),
    "where": lambda lib, a, b: lib.where(a > b, a, b), "lerp": lambda lib, a, b: a.lerp(b, 0.5),
    "lerp-t": lambda lib, a, b: a.lerp(b, b), "xlogy": lambda lib, a, b: lib.xlogy(a, b),
    "xlogy-n": lambda lib, a, b: lib.xlogy(a, 2.0), "xlogy-s": lambda lib, a, b: lib.xlogy(2.0, b),
    "atan2": lambda lib, a, b: lib.atan2(a, b), "nan_to_num": lambda lib, a, b: a.nan_to_num(),
}


@needs_torch
@pytest.mark.parametrize("name", list(GRAD_FN))
def test_grad_fn_name_and_links_match_torch(name):
    made = []
    for lib in (gt, torch):
        a = lib.tensor([0.3, 1.7, 2.2], requires_grad=True)
        b = lib.tensor([1.0, 1.0, 2.5], requires_grad=True)
        made.append(GRAD_FN[name](lib, a, b).grad_fn)
    ours, theirs = made
    assert type(ours).__name__ == type(theirs).__name__
    assert [fn is None for fn, _ in ours.next_functions] == [
        fn is None for fn, _ in theirs.next_functions
    ]


SECOND_ORDER = ["exp", "log", "sqrt", "sigmoid", "tanh", "abs", "clamp", "clamp-t", "maximum",
                "where", "lerp-t", "xlogy", "atan2", "relu"]


@needs_torch
@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_order_gradients_match_torch(name):
    grads = []
    for lib in (gt, torch):
        a = lib.tensor(np.array([0.3, 1.7, 2.2]), requires_grad=True)  # float64
        b = lib.tensor(np.array([1.0, 1.2, 2.5]), requires_grad=True)
        out = GRAD_FN[name](lib, a * a, b * b).sum()
        (ga,) = lib.autograd.grad(out, a, create_graph=True)
        (gga,) = lib.autograd.grad(ga.sum(), a, allow_unused=True)
        grads.append((ga, gga))
    assert_same(grads[0][0], grads[1][0], msg=name)
    if grads[1][1] is None:
        assert grads[0][1] is None or not grads[0][1].numpy().any()
    else:
        assert_same(grads[0][1], grads[1][1], msg=name)


@pytest.mark.parametrize("fn", [
    lambda a: a == a, lambda a: a < 1, lambda a: a.ge(a), lambda a: gt.isnan(a),
    lambda a: gt.isclose(a, a), lambda a: gt.logical_not(a), lambda a: a.isfinite(),
    lambda a: gt.where(a > 1), lambda a: (a > 0) & (a < 2),
])
def test_comparisons_and_masks_carry_no_graph(fn):
    a = gt.tensor([0.5, 1.5], requires_grad=True)
    out = fn(a)
    for t in out if isinstance(out, tuple) else (out,):
        assert t.grad_fn is None and not t.requires_grad


def test_ops_under_no_grad_record_nothing():
    a = gt.tensor([0.5, 1.5], requires_grad=True)
    with gt.no_grad():
        outs = [a.exp(), a.clamp(0, 1), gt.maximum(a, a), gt.where(a > 1, a, 0.0), a.sigmoid()]
    assert all(o.grad_fn is None and not o.requires_grad for o in outs)


# ---- Python protocol details -------------------------------------------------------------------
def test_tensors_stay_hashable_by_identity():
    a, b = gt.tensor([1.0]), gt.tensor([1.0])
    seen = {a: "a", b: "b"}
    assert seen[a] == "a" and seen[b] == "b" and len({a, b, a}) == 2


def test_equality_with_non_numbers_is_python_identity():
    a = gt.tensor([1.0, 2.0])
    assert (a == None) is False and (a != None) is True  # noqa: E711
    assert (a == "text") is False
    assert a in [a] and (a == [1.0, 2.0]) is False
    with pytest.raises(TypeError, match="'<' not supported"):
        a < "text"  # noqa: B015


def test_out_argument_is_written_and_returned():
    a = gt.tensor([0.0, 1.0])
    out = gt.empty(2) if hasattr(gt, "empty") else gt.zeros(2)
    res = gt.exp(a, out=out)
    assert res is out and np.allclose(out.numpy(), np.exp([0.0, 1.0]))
    mask = gt.zeros(2, dtype=gt.bool)
    assert gt.lt(a, 0.5, out=mask) is mask and mask.tolist() == [True, False]


def test_domain_edges_give_inf_and_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = gt.tensor([-1.0, 0.0, 1e30])
        big = gt.tensor([np.inf, -np.inf, np.inf])
        vals = [gt.log(x), gt.sqrt(x), gt.rsqrt(x), x.reciprocal(), gt.exp(x), gt.sigmoid(-x),
                gt.xlogy(x, x), gt.log1p(x - 1), gt.isclose(big, -big)]
    assert np.isnan(vals[0].numpy()[0]) and vals[0].numpy()[1] == -np.inf
    assert vals[2].numpy()[1] == np.inf and vals[4].numpy()[2] == np.inf
    assert vals[5].numpy()[2] == 0.0


def test_zero_dim_results_hold_arrays():
    for out in (gt.exp(gt.tensor(1.0)), gt.tensor(2.0).clamp(0, 1), gt.tensor(1.0) < 2,
                gt.maximum(gt.tensor(1.0), gt.tensor(2.0)), gt.where(gt.tensor(True), 1.0, 2.0)):
        assert isinstance(out._data, np.ndarray) and out.dim() == 0


def test_int_tensor_stays_int_where_torch_keeps_it():
    i = gt.tensor([-2, 0, 3])
    assert [abs(i).dtype, i.sign().dtype, i.relu().dtype, i.floor().dtype, i.clamp(0, 2).dtype,
            gt.square(i).dtype] == [gt.int64] * 6
    assert [i.exp().dtype, i.sigmoid().dtype, i.sqrt().dtype] == [gt.float32] * 3
    gt.set_default_dtype(gt.float64)
    try:
        assert i.exp().dtype == gt.float64
    finally:
        gt.set_default_dtype(gt.float32)


# ---- dtype grid: every dtype (pair) against torch's result dtype, values or exception type -----
DTYPES = ["float16", "float32", "float64", "int64", "int32", "uint8", "bool"]
UNARY = ["abs", "exp", "expm1", "log", "log1p", "sqrt", "rsqrt", "square", "sin", "tan", "asin",
         "atan", "tanh", "sigmoid", "relu", "reciprocal", "sign", "floor", "round", "trunc", "frac",
         "erf", "nan_to_num", "isnan", "isfinite", "logical_not", "bitwise_not"]
PAIRS = {
    "maximum": lambda L, a, b: L.maximum(a, b), "fmin": lambda L, a, b: L.fmin(a, b),
    "atan2": lambda L, a, b: L.atan2(a, b), "xlogy": lambda L, a, b: L.xlogy(a, b),
    "lt": lambda L, a, b: a < b, "eq": lambda L, a, b: L.eq(a, b),
    "logical_xor": lambda L, a, b: L.logical_xor(a, b), "and": lambda L, a, b: a & b,
    "where": lambda L, a, b: L.where(a > 0, a, b), "clamp": lambda L, a, b: L.clamp(a, b, b),
    "clamp_min": lambda L, a, b: L.clamp_min(a, b), "isclose": lambda L, a, b: L.isclose(a, b),
    "lerp": lambda L, a, b: L.lerp(a, a, b),
}


def _grid_array(dt, shape, seed):
    rng = np.random.default_rng(seed)
    if dt == "bool":
        return rng.random(shape) > 0.5
    if dt.startswith(("int", "uint")):
        return rng.integers(0 if dt == "uint8" else -3, 4, size=shape).astype(dt)
    return rng.uniform(0.1, 0.9, size=shape).astype(dt)


def _same_outcome(fn, arrays):
    try:
        theirs, their_err = fn(torch, *[torch.from_numpy(a.copy()) for a in arrays]), None
    except Exception as e:  # noqa: BLE001 - the exception type itself is compared
        theirs, their_err = None, e
    if their_err is not None:
        with pytest.raises(type(their_err)):
            fn(gt, *[gt.tensor(a.copy()) for a in arrays])
        return
    assert_same(fn(gt, *[gt.tensor(a.copy()) for a in arrays]), theirs, rtol=2e-3, atol=2e-3)


@needs_torch
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("name", UNARY)
def test_unary_dtype_grid_matches_torch(name, dt):
    _same_outcome(lambda L, a: getattr(L, name)(a), [_grid_array(dt, (2, 3), 0)])


@needs_torch
@pytest.mark.parametrize("dt2", DTYPES)
@pytest.mark.parametrize("dt1", DTYPES)
@pytest.mark.parametrize("name", list(PAIRS))
def test_binary_dtype_grid_matches_torch(name, dt1, dt2):
    _same_outcome(PAIRS[name], [_grid_array(dt1, (2, 3), 1), _grid_array(dt2, (3,), 2)])


SCALAR_OPS = {
    "eq": lambda L, a, s: a == s, "lt-left": lambda L, a, s: s < a,
    "and": lambda L, a, s: a & s, "clamp": lambda L, a, s: L.clamp(a, s),
    "clamp_max": lambda L, a, s: a.clamp(max=s), "where": lambda L, a, s: L.where(a > 0, a, s),
    "where-both": lambda L, a, s: L.where(a > 0, s, 0), "xlogy": lambda L, a, s: L.xlogy(a, s),
    "xlogy-left": lambda L, a, s: L.xlogy(s, a), "lerp": lambda L, a, s: L.lerp(a, a, s),
}


@needs_torch
@pytest.mark.parametrize("scalar", [2, 2.5, True, -1])
@pytest.mark.parametrize("dt", [d for d in DTYPES if d != "uint8"])
@pytest.mark.parametrize("name", list(SCALAR_OPS))
def test_scalar_operand_grid_matches_torch(name, dt, scalar):
    fn = SCALAR_OPS[name]
    _same_outcome(lambda L, a: fn(L, a, scalar), [_grid_array(dt, (2, 3), 3)])


@needs_torch
@pytest.mark.parametrize("dt2", ["float32", "float64", "int64"])
@pytest.mark.parametrize("dt1", ["float32", "float64"])
@pytest.mark.parametrize("name", ["maximum", "fmin", "atan2", "xlogy", "where", "clamp"])
def test_mixed_dtype_gradients_match_torch(name, dt1, dt2):
    a, b = _grid_array(dt1, (2, 3), 4), _grid_array(dt2, (3,), 5)
    grads = []
    for lib, make in ((gt, gt.tensor), (torch, torch.from_numpy)):
        x, y = make(a.copy()), make(b.copy())
        x.requires_grad_(True)
        if dt2 != "int64":
            y.requires_grad_(True)
        out = PAIRS[name](lib, x, y)
        out.backward(lib.ones_like(out))
        grads.append((x.grad, y.grad))
    (gx, gy), (tx, ty) = grads
    assert_same(gx, tx, msg=name)
    assert (gy is None) == (ty is None)
    if ty is not None:
        assert_same(gy, ty, msg=name)


# ---- arithmetic errors ---------------------------------------------------------------------------
def test_arithmetic_shape_mismatch_is_torch_runtime_error():
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        gt.ones(2, 3) + gt.ones(3, 2)


def test_bool_minus_anything_is_refused():
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with a bool tensor"):
        gt.tensor([True, False]) - 1
