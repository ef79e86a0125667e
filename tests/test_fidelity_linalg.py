"""Regression tests for what the differential fuzz found in reductions and matrix products
(issue 12): each program runs in glasstorch and in torch, and the results must agree exactly,
NaN for NaN and the sign of a zero included.

- Selections (``max``, ``min``, ``median``, ...) give their gradient only to the selected
  elements: a NaN or inf gradient must not reach the others as ``nan * 0``.
- ``std`` of equal elements has gradient 0 (torch's choice where the derivative does not exist).
- Products accept a gradient of another dtype from downstream (``(A @ x).double()``), and empty
  batched products of two dtypes behave as torch's (zeros in the second operand's dtype).
- ``median`` of an empty integer tensor returns what torch returns.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glasstorch as gt


def _run(lib, program: str):
    """Run ``program`` with ``t`` bound to ``lib``; return ``r`` or the exception's type name."""
    ns = {"t": lib, "nan": float("nan"), "inf": float("inf")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(program, ns)
        except Exception as e:  # noqa: BLE001 - the type is what we compare
            return type(e).__name__
    return ns["r"]


def _plain(x):
    """A result as plain values: tensors become (dtype, shape, values with signed zeros)."""
    if isinstance(x, (tuple, list)):
        return [_plain(v) for v in x]
    if hasattr(x, "detach"):
        a = np.asarray(x.detach().numpy())
        vals = [repr(float(v)) if a.dtype.kind == "f" else repr(v) for v in a.reshape(-1)]
        return (str(x.dtype).split(".")[-1], tuple(a.shape), vals)
    return x


def _same(torch, program: str):
    theirs, ours = _plain(_run(torch, program)), _plain(_run(gt, program))
    assert ours == theirs, f"{program}\n  torch: {theirs}\n  ours:  {ours}"


SELECTIONS = [
    # the issue's program: acos' gradient at 2 is NaN; only the max may receive it
    "x = t.tensor([.5, 2.], requires_grad=True); t.acos(x.max()).backward(); r = x.grad",
    "x = t.tensor([.5, 2.], requires_grad=True); t.acos(x.max(0)[0]).backward(); r = x.grad",
    "x = t.tensor([[.5, 2., 2.]], requires_grad=True); t.acos(x.max()).backward(); r = x.grad",
    "x = t.tensor([[.5, 2., 2.]], requires_grad=True); t.acos(x.max(1)[0]).sum().backward(); "
    "r = x.grad",
    "x = t.tensor([[.5, 2., 2.]], requires_grad=True); "
    "t.acos(x.max(1, keepdim=True)[0]).sum().backward(); r = x.grad",
    "x = t.tensor([[2., -.5], [3., 4.]], requires_grad=True); "
    "t.acos(x.min(0).values).sum().backward(); r = x.grad",
    "x = t.tensor([-3., .5], requires_grad=True); t.acos(x.min()).backward(); r = x.grad",
    "x = t.tensor([.5, 2., 3.], requires_grad=True); t.acos(x.median()).backward(); r = x.grad",
    "x = t.tensor([[.5, 2., 2.]], requires_grad=True); t.acos(x.median(1)[0]).sum().backward(); "
    "r = x.grad",
    "x = t.tensor([.5, 2., 3.], requires_grad=True); t.acos(x.kthvalue(2)[0]).backward(); "
    "r = x.grad",
    # median() splits its gradient between elements equal to it, as max() does
    "x = t.tensor([1., 1., 3.], requires_grad=True); x.median().backward(); r = x.grad",
    "x = t.tensor([1., nan, nan], requires_grad=True); (x.median() * 2).backward(); r = x.grad",
    "x = t.tensor([1., nan, 3.], requires_grad=True); (x.max() * 2).backward(); r = x.grad",
    # a negative gradient leaves +0, not -0, on the others
    "x = t.tensor([.5, 2.], requires_grad=True); t.acos(x.median()).backward(); r = x.grad",
    "x = t.tensor([.5, 2.], requires_grad=True); (-x.max(0)[0]).backward(); r = x.grad",
    # 0-d inputs, empty inputs, and a second derivative through the selection
    "x = t.tensor(2., requires_grad=True); g, = t.autograd.grad(x.max(0)[0] ** 2, x, "
    "create_graph=True); g.backward(); r = (g, x.grad)",
    "x = t.tensor([[.5, 2., 2.]], requires_grad=True); g, = t.autograd.grad("
    "(x.max() ** 2).sum(), x, create_graph=True); g.sum().backward(); r = (g, x.grad)",
    "x = t.tensor([[.5, 2., 2.]], requires_grad=True); g, = t.autograd.grad("
    "(x.max(1)[0] ** 2).sum(), x, create_graph=True); g.sum().backward(); r = (g, x.grad)",
    "x = t.zeros(0, requires_grad=True); x.median().backward(); r = (x.median(), x.grad)",
    "x = t.zeros(2, 0, requires_grad=True); x.max(0)[0].sum().backward(); r = x.grad",
    # amax/amin: torch itself multiplies by the tie weights, so a NaN gradient reaches all
    "x = t.tensor([.5, 2.], requires_grad=True); t.acos(x.amax()).backward(); r = x.grad",
]


@pytest.mark.parametrize("program", SELECTIONS)
def test_selection_gradients_go_only_to_the_selected(torch, program):
    _same(torch, program)


STD_VAR = [
    f"x = t.tensor({data}, dtype=t.float64, requires_grad=True); "
    f"y = x.{fn}(dim={dim}, correction={c}); y.sum().backward(); r = (y, x.grad)"
    for fn in ("std", "var")
    for data, dim in (("[.5]", None), ("[.5, .5, .5]", None), ("[[1., 1.], [2., 3.]]", 1),
                      ("[3.]", 0), ("3.", None), ("3.", 0), ("[[1.], [2.]]", 1),
                      ("[1., 2.]", None))
    for c in (0, 1, 2)
] + [
    "x = t.tensor([.5, 2., 3.], requires_grad=True); "
    "x.median().std(dim=0, correction=0).backward(); r = x.grad",
    "x = t.tensor([.5, 2., 3.], requires_grad=True); "
    "y = x.median().std(dim=0, correction=1); y.backward(); r = (y, x.grad)",
    "x = t.tensor([[1., 1.], [2., 3.]], dtype=t.float64, requires_grad=True); "
    "g, = t.autograd.grad(x.std(1).sum(), x, create_graph=True); r = g",
]


@pytest.mark.parametrize("program", STD_VAR)
def test_std_var_of_equal_or_too_few_elements(torch, program):
    _same(torch, program)


PRODUCTS = [
    # a float64 consumer after a float32 product: the gradient comes back as float64
    "v = t.ones(2, requires_grad=True); m = t.ones(3, 2, requires_grad=True); "
    "((m @ v) * t.ones(3, dtype=t.float64)).sum().backward(); r = (v.grad, m.grad)",
    "v = t.ones(3, requires_grad=True); m = t.ones(3, 2, requires_grad=True); "
    "((v @ m) * t.ones(2, dtype=t.float64)).sum().backward(); r = (v.grad, m.grad)",
    "v = t.ones(3, requires_grad=True); m = t.ones(3, 2, requires_grad=True); "
    "r = t.autograd.grad(((v @ m) * t.ones(2, dtype=t.float64)).sum(), [v, m], "
    "create_graph=True)",
    "v = t.arange(3.).requires_grad_(); r = t.autograd.grad(((v @ v) * t.ones(2, "
    "dtype=t.float64)).sum(), [v], create_graph=True)",
    "w = t.ones(4, 3, requires_grad=True); x = t.ones(2, 4, 3, requires_grad=True); "
    "(t.nn.functional.linear(x, w) * t.ones(4, dtype=t.float64)).sum().backward(); "
    "r = (w.grad, x.grad)",
    "a = t.ones(2, 3, requires_grad=True); b = t.ones(3, 2, requires_grad=True); "
    "r = t.autograd.grad(((a @ b) * t.ones(2, dtype=t.float64)).sum(), [a, b], "
    "create_graph=True)",
    "v = t.ones(3, requires_grad=True); m = t.ones(3, 2, requires_grad=True); "
    "(v @ m).double().sum().backward(); r = (v.grad, m.grad)",
]
_DTYPES = [("float64", "int32"), ("int64", "float64"), ("float32", "float64"), ("bool", "float32")]
PRODUCTS += [
    f"r = t.{op}(t.ones({sa}, dtype=t.{da}), t.ones({sb}, dtype=t.{db}))"
    for op, shapes in (
        ("bmm", [((2, 2, 2), (2, 2, 2)), ((2, 2, 0), (2, 0, 2)), ((0, 2, 2), (0, 2, 1)),
                 ((2, 0, 2), (2, 2, 2))]),
        ("matmul", [((2, 2, 2), (2, 2, 0)), ((2, 2, 0), (1, 0, 2)), ((2, 2), (0, 2, 2)),
                    ((2, 2, 0), (2, 2)), ((0,), (2, 2)), ((2,), (0,)), ((2, 2), (2, 2, 2))]),
    )
    for sa, sb in shapes
    for da, db in _DTYPES
] + [
    f"r = t.einsum('{eq}', t.ones({sa}, dtype=t.{da}), t.ones({sb}, dtype=t.{db}))"
    for eq, sa, sb in (("ij,jk->ik", (2, 3), (3, 2)), ("ij,i->ij", (2, 2), (2,)),
                       ("i,j->ij", (2,), (3,)), ("ij,k->ij", (2, 2), (2,)),
                       ("bij,bjk->bik", (2, 2, 0), (2, 0, 2)), ("ij,jk->ik", (2, 0), (0, 2)),
                       ("i,i->", (2,), (2,)))
    for da, db in _DTYPES
] + [
    "r = t.einsum('i,i,i->i', t.ones(2), t.ones(2), t.ones(2, dtype=t.int64))",
    # a summed letter of size 1 in both operands is a plain (promoting) product in torch
    "r = t.einsum('i,i->', t.ones(1), t.tensor([-1]))",
    "a = t.ones(2, 3, 1, requires_grad=True); y = t.einsum('bij,bjk->bik', a, "
    "t.ones(2, 1, 4, dtype=t.int32)); y.sum().backward(); r = (y, a.grad)",
    "r = t.einsum('ij,ij->', t.ones(1, 1), t.ones(1, 1, dtype=t.bool))",
    "a = t.tensor([2.], requires_grad=True); b = t.tensor([1., 3.], requires_grad=True); "
    "y = t.einsum('i,i->', a, b); y.backward(); r = (y, a.grad, b.grad)",
    "r = t.einsum('ij,jk->ik', t.ones(2, 3), t.ones(1, 2, dtype=t.int64))",
    # a size-1 letter broadcasts against a size-0 one (to 0)
    "a = t.ones(3, 3, 0, requires_grad=True); b = t.ones(1, 4, requires_grad=True); "
    "y = t.einsum('bij,jk->bik', a, b); y.sum().backward(); r = (y, a.grad, b.grad)",
    # a repeated letter in one operand (a diagonal) needs equal sizes: no broadcasting
    "r = t.einsum('ii->i', t.ones(1, 2))",
    "r = t.einsum('iji->ij', t.ones(1, 2, 3))",
    "r = t.einsum('ij,jk,kl->il', t.ones(2, 2, dtype=t.float64), t.ones(2, 2), t.ones(2, 2))",
    "a = t.ones(2, 2, 0, dtype=t.float64, requires_grad=True); "
    "r = t.bmm(a, t.ones(2, 0, 2, dtype=t.int32))",
    "a = t.ones(2, 2, 0, requires_grad=True); b = t.ones(2, 0, 2, dtype=t.float64, "
    "requires_grad=True); y = t.bmm(a, b); y.sum().backward(); r = (y, a.grad, b.grad)",
]


@pytest.mark.parametrize("program", PRODUCTS)
def test_products_of_two_dtypes(torch, program):
    _same(torch, program)


ROUTES = [
    f"a = t.ones({sa}, requires_grad={ga}); b = t.ones({sb}, requires_grad={gb}); y = a @ b; "
    "r = (y.grad_fn.name(), [n[0].name() for n in y.grad_fn.next_functions if n[0]], y.stride())"
    for sa, sb in (((2, 3), (2, 3, 3)), ((3,), (2, 3, 4)), ((2, 3), (4, 2, 3, 5)))
    for ga, gb in ((True, False), (False, True), (True, True))
]


@pytest.mark.parametrize("program", ROUTES)
def test_matmul_with_a_batch_takes_torchs_route(torch, program):
    """A matrix or vector times a batch: torch folds the batch into one product unless only the
    batch requires grad; then it expands and runs ``bmm`` (the graph shows which)."""
    _same(torch, program)


EMPTY_MEDIAN = [
    f"r = (t.zeros(0, dtype=t.{d}).median(), t.zeros(0, 2, dtype=t.{d}).median())"
    for d in ("int8", "uint8", "int16", "int32", "int64", "float16", "float32", "float64")
] + ["r = t.zeros(0, dtype=t.bool).median()", "r = t.zeros(0, 3, dtype=t.int64).median(0)"]


@pytest.mark.parametrize("program", EMPTY_MEDIAN)
def test_median_of_nothing(torch, program):
    _same(torch, program)
