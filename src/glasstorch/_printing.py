"""The printed form of a tensor, character for character as torch prints it.

``repr(t)`` is ``tensor(<values>, <suffixes>)``. How the values look is decided once per tensor by
a ``_Formatter`` that looks at all the (finite, nonzero) values that will be shown:

- integers and bools print as Python prints them, right-aligned to the widest;
- scientific notation (``1.0000e+05``) when the largest/smallest magnitude ratio exceeds 1000,
  the largest exceeds 1e8, or the smallest is below 1e-4 (or as ``sci_mode`` forces);
- otherwise floats that are all whole numbers print as ``1.`` (no decimals),
- and any other floats with ``precision`` (4) decimals, ``0.5000``.

Rows wrap at ``linewidth`` (80) characters; tensors with more than ``threshold`` (1000) elements
are summarised with ``...`` keeping ``edgeitems`` (3) at each end of every dimension. Suffixes
follow: ``device='cuda:0'`` for a tensor on a GPU, ``dtype=`` when it is not float32/int64/bool
(or the default float), ``size=`` for empty tensors not of shape ``(0,)``, and
``grad_fn=<MulBackward0>`` or ``requires_grad=True``.

``set_printoptions`` changes the settings (``profile='short'`` / ``'full'`` / ``'default'``).

``_typename`` is how torch's messages name any object (``torch.FloatTensor``, ``int``).
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from . import _array, _dtype
from ._tensor import Tensor


def _typename(obj) -> str:
    """``torch.typename``: ``'torch.FloatTensor'`` for a float32 tensor, else the dotted name of
    the object's type (of the object itself when it is a class): ``'int'``, ``'a.b.Linear'``."""
    if isinstance(obj, Tensor):
        return "torch." + obj.dtype.tensor_type
    cls = obj if isinstance(obj, type) else type(obj)
    module = cls.__module__ or ""
    return cls.__qualname__ if module in ("", "builtins") else f"{module}.{cls.__qualname__}"


class _Options:
    precision = 4
    threshold: float = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode: bool | None = None


OPTS = _Options()

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """Change how tensors print.

    precision: decimals shown (4). threshold: more elements than this are summarised (1000).
    edgeitems: items kept at each end when summarised (3). linewidth: characters per line (80).
    profile: ``'default'``, ``'short'`` (2 decimals, 2 edge items) or ``'full'`` (never
    summarise). sci_mode: True/False forces scientific notation on/off; None (the default, and
    what every call without it sets) lets the values decide.
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"set_printoptions: unknown profile {profile!r}; use 'default', 'short' or 'full'"
            )
        OPTS.precision, OPTS.threshold, OPTS.edgeitems, OPTS.linewidth = _PROFILES[profile]
    if precision is not None:
        OPTS.precision = precision
    if threshold is not None:
        OPTS.threshold = threshold
    if edgeitems is not None:
        OPTS.edgeitems = edgeitems
    if linewidth is not None:
        OPTS.linewidth = linewidth
    OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current print options as a dict (the keywords of ``set_printoptions``)."""
    return {"precision": OPTS.precision, "threshold": OPTS.threshold,
            "edgeitems": OPTS.edgeitems, "linewidth": OPTS.linewidth, "sci_mode": OPTS.sci_mode}


