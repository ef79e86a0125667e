"""Creation and conversion beyond the catalogue: memory sharing, warnings, legacy constructors,
the default dtype, ``out=``, in-place writers and their autograd behaviour."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glasstorch as gt
from oracle import needs_torch, torch

ND_DTYPES = ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool",
             "complex64", "complex128"]


# ---- memory sharing -----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ND_DTYPES)
def test_from_numpy_shares_memory_and_keeps_dtype(dtype):
    arr = np.zeros(3, dtype=dtype)
    t = gt.from_numpy(arr)
    assert str(t.dtype) == f"torch.{dtype}"
    arr[1] = 1
    assert t.tolist()[1] == 1
    t[0] = 1 if dtype != "bool" else True
    assert arr[0] == 1


@pytest.mark.parametrize("dtype", ND_DTYPES)
def test_tensor_copies_and_keeps_ndarray_dtype(dtype):
    arr = np.zeros(3, dtype=dtype)
    t = gt.tensor(arr)
    assert str(t.dtype) == f"torch.{dtype}"
    arr[0] = 1
    assert t.tolist()[0] == 0


def test_as_tensor_shares_only_when_dtype_matches():
    arr = np.zeros(3, dtype=np.float64)
    shared, copied = gt.as_tensor(arr), gt.as_tensor(arr, dtype=gt.float32)
    arr[0] = 5
    assert shared[0].item() == 5 and copied[0].item() == 0
    t = gt.ones(2)
    assert gt.as_tensor(t) is t
    assert gt.as_tensor(t, dtype=gt.float64).dtype is gt.float64


def test_asarray_shares_and_copies_on_request():
    arr = np.ones(2, dtype=np.float32)
    shared, copied = gt.asarray(arr), gt.asarray(arr, copy=True)
    arr[0] = 7
    assert shared[0].item() == 7 and copied[0].item() == 1
    t = gt.ones(2)
    assert gt.asarray(t) is t
    assert gt.asarray([1, 2]).dtype is gt.int64


def test_tensor_from_tensor_warns_and_copies():
    src = gt.ones(2)
    with pytest.warns(UserWarning, match="sourceTensor.detach\\(\\).clone\\(\\)"):
        t = gt.tensor(src)
    t[0] = 5
    assert src[0].item() == 1


def test_tensor_from_list_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gt.tensor([[1.0, 2.0]])


# ---- legacy constructors ------------------------------------------------------------------
def test_legacy_types_make_their_dtype_and_work_with_isinstance():
    assert gt.FloatTensor([1, 2]).dtype is gt.float32
    assert gt.LongTensor(2, 3).shape == (2, 3)
    assert gt.LongTensor(2, 3).dtype is gt.int64
    assert isinstance(gt.ones(2), gt.FloatTensor)
    assert not isinstance(gt.ones(2), gt.LongTensor)
    assert isinstance(gt.ones(2, dtype=gt.int64), gt.LongTensor)
    assert repr(gt.FloatTensor) == "<class 'torch.FloatTensor'>"


def test_tensor_constructor_forms():
    assert gt.Tensor(2, 3).shape == (2, 3)
    assert gt.Tensor((2, 3)).tolist() == [2.0, 3.0]  # a sequence is data, not a size
    ints = gt.tensor([1, 2])
    assert gt.Tensor(ints) is ints
    with pytest.raises(TypeError, match="data must be a sequence"):
        gt.Tensor(2.5)


def test_legacy_type_rejects_tensor_of_other_dtype():
    with pytest.raises(TypeError, match="tensor.to\\(torch.float32\\)"):
        gt.FloatTensor(gt.tensor([1, 2]))


# ---- default dtype ------------------------------------------------------------------------
def test_default_dtype_float64_flows_to_factories():
    try:
        gt.set_default_dtype(gt.float64)
        assert gt.zeros(2).dtype is gt.float64
        assert gt.tensor([1.5]).dtype is gt.float64
        assert gt.arange(0.0, 1.0, 0.5).dtype is gt.float64
        assert gt.full((1,), 2.0).dtype is gt.float64
        assert gt.rand(2).dtype is gt.float64
        assert gt.Tensor([1]).dtype is gt.float64
        assert gt.tensor([1]).dtype is gt.int64
    finally:
        gt.set_default_dtype(gt.float32)


# ---- factories ----------------------------------------------------------------------------
def test_size_keyword_and_size_object():
    assert gt.zeros(size=(2, 3)).shape == (2, 3)
    assert gt.rand(size=(4,)).shape == (4,)
    assert gt.ones(gt.Size([1, 2])).shape == (1, 2)
    assert gt.zeros(gt.tensor(3)).shape == (3,)


def test_factories_with_requires_grad_are_leaves():
    for t in (gt.zeros(2, requires_grad=True), gt.rand(2, requires_grad=True),
              gt.arange(3.0, requires_grad=True), gt.full((2,), 1.0, requires_grad=True),
              gt.eye(2, requires_grad=True), gt.linspace(0, 1, 3, requires_grad=True)):
        assert t.requires_grad and t.is_leaf and t.grad_fn is None


def test_out_keeps_identity_and_resizes():
    out = gt.empty(5)
    res = gt.arange(3, out=out)
    assert res is out and out.tolist() == [0.0, 1.0, 2.0]
    v = out._version
    gt.ones(2, out=out)
    assert out.tolist() == [1.0, 1.0] and out._version > v


def test_cuda_device_raises_clear_error():
    for make in (lambda: gt.zeros(2, device="cuda"), lambda: gt.tensor([1], device="cuda:0"),
                 lambda: gt.ones(2).to("cuda")):
        with pytest.raises((RuntimeError, AssertionError), match="CUDA"):
            make()
    assert gt.zeros(2, device="cpu").device == gt.device("cpu")
    assert gt.zeros(2, device=gt.device("cpu")).shape == (2,)


@needs_torch
@pytest.mark.parametrize("args", [(0, 1, 7), (-3.5, 2, 12), (5, -5, 3), (0, 1, 2), (1, 1, 4),
                                  (0, 1e-3, 50)])
def test_linspace_values_match_torch_closely(args):
    ours = gt.linspace(*args).numpy()
    theirs = torch.linspace(*args).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


@needs_torch
@pytest.mark.parametrize("args", [(0, 1, 0.1), (1, 2.5, 0.5), (-1, 1.01, 0.3), (10, 0, -0.7),
                                  (0.5, 10), (3,), (0, 10, 3)])
def test_arange_lengths_match_torch(args):
    assert tuple(gt.arange(*args).shape) == tuple(torch.arange(*args).shape)
    np.testing.assert_allclose(gt.arange(*args).numpy(), torch.arange(*args).numpy(), rtol=1e-6)


# ---- conversion ---------------------------------------------------------------------------
def test_same_dtype_conversion_returns_self():
    x = gt.ones(2, requires_grad=True)
    assert x.to(gt.float32) is x and x.float() is x and x.to("cpu") is x
    assert x.type(gt.float32) is x and x.cpu() is x
    assert x.to(gt.float32, copy=True) is not x


def test_cast_gradient_flows_back_in_input_dtype():
    x = gt.tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * gt.tensor([3.0, 4.0], dtype=gt.float64)
    assert y.grad_fn.name() == "MulBackward0"
    assert x.double().grad_fn.name() == "ToCopyBackward0"
    y.sum().backward()
    assert x.grad.dtype is gt.float32 and x.grad.tolist() == [3.0, 4.0]


def test_cast_to_int_cuts_the_graph():
    x = gt.tensor([1.5, 2.5], requires_grad=True)
    y = x.long()
    assert not y.requires_grad and y.grad_fn is None


def test_type_strings():
    names = {gt.float32: "torch.FloatTensor", gt.float64: "torch.DoubleTensor",
             gt.int64: "torch.LongTensor", gt.int32: "torch.IntTensor",
             gt.bool: "torch.BoolTensor", gt.uint8: "torch.ByteTensor",
             gt.float16: "torch.HalfTensor", gt.int8: "torch.CharTensor"}
    for dt, name in names.items():
        assert gt.zeros(1, dtype=dt).type() == name
        assert gt.ones(1).type(name).dtype is dt


# ---- in-place writers ---------------------------------------------------------------------
def test_zero_fill_copy_keep_identity_and_bump_version():
    x = gt.ones(3)
    for op in (lambda: x.zero_(), lambda: x.fill_(2), lambda: x.copy_(gt.arange(3.0)),
               lambda: x.fill_(gt.tensor(4.0)), lambda: x.normal_(), lambda: x.uniform_()):
        v = x._version
        assert op() is x
        assert x._version == v + 1


def test_copy_into_view_writes_base():
    base = gt.zeros(2, 3)
    base[0].copy_(gt.tensor([1.0, 2.0, 3.0]))
    assert base.tolist() == [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]


def test_inplace_fillers_allowed_on_leaf_under_no_grad():
    w = gt.zeros(3, requires_grad=True)
    with gt.no_grad():
        w.normal_(0, 0.01)
        w.zero_()
        w.fill_(1.0)
        w.copy_(gt.ones(3) * 2)
    assert w.tolist() == [2.0, 2.0, 2.0] and w.is_leaf and w.requires_grad


@pytest.mark.parametrize("op", ["zero_", "normal_", "uniform_", "fill_", "bernoulli_",
                                "exponential_", "random_"])
def test_inplace_on_leaf_requiring_grad_raises(op):
    w = gt.zeros(3, requires_grad=True)
    args = (1.0,) if op == "fill_" else ()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        getattr(w, op)(*args)


def test_fill_with_tensor_value_gets_summed_gradient():
    x = gt.ones(2, 3, requires_grad=True)
    v = gt.tensor(2.0, requires_grad=True)
    y = (x * 1).fill_(v)
    assert y.grad_fn.name() == "FillBackward3"
    (y * gt.arange(6.0).reshape(2, 3)).sum().backward()
    assert v.grad.item() == 15.0
    assert x.grad.tolist() == [[0.0] * 3] * 2


def test_copy_backward_reaches_source_with_its_shape_and_dtype():
    src = gt.tensor([1.0, 2.0], dtype=gt.float64, requires_grad=True)
    dst = gt.zeros(3, 2)
    dst.copy_(src)
    assert dst.grad_fn.name() == "CopyBackwards" and dst.dtype is gt.float32
    dst.sum().backward()
    assert src.grad.dtype is gt.float64 and src.grad.tolist() == [3.0, 3.0]


@needs_torch
def test_tril_triu_diag_grad_fn_names_match_torch():
    x = gt.ones(3, 3, requires_grad=True)
    tx = torch.ones(3, 3, requires_grad=True)
    for f in (lambda L, a: L.tril(a), lambda L, a: L.triu(a, 1), lambda L, a: L.diag(a),
              lambda L, a: L.diag(L.diag(a))):
        assert f(gt, x).grad_fn.name() == type(f(torch, tx).grad_fn).__name__


def test_tril_inplace_keeps_identity():
    x = gt.ones(3, 3)
    assert x.tril_() is x
    assert x.tolist() == [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 1.0]]


def test_diagonal_is_a_view_sharing_memory_and_version():
    x = gt.zeros(3, 3)
    d = x.diagonal()
    d += 1
    assert x.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    assert x._version == d._version > 0


def test_new_methods_default_to_own_dtype():
    x = gt.ones(2, dtype=gt.float64)
    assert x.new_zeros(3).dtype is gt.float64 and x.new_ones(1, 2).shape == (1, 2)
    assert x.new_tensor([1, 2]).dtype is gt.float64
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0]
    assert x.new_zeros(2, dtype=gt.int64).dtype is gt.int64
    assert x.new_empty((2, 2), requires_grad=True).requires_grad
    with pytest.warns(UserWarning, match="tensor.new_tensor\\(sourceTensor\\)"):
        x.new_tensor(gt.ones(2))


# ---- dtype inference from nested data, property-tested against torch ----------------------
def _leaf(kind, v, lib):
    """One element of nested data: a Python number, a NumPy scalar or a 0-d tensor."""
    if kind == "py-int":
        return int(v)
    if kind == "py-float":
        return float(v)
    if kind == "py-bool":
        return bool(v > 0)
    if kind.startswith("np-"):
        return np.dtype(kind[3:]).type(v if kind != "np-bool" else v > 0)
    dt = getattr(lib, kind[2:])
    return lib.tensor(v if kind != "t-bool" else bool(v > 0), dtype=dt)


_KINDS = ["py-int", "py-float", "py-bool", "np-float64", "np-float32", "np-float16", "np-int32",
          "np-int8", "np-uint8", "t-float64", "t-int32", "t-int64", "t-bool",
          "t-float32"]


@needs_torch
@pytest.mark.parametrize("seed", range(60))
def test_nested_list_dtype_inference_matches_torch(seed):
    rng = np.random.default_rng(seed)
    kinds = rng.choice(_KINDS, size=rng.integers(1, 4))
    rows, cols = int(rng.integers(1, 3)), int(rng.integers(1, 4))
    picks = rng.choice(kinds, size=(rows, cols))
    vals = rng.integers(0, 5, size=(rows, cols))

    def build(lib):
        return [[_leaf(str(picks[i, j]), int(vals[i, j]), lib) for j in range(cols)]
                for i in range(rows)]

    ours, theirs = gt.tensor(build(gt)), torch.tensor(build(torch))
    assert str(ours.dtype) == str(theirs.dtype), (picks.tolist(), ours.dtype, theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_list_of_ndarrays_warns_like_torch():
    with pytest.warns(UserWarning, match="list of numpy.ndarrays is extremely slow"):
        t = gt.tensor([np.array([1.0, 2.0]), np.array([3.0, 4.0])])
    assert t.dtype is gt.float64 and t.shape == (2, 2)


def test_python_floats_go_straight_into_the_requested_dtype(torch):
    for dtype in ("float64", "float16", "int64", "int32"):
        data = [0.3, 1.7, -2.5, 1e-8]
        ours = gt.tensor(data, dtype=getattr(gt, dtype)).numpy()
        theirs = torch.tensor(data, dtype=getattr(torch, dtype)).numpy()
        assert ours.dtype == theirs.dtype and (ours == theirs).all(), dtype
