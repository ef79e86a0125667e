"""The real PyTorch as a test oracle, and helpers to compare glasstorch with it."""

from __future__ import annotations

import numpy as np
import pytest

try:
    import torch
except ImportError:  # the suite runs without torch; oracle tests skip
    torch = None

import glasstorch as gt

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) is not installed")

# torch.testing.assert_close defaults, by dtype
TOLERANCES = {
    "float16": (1e-3, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
}


def to_torch(x):
    """A glasstorch tensor (or nested tuple/list of them, or a plain value) as torch values."""
    if isinstance(x, gt.Tensor):
        return torch.from_numpy(np.array(x.detach().numpy()))
    if isinstance(x, (tuple, list)):
        return type(x)(to_torch(v) for v in x)
    return x


def assert_same(ours, theirs, rtol=None, atol=None, check_dtype=True, msg=""):
    """Values, shape and dtype of a glasstorch result equal torch's (recursing into tuples)."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)), f"{msg}: expected a sequence, got {type(ours)}"
        assert len(ours) == len(theirs), msg
        for a, b in zip(ours, theirs):
            assert_same(a, b, rtol, atol, check_dtype, msg)
        return
    if torch is not None and isinstance(theirs, torch.Tensor):
        assert isinstance(ours, gt.Tensor), f"{msg}: expected a Tensor, got {type(ours).__name__}"
        t = theirs.detach()
        assert tuple(ours.shape) == tuple(t.shape), (
            f"{msg}: shape {tuple(ours.shape)} != {tuple(t.shape)}"
        )
        if check_dtype:
            assert str(ours.dtype) == str(t.dtype), f"{msg}: dtype {ours.dtype} != {t.dtype}"
        a = ours.detach().numpy()
        b = t.numpy()
        if a.dtype.kind in "fc":
            r, at = TOLERANCES.get(str(t.dtype).replace("torch.", ""), (1e-5, 1e-8))
            np.testing.assert_allclose(
                a,
                b,
                rtol=rtol if rtol is not None else r,
                atol=atol if atol is not None else at,
                equal_nan=True,
                err_msg=msg,
            )
        else:
            np.testing.assert_array_equal(a, b, err_msg=msg)
        return
    assert ours == theirs, f"{msg}: {ours!r} != {theirs!r}"


def both(fn):
    """Run ``fn(lib)`` with glasstorch and with torch; return both results."""
    return fn(gt), fn(torch)


def raised(fn, lib):
    """``(exception type name, message)`` raised by ``fn(lib)``; fails if nothing is raised."""
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - we compare whatever was raised
        return type(e).__name__, str(e)
    raise AssertionError("expected an exception")


def same_error(fn):
    """``fn(lib)`` raises the same exception type with the same message in both libraries."""
    assert raised(fn, gt) == raised(fn, torch)