@contextlib.contextmanager
def printoptions(**kwargs):
    """``with torch.printoptions(precision=2): ...`` sets print options for the block only."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# ---- choosing a format for all values -------------------------------------------------------
class _Formatter:
    """Decides the style (int-like, fixed, scientific) and the column width from the values."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        prec = OPTS.precision
        if not self.floating:
            if values.size:
                self.width = max(len(str(v)) for v in _python(values.ravel()))
            return
        flat = values.ravel().astype(np.float64)
        finite = flat[np.isfinite(flat) & (flat != 0)]
        if finite.size == 0:
            return  # only zeros, nan and inf: width 1, whole-number style
        magnitudes = np.abs(finite)
        lo, hi = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool((finite == np.ceil(finite)).all())
        if OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = bool(OPTS.sci_mode)
        values = finite.tolist()
        if self.sci_mode:
            self.width = max(len(f"{v:.{prec}e}") for v in values)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") for v in values) + 1  # room for the "."
        else:
            self.width = max(len(f"{v:.{prec}f}") for v in values)

    def format(self, value) -> str:
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.width}.{OPTS.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if math.isfinite(value):
                    text += "."
            else:
                text = f"{value:.{OPTS.precision}f}"
        else:
            text = str(value)
        return " " * (self.width - len(text)) + text


def _python(arr: np.ndarray) -> list:
    return arr.tolist()


# ---- laying values out ----------------------------------------------------------------------
def _summary(arr: np.ndarray) -> np.ndarray:
    """The values that will actually be shown when summarising (edge items of every dimension)."""
    e = OPTS.edgeitems
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        return np.concatenate((arr[:e], arr[-e:])) if arr.shape[0] > 2 * e else arr
    if not e:
        return arr[(slice(0, 0),) * arr.ndim]
    rows = list(range(e)) + list(range(arr.shape[0] - e, arr.shape[0])) \
        if arr.shape[0] > 2 * e else range(arr.shape[0])
    return np.stack([_summary(arr[i]) for i in rows])


def _scalar(value, fmt: _Formatter, imag_fmt: _Formatter | None) -> str:
    if imag_fmt is None:
        return fmt.format(value)
    real = fmt.format(value.real)
    imag = (imag_fmt.format(value.imag) + "j").lstrip()
    return real + imag if imag[0] in "+-" else real + "+" + imag


def _vector(arr, indent: int, summarize: bool, fmt, imag_fmt) -> str:
    item_len = fmt.width + 2 + (imag_fmt.width + 1 if imag_fmt is not None else 0)
    per_line = max(1, int(math.floor((OPTS.linewidth - indent) / item_len)))
    e = OPTS.edgeitems
    if summarize and not e:
        items = ["..."]
    elif summarize and arr.shape[0] > 2 * e:
        items = ([_scalar(v, fmt, imag_fmt) for v in arr[:e].tolist()] + [" ..."]
                 + [_scalar(v, fmt, imag_fmt) for v in arr[-e:].tolist()])
    else:
        items = [_scalar(v, fmt, imag_fmt) for v in arr.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(arr, indent: int, summarize: bool, fmt, imag_fmt) -> str:
    if arr.ndim == 0:
        return _scalar(arr.item(), fmt, imag_fmt)
    if arr.ndim == 1:
        return _vector(arr, indent, summarize, fmt, imag_fmt)
    e, n = OPTS.edgeitems, arr.shape[0]
    if summarize and n > 2 * e:
        parts = ([_nested(arr[i], indent + 1, summarize, fmt, imag_fmt) for i in range(e)]
                 + ["..."]
                 + [_nested(arr[i], indent + 1, summarize, fmt, imag_fmt)
                    for i in range(n - e, n)])
    else:
        parts = [_nested(arr[i], indent + 1, summarize, fmt, imag_fmt) for i in range(n)]
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def values_str(arr: np.ndarray, indent: int) -> str:
    """The bracketed values of ``arr`` as torch lays them out, continuation lines indented."""
    if arr.size == 0:
        return "[]"
    summarize = arr.size > OPTS.threshold
    if arr.dtype == np.float16:
        arr = arr.astype(np.float32)
    shown = _summary(arr) if summarize else arr
    if arr.dtype.kind == "c":
        real, imag = _Formatter(shown.real), _Formatter(shown.imag)
        return _nested(arr, indent, summarize, real, imag)
    return _nested(arr, indent, summarize, _Formatter(shown), None)


def _with_suffixes(text: str, suffixes: list, indent: int) -> str:
    """Append ``, suffix`` items, moving one to its own line when it would pass ``linewidth``."""
    parts = [text]
    last = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last + len(s) + 2 > OPTS.linewidth:
            parts.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            parts.append(", " + s)
            last += len(s) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t) -> str:
    """``repr(t)``: ``tensor([...])`` followed by the suffixes torch shows (see module doc)."""
    name = type(t).__name__
    prefix = "tensor(" if name in ("Tensor", "Parameter") else name + "("
    indent = len(prefix)
    arr = t._data
    dt = _dtype._from_np[arr.dtype]
    default = _dtype.get_default_dtype()
    suffixes = []
    if not _array.on_host(arr):
        suffixes.append(f"device='{t.device}'")
        arr = _array.to_host(arr)
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dt is not default:
            suffixes.append(f"dtype={dt!r}")
        body = "[]"
    else:
        if not OPTS.edgeitems:
            suffixes.append(f"size={tuple(arr.shape)}")
        default_complex = _dtype.complex128 if default is _dtype.float64 else _dtype.complex64
        if dt not in (default, default_complex, _dtype.int64, _dtype.bool_):
            suffixes.append(f"dtype={dt!r}")
        body = values_str(arr, indent)
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._rg:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + body, suffixes, indent)


__all__ = ["set_printoptions", "get_printoptions", "printoptions", "tensor_repr"]
