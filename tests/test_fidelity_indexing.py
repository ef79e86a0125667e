"""Indexing and views against torch, statement by statement (issue 12's fidelity fixes).

Each case is a few lines of PyTorch code run twice, with ``lib`` = glasstorch and ``lib`` =
torch. The code leaves its result in ``out`` (a tensor or a tuple of tensors); both runs must
agree on values, dtype, shape, strides, contiguity, ``requires_grad`` and ``grad_fn`` being set,
and on any gradient the code leaves in ``grads``. When torch raises, glasstorch must raise the
same exception type with the same first line of message.
"""

from __future__ import annotations

import numpy as np
import pytest

import glasstorch as gt
from oracle import needs_torch, torch

pytestmark = needs_torch


def _run(code: str, lib):
    ns = {"lib": lib, "np": np}
    try:
        exec(code, ns)
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return ns, e
    return ns, None


def _flat(v):
    return list(v) if isinstance(v, (tuple, list)) else [v]


def _same_tensor(a, b, what):
    assert isinstance(a, gt.Tensor), f"{what}: ours is {type(a).__name__}"
    assert tuple(a.shape) == tuple(b.shape), f"{what}: shape {tuple(a.shape)} != {tuple(b.shape)}"
    assert str(a.dtype) == str(b.dtype), f"{what}: dtype {a.dtype} != {b.dtype}"
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-6,
                               equal_nan=True, err_msg=what)
    assert a.is_contiguous() == b.is_contiguous(), f"{what}: is_contiguous"
    if b.numel() > 1:  # a size-1 dimension's stride is free (NumPy and torch pick differently)
        sa = [s for s, n in zip(a.stride(), a.shape) if n > 1]
        sb = [s for s, n in zip(b.stride(), b.shape) if n > 1]
        assert sa == sb, f"{what}: strides {a.stride()} != {b.stride()}"
    assert a.requires_grad == b.requires_grad, f"{what}: requires_grad"
    assert (a.grad_fn is None) == (b.grad_fn is None), f"{what}: grad_fn {a.grad_fn} {b.grad_fn}"


def check(code: str):
    """Run ``code`` in both libraries and compare (see the module docstring)."""
    ours, err = _run(code, gt)
    theirs, terr = _run(code, torch)
    if terr is not None:
        assert err is not None, f"torch raised {terr!r}; glasstorch did not"
        assert type(err) is type(terr), f"ours {err!r} | torch {terr!r}"
        assert str(err).splitlines()[0] == str(terr).splitlines()[0], (
            f"ours {err} | torch {terr}")
        return
    if err is not None:
        raise AssertionError(f"glasstorch raised {err!r}; torch did not") from err
    for key in ("out", "grads", "x"):
        if key not in theirs:
            continue
        a, b = _flat(ours[key]), _flat(theirs[key])
        assert len(a) == len(b), key
        for i, (u, v) in enumerate(zip(a, b)):
            if isinstance(v, torch.Tensor):
                _same_tensor(u, v, f"{key}[{i}]")
            else:
                assert u == v, f"{key}[{i}]: {u} != {v}"


def cases(*codes):
    return pytest.mark.parametrize("code", codes)


# ---- 1. where advanced-index dimensions go ---------------------------------------------------
X23 = "x = lib.arange(6.).reshape(2, 3)\n"
X234 = "x = lib.arange(24.).reshape(2, 3, 4)\n"


@cases(*[X23 + f"out = x[{k}]" for k in (
    "None, [0, 1], ..., [0, 2]", "..., ...", "..., None, ...", "None, ..., [0, 1], None, [0, 1]",
    "[0, 1], ..., [0, 2]", "..., [0, 1], [0, 2]", "[1, 0], None, [0, 2]", "None, [1], None, [2]",
)], *[X234 + f"out = x[{k}]" for k in (
    "..., None, ..., None", "0, ..., ...", "[0, 1], ..., ...", "..., ..., [0]",
    "..., [0, 1], ..., [0, 1]", "[0, 1], ..., [0, 1], ...", "..., [0, 1], [0, 1], ...",
    "[0, 1], ..., [0, 1]", "[0, 1], 0, ..., [0, 1]", "True, [0, 1], ..., [0, 1]",
    "[0, 1], [0, 1], ..., None", "None, ..., [0, 1], [0, 1]", "[0, 1], ..., None, [0, 1]",
    ":, [0, 1], ..., [0, 1]", ":, [0, 1], [0, 1], ...", "[0, 1], ..., 1, [0, 1]",
    "[[0]], None, ..., [1, 0], [0]", "[0, 1], :, [0, 1]", "..., [[1], [0]], 1:, [2, 3]",
    "x[0] > 0, [1, 2]", "[1], x[0, 0] >= 0, ...",
)])
def test_advanced_index_placement(code):
    check(code)


