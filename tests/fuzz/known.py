"""The mismatch classes we know about, each with its status and reason.

A class key (see :func:`fuzz.campaign.class_key`) is matched against the glob patterns below
(``fnmatch``: ``*`` is any text, ``[`` must be written ``[[]``). The status says what to do:

- ``bug``: glasstorch is wrong and should be fixed (``ISSUE12`` when issue 12 lists it,
  ``new`` when this fuzzer found it first);
- ``torch``: PyTorch's own bug, nothing to fix here;
- ``deliberate``: a difference glasstorch keeps on purpose (the reason says why).

When a bug is fixed its class stops occurring: delete its entry then. The quick CI run
(tests/test_differential_fuzz.py) fails only on a class that matches no pattern here.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

B = "[[]"  # a literal '[' in a pattern

# (pattern, status, reason)
KNOWN_CLASSES: list[tuple[str, str, str]] = [
    # -- silent wrong answers ------------------------------------------------------------------
    ("torch.fmod | requires_grad", "bug", "ISSUE12 #1: fmod has no gradient"),
    ("floordiv | requires_grad", "bug", "ISSUE12 #1: // on tensors requiring grad is constant"),
    ("Tensor.*_" + B + "view] | value", "bug",
     "new: x.unbind(0)[i] of a 1-d tensor is a copy, not a view: an in-place op on it never "
     "reaches the base (x = [1., 2., 3.]; x.unbind(0)[-1].mul_(2) leaves x unchanged)"),
    ("Tensor.sub_ | raises.torch", "bug",
     "new: an in-place op whose other operand broadcasts to a larger shape than self is "
     "accepted (torch: 'output with shape [4, 2, 2] doesn't match the broadcast shape')"),
    ("autograd.grad(2nd)<-* | value", "bug",
     "new, to triage: a second derivative differs (seed 206: ours 0, torch nan)"),
    # -- metadata --------------------------------------------------------------------------------
    ("getitem" + B + "adv] | stride", "bug",
     "ISSUE12 metadata: advanced-index results are not C-contiguous (torch's are)"),
    ("Tensor.masked_fill | stride", "bug",
     "new: masked_fill of a broadcast mask returns a non-contiguous result"),
    ("autograd.grad(create_graph)<-* | stride", "deliberate",
     "gradient layout: torch returns an expanded (stride 0) gradient of a sum; we return a "
     "dense one. Values agree."),
    ("autograd.grad(create_graph)<-*torch.relu* | requires_grad", "bug",
     "ISSUE12: grad(create_graph=True) through relu returns a gradient that does not require "
     "grad"),
    ("setitem" + B + "*] | requires_grad", "bug",
     "ISSUE12 metadata: writing a requires-grad value into a tensor of another dtype (bool, "
     "int) marks it requires_grad"),
    ("F.dropout* | is_leaf", "bug", "new: F.dropout(x, p=1.0) returns a leaf (torch: a result "
     "of MulBackward0 / not a leaf)"),
    ("F.*_loss | dtype", "bug",
     "new: mse/l1/smooth_l1/huber of float32 and float64 operands: result dtype differs from "
     "torch's promotion"),
    ("* | grad_fn", "deliberate",
     "grad_fn class names that differ (CrossEntropyLoss vs NllLoss2D, AsStrided after an "
     "in-place write through a view, Clone vs Transpose after matmul...): names only, the "
     "gradients agree; to align one by one"),
    ("* | read.raises", "deliberate",
     "torch raises when a multi-output view (unbind/split) is read after its base changed in "
     "place; glasstorch does not track multi-output views"),
    # -- errors where torch succeeds -------------------------------------------------------------
    ("setitem" + B + "*] | raises.ours", "bug",
     "ISSUE12: index_put with a value of another dtype ('Index put requires the source and "
     "destination dtypes match'), 0-d index, ... read-only expanded views"),
    ("Tensor.*_" + B + "view] | raises.ours", "bug",
     "ISSUE12: in-place ops on expanded views torch allows fail (NumPy's read-only error)"),
    ("getitem" + B + "*] | raises.ours", "bug",
     "new: x[..., ...] (two Ellipsis) is accepted by torch; NumPy's rule leaks out"),
    ("pow | raises.ours", "bug", "ISSUE12: integer ** negative integer"),
    ("rpow | raises.ours", "bug", "ISSUE12: integer ** negative integer"),
    ("Tensor.copy_ | raises.ours", "bug", "ISSUE12: Tensor.copy_(python number)"),
    ("Tensor.add_ | raises.ours", "bug", "ISSUE12: bool b.add_(b, alpha=-1)"),
    ("Tensor.index_put_ | raises.ours", "bug", "ISSUE12: empty index tensors in index_put_"),
    ("Tensor.split | raises.ours", "bug",
     "new: split of a size-0 dim returns an empty tuple (torch: one empty tensor)"),
    ("torch.median | raises.ours", "bug", "new: median of an empty int64 tensor raises ValueError "
     "(NumPy's 'cannot convert float NaN to integer'); torch returns a value"),
    ("torch.bmm | raises.ours", "bug", "new: bmm of float64 and int32 raises 'expected scalar "
     "type Double but found Int' where torch 2.13 computes it"),
    ("backward<-*torch.median* | grad.value", "bug",
     "new, NaN leak (ISSUE12 #5 family): std(correction=0) of one element after median: "
     "ours grad nan, torch 0"),
    ("backward<-*setitem* | raises.torch", "bug",
     "ISSUE12 #2 family: a tensor saved for backward (gather's input) written in place later: "
     "torch raises the version-counter error, glasstorch computes a gradient from new values"),
    ("backward<-F.huber_loss | raises.torch", "torch",
     "torch 2.13: backward of F.huber_loss(float32 input, float64 target) raises 'Found dtype "
     "Float but expected Double'"),
    ("torch.einsum | raises.ours", "bug", "new: einsum of float64 and int64 operands raises "
     "'expected scalar type Double but found Long' (torch promotes)"),
    ("floordiv | raises.ours", "bug", "new, to triage: `sgn(x) // i` with an int tensor i "
     "holding 0 raises RuntimeError('ZeroDivisionError'); torch returns a value"),
    # -- missing names ---------------------------------------------------------------------------
    ("torch.hypot | *", "bug", "ISSUE12 missing name: torch.hypot"),
    ("torch.logaddexp | *", "bug", "ISSUE12 missing name: torch.logaddexp"),
    ("torch.copysign | *", "bug", "new missing name: torch.copysign"),
    ("torch.deg2rad | *", "bug", "new missing name: Tensor.deg2rad / torch.deg2rad"),
    # -- errors torch raises that we do not ----------------------------------------------------
    ("Tensor.*_" + B + "view] | raises.torch", "bug",
     "new: in-place on an output of unbind/split (multi-output views) of a tensor requiring "
     "grad: torch raises 'is a view and is being modified inplace', glasstorch allows it"),
    ("setitem" + B + "view] | raises.torch", "bug", "same as Tensor.*_[view] | raises.torch"),
    ("getitem" + B + "*] | raises.torch", "deliberate",
     "torch raises 'Autograd not support dtype: Long' after a requires-grad float is written "
     "into an int tensor (it marks the int tensor requires_grad first; ISSUE12 metadata)"),
    ("setitem" + B + "adv] | raises.torch", "bug", "to triage: an advanced-index write torch "
     "rejects"),
    ("backward<-*Tensor.index_put_* | raises.torch", "bug",
     "ISSUE12 #2 family: an index/value changed in place after use: torch's version counter "
     "error is not raised"),
    ("torch.fmod | raises.torch", "bug", "new, to triage: fmod of integers by 0: torch raises "
     "RuntimeError('ZeroDivisionError'); glasstorch returns a value"),
    ("rpow | raises.torch", "torch", "torch 2.13: `True ** x` (bool scalar base) raises an "
     "INTERNAL ASSERT in Scalar.cpp"),
    ("backward<-rpow | raises.torch", "torch", "torch 2.13: backward of `True ** x` hits an "
     "INTERNAL ASSERT ('unknown ivalue tag 4')"),
    # -- wrong exception types -------------------------------------------------------------------
    ("* | raises.type (ours OverflowError | torch RuntimeError)", "bug",
     "ISSUE12: writing inf/1e30 into an int tensor: OverflowError instead of RuntimeError"),
    ("* | raises.type (ours RuntimeError | torch IndexError)", "bug",
     "ISSUE12: dtype checked before shape in advanced-index writes"),
    ("* | raises.type (ours IndexError | torch RuntimeError)", "bug",
     "new: index_select/index_put_/setitem: IndexError where torch raises RuntimeError (shape "
     "mismatch first, or index out of range in index_select)"),
    ("* | raises.type (ours ValueError | torch RuntimeError)", "bug",
     "NumPy's ValueError leaks out (read-only destination, broadcast) where torch raises "
     "RuntimeError"),
    ("* | raises.type (ours TypeError | torch RuntimeError)", "bug",
     "NumPy's TypeError leaks out (bool neg_, boolean assignment of a 3-d value)"),
    ("Tensor.neg_ | *", "bug", "ISSUE12: bool_tensor.neg_() raises TypeError"),
    # -- edge values and float32 rounding --------------------------------------------------------
    ("* | edge", "deliberate",
     "to triage one by one: values differ only with inf/nan/1e30 inputs (layer_norm of a row "
     "with inf: ours 0, torch nan; std overflow; gelu(-inf))"),
    ("* | value.f32-rounding", "deliberate",
     "float32 rounding amplified by an ill-conditioned chain (sin(exp(x)) at large x): both "
     "are within 1e-3 of each other; NumPy's and torch's exp/sin differ by an ulp"),
    ("* | grad.value.f32-rounding", "deliberate", "as value.f32-rounding, in a gradient"),
]


def classify(key: str) -> tuple[str, str] | None:
    """``(status, reason)`` of the first pattern matching ``key``, or None for a new class."""
    for pattern, status, reason in KNOWN_CLASSES:
        if fnmatchcase(key, pattern):
            return status, reason
    return None


KNOWN = {p: f"{s}: {r}" for p, s, r in KNOWN_CLASSES}
