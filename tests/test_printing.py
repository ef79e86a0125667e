"""The printed form of tensors, character for character against torch's own ``repr``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glasstorch as gt
from oracle import needs_torch, torch


def _same_repr(make):
    """``make(lib)`` builds the same tensor in both libraries; their reprs must be equal."""
    ours, theirs = repr(make(gt)), repr(make(torch))
    assert ours == theirs, f"\nours:\n{ours}\ntorch:\n{theirs}"
    assert str(make(gt)) == ours


def _from(arr):
    return lambda L: L.tensor(arr) if L is gt else L.from_numpy(np.array(arr))


@pytest.fixture
def restore_printoptions():
    yield
    gt.set_printoptions(profile="default")
    if torch is not None:
        torch.set_printoptions(profile="default")


CASES = {
    "row": lambda L: L.tensor([[0.0, 1.0]]),
    "0d-float": lambda L: L.tensor(3.0),
    "0d-int": lambda L: L.tensor(-7),
    "0d-bool": lambda L: L.tensor(True),
    "0d-fraction": lambda L: L.tensor(0.1),
    "empty": lambda L: L.tensor([]),
    "empty-2d": lambda L: L.zeros(0, 3),
    "empty-3d-int": lambda L: L.zeros(2, 0, 1, dtype=L.int64),
    "empty-1d-int": lambda L: L.zeros(0, dtype=L.int64),
    "empty-float64": lambda L: L.zeros(0, dtype=L.float64),
    "ints": lambda L: L.tensor([1, -22, 333]),
    "bools": lambda L: L.tensor([True, False]),
    "bool-matrix": lambda L: L.tensor([[True, False], [False, True]]),
    "halves": lambda L: L.tensor([0.5, 1.0, 1.5]),
    "whole-floats": lambda L: L.tensor([1.0, -20.0, 300.0]),
    "sci-range": lambda L: L.tensor([1.5, 1e5]),
    "sci-small": lambda L: L.tensor([1e-5, 1.0]),
    "sci-big-whole": lambda L: L.tensor([1.0, 1e9]),
    "whole-ratio-1000": lambda L: L.tensor([1.0, 1001.0]),
    "nonfinite": lambda L: L.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
    "nonfinite-whole": lambda L: L.tensor([float("nan"), 1.0, -float("inf")]),
    "only-nan": lambda L: L.tensor([float("nan"), 0.0]),
    "negative-zero": lambda L: L.tensor([-0.0, 0.0]),
    "negative-zero-frac": lambda L: L.tensor([-0.0, 0.5]),
    "zeros": lambda L: L.zeros(2, 3),
    "wrap-80": lambda L: L.arange(100.0) / 3,
    "wrap-ints": lambda L: L.arange(50) * 1000,
    "matrix-frac": lambda L: L.arange(30.0).reshape(3, 10) / 7,
    "3d": lambda L: L.arange(24).reshape(2, 3, 4),
    "4d": lambda L: L.arange(16.0).reshape(2, 2, 2, 2),
    "summarised-2d": lambda L: L.arange(2000.0).reshape(40, 50),
    "summarised-1d": lambda L: L.arange(1001),
    "summarised-3d": lambda L: L.arange(3000).reshape(3, 10, 100),
    "summarised-edge-only": lambda L: L.arange(1500.0).reshape(1500, 1),
    "float64": lambda L: L.ones(2, 3, dtype=L.float64),
    "float16": lambda L: L.ones(3, dtype=L.float16) / 3,
    "int32": lambda L: L.ones(2, 3, dtype=L.int32),
    "int8": lambda L: L.tensor([-1, 2], dtype=L.int8),
    "uint8": lambda L: L.ones(3, dtype=L.uint8),
    "int16": lambda L: L.tensor([300, -2], dtype=L.int16),
    "complex": lambda L: L.tensor([1 + 2j, -1.5 - 0.5j]),
    "complex-whole": lambda L: L.tensor([1 + 2j, 3 - 1j]),
    "complex128": lambda L: L.tensor([0.25 + 1j], dtype=L.complex128),
    "requires-grad": lambda L: L.ones(2, 3, requires_grad=True),
    "grad-fn": lambda L: L.ones(2, 3, requires_grad=True) * 2,
    "grad-fn-add": lambda L: L.ones(2, requires_grad=True) + 1,
    "grad-fn-0d": lambda L: (L.ones(2, requires_grad=True) * 3).sum(),
    "grad-fn-float64": lambda L: L.ones(2, dtype=L.float64, requires_grad=True) * 2,
    "suffix-wraps": lambda L: L.tensor([1.23456, 2.5, 3.75, 4.0, 5.5, 6.25, 7.125, 8.0],
                                       dtype=L.float64, requires_grad=True) * 1,
    "long-values": lambda L: L.tensor([123456789.0, 0.5]),
    "negative-fracs": lambda L: L.tensor([[-0.5, 0.25], [1.125, -3.0]]),
    "column": lambda L: L.arange(5.0).reshape(5, 1),
    "big-ints": lambda L: L.tensor([2**40, -1]),
}


@needs_torch
@pytest.mark.parametrize("name", list(CASES))
def test_repr_matches_torch(name):
    _same_repr(CASES[name])


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 4), (2, 3, 5), (30, 40)])
def test_random_values_all_dtypes_and_shapes(dtype, shape):
    rng = np.random.default_rng(abs(hash((dtype, shape))) % 2**32)
    vals = rng.normal(0, 10, size=shape)
    arr = (vals > 0) if dtype == "bool" else np.abs(vals).astype(dtype) if dtype == "uint8" \
        else vals.astype(dtype)
    _same_repr(_from(arr))


@needs_torch
@settings(max_examples=120, deadline=None)
@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=0, max_dims=3, max_side=7),
                  elements=st.floats(-1e10, 1e10, width=32)))
def test_float_repr_property(arr):
    _same_repr(_from(arr))


@needs_torch
@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=12),
                  elements=st.one_of(st.floats(-1e-3, 1e-3), st.floats(allow_nan=True),
                                     st.sampled_from([0.0, -0.0, 1.0, 1e-6, 2.5e7]))))
def test_float64_extremes_property(arr):
    _same_repr(_from(arr))


@needs_torch
@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=9),
                  elements=st.integers(-(2**40), 2**40)))
def test_int_repr_property(arr):
    _same_repr(_from(arr))


@needs_torch
@pytest.mark.parametrize("options", [
    {"precision": 2},
    {"precision": 8},
    {"precision": 0},
    {"sci_mode": True},
    {"sci_mode": False},
    {"linewidth": 40},
    {"linewidth": 200},
    {"threshold": 5},
    {"threshold": 5, "edgeitems": 1},
    {"threshold": 5, "edgeitems": 0},
    {"profile": "short"},
    {"profile": "full"},
])
@pytest.mark.parametrize("name", ["wrap-80", "sci-range", "summarised-2d", "matrix-frac",
                                  "3d", "grad-fn", "halves", "complex", "only-nan", "0d-float"])
def test_printoptions_match_torch(options, name, restore_printoptions):
    gt.set_printoptions(**options)
    torch.set_printoptions(**options)
    _same_repr(CASES[name])


def test_set_printoptions_resets_sci_mode(restore_printoptions):
    gt.set_printoptions(sci_mode=True)
    assert repr(gt.tensor([0.5])) == "tensor([5.0000e-01])"
    gt.set_printoptions(precision=4)  # sci_mode not given: back to automatic
    assert repr(gt.tensor([0.5])) == "tensor([0.5000])"


def test_printoptions_context_manager_restores():
    from glasstorch import _printing  # torch keeps these in torch._tensor_str, not at top level

    with _printing.printoptions(precision=1):
        assert repr(gt.tensor([0.25, 1.5])) == "tensor([0.2, 1.5])"
    assert repr(gt.tensor([0.25, 1.5])) == "tensor([0.2500, 1.5000])"
    assert _printing.get_printoptions()["precision"] == 4


def test_unknown_profile_is_a_value_error(restore_printoptions):
    with pytest.raises(ValueError, match="unknown profile 'long'"):
        gt.set_printoptions(profile="long")


@needs_torch
def test_default_dtype_float64_changes_suffixes():
    try:
        gt.set_default_dtype(gt.float64)
        torch.set_default_dtype(torch.float64)
        for make in (lambda L: L.tensor([1.5, 2.0]), lambda L: L.ones(2, dtype=L.float32),
                     lambda L: L.zeros(0), lambda L: L.zeros(0, dtype=L.float32),
                     lambda L: L.tensor([1j])):
            _same_repr(make)
    finally:
        gt.set_default_dtype(gt.float32)
        torch.set_default_dtype(torch.float32)


def test_format_of_0d_and_str_in_fstrings():
    loss = gt.tensor(0.123456)
    assert f"{loss:.3f}" == "0.123"
    assert f"{gt.tensor([1, 2])}" == "tensor([1, 2])"
    assert str(gt.tensor([1.0])) == "tensor([1.])"


def test_subclass_prefix_uses_class_name():
    class MyTensor(gt.Tensor):
        pass

    t = MyTensor.__new__(MyTensor)
    t._data, t._rg, t._grad_fn, t._grad, t._vc, t._base, t._acc = (
        np.array([1.0, 2.0], np.float32), False, None, None, [0], None, None)
    assert repr(t) == "MyTensor([1., 2.])"


def test_nan_inf_literal_forms():
    assert repr(gt.tensor([math.inf, -math.inf])) == "tensor([inf, -inf])"
    assert repr(gt.tensor(math.nan)) == "tensor(nan)"