@cases(X234 + "x[None, [0, 1], ..., [0, 2], [1, 3]] = lib.tensor([[7., 8.]])\nout = x",
       X23 + "y = x.clone().requires_grad_()\nout = y[None, [0, 1], ..., [0, 2]]\n"
       "out.sum().backward()\ngrads = y.grad")
def test_advanced_index_placement_write_and_grad(code):
    check(code)


# ---- 2. outputs of unbind / split / chunk are views, and refuse recorded in-place writes ------
G4 = "x = lib.ones(4, requires_grad=True) * 1\n"


@cases("x = lib.tensor([1., 2., 3.])\nx.unbind(0)[-1].mul_(2)\nout = x",
       "x = lib.tensor([[1., 2.], [3., 4.]])\nx.unbind(1)[0].add_(1)\nout = x",
       "x = lib.tensor([1., 2., 3.])\nout = x.unbind(0)\nx[0] = 5",
       "x = lib.arange(5.)\nx.split(2)[2].fill_(7)\nx.chunk(2)[0][1:] = -1\nout = x",
       G4 + "x.unbind(0)[0].mul_(2)",
       "x = lib.ones(3, requires_grad=True)\nx.unbind(0)[1].mul_(2)",
       G4 + "x.split(2)[1].mul_(2)",
       G4 + "x.split([1, 3])[1].add_(1)",
       G4 + "x.chunk(2)[1][0] = 3",
       G4 + "x.split(2)[1][:] = 3",
       G4 + "x.split(2)[1][[0]] = 3",
       G4 + "x.split(2)[1].exp_()",
       G4 + "x.split(2)[1].zero_()",
       G4 + "x.split(2)[1].copy_(lib.ones(2))",
       G4 + "x.split(2)[1].masked_fill_(lib.tensor([True, False]), 1.)",
       G4 + "x.split(2)[1].view(2).fill_(2)",
       G4 + "x.unbind(0)[1].detach().add_(1)\nout = x",
       G4 + "a = x.split(2)\nwith lib.no_grad():\n    a[1].add_(1)\nout = x",
       G4 + "with lib.no_grad():\n    a = x.split(2)\na[1].add_(1)",
       "x = lib.ones(4)\nv = lib.ones(2, requires_grad=True)\nx.split(2)[1].add_(v)",
       "x = lib.ones(4)\nv = lib.ones(2, requires_grad=True)\nwith lib.no_grad():\n"
       "    a = x.split(2)\na[1].add_(v)",
       "x = lib.ones(4)\nwith lib.no_grad():\n    a = x.split(2)\na[1].add_(1)\nout = x")
def test_multi_output_views(code):
    check(code)


# ---- 3. an in-place op never grows its tensor ------------------------------------------------
def _grow(hs, ys, pre, op):
    extra = ", 0.5" if op == "lerp_" else ""
    return f"h = lib.ones{hs}\n{pre}y = lib.ones{ys}\nh.{op}(y{extra})\nout = h"


@cases(*[_grow(hs, ys, pre, op)
         for hs, ys in (((2,), (1, 2)), ((2,), (1, 1, 2)), ((2, 2), (4, 2, 2)), ((1, 2), (3, 1, 2)),
                        ((2, 2), (3,)), ((2, 2), (3, 1)), ((2, 2), (2, 1)))
         for pre in ("", "h = h * 1\n", "w = lib.ones(1, requires_grad=True)\nh = h * w\n")
         for op in ("sub_", "mul_", "clamp_", "lerp_", "div_", "pow_")],
       "h = lib.ones(2)\nh.masked_fill_(lib.ones(1, 2, dtype=lib.bool), 2.)",
       "h = lib.ones(2, 2)\nh -= lib.ones(4, 2, 2, requires_grad=True)",
       "h = lib.ones(2, 2, dtype=lib.int64)\nh.add_(lib.ones(4, 2, 2, dtype=lib.int64))")
def test_inplace_broadcast_never_grows(code):
    check(code)


