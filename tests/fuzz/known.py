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

# (pattern, status, reason[, pattern of the mismatch's detail: the exception's words])
KNOWN_CLASSES: list[tuple[str, ...]] = [
    # -- torch's own bugs ------------------------------------------------------------------------
    ("backward<-F.huber_loss | raises.torch", "torch",
     "torch 2.13: backward of F.huber_loss(float32 input, float64 target) raises 'Found dtype "
     "Float but expected Double'"),
    ("rpow | raises.torch", "torch", "torch 2.13: `True ** x` (bool scalar base) raises an "
     "INTERNAL ASSERT in Scalar.cpp"),
    ("backward<-rpow | raises.torch", "torch", "torch 2.13: backward of `True ** x` hits an "
     "INTERNAL ASSERT ('unknown ivalue tag 4')"),
    # -- deliberate differences ------------------------------------------------------------------
    ("* | grad_fn", "deliberate",
     "grad_fn class names that differ (CrossEntropyLoss vs NllLoss2D, AsStrided after an "
     "in-place write through a view, Clone vs Transpose after matmul...): names only, the "
     "gradients agree; to align one by one"),
    ("autograd.grad(create_graph)<-* | stride", "deliberate",
     "gradient layout: torch returns an expanded (stride 0) gradient of a sum; we return a "
     "dense one. Values agree."),
    *[(f"{op} | stride", "deliberate",
       "layout of an elementwise result over an input with expanded (stride-0) dimensions: torch "
       "orders such dimensions differently from NumPy's K order (values, shape and contiguity "
       "agree; seed 12999 of --area views)") for op in ("mul", "add", "sub", "div")],
    ("autograd.grad(2nd)<-*norm* | value", "deliberate",
     "second derivative of norm() at the zero vector (seed 206: log_softmax over a dim of size "
     "1 is all zeros): torch's masked first-derivative formula gives nan when differentiated "
     "again, ours 0; the first derivatives agree (0)"),
    ("* | read.raises", "deliberate",
     "torch raises when a multi-output view (unbind/split) is read after its base changed in "
     "place; glasstorch does not track multi-output views that far"),
    *[(f"{op} | raises.{kind}", "deliberate",
       "'Autograd not support dtype: Long/Bool': torch marks an int or bool tensor requires_grad "
       "after a requires-grad float is written into it, then refuses to differentiate through "
       "it; glasstorch never lets an int/bool tensor require grad", "*Autograd not support dtype*")
      for op in ("getitem" + B + "*]", "setitem" + B + "*]", "torch.index_select",
                 "torch.gather", "Tensor.masked_fill") for kind in ("torch", "type*")],
    (f"autograd.grad(2nd)<-autograd.grad(create_graph)+f{B}*torch.tanh*] | value", "deliberate",
     "NumPy's float32 tanh can be one ulp below 1 where torch's rounds to 1.0 (seed 38558: "
     "tanh(9.0566) is 0.99999994 against 1.0), so 1 - tanh^2 is 6e-8 instead of 0 and a second "
     "derivative through it is ~1e-5 instead of 0; computing tanh in float64 would cost every "
     "GRU/LSTM step"),
    ("backward<-F.layer_norm | grad.value", "deliberate",
     "layer_norm over groups of one element: the output is 0 whatever the input, so the "
     "input's gradient is 0; torch's fused float32 backward leaves a rounding residue (5e-5 "
     "at seed 20877) where ours is the exact 0"),
    ("* | edge", "deliberate",
     "to triage one by one: values differ only with inf/nan/1e30 inputs (layer_norm of a row "
     "with inf: ours 0, torch nan; std/sum overflow and cancellation at 1e30; gelu(inf); "
     "prod's gradient with an inf factor)"),
    ("* | value.f32-rounding", "deliberate",
     "float32 rounding amplified by an ill-conditioned chain (sin(exp(x)) at large x): both "
     "are within 1e-3 of each other; NumPy's and torch's exp/sin differ by an ulp. Also float64 "
     "values that agree to float32's tolerance (a float32 gradient summed in another order, "
     "then cast to float64)"),
    ("* | grad.value.f32-rounding", "deliberate", "as value.f32-rounding, in a gradient"),
]


def classify(key: str, detail: str = "") -> tuple[str, str] | None:
    """``(status, reason)`` of the first entry matching ``key`` (and, for an entry that gives
    one, whose detail pattern matches ``detail``: the exception's words, so that one cause of
    ``setitem[adv] | raises.torch`` is known without hiding the others), or None for a new
    class."""
    for pattern, status, reason, *words in KNOWN_CLASSES:
        if fnmatchcase(key, pattern) and (not words or fnmatchcase(detail, words[0])):
            return status, reason
    return None


KNOWN = {e[0]: f"{e[1]}: {e[2]}" for e in KNOWN_CLASSES}
