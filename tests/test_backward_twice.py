"""A second backward through a graph whose nodes kept tensors is torch's "backward through the
graph a second time" error (unless ``retain_graph=True``); nodes that keep only sizes run again.
Checked op by op for the layer families of the convolution issue, against torch."""

from __future__ import annotations

import numpy as np
import pytest

import glasstorch as gt
from oracle import needs_torch, torch

CASES = {
    "avg_pool1d": lambda F, x: F.avg_pool1d(x[0], 2),
    "avg_pool2d": lambda F, x: F.avg_pool2d(x, 2),
    "max_pool1d": lambda F, x: F.max_pool1d(x[0], 2),
    "max_pool2d": lambda F, x: F.max_pool2d(x, 2),
    "adaptive_avg_pool1d": lambda F, x: F.adaptive_avg_pool1d(x[0], 3),
    "adaptive_avg_pool2d": lambda F, x: F.adaptive_avg_pool2d(x, 3),
    "adaptive_max_pool1d": lambda F, x: F.adaptive_max_pool1d(x[0], 3),
    "adaptive_max_pool2d": lambda F, x: F.adaptive_max_pool2d(x, 3),
    "pad_constant": lambda F, x: F.pad(x, (1, 1)),
    "pad_reflect_1d": lambda F, x: F.pad(x[0], (1, 1), mode="reflect"),
    "pad_reflect": lambda F, x: F.pad(x, (1, 1, 1, 1), mode="reflect"),
    "pad_replicate": lambda F, x: F.pad(x, (1, 1, 1, 1), mode="replicate"),
    "pad_circular": lambda F, x: F.pad(x, (1, 1, 1, 1), mode="circular"),
    "interpolate_nearest": lambda F, x: F.interpolate(x, scale_factor=2),
    "interpolate_bilinear": lambda F, x: F.interpolate(x, scale_factor=2, mode="bilinear"),
    "interpolate_bicubic": lambda F, x: F.interpolate(x, scale_factor=2, mode="bicubic"),
    "interpolate_area": lambda F, x: F.interpolate(x, size=(3, 3), mode="area"),
    "conv2d": lambda F, x: F.conv2d(x, x[:, :, :3, :3].detach()),
    "batch_norm": lambda F, x: F.batch_norm(x, None, None, training=True),
    "layer_norm": lambda F, x: F.layer_norm(x, (4,)),
    "group_norm": lambda F, x: F.group_norm(x, 1),
}

X = np.random.default_rng(0).standard_normal((1, 1, 4, 4))


def _second_backward(lib, case: str, retain: bool):
    x = lib.tensor(X, requires_grad=True)
    y = CASES[case](lib.nn.functional, x).sum()
    y.backward(retain_graph=retain)
    try:
        y.backward()
    except RuntimeError as e:
        return "error: " + str(e).split(".")[0]
    return x.grad.numpy().round(10).tolist()


@needs_torch
@pytest.mark.parametrize("case", sorted(CASES))
def test_second_backward_as_torch(case):
    assert _second_backward(gt, case, False) == _second_backward(torch, case, False)


@pytest.mark.parametrize("case", sorted(CASES))
def test_retain_graph_allows_a_second_backward(case):
    """With retain_graph=True the second backward runs and doubles the gradient."""
    x = gt.tensor(X, requires_grad=True)
    y = CASES[case](gt.nn.functional, x).sum()
    y.backward(retain_graph=True)
    once = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * once, rtol=1e-12, atol=1e-12)