# ---- 4. metadata: layout of copies, requires_grad of non-float destinations ------------------
@cases(X23 + "out = x[:, [0, 1]]\nout = (out, out.view(4))",
       X234 + "out = x[..., [0, 1]]",
       X234 + "out = x[:, [0, 1], [1, 2]]",
       X23 + "out = x.masked_fill(lib.tensor([True, False, True]), 0.)",
       "out = lib.ones(3).masked_fill(lib.ones(2, 3, dtype=lib.bool), 0.)",
       "out = lib.ones(3, 1).masked_fill(lib.ones(3, 4, dtype=lib.bool), 0.)",
       "out = lib.ones(3, 2).t().masked_fill(lib.ones(4, 2, 3, dtype=lib.bool), 0.)",
       *[f"b = lib.zeros(2, dtype=lib.{dt})\nv = lib.ones(2, requires_grad=True)\nb{k} = {v}\n"
         "out = b"
         for dt in ("bool", "int64", "uint8")
         for k in ("[:]", "[0]", "[...]", "[[0, 1]]", "[lib.tensor([True, False])]", "[0:1]")
         for v in ("v", "v[0]", "v[0:1]", "v * 2")])
def test_layout_and_requires_grad(code):
    check(code)


# ---- 5 and 6. writes torch accepts (casting), errors in torch's order and words --------------
X64 = "x = lib.zeros(2, 3, dtype=lib.float64)\n"


@cases(*[X64 + f"x{k} = {v}\nout = x"
         for k in ("[lib.tensor([True, False])]", "[[0, 1]]", "[[0, 1], [0, 2]]", "[:, [0, 1]]",
                   "[0, [0, 1]]", "[x > 0]", "[x == 0]", "[lib.tensor(1)]", "[lib.tensor(1), 0]",
                   "[None, [0]]")
         for v in ("lib.tensor(1.5)", "lib.tensor([1.5, 2.5])", "lib.ones(5)",
                   "lib.ones(5, dtype=lib.float64)", "lib.tensor([3.])", "lib.tensor(2)",
                   "lib.tensor([True])", "lib.ones(2, 3, 3)", "lib.ones(1, 1, 3)",
                   "lib.ones(1, 2, 3, dtype=lib.int32)", "lib.ones(2, requires_grad=True)", "7")],
       "x = lib.zeros(3)\nx[lib.tensor(1)] = lib.tensor([3.])\nout = x",
       X64 + "x.index_put_((lib.tensor([0]),), lib.ones(5))",
       X64 + "x.index_put_((lib.tensor([0]),), lib.ones(3))",
       X64 + "x.index_put_((lib.tensor([], dtype=lib.long),), lib.ones(3, dtype=lib.float64), "
       "accumulate=True)\nout = x",
       X64 + "x.index_put_((lib.tensor([], dtype=lib.long), lib.tensor([], dtype=lib.long)), "
       "lib.ones(1, dtype=lib.float64), accumulate=True)\nout = x",
       X64 + "x[lib.tensor([[True, False, True]])] = lib.ones(1, 0)",
       "x = lib.zeros(1, 0)\nx[lib.tensor([[]], dtype=lib.bool)] = lib.ones(1, 0)\nout = x",
       "x = lib.zeros(1, 0)\nx[x > 0] = lib.ones(1, 0)\nout = x",
       "x = lib.zeros(2, 0)\nout = x[..., lib.tensor([-2])]",
       "x = lib.zeros(0, 3)\nout = x[..., lib.tensor([-2])]",
       "x = lib.zeros(0, 3)\nout = x[lib.tensor([-2])]",
       "x = lib.zeros(0)\nout = x.split(2)",
       "x = lib.zeros(3, 0)\nout = x.split(2, dim=1)",
       "x = lib.zeros(3, 0)\nout = x.chunk(2, dim=1)",
       "x = lib.zeros(3, 0)\nout = x.unbind(1)",
       "y = lib.zeros(3, dtype=lib.float64, requires_grad=True)\nx = y * 1\n"
       "v = lib.tensor(2., requires_grad=True)\nx[x == 0] = v\nx.sum().backward()\n"
       "out = x\ngrads = (y.grad, v.grad)")
def test_indexed_writes(code):
    check(code)


# ---- 5. in-place ops on expanded views, writes through views of strided tensors --------------
@cases(*[f"{pre}y = x.expand{e}\ny.{op}\nout = x"
         for pre in ("x = lib.tensor([1., 2.])\n", "x = lib.tensor([[1., 2.]])\n",
                     "x = lib.tensor(3.)\n")
         for e in ("(1, 2)", "(2, 2)", "(2, 1, 2)")
         for op in ("mul_(3)", "fill_(7.)", "sigmoid_()", "zero_()", "add_(lib.ones(2))",
                    "__setitem__(0, 5.)", "__setitem__(0, lib.ones(2))",
                    "masked_fill_(lib.tensor([True, False]), 1.)", "clamp_(0, 1)", "exp_()",
                    "relu_()")],
       "x = lib.ones(2, 3)\ny = x.expand(2, 2, 3)\nout = y.unsqueeze(0).mul_(2)")
