"""A seeded generator of small random programs, one function per area.

``generate(seed, area)`` always returns the same program for the same seed and area. The
generator *runs each statement in PyTorch as it writes it* (a :class:`Builder` keeps a torch
namespace), so it can read the real shapes and dtypes of earlier results and write statements
that mostly make sense: an index within bounds, a matmul with matching inner sizes. Now and then
it writes one that should fail (an out-of-range dim, mismatched shapes): error parity is tested too.

Inputs are NumPy arrays, drawn partly from edge values (0, -0., ±inf, nan, ±1e30, 1e-30).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .interpret import execute, namespace, torch_tensors
from .program import Program, Statement

AREAS = ("elementwise", "views", "indexing", "reductions", "contractions", "nn", "autograd",
         "optim")

EDGE_VALUES = (0.0, -0.0, math.inf, -math.inf, math.nan, 1e30, -1e30, 1e-30)
FLOATS = ("float32", "float64")
DTYPES = ("float32", "float64", "int64", "int32", "bool")


class Builder:
    """Writes a program while running it in torch, so later statements can see earlier results."""

    def __init__(self, seed: int, area: str):
        self.rng = np.random.default_rng(seed)
        self.program = Program(seed=seed, area=area)
        self.ns = namespace(torch, {})
        self.count = 0

    # -- random choices -------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def pick(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    def int(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi] (both ends included)."""
        return int(self.rng.integers(lo, hi + 1))

    def shape(self, ndim: int | None = None, zero: float = 0.05) -> tuple[int, ...]:
        """A small shape: 0-d..4-d, sizes 1..4, now and then a size-0 dim."""
        ndim = self.pick((0, 1, 1, 2, 2, 2, 3, 3, 4)) if ndim is None else ndim
        return tuple(0 if self.chance(zero) else self.int(1, 4) for _ in range(ndim))

    def broadcastable(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """A shape that broadcasts with ``shape`` (a suffix, some dims 1, maybe more leading dims);
        one time in 15, any shape (which may not broadcast)."""
        if self.chance(1 / 15):
            return self.shape()
        keep = self.int(0, len(shape))
        out = [1 if self.chance(0.3) else n for n in shape[len(shape) - keep:]]
        if self.chance(0.2) and len(out) < 4:
            out = [self.int(1, 3)] + out
        return tuple(out)

    def array(self, shape, dtype: str, edge: float = 0.08, low: int = -4, high: int = 5):
        """NumPy data; floats are normal * 2 with a fraction ``edge`` of edge values."""
        if dtype == "bool":
            return self.rng.random(shape) < 0.5
        if dtype.startswith("int"):
            return self.rng.integers(low, high, size=shape).astype(dtype)
        a = (self.rng.standard_normal(shape) * 2).astype(dtype)
        if edge and a.size and self.chance(0.5):
            mask = self.rng.random(shape) < edge
            picks = self.rng.integers(len(EDGE_VALUES), size=shape)
            a = np.where(mask, np.array(EDGE_VALUES, dtype=dtype)[picks], a).astype(dtype)
        return np.asarray(a, dtype=dtype)

    # -- writing statements ------------------------------------------------------------------
    def name(self) -> str:
        self.count += 1
        return f"v{self.count - 1}"

    def emit(self, op: str, code: str) -> BaseException | None:
        """Append a statement and run it in torch; return what torch raised (or None)."""
        self.program.statements.append(Statement(op, code))
        with np.errstate(all="ignore"):
            return execute(code, self.ns)

    def assign(self, op: str, expr: str) -> str | None:
        """``vN = expr``; the new name, or None when torch raised (the name stays unbound)."""
        name = self.name()
        return None if self.emit(op, f"{name} = {expr}") else name

    def tensor(self, shape, dtype: str, grad: bool = False, edge: float = 0.08, **kw) -> str:
        """A new input tensor made from fresh NumPy data."""
        key = f"a{len(self.program.arrays)}"
        self.program.arrays[key] = self.array(shape, dtype, edge, **kw)
        self.ns[key] = self.program.arrays[key].copy()
        rg = ", requires_grad=True" if grad and dtype in FLOATS else ""
        return self.assign("input", f"torch.tensor({key}{rg})")

    def t(self, name: str) -> torch.Tensor:
        return self.ns[name]

    def tensors(self, pred=lambda t: True) -> list[str]:
        return [k for k, v in torch_tensors(self.ns).items() if pred(v)]

    def scalar(self) -> str:
        return self.pick(("2", "-3", "0", "2.5", "-0.5", "True", "1e30", "inf", "0.0"))

    def operand(self, like: str) -> str:
        """A second operand for ``like``: an existing tensor, a new broadcastable tensor of any
        dtype, a 0-d tensor, or a Python scalar."""
        r = self.rng.random()
        shape = tuple(self.t(like).shape)
        if r < 0.45:
            other = self.broadcastable(shape)
            return self.tensor(other, self.pick(DTYPES), grad=self.chance(0.4)) or like
        if r < 0.6:
            return self.tensor((), self.pick(DTYPES), grad=self.chance(0.3)) or like
        if r < 0.85:
            return self.scalar()
        same = self.tensors(lambda t: t.dim() > 0)
        return self.pick(same) if same else like

    def backward(self, chance: float = 0.8) -> None:
        """Maybe end with a backward from a float tensor that requires grad."""
        cands = self.tensors(lambda t: t.requires_grad and t.dtype.is_floating_point)
        if not cands or not self.chance(chance):
            return
        v = self.pick(cands[-3:])
        form = self.int(0, 2)
        if form == 0:
            self.emit("backward", f"{v}.sum().backward()")
        elif form == 1:
            w = self.tensor(tuple(self.t(v).shape), str(self.t(v).dtype)[6:], edge=0)
            self.emit("backward", f"({v} * {w}).sum().backward()")
        else:
            self.emit("backward", f"{v}.backward(torch.ones_like({v}))")

    def float_input(self, ndim: int | None = None, grad: bool = True, zero: float = 0.05) -> str:
        name = self.tensor(self.shape(ndim, zero), self.pick(FLOATS), grad=grad)
        assert name is not None  # torch.tensor(array) cannot fail
        return name


# --------------------------------------------------------------------------------- elementwise
BINARY = (
    ("add", "{a} + {b}"), ("sub", "{a} - {b}"), ("mul", "{a} * {b}"), ("div", "{a} / {b}"),
    ("floordiv", "{a} // {b}"), ("mod", "{a} % {b}"), ("pow", "{a} ** {b}"),
    ("rsub", "{b} - {a}"), ("rdiv", "{b} / {a}"), ("rpow", "{b} ** {a}"),
    ("eq", "{a} == {b}"), ("lt", "{a} < {b}"), ("ge", "{a} >= {b}"),
    ("torch.add(alpha)", "torch.add({a}, {b}, alpha=2)"),
    ("torch.maximum", "torch.maximum({a}, {b})"), ("torch.minimum", "torch.minimum({a}, {b})"),
    ("torch.fmod", "torch.fmod({a}, {b})"), ("torch.remainder", "torch.remainder({a}, {b})"),
    ("torch.atan2", "torch.atan2({a}, {b})"), ("torch.where", "torch.where({a} > 0, {a}, {b})"),
    ("torch.logical_and", "torch.logical_and({a}, {b})"), ("torch.hypot", "torch.hypot({a}, {b})"),
    ("torch.logaddexp", "torch.logaddexp({a}, {b})"), ("torch.true_divide",
                                                        "torch.true_divide({a}, {b})"),
    ("torch.clamp(t)", "torch.clamp({a}, min={b})"), ("torch.copysign", "torch.copysign({a}, {b})"),
)
UNARY = ("exp log sqrt abs neg sin cos tanh sigmoid relu floor ceil round sign reciprocal rsqrt "
         "log1p expm1 acos asin atan square erf trunc frac sinh cosh log2 isnan isinf "
         "nan_to_num logical_not sgn exp2 deg2rad").split()
INPLACE = ("add_({b})", "sub_({b})", "mul_({b})", "div_({b})", "clamp_(min=0)", "neg_()",
           "abs_()", "exp_()", "pow_(2)", "fill_({s})", "zero_()", "copy_({b})",
           "masked_fill_({a} > 0, 1.5)", "sigmoid_()", "relu_()", "floor_()", "add_({b}, alpha=-1)")


def elementwise(b: Builder) -> None:
    """Binary ops with dtype promotion and broadcasting, unary ops, in-place ops, backward."""
    b.tensor(b.shape(), b.pick(DTYPES), grad=b.chance(0.6))
    for _ in range(b.int(1, 5)):
        xs = b.tensors()
        a = b.pick(xs[-3:])
        r = b.rng.random()
        if r < 0.5:
            op, form = b.pick(BINARY)
            other = b.operand(a)
            if op.startswith("torch.") and other[0] not in "v":
                other = b.tensor((), b.pick(DTYPES)) or a  # functions want tensors; scalars rarely
            b.assign(op, form.format(a=a, b=other))
        elif r < 0.8:
            f = b.pick(UNARY)
            b.assign(f"torch.{f}", f"torch.{f}({a})" if b.chance(0.5) else f"{a}.{f}()")
        else:
            target = a
            if b.t(a).is_leaf and b.t(a).requires_grad and b.chance(0.85):
                target = b.assign("mul", f"{a} * 1") or a
            form = b.pick(INPLACE)
            other = b.operand(target) if "{b}" in form else ""
            code = f"{target}." + form.format(a=target, b=other, s=b.scalar())
            b.emit("Tensor." + form.split("(")[0], code)
    b.backward()


# ---------------------------------------------------------------------------------- views
def view_expr(b: Builder, v: str) -> tuple[str, str] | None:
    """A view of ``v``: (op label, expression)."""
    t = b.t(v)
    shape, nd = tuple(t.shape), t.dim()
    choices = ["reshape", "view", "unsqueeze", "flatten", "expand", "detach"]
    if nd:
        choices += ["slice", "transpose", "permute", "narrow", "select", "squeeze", "split",
                    "unbind", "index"]
    if nd >= 2:
        choices += ["t", "diagonal", "mT", "movedim"]
    if nd <= 2:
        choices += ["t"]
    kind = b.pick(choices)
    d = b.int(-nd, nd - 1) if nd else 0
    if kind == "slice":
        parts = []
        for n in shape[: b.int(1, nd)]:
            start = b.int(-n - 1, n) if n and b.chance(0.5) else None
            stop = b.int(-n, n + 1) if b.chance(0.4) else None
            step = b.pick((None, None, 2, 3))
            parts.append(":".join("" if p is None else str(p) for p in (start, stop, step))
                         if step else f"{'' if start is None else start}:"
                         f"{'' if stop is None else stop}")
        return "getitem[slice]", f"{v}[{', '.join(parts)}]"
    if kind == "transpose":
        return "Tensor.transpose", f"{v}.transpose({d}, {b.int(-nd, nd - 1)})"
    if kind == "permute":
        return "Tensor.permute", f"{v}.permute{tuple(int(i) for i in b.rng.permutation(nd))}"
    if kind == "narrow":
        n = shape[d]
        start = b.int(0, n)
        return "Tensor.narrow", f"{v}.narrow({d}, {start}, {b.int(0, n - start)})"
    if kind == "select":
        return "Tensor.select", f"{v}.select({d}, {b.int(-shape[d], max(shape[d] - 1, 0))})"
    if kind == "index":
        return "getitem[int]", f"{v}[{b.int(-shape[0], max(shape[0] - 1, 0))}]"
    if kind == "squeeze":
        return "Tensor.squeeze", f"{v}.squeeze({d})" if b.chance(0.7) else f"{v}.squeeze()"
    if kind == "split":
        return "Tensor.split", f"{v}.split({b.int(1, 3)}, {d})[0]"
    if kind == "unbind":
        return "Tensor.unbind", f"{v}.unbind({d})[-1]"
    if kind in ("reshape", "view"):
        return f"Tensor.{kind}", f"{v}.{kind}{reshape_target(b, shape)}"
    if kind == "unsqueeze":
        return "Tensor.unsqueeze", f"{v}.unsqueeze({b.int(-nd - 1, nd)})"
    if kind == "flatten":
        return "Tensor.flatten", f"{v}.flatten()"
    if kind == "expand":
        new = [b.int(1, 3) if n == 1 and b.chance(0.7) else (-1 if b.chance(0.3) else n)
               for n in shape]
        if b.chance(0.4):
            new = [b.int(1, 2)] + new
        return "Tensor.expand", f"{v}.expand({tuple(new)})"
    if kind == "t":
        return "Tensor.t", f"{v}.t()"
    if kind == "mT":
        return "Tensor.mT", f"{v}.mT"
    if kind == "movedim":
        return "Tensor.movedim", f"{v}.movedim({d}, {b.int(-nd, nd - 1)})"
    if kind == "diagonal":
        d2 = b.pick([i for i in range(nd) if i != d % nd])
        return "Tensor.diagonal", f"{v}.diagonal({b.int(-1, 1)}, {d}, {d2})"
    return "Tensor.detach", f"{v}.detach()"


def reshape_target(b: Builder, shape) -> tuple:
    """A shape with the same number of elements (sometimes with -1)."""
    n = int(np.prod(shape))
    dims = []
    rest = n
    for f in (2, 3, 2):
        if rest and rest % f == 0 and b.chance(0.5):
            dims.append(f)
            rest //= f
    dims.append(rest)
    b.rng.shuffle(dims)
    if b.chance(0.4) and n:
        dims[b.int(0, len(dims) - 1)] = -1
    return tuple(int(x) for x in dims)


VIEW_INPLACE = ("mul_(2)", "add_(1)", "zero_()", "fill_(7.)", "sigmoid_()", "clamp_(max=0.5)",
                "copy_({w})", "add_({w})", "__setitem__")


def views(b: Builder) -> None:
    """Views (slices, transpose, reshape, expand, diagonal...) then in-place ops, then backward."""
    x = b.float_input(b.int(1, 4), grad=b.chance(0.8), zero=0.03)
    h = b.assign("mul", f"{x} * 1") if b.chance(0.8) else x
    v = h
    for _ in range(b.int(1, 3)):
        got = view_expr(b, v)
        if got is None:
            break
        nv = b.assign(*got)
        if nv is None:
            break
        v = nv
    for _ in range(b.int(1, 2)):
        form = b.pick(VIEW_INPLACE)
        if form == "__setitem__":
            b.emit("setitem[view]", f"{v}[...] = {b.scalar()}")
        else:
            w = b.tensor(b.broadcastable(tuple(b.t(v).shape)), str(b.t(v).dtype)[6:], edge=0) \
                if "{w}" in form else ""
            b.emit("Tensor." + form.split("(")[0] + "[view]", f"{v}." + form.format(w=w))
    if b.chance(0.5):
        b.assign("mul", f"{h} * 2" if b.chance(0.5) else f"{v} * 2")
    b.backward(0.9)


# ---------------------------------------------------------------------------------- indexing
def index_parts(b: Builder, shape) -> str:
    """An index for a tensor of ``shape``: ints, slices, None, Ellipsis, lists, int tensors, bool
    masks, 0-d tensors, in a random mix."""
    parts: list[str] = []
    dim = 0
    ellipsis = False
    while dim < len(shape) and len(parts) < 4:
        n = shape[dim]
        r = b.rng.random()
        if r < 0.12:
            parts.append("None")
            continue
        if r < 0.2 and not ellipsis:
            ellipsis = True
            parts.append("...")
            dim = len(shape) - b.int(0, len(shape) - dim)
            continue
        if r < 0.35:
            parts.append(str(b.int(-n, n - 1)) if n else "0")
        elif r < 0.5:
            parts.append(b.pick((":", "1:", "::2", ":-1")))
        elif r < 0.62:
            parts.append(str([b.int(-n, n - 1) if n else 0 for _ in range(b.int(0, 3))]))
        elif r < 0.78:
            ishape = b.pick(((b.int(0, 3),), (b.int(1, 2), b.int(1, 2)), ()))
            parts.append(b.tensor(ishape, "int64", low=-n, high=max(n, 1)) or ":")
        elif r < 0.9:
            k = b.int(1, min(2, len(shape) - dim))
            parts.append(b.tensor(tuple(shape[dim:dim + k]), "bool") or ":")
            dim += k
            continue
        else:
            parts.append(b.pick(("True", "False", "torch.tensor(1)")) if n > 1 else ":")
        dim += 1
    if not parts or b.chance(0.1):
        parts.append(b.pick(("...", "None")))
    return ", ".join(parts)


def indexing(b: Builder) -> None:
    """Advanced indexing reads and writes (and index_select/gather/masked ops), then backward."""
    x = b.tensor(b.shape(b.int(1, 4), zero=0.04), b.pick(("float32", "float64", "float32",
                                                          "int64", "bool")), grad=b.chance(0.6))
    if x is None:
        return
    h = b.assign("mul", f"{x} * 1") if b.t(x).requires_grad else x
    for _ in range(b.int(1, 4)):
        shape = tuple(b.t(h).shape)
        r = b.rng.random()
        idx = index_parts(b, shape)
        label = index_label(idx)
        if r < 0.45:
            b.assign(f"getitem[{label}]", f"{h}[{idx}]")
        elif r < 0.85:
            try:
                target = tuple(b.t(h)[eval(idx, b.ns)].shape)  # noqa: S307 - our own index
            except Exception:  # noqa: BLE001 - an index torch rejects: any value will do
                target = ()
            value = b.pick(("scalar", "0d", "tensor", "tensor"))
            if value == "scalar":
                v = b.scalar()
            elif value == "0d":
                v = b.tensor((), b.pick(DTYPES), grad=b.chance(0.3))
            else:
                v = b.tensor(b.broadcastable(target), b.pick(DTYPES), grad=b.chance(0.3))
            b.emit(f"setitem[{label}]", f"{h}[{idx}] = {v}")
        elif shape:
            d = b.int(0, len(shape) - 1)
            n = shape[d]
            i = b.tensor((b.int(0, 3),), "int64", low=0, high=max(n, 1))
            form = b.int(0, 3)
            if form == 0:
                b.assign("torch.index_select", f"torch.index_select({h}, {d}, {i})")
            elif form == 1:
                m = b.tensor(b.broadcastable(shape), "bool")
                b.assign("Tensor.masked_fill", f"{h}.masked_fill({m}, 2.5)")
            elif form == 2:
                gi = b.tensor(shape, "int64", low=0, high=max(n, 1))
                b.assign("torch.gather", f"torch.gather({h}, {d}, {gi})")
            else:
                vals = b.tensor((b.int(0, 3),) + shape[1:], str(b.t(h).dtype)[6:])
                b.emit("Tensor.index_put_",
                       f"{h}.index_put_(({i},), {vals}, accumulate={b.chance(0.5)})")
    b.backward()


def index_label(idx: str) -> str:
    """A coarse name for an index (what mismatches are grouped by): ``adv`` when it holds a list
    or a tensor (advanced indexing), else ``basic``. Coarse on purpose: a finer name (which mix of
    None, ... and tensors) splits one bug into many classes."""
    adv = any(p.startswith(("v", "[")) for p in idx.split(", "))
    return "adv" if adv else "basic"


# -------------------------------------------------------------------------------- reductions
REDUCTIONS = ("sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "std",
              "var", "logsumexp", "cumsum", "cumprod", "norm", "all", "any", "median",
              "count_nonzero", "nansum")


def reductions(b: Builder) -> None:
    """Reductions with and without dims, keepdim, corrections; then backward."""
    x = b.tensor(b.shape(zero=0.08), b.pick(("float32", "float64", "float32", "int64", "bool")),
                 grad=b.chance(0.7))
    for _ in range(b.int(1, 3)):
        v = b.pick(b.tensors()[-2:])
        nd = b.t(v).dim()
        f = b.pick(REDUCTIONS)
        args = []
        if b.chance(0.75) or f in ("cumsum", "cumprod", "logsumexp"):
            d = b.int(-nd - (1 if b.chance(0.05) else 0), max(nd - 1, 0))
            if f in ("amax", "amin", "sum", "mean", "std", "var", "logsumexp") and nd > 1 \
                    and b.chance(0.3):
                args.append(f"dim=({d}, {(d + 1) % nd})")
            else:
                args.append(f"dim={d}" if f not in ("cumsum", "cumprod") or b.chance(0.5)
                            else str(d))
            if f not in ("cumsum", "cumprod", "argmax", "argmin", "count_nonzero", "all",
                         "any") and b.chance(0.5):
                args.append(f"keepdim={b.chance(0.5)}")
        if f in ("std", "var") and b.chance(0.5):
            args.append(f"correction={b.int(0, 2)}")
        form = f"torch.{f}({', '.join([v] + args)})" if b.chance(0.5) else \
            f"{v}.{f}({', '.join(args)})"
        name = b.assign(f"torch.{f}", form)
        if name and isinstance(b.t(name), tuple):
            b.assign("getitem[values]", f"{name}[0]")
    b.backward()
    if x and b.chance(0.2):
        b.assign("Tensor.sum", f"{x}.sum()")


# ------------------------------------------------------------------------------ contractions
def contractions(b: Builder) -> None:
    """matmul of 1-d..4-d, mm, bmm, mv, dot, outer, einsum, tensordot; then backward."""
    dt = b.pick(FLOATS)
    dt2 = dt if b.chance(0.9) else b.pick(DTYPES)
    n, k, m, bs = (b.int(0 if b.chance(0.05) else 1, 4) for _ in range(4))
    kind = b.pick(("matmul", "matmul", "mm", "bmm", "mv", "dot", "outer", "einsum", "tensordot"))
    bad = b.chance(0.06)  # now and then, sizes that do not fit
    k2 = k + 1 if bad else k

    def inp(shape, d=dt):
        return b.tensor(shape, d, grad=b.chance(0.7), edge=0.03)

    if kind == "matmul":
        r1, r2 = b.int(1, 4), b.int(1, 4)
        batch1 = tuple(b.pick((1, bs)) for _ in range(max(r1 - 2, 0)))
        batch2 = tuple(b.pick((1, bs)) for _ in range(max(r2 - 2, 0)))
        s1 = (k,) if r1 == 1 else batch1 + (n, k)
        s2 = (k2,) if r2 == 1 else batch2 + (k2, m)
        x, y = inp(s1), inp(s2, dt2)
        b.assign("torch.matmul", f"{x} @ {y}" if b.chance(0.5) else f"torch.matmul({x}, {y})")
    elif kind == "mm":
        x, y = inp((n, k)), inp((k2, m), dt2)
        b.assign("torch.mm", f"torch.mm({x}, {y})")
    elif kind == "bmm":
        x, y = inp((bs, n, k)), inp((bs, k2, m), dt2)
        b.assign("torch.bmm", f"torch.bmm({x}, {y})")
    elif kind == "mv":
        x, y = inp((n, k)), inp((k2,), dt2)
        b.assign("torch.mv", f"torch.mv({x}, {y})")
    elif kind == "dot":
        x, y = inp((k,)), inp((k2,), dt2)
        b.assign("torch.dot", f"torch.dot({x}, {y})")
    elif kind == "outer":
        x, y = inp((n,)), inp((m,), dt2)
        b.assign("torch.outer", f"torch.outer({x}, {y})")
    elif kind == "einsum":
        eq, shapes = b.pick((
            ("ij,jk->ik", ((n, k), (k2, m))), ("bij,bjk->bik", ((bs, n, k), (bs, k2, m))),
            ("i,i->", ((k,), (k2,))), ("ij->ji", ((n, k),)), ("ii->i", ((k, k2),)),
            ("ij,ij->i", ((n, k), (n, k2))), ("i,j->ij", ((n,), (m,))), ("...ij->...i",
                                                                        ((bs, n, k),)),
            ("bij,jk->bik", ((bs, n, k), (k2, m))), ("ij->", ((n, k),)),
        ))
        names = [inp(s, dt if i == 0 else dt2) for i, s in enumerate(shapes)]
        b.assign("torch.einsum", f"torch.einsum('{eq}', {', '.join(names)})")
    else:
        x, y = inp((n, k, m)), inp((k2, m, bs), dt2)
        dims = b.pick(("2", "([1, 2], [0, 1])", "([2], [1])", "0"))
        b.assign("torch.tensordot", f"torch.tensordot({x}, {y}, dims={dims})")
    b.backward()


# ------------------------------------------------------------------------------------- nn
def nn(b: Builder) -> None:
    """nn.functional: activations, softmax, losses, conv2d, pooling, norms, dropout."""
    kind = b.pick(("act", "softmax", "cross_entropy", "mse", "conv2d", "pool", "layer_norm",
                   "batch_norm", "dropout"))
    dt = b.pick(FLOATS)
    if kind == "act":
        x = b.float_input()
        f = b.pick(("F.relu({x})", "F.gelu({x})", "F.gelu({x}, approximate='tanh')",
                    "F.leaky_relu({x}, 0.1)", "F.elu({x})", "F.silu({x})", "F.softplus({x})",
                    "F.hardtanh({x})", "F.tanh({x})", "F.sigmoid({x})", "F.relu6({x})",
                    "F.logsigmoid({x})", "F.mish({x})"))
        b.assign(f.split("(")[0], f.format(x=x))
    elif kind == "softmax":
        x = b.float_input(b.int(1, 4))
        f = b.pick(("softmax", "log_softmax"))
        b.assign(f"F.{f}", f"F.{f}({x}, dim={b.int(-b.t(x).dim(), b.t(x).dim() - 1)})")
    elif kind == "cross_entropy":
        n, c = b.int(1 if b.chance(0.95) else 0, 4), b.int(1, 4)
        extra = (b.int(1, 3),) if b.chance(0.25) else ()
        x = b.tensor((n, c) + extra, dt, grad=True, edge=0.05)
        if b.chance(0.2):
            y = b.tensor((n, c) + extra, dt, edge=0)
            y = b.assign("F.softmax", f"F.softmax({y}, dim=1)")  # probabilities as targets
        else:
            y = b.tensor((n,) + extra, "int64", low=0, high=c)
            if b.chance(0.5):
                m = b.tensor((n,) + extra, "bool")
                b.emit("setitem[mask]", f"{y}[{m}] = -100")
        kw = [f"reduction='{b.pick(('mean', 'sum', 'none'))}'"]
        if b.chance(0.4):
            kw.append(f"label_smoothing={b.pick((0.1, 0.5))}")
        if b.chance(0.2):
            kw.append(f"ignore_index={b.int(0, c - 1)}")
        f = b.pick(("cross_entropy", "cross_entropy", "nll_loss"))
        if f == "nll_loss":
            kw = [k for k in kw if "smoothing" not in k]
            x = b.assign("F.log_softmax", f"F.log_softmax({x}, dim=1)") or x
        b.assign(f"F.{f}", f"F.{f}({x}, {y}, {', '.join(kw)})")
    elif kind == "mse":
        x = b.float_input()
        y = b.tensor(b.broadcastable(tuple(b.t(x).shape)), dt, grad=b.chance(0.3))
        f = b.pick(("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"))
        b.assign(f"F.{f}", f"F.{f}({x}, {y}, reduction='{b.pick(('mean', 'sum', 'none'))}')")
    elif kind == "conv2d":
        g = b.pick((1, 1, 2))
        n, c, o = b.int(1, 2), g * b.int(1, 2), g * b.int(1, 2)
        kh, kw = b.int(1, 3), b.int(1, 3)
        x = b.tensor((n, c, b.int(kh, 6), b.int(kw, 6)), dt, grad=True, edge=0.02)
        w = b.tensor((o, c // g, kh, kw), dt, grad=True, edge=0)
        bias = b.tensor((o,), dt, grad=True, edge=0) if b.chance(0.5) else "None"
        b.assign("F.conv2d", f"F.conv2d({x}, {w}, {bias}, stride={b.int(1, 2)}, "
                             f"padding={b.int(0, 2)}, dilation={b.int(1, 2)}, groups={g})")
    elif kind == "pool":
        k = b.int(1, 3)
        dil = b.int(1, 2) if b.chance(0.3) else 1
        # padding is at most half the kernel (torch's rule); with dilation, 0: torch 2.13 aborts
        # on a max_pool2d backward whose dilated window lies wholly in padding (see FIDELITY.md)
        pad = b.int(0, k // 2) if dil == 1 else 0
        x = b.tensor((b.int(1, 2), b.int(1, 2), b.int(k * dil, 6), b.int(k * dil, 6)), dt,
                     grad=True, edge=0.04)
        if b.chance(0.5):
            b.assign("F.max_pool2d", f"F.max_pool2d({x}, {k}, stride={b.int(1, 2)}, "
                                     f"padding={pad}, dilation={dil}, ceil_mode={b.chance(0.3)})")
        else:
            b.assign("F.avg_pool2d", f"F.avg_pool2d({x}, {k}, stride={b.int(1, 2)}, "
                                     f"padding={pad}, ceil_mode={b.chance(0.3)}, "
                                     f"count_include_pad={b.chance(0.5)})")
    elif kind == "layer_norm":
        x = b.float_input(b.int(1, 4))
        shape = tuple(b.t(x).shape)
        ns = shape[len(shape) - b.int(1, len(shape)):]
        w = b.tensor(ns, str(b.t(x).dtype)[6:], grad=True, edge=0) if b.chance(0.5) else "None"
        b.assign("F.layer_norm", f"F.layer_norm({x}, {ns}, {w})")
    elif kind == "batch_norm":
        n, c = b.int(1, 3), b.int(1, 3)
        x = b.tensor((n, c) + ((b.int(1, 3),) * b.int(0, 2)), dt, grad=True, edge=0.02)
        rm = b.tensor((c,), dt, edge=0)
        rv = b.assign("torch.ones", f"torch.ones({c}, dtype=torch.{dt})")
        train = b.chance(0.7)
        b.assign("F.batch_norm", f"F.batch_norm({x}, {rm}, {rv}, training={train}, "
                                 f"momentum={b.pick((0.1, 0.5))})")
    else:
        x = b.float_input()
        p = b.pick((0.0, 1.0))
        f = b.pick(("dropout", "dropout", "dropout2d"))
        if f == "dropout2d":
            x = b.float_input(b.int(3, 4))
        b.assign(f"F.{f}", f"F.{f}({x}, p={p}, training={b.chance(0.8)})")
    b.backward(0.9)


# ------------------------------------------------------------------------------- autograd
FUNCS = ("torch.relu({x})", "torch.tanh({x})", "{x} ** 3", "torch.sigmoid({x})", "torch.exp({x})",
         "torch.sin({x}) * {x}", "F.softmax({x}, dim=-1)", "F.log_softmax({x}, dim=-1)",
         "{x} * {x}", "F.gelu({x})", "torch.abs({x})", "{x}.max()", "torch.where({x} > 0, {x}, "
         "{x} * 2)", "({x} @ {x}.mT)", "{x}.pow(2).mean()", "torch.log1p({x} * {x})",
         "F.mse_loss({x}, torch.zeros_like({x}))", "torch.cumsum({x}, -1)", "{x}.norm()",
         "torch.sqrt({x} * {x} + 1)", "F.silu({x})", "torch.logsumexp({x}, -1)", "{x}.prod()")


def autograd(b: Builder) -> None:
    """First derivatives with create_graph=True, then a second derivative (grad or backward)."""
    x = b.tensor(b.shape(b.int(1, 2), zero=0.02), b.pick(FLOATS), grad=True, edge=0.03)
    y = x
    for _ in range(b.int(1, 3)):
        y = b.assign("f", b.pick(FUNCS).format(x=y)) or y
    # the label of a chained expression: its function names (to group mismatches usefully)
    codes = [s.code for s in b.program.statements if s.op == "f"]
    label = "+".join(sorted({f.split("=")[1].strip().split("(")[0] for f in codes}))
    b.program.statements[:] = [Statement(f"f[{label}]", s.code) if s.op == "f" else s
                               for s in b.program.statements]
    g = b.name()
    if b.emit("autograd.grad(create_graph)",
              f"{g}, = torch.autograd.grad({y}.sum(), {x}, create_graph=True)"):
        return
    form = b.int(0, 2)
    if form == 0:
        b.emit("autograd.grad(2nd)", f"{b.name()}, = torch.autograd.grad({g}.sum(), {x})")
    elif form == 1:
        b.emit("backward(2nd)", f"({g} * {g}).sum().backward()")
    else:
        b.emit("autograd.grad(2nd)", f"{b.name()}, = torch.autograd.grad({g}.sum(), {x}, "
                                     f"allow_unused=True, materialize_grads=True)")


# --------------------------------------------------------------------------------- optim
OPTIMIZERS = (
    "torch.optim.SGD([{p}], lr=0.1)", "torch.optim.SGD([{p}], lr=0.1, momentum=0.9)",
    "torch.optim.SGD([{p}], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)",
    "torch.optim.SGD([{p}], lr=0.05, momentum=0.5, dampening=0.1)",
    "torch.optim.Adam([{p}], lr=0.01)", "torch.optim.Adam([{p}], lr=0.1, betas=(0.8, 0.9), "
    "weight_decay=0.1)", "torch.optim.Adam([{p}], lr=0.01, amsgrad=True)",
    "torch.optim.AdamW([{p}], lr=0.01)", "torch.optim.RMSprop([{p}], lr=0.01)",
    "torch.optim.Adagrad([{p}], lr=0.1)", "torch.optim.Adam([{p}], lr=0.01, maximize=True)",
)


def optim(b: Builder) -> None:
    """A few optimizer steps on one parameter; the parameter is compared after each step."""
    p = b.tensor(b.shape(b.int(1, 3), zero=0.02), b.pick(FLOATS), grad=True, edge=0.02)
    c = b.tensor(tuple(b.t(p).shape), str(b.t(p).dtype)[6:], edge=0)
    form = b.pick(OPTIMIZERS)
    b.assign(form.split("(")[0], form.format(p=p))
    opt = f"v{b.count - 1}"
    for _ in range(b.int(1, 3)):
        b.emit("zero_grad", f"{opt}.zero_grad()")
        loss = b.assign("loss", b.pick(("(({p} - {c}) ** 2).sum()", "({p} * {c}).sum()",
                                        "F.mse_loss({p}, {c})", "{p}.abs().sum()"))
                        .format(p=p, c=c))
        if loss is None:
            return
        b.emit("backward", f"{loss}.backward()")
        b.emit(form.split("(")[0] + ".step", f"{opt}.step()")


GENERATORS = {"elementwise": elementwise, "views": views, "indexing": indexing,
              "reductions": reductions, "contractions": contractions, "nn": nn,
              "autograd": autograd, "optim": optim}


def area_for(seed: int, area: str) -> str:
    """``--area all`` gives each seed an area in turn (so ``--seed N`` alone replays it)."""
    return AREAS[seed % len(AREAS)] if area == "all" else area


def generate(seed: int, area: str = "all") -> Program:
    """The program of ``seed`` in ``area`` (``"all"``: the area of that seed)."""
    area = area_for(seed, area)
    b = Builder(seed, area)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            GENERATORS[area](b)
    return b.program
