"""What "the same result" means, for one value computed by glasstorch and by PyTorch.

``differences(ours, theirs)`` returns a list of ``(kind, detail)`` pairs, most important first.
The kinds, in that order:

========== =============================================================================
type        one is a tensor, the other is not (or tuples of different lengths)
shape       ``tuple(t.shape)`` differs
dtype       ``str(t.dtype)`` differs (glasstorch prints its dtypes as ``torch.float32``)
value       values differ beyond ``torch.testing.assert_close``'s default tolerances for the
            dtype, or NaN in different places (NaN == NaN here)
requires_grad, is_leaf, grad_fn
            autograd metadata; grad_fn compares the node's class name (``MulBackward0``)
stride      ``t.stride()`` differs on a dimension of size > 1 (the stride of a size-0/1 dim is
            arbitrary in torch too), or ``is_contiguous()`` differs
grad        ``.grad`` of a leaf (or a tensor that retains its grad) differs, checked with the
            same rules (its kind is ``grad`` + the sub-kind: ``grad.value``, ``grad.dtype``...)
========== =============================================================================
"""

from __future__ import annotations

import math

import numpy as np
import torch

KINDS = ("type", "shape", "dtype", "value", "requires_grad", "is_leaf", "grad_fn", "stride", "grad")

# torch.testing.assert_close defaults (rtol, atol) by dtype; integers and bool compare exactly.
TOLERANCES = {
    "torch.float16": (1e-3, 1e-5),
    "torch.bfloat16": (1.6e-2, 1e-5),
    "torch.float32": (1.3e-6, 1e-5),
    "torch.float64": (1e-7, 1e-7),
}


def is_tensor_like(x) -> bool:
    """A torch or glasstorch tensor (glasstorch's Tensor is not a torch.Tensor)."""
    return hasattr(x, "detach") and hasattr(x, "dtype") and hasattr(x, "shape")


def as_numpy(t) -> np.ndarray:
    """The values of either library's tensor as a NumPy array (a copy)."""
    if isinstance(t, torch.Tensor) and t._is_zerotensor():  # autograd.grad's materialized zeros
        return np.zeros(tuple(t.shape), dtype=torch.empty(0, dtype=t.dtype).numpy().dtype)
    return np.array(t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else t.detach().numpy())


def values_differ(a: np.ndarray, b: np.ndarray, dtype: str) -> str | None:
    """Why ``a`` (ours) is not close to ``b`` (torch's), or None when they agree."""
    if a.shape != b.shape:
        return f"shape {a.shape} != {b.shape}"
    if dtype not in TOLERANCES:
        if a.dtype.kind == "c" or b.dtype.kind == "c":
            bad = a != b
        else:
            bad = a.astype(np.float64) != b.astype(np.float64)
    else:
        rtol, atol = TOLERANCES[dtype]
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        both_nan = np.isnan(a64) & np.isnan(b64)
        same_inf = np.isinf(a64) & (a64 == b64)
        with np.errstate(invalid="ignore", over="ignore"):
            close = np.abs(a64 - b64) <= atol + rtol * np.abs(b64)
        bad = ~(both_nan | same_inf | close)
    if not np.any(bad):
        return None
    i = tuple(int(k) for k in np.argwhere(bad)[0])
    return f"{int(np.sum(bad))} of {a.size} differ, first at {i}: ours {a[i]!r}, torch {b[i]!r}"


def rounding_only(a: np.ndarray, b: np.ndarray) -> bool:
    """float32 values that differ by at most 1e-3 relatively, with NaN/inf in the same places:
    what float32 rounding becomes after an ill-conditioned chain (``sin(exp(x))`` at large x
    turns a 1-ulp difference of exp into 1e-4 of sin), as opposed to a wrong formula."""
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    fin = np.isfinite(b64)
    if not np.array_equal(fin, np.isfinite(a64)) or not np.array_equal(a64[~fin], b64[~fin],
                                                                       equal_nan=True):
        return False
    return bool(np.all(np.abs(a64[fin] - b64[fin]) <= 1e-3 * np.abs(b64[fin]) + 1e-5))