def test_expanded_views_inplace(code):
    check(code)


P = ("w = lib.arange(24.).reshape(2, 3, 4).requires_grad_()\n"
     "b = w.permute(0, 2, 1) * 1\n")  # b: laid out neither row- nor column-major


@cases(P + "b[0].mul_(2)\nout = b\nb.sum().backward()\ngrads = w.grad",
       P + "v = b[:, 1:3]\nv[0, 0] = lib.tensor([5., 6., 7.])\nout = (b, v)\n"
       "(b * b).sum().backward()\ngrads = w.grad",
       P + "v = b[1, ::2]\nv.exp_()\nout = (b, v)\n(v * 2).sum().backward()\ngrads = w.grad",
       P + "s = lib.ones(3, requires_grad=True)\nb[1, 2].add_(s)\nout = b\n"
       "(b ** 2).sum().backward()\ngrads = (w.grad, s.grad)")
def test_inplace_through_views_of_strided_tensors(code):
    check(code)


# ---- 6. exception types and words ------------------------------------------------------------
@cases(*[X23 + c for c in (
    "out = x.index_select(0, lib.tensor([5]))", "out = x.index_select(1, lib.tensor([-1]))",
    "out = x.index_select(1, lib.tensor([3, -1]))", "out = x.index_select(0, lib.tensor([-3]))",
    "out = x.index_select(0, lib.tensor([[0]]))", "out = x.index_select(2, lib.tensor([0]))",
    "x.index_put_((lib.tensor([5]),), lib.tensor(1.))",
    "x.index_put_((lib.tensor([0]), lib.tensor([0]), lib.tensor([0])), lib.tensor(1.))",
    "x.index_put_((lib.tensor([0.]),), lib.tensor(1.))",
    "x.index_put_((lib.tensor([True, False, True]),), lib.tensor(1.))",
    "x.index_put_((lib.tensor([1]),), lib.ones(2, 3))",
    "x.index_put_((lib.tensor([1]),), lib.ones(1, 1, 3), accumulate=True)",
    "x.index_put_((lib.tensor([1]),), lib.ones(1, 1, 3))\nout = x",
    "x[[0, 0], [0, 1, 2]] = 1.", "x[[5]] = 1.", "out = x[[0, 0], [0, 1, 2]]",
    "x[0] = lib.ones(2, 3)", "x[0] = lib.ones(3, 1)", "x[0, 0] = lib.ones(2)",
    "x[lib.tensor(0)] = lib.ones(1, 3)\nout = x", "x[[0, 1]] = lib.ones(3, 3, dtype=lib.int64)")],
       *[X234 + f"out = x[{k}]" for k in (
           "[0], [5]", ":, [0], [5]", ":, :, [5]", "[0], :, [5]", ":, [5], [0]", "0, [5]",
           "..., [7]", "None, :, [5]", "5", ":, 5", "0, 0, 0, 0", "[0], [0], [0], [0]")])
def test_errors_in_torch_words(code):
    check(code)


# ---- found by the differential fuzzer --------------------------------------------------------
@cases("x = lib.ones(3)\nx[False] = lib.ones(1, 3, dtype=lib.bool)\nout = x",
       "x = lib.tensor([-1, -1, 1])\nv = lib.ones(1, 1, requires_grad=True)\nx[True] = v\nout = x",
       "x = lib.arange(6.).reshape(2, 3)\nout = x[True]",
       "x = lib.arange(6.).reshape(2, 3)\nout = x[:, True, [0, 1]]",
       "x = lib.arange(32.).reshape(1, 4, 2, 4)\n"
       "out = x[lib.tensor([[True, False, True, False]]), True, [-1, -4]]",
       "w = lib.ones(1, 2, 1, dtype=lib.float64, requires_grad=True)\nx = w * 1\n"
       "v = lib.ones(1, 1, dtype=lib.float64, requires_grad=True)\n"
       "x[lib.tensor(0), [], lib.tensor([False])] = v\nx.sum().backward()\nout = x\n"
       "grads = (w.grad, v.grad)",
       "w = lib.ones(4, 1, 1, requires_grad=True)\nx = w * 1\nx.expand(4, 3, -1).movedim(-2, 0)"
       ".zero_()\nx.sum().backward()")
def test_fuzz_findings(code):
    check(code)
