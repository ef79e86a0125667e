"""Numerical stability at extreme logits, against torch.

softmax, log_softmax, cross_entropy, binary_cross_entropy_with_logits, logsumexp, sigmoid and tanh
take logits of ±1e4 and ±1e30 (float32 and float64) in d2l-style code when a model diverges or a
learner scales inputs wrongly. Wherever torch's values and gradients are finite, glasstorch's must
be finite too and equal torch's (assert_close tolerances); where torch gives inf or nan, so must
glasstorch (same positions).
"""

from __future__ import annotations

import numpy as np
import pytest

import glasstorch as gt
from oracle import TOLERANCES

BASE = np.array([[1.0, -1.0, 0.5, 0.0], [-1.0, -1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]])
TARGET_CLASSES = [0, 2, 3]
TARGET_PROBS = np.array([[1.0, 0.0, 0.3, 1.0], [0.0, 1.0, 0.5, 0.0], [1.0, 1.0, 0.0, 0.7]])
WEIGHTS = np.arange(1.0, 13.0).reshape(3, 4) / 7  # so that no gradient is trivially zero

OPS = {
    "softmax": lambda lib, x: lib.softmax(x, dim=1),
    "log_softmax": lambda lib, x: lib.log_softmax(x, dim=1),
    "logsumexp": lambda lib, x: lib.logsumexp(x, dim=1),
    "sigmoid": lambda lib, x: lib.sigmoid(x),
    "tanh": lambda lib, x: lib.tanh(x),
    "cross_entropy": lambda lib, x: lib.nn.functional.cross_entropy(
        x, lib.tensor(TARGET_CLASSES)),
    "cross_entropy_none": lambda lib, x: lib.nn.functional.cross_entropy(
        x, lib.tensor(TARGET_CLASSES), reduction="none"),
    "cross_entropy_smoothed": lambda lib, x: lib.nn.functional.cross_entropy(
        x, lib.tensor(TARGET_CLASSES), label_smoothing=0.1),
    "bce_with_logits": lambda lib, x: lib.nn.functional.binary_cross_entropy_with_logits(
        x, lib.tensor(TARGET_PROBS, dtype=x.dtype), reduction="none"),
    "bce_with_logits_mean": lambda lib, x: lib.nn.functional.binary_cross_entropy_with_logits(
        x, lib.tensor(TARGET_PROBS, dtype=x.dtype)),
    "softmax_module": lambda lib, x: lib.nn.Softmax(dim=1)(x),
}


def _weights_like(ndim: int) -> np.ndarray:
    """Fixed weights for an output of 3×4 (2-d), 3 (1-d) or a scalar (0-d)."""
    return {2: WEIGHTS, 1: WEIGHTS[:, 0], 0: np.array(1.0)}[ndim]


def forward_and_grad(lib, op: str, scale: float, dtype: str):
    x = lib.tensor(BASE * scale, dtype=getattr(lib, dtype), requires_grad=True)
    out = OPS[op](lib, x)
    (out * lib.tensor(_weights_like(out.dim()), dtype=out.dtype)).sum().backward()
    return out.detach().numpy().copy(), x.grad.numpy().copy()


def same(ours, theirs, dtype, what):
    assert ours.shape == theirs.shape, what
    assert ours.dtype == theirs.dtype, what
    np.testing.assert_array_equal(np.isfinite(ours), np.isfinite(theirs), err_msg=what)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=what)
    rtol, atol = TOLERANCES[dtype]
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("scale", [1e4, -1e4, 1e30, -1e30, 1.0])
@pytest.mark.parametrize("op", sorted(OPS))
def test_extreme_logits_as_torch(op, scale, dtype, torch):
    ours = forward_and_grad(gt, op, scale, dtype)
    theirs = forward_and_grad(torch, op, scale, dtype)
    same(ours[0], theirs[0], dtype, f"{op} value at {scale:g} ({dtype})")
    same(ours[1], theirs[1], dtype, f"{op} gradient at {scale:g} ({dtype})")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("scale", [1e4, -1e4, 1e30, -1e30])
@pytest.mark.parametrize("op", sorted(OPS))
def test_extreme_logits_stay_finite(op, scale, dtype):
    """Without torch: these ops are all finite at such logits in torch (checked by the test above
    with torch installed), so glasstorch must be finite too."""
    value, grad = forward_and_grad(gt, op, scale, dtype)
    assert np.isfinite(value).all(), f"{op} value at {scale:g}"
    assert np.isfinite(grad).all(), f"{op} gradient at {scale:g}"
