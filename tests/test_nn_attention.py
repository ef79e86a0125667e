"""Attention and its building blocks against PyTorch: ``meshgrid``'s warning, ``repeat_interleave``
as attention code uses it, ``scaled_dot_product_attention``, ``F.multi_head_attention_forward`` and
``nn.MultiheadAttention`` (shared weights, forward and gradients, errors)."""

from __future__ import annotations

import warnings

import numpy as np

import glasstorch as gt
from glasstorch.ops import shape as shape_ops
from oracle import assert_same, needs_torch, torch


# ---- building blocks ------------------------------------------------------------------------
def test_meshgrid_without_indexing_warns_once_and_uses_ij(monkeypatch):
    monkeypatch.setattr(shape_ops, "_meshgrid_warned", False)
    x, y = gt.arange(3), gt.arange(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X, Y = gt.meshgrid(x, y)
        gt.meshgrid(x, y)
    messages = [str(w.message) for w in caught]
    assert messages == ["torch.meshgrid: in an upcoming release, it will be required to pass the "
                        "indexing argument."]
    assert tuple(X.shape) == (3, 2) and X[:, 0].tolist() == [0, 1, 2] and Y[0].tolist() == [0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gt.meshgrid(x, y, indexing="ij")  # an explicit indexing never warns


def test_meshgrid_outputs_are_views_of_the_inputs():
    x = gt.arange(3.0)
    X, _ = gt.meshgrid(x, gt.arange(2.0), indexing="xy")
    assert X._base is x and tuple(X.shape) == (2, 3) and X.stride() == (0, 1)


@needs_torch
def test_repeat_interleave_grad_fn_names_match_torch():
    x = gt.ones(2, 3, requires_grad=True)
    tx = torch.ones(2, 3, requires_grad=True)
    assert x.repeat_interleave(2, 1).grad_fn.name() == tx.repeat_interleave(2, 1).grad_fn.name()
    reps, treps = gt.tensor([1, 2]), torch.tensor([1, 2])
    assert (x.repeat_interleave(reps, 0).grad_fn.name()
            == tx.repeat_interleave(treps, 0).grad_fn.name())
    assert_same(gt.repeat_interleave(gt.tensor([3, 0, 1], dtype=gt.int32)),
                torch.repeat_interleave(torch.tensor([3, 0, 1], dtype=torch.int32)))


@needs_torch
def test_valid_lens_repeated_per_head_as_d2l_does():
    """d2l's MultiHeadAttention repeats each example's valid length once per head."""
    valid = np.array([3, 2])
    ours = gt.repeat_interleave(gt.tensor(valid), repeats=4, dim=0)
    assert_same(ours, torch.repeat_interleave(torch.tensor(valid), repeats=4, dim=0))
