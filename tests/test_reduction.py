"""Reductions and matrix products beyond the catalogue: hypothesis properties against NumPy (values,
keepdim shapes, gradient shapes over random shapes and dim lists), gradient splitting between ties
against torch, grad_fn names, the named-tuple results, and second derivatives."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glasstorch as gt
from oracle import assert_same, needs_torch, torch

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def array_and_dims(draw, min_side=0, max_dims=4):
    """A float64 array of random shape (0-d included) and a random dim argument for it: None,
    an int (maybe negative), or a tuple/list of distinct dims (maybe empty)."""
    shape = tuple(draw(st.lists(st.integers(min_side, 4), min_size=0, max_size=max_dims)))
    seed = draw(st.integers(0, 2**31 - 1))
    arr = np.random.default_rng(seed).uniform(-2, 2, size=shape)
    nd = len(shape)
    if nd == 0:
        dim = draw(st.sampled_from([None, 0, -1]))
    else:
        kind = draw(st.sampled_from(["none", "int", "seq"]))
        if kind == "none":
            dim = None
        elif kind == "int":
            dim = draw(st.integers(-nd, nd - 1))
        else:
            dims = draw(st.lists(st.integers(0, nd - 1), unique=True, max_size=nd))
            dims = [d - nd if draw(st.booleans()) else d for d in dims]
            dim = tuple(dims) if draw(st.booleans()) else list(dims)
    return arr, dim


def _np_axes(dim, nd):
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        return None
    if nd == 0:
        return ()
    return tuple(d % nd for d in dim) if isinstance(dim, (list, tuple)) else (dim % nd,)


def _reference_shape(shape, axes, keepdim):
    axes = range(len(shape)) if axes is None else axes
    if keepdim:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


# ---- properties against NumPy -------------------------------------------------------------------
@SETTINGS
@given(array_and_dims(), st.booleans())
def test_sum_mean_match_numpy(case, keepdim):
    arr, dim = case
    axes = _np_axes(dim, arr.ndim)
    x = gt.tensor(arr, requires_grad=True)
    for name, ref in (("sum", np.sum), ("mean", np.mean)):
        out = getattr(x, name)(dim, keepdim=keepdim)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = ref(arr, axis=axes, keepdims=keepdim)
        assert out.shape == _reference_shape(arr.shape, axes, keepdim)
        np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, equal_nan=True)
        (g,) = gt.autograd.grad(out, x, gt.ones_like(out))
        assert g.shape == x.shape and g.dtype == x.dtype


@SETTINGS
@given(array_and_dims(min_side=1), st.booleans())
def test_selecting_and_statistical_reductions_match_numpy(case, keepdim):
    arr, dim = case
    axes = _np_axes(dim, arr.ndim)
    x = gt.tensor(arr, requires_grad=True)
    nd_dim = dim if dim is not None else ()
    outs = {
        "amax": (x.amax(nd_dim, keepdim), np.amax(arr, axis=axes, keepdims=keepdim)),
        "amin": (x.amin(nd_dim, keepdim), np.amin(arr, axis=axes, keepdims=keepdim)),
        "logsumexp": (
            x.logsumexp(dim if dim is not None else tuple(range(arr.ndim)), keepdim),
            np.log(np.sum(np.exp(arr), axis=axes, keepdims=keepdim)),
        ),
        "norm": (
            gt.linalg.vector_norm(x, 2, dim, keepdim),
            np.sqrt(np.sum(arr**2, axis=axes, keepdims=keepdim)),
        ),
    }
    n = arr.size if axes is None else int(np.prod([arr.shape[a] for a in axes]))
    if n > 1:
        for name, ref in (("var", np.var), ("std", np.std)):
            outs[name] = (getattr(x, name)(dim, keepdim=keepdim),
                          ref(arr, axis=axes, ddof=1, keepdims=keepdim))
    for name, (out, expected) in outs.items():
        assert out.shape == _reference_shape(arr.shape, axes, keepdim), name
        np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-10, err_msg=name)
        (g,) = gt.autograd.grad(out, x, gt.ones_like(out))
        assert g.shape == x.shape, name


@SETTINGS
@given(array_and_dims(), st.booleans())
def test_logical_and_counting_reductions_match_numpy(case, keepdim):
    arr, dim = case
    arr = np.where(arr > 0.5, arr, 0.0)
    axes = _np_axes(dim, arr.ndim)
    x = gt.tensor(arr)
    got_all = x.all(dim, keepdim) if dim is not None else x.all()
    got_any = x.any(dim, keepdim) if dim is not None else x.any()
    if isinstance(dim, (list, tuple)) and not dim:  # all/any over no dims reduce nothing
        axes = ()
    np.testing.assert_array_equal(got_all.numpy(), np.all(arr != 0, axis=axes, keepdims=keepdim))
    np.testing.assert_array_equal(got_any.numpy(), np.any(arr != 0, axis=axes, keepdims=keepdim))
    axes = _np_axes(dim, arr.ndim)
    assert got_all.dtype == gt.bool
    count = x.count_nonzero(dim)
    assert count.dtype == gt.int64
    np.testing.assert_array_equal(count.numpy(), np.count_nonzero(arr, axis=axes))


@SETTINGS
@given(array_and_dims(min_side=1), st.booleans())
def test_dim_forms_of_max_min_argmax_agree_with_numpy(case, keepdim):
    arr, dim = case
    if not isinstance(dim, int):
        dim = 0 if arr.ndim else None
    x = gt.tensor(arr, requires_grad=True)
    if dim is None:  # 0-d input
        assert x.max().item() == arr.item()
        return
    ax = dim % arr.ndim if arr.ndim else None
    values, indices = x.max(dim, keepdim)
    np.testing.assert_array_equal(values.detach().numpy(), np.max(arr, axis=ax, keepdims=keepdim))
    np.testing.assert_array_equal(indices.numpy(), np.argmax(arr, axis=ax, keepdims=keepdim))
    assert indices.dtype == gt.int64 and not indices.requires_grad
    mins = x.min(dim=dim, keepdim=keepdim)
    np.testing.assert_array_equal(mins.values.detach().numpy(),
                                  np.min(arr, axis=ax, keepdims=keepdim))
    np.testing.assert_array_equal(x.argmin(dim, keepdim).numpy(),
                                  np.argmin(arr, axis=ax, keepdims=keepdim))
    (g,) = gt.autograd.grad(values.sum(), x)
    assert g.shape == x.shape and g.sum().item() == pytest.approx(values.numel())


@SETTINGS
@given(array_and_dims(min_side=0, max_dims=3))
def test_cumulative_ops_match_numpy(case):
    arr, dim = case
    if not isinstance(dim, int):
        dim = 0
    ax = dim % arr.ndim if arr.ndim else None
    x = gt.tensor(arr, requires_grad=True)
    cs, cp = x.cumsum(dim), x.cumprod(dim)
    assert cs.shape == x.shape and cp.shape == x.shape
    np.testing.assert_allclose(cs.detach().numpy(), np.cumsum(arr, axis=ax).reshape(arr.shape))
    np.testing.assert_allclose(cp.detach().numpy(), np.cumprod(arr, axis=ax).reshape(arr.shape))
    (g,) = gt.autograd.grad((cs + cp).sum(), x)
    assert g.shape == x.shape


@SETTINGS
@given(st.lists(st.integers(1, 3), min_size=0, max_size=2), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.sampled_from(["mat", "vec_left", "vec_right", "vec_both"]),
       st.integers(0, 1000))
def test_matmul_matches_numpy_in_every_form(batch, n, k, m, form, seed):
    rng = np.random.default_rng(seed)
    a_shape = (k,) if form in ("vec_left", "vec_both") else (*batch, n, k)
    b_shape = (k,) if form in ("vec_right", "vec_both") else (k, m) if not batch else (
        *batch[1:], k, m)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    ta, tb = gt.tensor(a, requires_grad=True), gt.tensor(b, requires_grad=True)
    out = ta @ tb
    expected = np.matmul(a, b)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    ga, gb = gt.autograd.grad(out.sum(), (ta, tb))
    assert ga.shape == ta.shape and gb.shape == tb.shape


# ---- ties and gradients against torch -----------------------------------------------------------
TIES = np.array([[1.0, 3.0, 3.0, 0.5], [2.0, 2.0, -1.0, 2.0], [0.0, 0.0, 0.0, 0.0]])

TIE_CASES = {
    "max": lambda L, x: x.max(),
    "min": lambda L, x: x.min(),
    "max_dim1": lambda L, x: x.max(1).values,
    "max_dim0_keepdim": lambda L, x: x.max(0, keepdim=True)[0],
    "min_dim1": lambda L, x: x.min(1)[0],
    "amax_dim1": lambda L, x: x.amax(1),
    "amax_all": lambda L, x: x.amax((0, 1)),
    "amin_dim0": lambda L, x: x.amin(0),
    "median": lambda L, x: x.median(),
    "median_dim": lambda L, x: x.median(1).values,
    "norm_inf": lambda L, x: L.linalg.vector_norm(x, math.inf, dim=1),
    "matrix_norm_1": lambda L, x: L.linalg.matrix_norm(x, 1),
}


@needs_torch
@pytest.mark.parametrize("name", list(TIE_CASES))
def test_tied_gradients_split_as_torch(name):
    fn = TIE_CASES[name]
    ours = gt.tensor(TIES, requires_grad=True)
    theirs = torch.tensor(TIES, requires_grad=True)
    out_ours, out_theirs = fn(gt, ours), fn(torch, theirs)
    assert_same(out_ours, out_theirs, msg=name)
    rng = np.random.default_rng(3)
    g = rng.uniform(0.5, 1.5, size=tuple(out_theirs.shape))
    out_ours.backward(gt.tensor(g))
    out_theirs.backward(torch.tensor(g))
    assert_same(ours.grad, theirs.grad, msg=name)
    assert out_ours.grad_fn.name() == out_theirs.grad_fn.name()


NANS = np.array([[1.0, math.nan, 3.0, -math.inf], [2.0, 2.0, math.inf, 0.0],
                 [math.nan, math.nan, 1.0, 1.0]])


@needs_torch
@pytest.mark.parametrize("name", ["max", "min", "max_dim1", "min_dim1", "amax_dim1", "amin_dim0",
                                  "max_dim0_keepdim", "median_dim", "amax_all"])
def test_nan_and_inf_gradients_as_torch(name):
    fn = TIE_CASES[name]
    ours = gt.tensor(NANS, requires_grad=True)
    theirs = torch.tensor(NANS, requires_grad=True)
    out_ours, out_theirs = fn(gt, ours), fn(torch, theirs)
    assert_same(out_ours, out_theirs, msg=name)
    out_ours.sum().backward()
    out_theirs.sum().backward()
    assert_same(ours.grad, theirs.grad, msg=name)


def test_full_max_splits_evenly_and_dim_max_picks_the_index():
    x = gt.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 3.0]], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 1 / 3, 1 / 3], [0, 0, 1 / 3]])
    x.grad = None
    x.max(1).values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [0, 0, 1]])


# ---- grad_fn names ------------------------------------------------------------------------------
NAMED = {
    "sum": lambda L, x, m: x.sum(), "sum_dim": lambda L, x, m: x.sum(1),
    "mean": lambda L, x, m: x.mean(), "mean_dim": lambda L, x, m: x.mean(0),
    "prod": lambda L, x, m: x.prod(), "prod_dim": lambda L, x, m: x.prod(1),
    "max": lambda L, x, m: x.max(), "max_dim": lambda L, x, m: x.max(1)[0],
    "amax": lambda L, x, m: x.amax(1), "amin": lambda L, x, m: x.amin(0),
    "cumsum": lambda L, x, m: x.cumsum(0), "cumprod": lambda L, x, m: x.cumprod(1),
    "logsumexp": lambda L, x, m: x.logsumexp(1), "std": lambda L, x, m: x.std(0),
    "var": lambda L, x, m: x.var(), "norm": lambda L, x, m: x.norm(dim=1),
    "median_dim": lambda L, x, m: x.median(0).values, "median": lambda L, x, m: x.median(),
    "mm": lambda L, x, m: x @ m, "dot": lambda L, x, m: x[0] @ m[:, 0],
    "mv": lambda L, x, m: x @ m[:, 0], "vecmat": lambda L, x, m: x[0] @ m,
    "batched": lambda L, x, m: x.reshape(1, 2, 3) @ m, "left2d": lambda L, x, m: x @ m.reshape(
        1, 3, 2),
    "bmm": lambda L, x, m: L.bmm(x.reshape(1, 2, 3), m.reshape(1, 3, 2)),
    "addmm": lambda L, x, m: L.addmm(x[:, :2], x, m), "outer": lambda L, x, m: L.outer(x[0], x[1]),
    "inv": lambda L, x, m: L.linalg.inv(x @ m), "det": lambda L, x, m: L.linalg.det(x @ m),
    "solve": lambda L, x, m: L.linalg.solve(x @ m, m[0]),
    "matrix_norm_nuc": lambda L, x, m: L.linalg.matrix_norm(x, "nuc"),
    "matrix_norm_2": lambda L, x, m: L.linalg.matrix_norm(x, 2),
    "tensordot": lambda L, x, m: L.tensordot(x, m, dims=1),
    "einsum_mm": lambda L, x, m: L.einsum("ij,jk->ik", x, m),
    "einsum_outer": lambda L, x, m: L.einsum("i,j->ij", x[0], x[1]),
    "einsum_transpose": lambda L, x, m: L.einsum("ij->ji", x),
    "einsum_sum": lambda L, x, m: L.einsum("ij->i", x),
    "nansum": lambda L, x, m: x.nansum(1), "nanmean": lambda L, x, m: x.nanmean(),
    "trace": lambda L, x, m: x.trace(), "svdvals": lambda L, x, m: L.linalg.svdvals(x),
    "matrix_norm_inf": lambda L, x, m: L.linalg.matrix_norm(x, math.inf),
    "sort": lambda L, x, m: x.sort(1).values, "sort_stable": lambda L, x, m: x.sort(
        stable=True).values, "topk": lambda L, x, m: x.topk(2).values,
    "kthvalue": lambda L, x, m: x.kthvalue(1, 0).values, "msort": lambda L, x, m: L.msort(x),
    "cummax": lambda L, x, m: x.cummax(1).values, "cummin": lambda L, x, m: x.cummin(0)[0],
    "logcumsumexp": lambda L, x, m: x.logcumsumexp(1),
    "slogdet": lambda L, x, m: L.linalg.slogdet(x @ m).logabsdet,
    "cholesky": lambda L, x, m: L.linalg.cholesky(x @ x.T),
    "matrix_power": lambda L, x, m: L.linalg.matrix_power(x @ m, 3),
    "multi_dot": lambda L, x, m: L.linalg.multi_dot([x, m, x]),
    "cross": lambda L, x, m: L.linalg.cross(x, m.T),
    "vecdot": lambda L, x, m: L.linalg.vecdot(x, m.T),
    "dist": lambda L, x, m: L.dist(x, m.T),
}


@needs_torch
@pytest.mark.parametrize("name", list(NAMED))
def test_grad_fn_names_match_torch(name):
    rng = np.random.default_rng(0)
    x, m = rng.uniform(0.5, 2, (2, 3)), rng.uniform(0.5, 2, (3, 2))
    ours = NAMED[name](gt, gt.tensor(x, requires_grad=True), gt.tensor(m))
    theirs = NAMED[name](torch, torch.tensor(x, requires_grad=True), torch.tensor(m))
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    assert_same(ours, theirs, msg=name)


# ---- named tuples -------------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("call", [
    lambda L, x: x.max(1), lambda L, x: L.min(x, 0, keepdim=True), lambda L, x: x.median(1),
    lambda L, x: x.aminmax(dim=0), lambda L, x: L.aminmax(x),
])
def test_named_tuples_print_and_unpack_as_torch(call):
    arr = np.array([[1.0, 5.0, 2.0], [4.0, 0.0, 6.0]], dtype=np.float32)
    ours, theirs = call(gt, gt.tensor(arr)), call(torch, torch.tensor(arr))
    assert repr(ours) == repr(theirs)
    assert type(ours).__name__ == type(theirs).__name__
    assert len(ours) == len(theirs) == 2
    first, second = ours
    assert_same((first, second), tuple(theirs))
    for field in ("values", "indices", "min", "max"):
        if hasattr(theirs, field):
            assert_same(getattr(ours, field), getattr(theirs, field))


@needs_torch
def test_max_with_grad_prints_grad_fn_like_torch():
    arr = np.array([[1.0, 5.0, 2.0], [4.0, 0.0, 6.0]], dtype=np.float32)
    ours = gt.tensor(arr, requires_grad=True).max(dim=1)
    theirs = torch.tensor(arr, requires_grad=True).max(dim=1)
    assert repr(ours) == repr(theirs)


@needs_torch
def test_max_of_two_tensors_is_elementwise(torch):
    a = np.array([[1.0, 5.0], [4.0, 0.0]], dtype=np.float32)
    b = np.array([3.0, 2.0], dtype=np.float32)
    assert_same(gt.max(gt.tensor(a), gt.tensor(b)), torch.max(torch.tensor(a), torch.tensor(b)))
    assert_same(gt.min(gt.tensor(a), gt.tensor(b)), torch.min(torch.tensor(a), torch.tensor(b)))


# ---- second derivatives -------------------------------------------------------------------------
SECOND = {
    "var": lambda L, x: x.var(1),
    "std": lambda L, x: x.std(),
    "logsumexp": lambda L, x: x.logsumexp(0),
    "prod": lambda L, x: x.prod(1),
    "cumprod": lambda L, x: x.cumprod(1),
    "cumsum_sq": lambda L, x: (x * x).cumsum(0),
    "norm": lambda L, x: x.norm(dim=1),
    "norm3": lambda L, x: L.linalg.vector_norm(x, 3),
    "matmul": lambda L, x: (x @ x.T) * x.sum(),
    "inv": lambda L, x: L.linalg.inv(x[:, :2] @ x[:, :2].T + L.eye(2)),
    "einsum": lambda L, x: L.einsum("ij,kj->ik", x, x) * L.einsum("ii", x[:, :2]),
    "det": lambda L, x: L.linalg.det(x[:, :2] @ x[:, :2].T + L.eye(2)),
    "solve": lambda L, x: L.linalg.solve(x[:, :2] @ x[:, :2].T + L.eye(2), x[:, 2]),
    "cholesky": lambda L, x: L.linalg.cholesky(x @ x.T + L.eye(2)),
    "slogdet": lambda L, x: L.linalg.slogdet(x @ x.T + L.eye(2))[1],
    "cross": lambda L, x: L.linalg.cross(x, x * x),
    "dist": lambda L, x: L.dist(x, x.flip(0) * 0.5, 3),
    "sort": lambda L, x: x.sort(1).values ** 2,
    "topk": lambda L, x: x.topk(2, dim=1).values ** 3,
    "logcumsumexp": lambda L, x: x.logcumsumexp(1),
    "cummax": lambda L, x: x.cummax(1).values ** 2,
}


@needs_torch
@pytest.mark.parametrize("name", list(SECOND))
def test_second_derivatives_match_torch(name):
    arr = np.random.default_rng(5).uniform(0.5, 1.5, (2, 3))
    results = []
    for L in (gt, torch):
        x = L.tensor(arr, requires_grad=True)
        out = SECOND[name](L, x)
        (g,) = L.autograd.grad(out.sum(), x, create_graph=True)
        (gg,) = L.autograd.grad((g * g).sum(), x)
        results.append((g.detach(), gg))
    assert_same(results[0][0], results[1][0], msg=name)
    assert_same(results[0][1], results[1][1], msg=name)


# ---- dtype rules and warnings -------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int32", "int64"])
def test_integer_and_bool_accumulations_widen_to_int64(dtype):
    arr = (np.arange(6).reshape(2, 3) % 2).astype(dtype)
    for call in (lambda L, x: x.sum(), lambda L, x: x.sum(1), lambda L, x: x.prod(0),
                 lambda L, x: x.cumsum(1), lambda L, x: x.cumprod(0), lambda L, x: x.all(),
                 lambda L, x: x.any(0), lambda L, x: x.max(), lambda L, x: x.amin(1),
                 lambda L, x: x.count_nonzero()):
        assert_same(call(gt, gt.tensor(arr)), call(torch, torch.from_numpy(arr.copy())))


def test_std_warns_when_degrees_of_freedom_run_out():
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        out = gt.tensor([2.0]).std()
    assert math.isnan(out.item())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gt.tensor([2.0]).var(correction=0).item() == 0.0


def test_matmul_backward_of_a_matrix_product_uses_views():
    a = gt.tensor(np.ones((3, 4), dtype=np.float32), requires_grad=True)
    b = gt.tensor(np.ones((4, 5), dtype=np.float32), requires_grad=True)
    out = a @ b
    # the transposes fed to BLAS share memory with the saved operands (no copies)
    saved_a, saved_b = out.grad_fn.saved_tensors
    assert np.shares_memory(saved_b.transpose(-2, -1)._data, b._data)
    out.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.full((3, 4), 5.0))
    np.testing.assert_array_equal(b.grad.numpy(), np.full((4, 5), 3.0))


def test_linalg_errors_are_runtime_errors_named_linalgerror():
    with pytest.raises(gt.linalg.LinAlgError, match="singular") as info:
        gt.linalg.inv(gt.zeros(2, 2))
    assert isinstance(info.value, RuntimeError)


@needs_torch
@SETTINGS
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.integers(0, 2**31 - 1),
       st.floats(0.0, 0.6))
def test_prod_and_cumprod_gradients_through_zeros_match_torch(shape, seed, zero_rate):
    rng = np.random.default_rng(seed)
    arr = rng.uniform(-2, 2, size=shape)
    arr[rng.random(shape) < zero_rate] = 0.0
    dim = int(rng.integers(0, len(shape)))
    for call in (lambda L, x: x.prod(), lambda L, x: x.prod(dim), lambda L, x: x.cumprod(dim)):
        grads = []
        for L in (gt, torch):
            x = L.tensor(arr, requires_grad=True)
            out = call(L, x)
            (g,) = L.autograd.grad(out, x, L.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(
                tuple(out.shape))))
            grads.append(g)
        assert_same(grads[0], grads[1])


@needs_torch
def test_out_arguments_are_filled_as_torch():
    arr = np.array([[1.0, 5.0, 2.0], [3.0, 0.0, 1.0]], dtype=np.float32)
    results = []
    for L in (gt, torch):
        x = L.tensor(arr)
        values, indices = L.empty(2), L.zeros(2, dtype=L.int64)
        whole, amax = L.empty(()), L.empty(3)
        returned = L.max(x, 1, out=(values, indices))
        assert returned[0] is values and returned[1] is indices
        assert L.min(x, out=whole) is whole and L.amax(x, 0, out=amax) is amax
        results.append((values, indices, whole, amax))
    assert_same(results[0], results[1])


@needs_torch
@SETTINGS
@given(st.lists(st.integers(1, 3), min_size=0, max_size=2), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.sampled_from(["mat", "vec_left", "vec_right", "vec_both", "bcast"]),
       st.integers(0, 1000))
def test_matmul_gradients_match_torch_in_every_form(batch, n, k, m, form, seed):
    rng = np.random.default_rng(seed)
    a_shape = (k,) if form in ("vec_left", "vec_both") else (*batch, n, k)
    if form in ("vec_right", "vec_both"):
        b_shape = (k,)
    elif form == "bcast":  # the right operand broadcasts a size-1 batch against the left's
        b_shape = (1, *batch[1:], k, m) if batch else (2, k, m)
    else:
        b_shape = (k, m)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    grads = []
    for L in (gt, torch):
        ta, tb = L.tensor(a, requires_grad=True), L.tensor(b, requires_grad=True)
        out = ta @ tb
        g = L.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)))
        grads.append((out.detach(), *L.autograd.grad(out, (ta, tb), g)))
    assert_same(grads[0], grads[1])


@needs_torch
@pytest.mark.parametrize("call", [lambda L, x: x.cumprod(1), lambda L, x: x.cumprod(0),
                                  lambda L, x: x.prod(1), lambda L, x: x.prod()])
@pytest.mark.parametrize("outer", ["square", "linear"])
def test_second_derivatives_through_zeros_match_torch(call, outer):
    arr = np.array([[1.5, 0.0, 2.0, 0.0, 3.0], [0.0, 2.0, 1.0, -1.0, 2.0],
                    [1.0, 2.0, 3.0, 4.0, 0.5], [0.0, 0.0, 2.0, 0.0, 1.0]])
    weights = np.cos(np.arange(20.0)).reshape(4, 5)
    results = []
    for L in (gt, torch):
        x = L.tensor(arr, requires_grad=True)
        out = call(L, x)
        w = L.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)))
        (g,) = L.autograd.grad((out * w).sum(), x, create_graph=True)
        h = (g * g).sum() if outer == "square" else (g * L.tensor(weights)).sum()
        (gg,) = L.autograd.grad(h, x)
        results.append((g.detach(), gg))
    assert_same(results[0], results[1])