def node_name(t) -> str | None:
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def tensor_differences(ours, theirs, grads: bool = True) -> list[tuple[str, str]]:
    """Differences between one glasstorch tensor and one torch tensor (see the module doc)."""
    out: list[tuple[str, str]] = []
    if not is_tensor_like(ours):
        return [("type", f"ours is {type(ours).__name__}, torch's is a Tensor")]
    shape_o, shape_t = tuple(ours.shape), tuple(theirs.shape)
    if shape_o != shape_t:
        return [("shape", f"{shape_o} != {shape_t}")]
    dt_o, dt_t = str(ours.dtype), str(theirs.dtype)
    if dt_o != dt_t:
        out.append(("dtype", f"{dt_o} != {dt_t}"))
    else:
        a, b = as_numpy(ours), as_numpy(theirs)
        why = values_differ(a, b, dt_t)
        if why:
            # float64 values within float32's tolerance: a float32 computation cast to float64
            # (the gradient of a float64 value written into a float32 tensor), summed in
            # another order than torch's
            rounding = (dt_t == "torch.float32" and rounding_only(a, b)) or (
                dt_t == "torch.float64" and values_differ(a, b, "torch.float32") is None)
            out.append(("value.f32-rounding" if rounding else "value", why))
    for attr in ("requires_grad", "is_leaf"):
        a, b = getattr(ours, attr, "?"), getattr(theirs, attr)
        if a != b:
            out.append((attr, f"{a} != {b}"))
    if node_name(ours) != node_name(theirs):
        out.append(("grad_fn", f"{node_name(ours)} != {node_name(theirs)}"))
    out += stride_differences(ours, theirs)
    if grads and (theirs.is_leaf or theirs.retains_grad):
        g_o, g_t = getattr(ours, "grad", "?"), theirs.grad
        if (g_o is None) != (g_t is None):
            out.append(("grad", f"grad {'None' if g_o is None else 'set'} != "
                                f"{'None' if g_t is None else 'set'}"))
        elif g_t is not None:
            for kind, detail in tensor_differences(g_o, g_t, grads=False):
                if kind.split(".")[0] in ("shape", "dtype", "value", "type"):
                    out.append((f"grad.{kind}", detail))
    return out


def stride_differences(ours, theirs) -> list[tuple[str, str]]:
    """Strides on dims of size > 1, and contiguity (both defined by torch for dense tensors)."""
    if theirs.numel() == 0:
        return []
    try:
        s_o, c_o = tuple(ours.stride()), ours.is_contiguous()
    except Exception as e:  # noqa: BLE001 - a missing stride() is itself the finding
        return [("stride", f"stride() raised {type(e).__name__}")]
    s_t, c_t = tuple(theirs.stride()), theirs.is_contiguous()
    if c_o != c_t:
        return [("stride", f"is_contiguous {c_o} != {c_t} (strides {s_o} vs {s_t})")]
    dims = [i for i, n in enumerate(theirs.shape) if n > 1]
    if len(s_o) != len(s_t) or any(s_o[i] != s_t[i] for i in dims):
        return [("stride", f"{s_o} != {s_t}")]
    return []


def differences(ours, theirs) -> list[tuple[str, str]]:
    """Differences between any two values a statement may leave (tensors, tuples, numbers)."""
    if isinstance(theirs, torch.Tensor):
        return tensor_differences(ours, theirs)
    if isinstance(theirs, (tuple, list)) and not isinstance(theirs, torch.Size):
        if not isinstance(ours, (tuple, list)) or len(ours) != len(theirs):
            return [("type", f"ours {type(ours).__name__}, torch {type(theirs).__name__}"
                              f"[{len(theirs)}]")]
        for i, (a, b) in enumerate(zip(ours, theirs)):
            found = differences(a, b)
            if found:
                return [(k, f"[{i}] {d}") for k, d in found]
        return []
    if isinstance(theirs, torch.Size):
        return [] if tuple(ours) == tuple(theirs) else [("shape", f"{ours} != {theirs}")]
    if isinstance(theirs, (bool, int, float)):
        if type(ours) is not type(theirs) and not (
            isinstance(ours, (int, float)) and isinstance(theirs, (int, float))
            and not isinstance(ours, bool) and not isinstance(theirs, bool)
        ):
            return [("type", f"{type(ours).__name__} != {type(theirs).__name__}")]
        if isinstance(theirs, float) and isinstance(ours, (int, float)):
            if math.isnan(theirs) and math.isnan(ours):
                return []
            if not math.isclose(ours, theirs, rel_tol=1.3e-6, abs_tol=1e-5):
                return [("value", f"{ours!r} != {theirs!r}")]
            return []
        return [] if ours == theirs else [("value", f"{ours!r} != {theirs!r}")]
    return []  # other objects (optimizers, modules) are compared through their tensors
