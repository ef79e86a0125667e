"""In-place writes against torch: memory overlap, overflowing values, indexed accumulation and
the in-place view methods (issue 12, the fuzzer's later findings).

Each case is a few lines of PyTorch code run with ``lib`` = glasstorch and ``lib`` = torch and
compared as in ``test_fidelity_indexing`` (values, dtype, shape, strides, requires_grad, the
gradients left in ``grads``; when torch raises, the same exception type and first line).
"""

from __future__ import annotations

import pytest

from oracle import needs_torch
from test_fidelity_indexing import cases, check

pytestmark = needs_torch


# ---- 1. memory overlap: what torch refuses and what it lets through ---------------------------
@cases(
    # the same elements in the same order: fine (d2l's `g[:] *= 0.5` on a (1, n) tensor)
    "g = lib.ones(1, 4)\ng[:] *= 0.5\nout = g",
    "g = lib.ones(1, 4)\ng[0] *= 0.5\nout = g",
    "g = lib.ones(1, 4)\ng[:, :2] *= 0.5\nout = g",
    "g = lib.arange(4.).view(1, 4)\ng[:] = g[0]\nout = g",
    "g = lib.arange(4.).view(1, 4)\ng[0] = g[:]\nout = g",
    "g = lib.arange(4.)\ng[...] = g.unsqueeze(0)\nout = g",
    "g = lib.arange(4.)\ng[:] = g.unsqueeze(0)\nout = g",
    "x = lib.ones(2, 2)\nx[:] = x[0]\nout = x",  # an expanded value: torch cannot tell, allows
    "x = lib.ones(1, 3)\nx.copy_(x)\nout = x",
    "x = lib.ones(1, 3)\nx.copy_(x[:])\nout = x",
    "x = lib.arange(4.)\nx.add_(x)\nout = x",
    "x = lib.arange(6.).view(2, 3)\nx[:, :2].copy_(x[:, 1:])\nout = x",  # not dense: allowed
    "x = lib.arange(6.)\nx[::2].copy_(x[1::2])\nout = x",
    # partly overlapping memory: torch's RuntimeError
    "x = lib.ones(3)\nx.copy_(x.unsqueeze(0))",
    "x = lib.ones(1, 3)\nx.copy_(x.squeeze(0))",
    "x = lib.arange(4.).view(2, 2)\nx.copy_(x.t())",
    "x = lib.arange(4.)\nx[1:].copy_(x[:3])",
    "x = lib.arange(4.)\nx[1:] = x[:3]",
    "x = lib.arange(4.)\nx[1:].add_(x[:3])",
    "x = lib.arange(4.)\nx.add_(x.unsqueeze(0))",  # (overlap is checked before the shapes)
    "x = lib.ones(1, 3)\nx[0] += x",
    "x = lib.arange(4.).view(2, 2)\nx.add_(x.t())",
    "x = lib.ones(2, 2)\nx.add_(x[0])",
    "x = lib.arange(4.)\nx[1:].clamp_(min=x[:3])",
    "x = lib.arange(4.)\nx[1:].addcmul_(x[:3], lib.ones(3))",
)
def test_partial_overlap(code):
    check(code)


@cases(*[f"x = lib.zeros(3, 1)\ny = x.expand(3, 2)\ny.{op}\nout = x" for op in (
    "copy_(lib.ones(3, 2))", "__setitem__(slice(None), lib.ones(3, 2))",
    "__setitem__(slice(None), 2.)", "__setitem__(slice(None), lib.tensor(2.))",
    "__setitem__(0, lib.tensor([1., 2.]))", "__setitem__((slice(None), 0), lib.ones(3))",
    "uniform_()", "normal_()", "bernoulli_(0.5)", "exponential_()", "random_(0, 5)",
    "geometric_(0.5)", "log_normal_()", "cauchy_()", "zero_()", "fill_(1.)",
    "scatter_(1, lib.tensor([[0], [0], [0]]), 1.)",
    "scatter_add_(1, lib.tensor([[0], [0], [0]]), lib.ones(3, 1))",
    "index_add_(1, lib.tensor([0]), lib.ones(3, 1))",
    "index_copy_(1, lib.tensor([0]), lib.ones(3, 1))", "put_(lib.tensor([0]), lib.ones(1))",
    "masked_scatter_(lib.ones(3, 2, dtype=lib.bool), lib.ones(6))", "add_(1)",
    "t().add_(1)", "sigmoid_()", "lerp_(lib.ones(2), 0.5)")],
    "x = lib.zeros(3, 1)\nx.expand(3, 2)[:, 0].add_(1)\nout = x",
    "x = lib.zeros(3, 1)\nx.expand(3, 4)[:, 1:2].mul_(2)\nout = x",
    "x = lib.zeros(2)\nx.expand(2, 2)[0].add_(1)\nout = x",
    "a = lib.ones(1, 2, requires_grad=True)\nx = a * 1\nx.expand(1, 2).add_(2.)\n"
    "x.sum().backward()\nout = x\ngrads = a.grad",
    "a = lib.ones(2, requires_grad=True)\nx = a * 1\nx.expand(3, 2)[0].add_(2.)\n"
    "x.sum().backward()\nout = x\ngrads = a.grad")
def test_writes_into_expanded_tensors(code):
    check(code)


# ---- 2. numbers that do not fit the tensor's dtype -------------------------------------------
_FORMS = ("x[0] = v", "x[1:] = v", "x[[0, 1]] = v", "x[x == 0] = v", "x[...] = v",
          "x[0, None] = v", "x[lib.tensor(1)] = v", "x.fill_(v)",
          "x = lib.full((3,), v, dtype=dt)",
          "x = lib.full_like(x, v)", "x = x.masked_fill(x == 0, v)", "x.masked_fill_(x == 0, v)",
          "x.index_fill_(0, lib.tensor([1]), v)", "x.scatter_(0, lib.tensor([1]), v)")


@cases(*[f"dt = lib.{dt}\nx = lib.zeros(3, dtype=dt)\nv = {v}\n{form}\nout = x"
         for v in ("1e20", "float('inf')", "float('nan')", "2 ** 63", "-2 ** 63 - 1", "300", "-1",
                   "1e300", "3.7", "(1 + 2j)")
         for dt in ("int64", "int32", "uint8", "float32", "float16", "bool")
         for form in _FORMS])
def test_numbers_that_overflow_the_dtype(code):
    check(code)


# ---- 3. reshapes of empty tensors and bad sizes ------------------------------------------------
@cases(*[f"x = lib.zeros{s}\nout = x.{op}" for s, op in (
    ("(0, 3, 2)", "flatten(1, 2)"), ("(0, 3, 2)", "flatten()"), ("(3, 0, 2)", "flatten(0, 1)"),
    ("(0, 3, 2)", "flatten(0, 1)"), ("(0, 3, 2)", "reshape(0, -1)"),
    ("(0, 3, 2)", "reshape(-1, 6)"),
    ("(0, 3, 2)", "view(-1, 0)"), ("(0, 3, 2)", "view(0, -1)"), ("(0,)", "reshape(-1)"),
    ("(0, 2)", "view(2, -1, 0)"), ("(6,)", "reshape(-1, -1)"), ("(6,)", "view(-1, -1)"),
    ("(6,)", "reshape(-2, 3)"), ("(6,)", "view(3, -3)"), ("(6,)", "reshape(4, -1)"))],
    "x = lib.zeros(0, 3, 2, requires_grad=True)\ny = x.flatten(1)\ny.sum().backward()\n"
    "out = y\ngrads = x.grad")
def test_reshapes_of_empty_tensors(code):
    check(code)


# ---- 4. index_put_ and indexed writes ---------------------------------------------------------
_ACC = "lib.tensor([1., 2.]), accumulate=True)\nout = (x, b)"


@cases(
    # accumulating into a tensor that is not C-contiguous (the adds were lost in a copy)
    "b = lib.zeros(3, 5)\nx = b[:, ::2]\nx.index_put_((lib.tensor([0, 0]), lib.tensor([1, 1])), "
    + _ACC,
    "b = lib.zeros(3, 5)\nx = b[:, ::2]\nx.index_put_((lib.tensor([0, 1]), lib.tensor([1, 1])), "
    + _ACC,
    "b = lib.zeros(3, 2)\nx = b.t()\n"
    "x.index_put_((lib.tensor([0, 0]), lib.tensor([1, 1])), " + _ACC,
    "b = lib.zeros(3, 2, 2)\nx = b.permute(2, 0, 1)\n"
    "x.index_put_((lib.tensor([0, 0]), lib.tensor([1, 1])), " + _ACC,
    "b = lib.zeros(3, 2)\nx = b.t()\nx.index_put_((lib.tensor([True, False]),), "
    "lib.tensor([1., 2., 3.]), accumulate=True)\nout = (x, b)",
    "b = lib.zeros(4, 5)\nx = b[:, ::2]\nx.index_add_(1, lib.tensor([0, 0, 2]), lib.ones(4, 3))\n"
    "out = (x, b)",
    "x = lib.zeros(3, 2)\nx.index_put_((lib.tensor([0, 0, 2]),), lib.arange(6.).reshape(3, 2), "
    "accumulate=True)\nout = x",
    "x = lib.zeros(3, 2, requires_grad=True)\ny = x * 1\nv = lib.ones(3, 2, requires_grad=True)\n"
    "y.index_put_((lib.tensor([0, 0, 2]),), v, accumulate=True)\n"
    "(y * lib.arange(6.).reshape(3, 2)).sum().backward()\nout = y\ngrads = (x.grad, v.grad)",
    # the value's shape is checked before the indices' range; out of range in torch's words
    "x = lib.ones(1, 2, 2)\nx.index_put_((lib.tensor([1, 1]),), lib.ones(0, 2, 2))",
    "x = lib.ones(1, 2, 2)\nx.index_put_((lib.tensor([1, 1]),), lib.ones(2, 2))",
    "x = lib.ones(1, 2, 2)\nx.index_put_((lib.tensor([1, 1]),), lib.ones(2, 2), accumulate=True)",
    "x = lib.ones(1, 2, 2)\nx[lib.tensor([1, 1])] = lib.ones(3, 2)",
    "x = lib.ones(3, 2, 2)\nx.index_put_((lib.tensor([0, -3]), lib.tensor([1, -2])), "
    "lib.ones(2, 2), accumulate=True)\nout = x",
    # indices must be tensors
    "x = lib.zeros(3, 2)\nx.index_put_((lib.tensor([0]), slice(None)), lib.tensor(1.))",
    "x = lib.zeros(3, 2)\nx.index_put_(([0, 1],), lib.tensor(1.))",
    "x = lib.zeros(3, 2)\nx.index_put_((None,), lib.tensor(1.))",
    # x[True] reads a copy (an index with a 0-d mask); x[True] = v writes into x[None], casting
    "x = lib.tensor([False, True])\nv = x[True]\nx[..., -2] = lib.tensor(True)\nout = (x, v)",
    "x = lib.arange(6.).reshape(2, 3).requires_grad_()\nv = x[True]\n"
    "(v * lib.arange(6.).reshape(2, 3)).sum().backward()\nout = v\ngrads = x.grad",
    "x = lib.tensor([-1, -1, 1])\nv = lib.ones(1, 1, requires_grad=True)\nx[True] = v\nout = x",
    "x = lib.arange(6.).reshape(2, 3).requires_grad_()\ny = x * 1\nv = lib.ones(3, "
    "requires_grad=True)\ny[True] = v\n(y * y).sum().backward()\nout = y\ngrads = (x.grad, v.grad)",
    # a 0-d bool among other indices is an index tensor: the value's dtype must match
    *[f"x = lib.ones(3, 3, dtype=lib.float64)\nx[{k}] = {v}\nout = x" for k, v in (
        ("False, 1", "lib.tensor([False])"), ("True, 1", "lib.tensor([1.])"),
        ("None, False, 1", "lib.tensor(2)"), ("True, 1:", "lib.tensor(2)"),
        ("..., True", "lib.tensor(2)"), ("(True,)", "lib.tensor(2)"), ("(True,)", "2"),
        ("lib.tensor(True)", "lib.tensor(2)"), ("True", "lib.tensor([[2]])"),
        ("lib.tensor([True, False, True]), 1", "lib.tensor([[2]])"),
        ("None, lib.tensor([True, False, True])", "lib.tensor([[2]])"))],
)
def test_indexed_writes(code):
    check(code)


# ---- 5. the gradient reaching a tensor is in that tensor's dtype ------------------------------
@cases(
    "x = lib.ones(2, requires_grad=True)\nh = x * 2\nh.retain_grad()\n"
    "y = h * lib.ones(2, dtype=lib.float64)\ny.sum().backward()\nout = (h.grad, x.grad)",
    "x = lib.ones(2, requires_grad=True)\nh = x * 2\nh.retain_grad()\ny = h.double() * 3\n"
    "y.sum().backward()\nout = (h.grad, x.grad)",
    "x = lib.ones(2, requires_grad=True)\nh = x * 2\ng = []\n"
    "h.register_hook(lambda gr: g.append(gr))\n"
    "y = h * lib.ones(2, dtype=lib.float64)\ny.sum().backward()\nout = g[0]",
    "x = lib.ones(2, requires_grad=True)\nh = x * 2\ny = h * lib.ones(2, dtype=lib.float64)\n"
    "gx, = lib.autograd.grad(y.sum(), h, create_graph=True)\nout = gx",
    "x = lib.ones(2, requires_grad=True)\ny = x * lib.ones(2, dtype=lib.float64)\n"
    "gx, = lib.autograd.grad(y.sum(), x, create_graph=True)\nout = gx",
    "x = lib.tensor([1., 2.], requires_grad=True)\nh = x * x\n"
    "y = (h * lib.tensor([1., 3.], dtype=lib.float64)).sum()\n"
    "gx, = lib.autograd.grad(y, x, create_graph=True)\ngx.sum().backward()\nout = gx\n"
    "grads = x.grad",
    "x = lib.ones(2, requires_grad=True)\nh = x[0:1]\nh.retain_grad()\n"
    "y = h * lib.ones(1, dtype=lib.float64)\ny.sum().backward()\nout = (h.grad, x.grad)")
def test_gradient_dtype_follows_the_tensor(code):
    check(code)


# ---- 6. in-place ops through views ---------------------------------------------------------------
@cases(
    # a view of an expanded tensor re-expressed from its base: its elements' gradients add up
    "v0 = lib.ones(1, requires_grad=True)\nv1 = v0 * 1\nv2 = v1.expand(3)\nv1.add_(1)\n"
    "(v2 * lib.ones(3)).sum().backward()\nout = v2\ngrads = v0.grad",
    "v0 = lib.ones(1, requires_grad=True)\nv1 = v0 * 1\nv2 = v1.expand(3)\nv2[-1].view(1).add_(1)\n"
    "(v2 * lib.ones(3)).sum().backward()\nout = v2\ngrads = v0.grad",
    "v0 = lib.ones(2, 1, requires_grad=True)\nv1 = v0 * 1\nv2 = v1.expand(2, 3).t()\nv1.mul_(2)\n"
    "(v2 * lib.arange(6.).reshape(3, 2)).sum().backward()\nout = v2\ngrads = v0.grad",
    "v0 = lib.arange(5., requires_grad=True)\nv1 = v0 * 1\nv2 = v1.unfold(0, 3, 1)\nv1.mul_(2)\n"
    "(v2 * lib.arange(9.).reshape(3, 3)).sum().backward()\nout = v2\ngrads = v0.grad",
    "v0 = lib.arange(6., requires_grad=True)\nv1 = (v0 * 1).view(2, 3).t()\nv2 = v1[::2]\n"
    "v1.mul_(2)\n(v2 * lib.arange(4.).reshape(2, 2)).sum().backward()\nout = v2\ngrads = v0.grad",
    # in-place negation of a strided float32/int32 column (NumPy 2.4 reads the wrong elements)
    "x = lib.arange(12.).reshape(3, 4) - 6\nx.select(1, -2).sigmoid_()\nout = x",
    "x = lib.arange(12.).reshape(3, 4) - 6\nx.select(1, -2).neg_()\nout = x",
    "x = lib.arange(12).reshape(3, 4).int() - 6\nx.select(1, -2).neg_()\nout = x",
    "x = lib.arange(12.).reshape(3, 4) - 6\nx[:, ::2].sigmoid_()\nout = x",
    "x = lib.arange(12.).reshape(3, 4) - 6\nx.t().neg_()\nout = x")
def test_inplace_through_views(code):
    check(code)


# ---- 7. in-place view ops: t_, transpose_, squeeze_, unsqueeze_, detach_ -------------------------
X = "x = lib.ones(2, 3, requires_grad=True)\ny = x * 1\n"


@cases(
    "x = lib.ones(2, 3, requires_grad=True)\nx.t_()",
    "x = lib.ones(2, 3, requires_grad=True)\nv = x[0]\nv.unsqueeze_(0)",
    X + "z = y.t_()\nout = (y, z)",
    X + "y.t_()\n(y * lib.arange(6.).view(3, 2)).sum().backward()\nout = y\ngrads = x.grad",
    X + "z = y.sin()\ny.t_()\nz.sum().backward()",  # the version went up
    X + "z = y * 2\ny.t_()\nz.sum().backward()\ngrads = x.grad",
    X + "v = y[0]\nv.unsqueeze_(0)\n(v * lib.arange(3.)).sum().backward()\nout = (v, y)\n"
    "grads = x.grad",
    X + "v = y[:, 1:]\nv.t_()\ny.mul_(2)\n(v * lib.arange(4.).view(2, 2)).sum().backward()\n"
    "out = (v, y)\ngrads = x.grad",
    "x = lib.ones(2, 3)\nv = x[0]\nv.unsqueeze_(0)\nout = v",
    "x = lib.ones(2, 3)\ny = x.t()\nx.t_()\nout = (x, y)",
    "x = lib.ones(2, 3)\nout = (x.transpose_(0, 1), x.swapdims_(0, 1), x.swapaxes_(0, 1))",
    "x = lib.ones(2, 1, 3)\nout = (x.squeeze_(1).shape, x.unsqueeze_(-1).shape, "
    "x.squeeze_().shape, x.squeeze_((0,)).shape)",
    "x = lib.ones(2, 1, 3)\nx.squeeze_(5)",
    "x = lib.ones(2, 1, 3)\nx.unsqueeze_(5)",
    "x = lib.ones(2, 1, 3, 3)\nx.t_()",
    "x = lib.ones(3)\nx.t_()\nout = x",
    "x = lib.ones(())\nout = (x.t_().shape, x.unsqueeze_(0).shape, x.squeeze_(0).shape)",
    "x = lib.ones(2, 3, requires_grad=True)\nwith lib.no_grad():\n    x.t_()\nout = x",
    "x = lib.ones(2, 1, 1, requires_grad=True)\ny = x * 1\ny.squeeze_((1, 2))\n"
    "(y * lib.tensor([1., 2.])).sum().backward()\nout = y\ngrads = x.grad",
    "x = lib.ones(2, 1, requires_grad=True)\ny = x * 1\ny.squeeze_()\ny.sum().backward()\n"
    "out = y\ngrads = x.grad",
    "x = lib.ones(2, 1, requires_grad=True)\ny = x * 1\ny.transpose_(0, 1)\n"
    "(y * lib.tensor([[1., 2.]])).sum().backward()\nout = y\ngrads = x.grad",
    "x = lib.ones(2, requires_grad=True)\ny = x * 2\nv = y[:1]\nv.detach_()",
    "x = lib.ones(2)\nv = x[:1]\nv.detach_()",
    "x = lib.ones(2, requires_grad=True)\ny = x * 2\ny.detach_()\nout = y",
    "x = lib.ones(2, requires_grad=True)\nx.detach_()\nout = x")
def test_inplace_view_ops(code):
    check(code)


def test_inplace_view_ops_name_their_nodes_as_torch():
    import glasstorch as gt

    x = gt.ones(2, 1, 1, requires_grad=True)
    names = []
    for op in ("t_", "squeeze_", "squeeze_(1)", "squeeze_((1, 2))", "unsqueeze_(1)",
               "transpose_(0, 1)", "swapdims_(0, 1)"):
        y = (x * 1).squeeze(2) if op == "t_" else x * 1
        eval(f"y.{op if '(' in op else op + '()'}")
        names.append(type(y.grad_fn).__name__)
    assert names == ["TBackward1", "SqueezeBackward3", "SqueezeBackward4", "SqueezeBackward5",
                     "UnsqueezeBackward1", "TransposeBackward1", "TransposeBackward1"]


# ---- 8. dropout forms and bincount's weights ----------------------------------------------------
@cases(*[f"x = lib.ones([2] * {nd}, requires_grad=True)\ny = x * 1\n"
         f"r = lib.nn.functional.{f}(y, {p}, {tr}{', inplace=True' if inplace else ''})\n"
         f"out = (r, r is y, (r == 0).sum() if {p} == 1.0 else r.shape, y)"
         for f in ("dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout")
         for nd in range(0, 7) for p, tr in ((0.5, True), (0.0, True), (0.5, False), (1.0, True))
         for inplace in (False, True) if p != 0.5 or not tr],
       *[f"x = lib.ones([2] * {nd})\nr = lib.nn.functional.{f}(x, 0.5, True)\nout = r.shape"
         for f in ("dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout")
         for nd in range(0, 7)],
       "out = (repr(lib.nn.Dropout3d(0.3)), repr(lib.nn.FeatureAlphaDropout(0.2)), "
       "repr(lib.nn.Dropout3d(0.3, inplace=True)))",
       "m = lib.nn.Dropout3d(0.5)\nx = lib.ones(2, 3, 2, 2, 2)\nout = (m(x).shape, m.eval()(x))",
       "m = lib.nn.FeatureAlphaDropout(0.5)\nx = lib.ones(2, 3, 2)\n"
       "out = (m(x).shape, m.eval()(x))",
       "x = lib.tensor([0, 1, 1, 3])\nw = lib.tensor([.5, 1., 2., 3.], requires_grad=True)\n"
       "out = lib.bincount(x, weights=w)",
       "x = lib.tensor([0, 1, 1, 3])\nw = lib.tensor([.5, 1., 2., 3.], requires_grad=True)\n"
       "lib.bincount(x, weights=w).sum().backward()")
def test_dropout_forms_and_bincount(code):
    check(code)


def test_channel_dropout_draws_one_value_per_channel():
    import numpy as np

    import glasstorch as gt
    F = gt.nn.functional
    gt.manual_seed(0)
    for f, shape in ((F.dropout3d, (4, 6, 2, 3, 3)), (F.dropout3d, (6, 2, 3, 3)),
                     (F.feature_alpha_dropout, (4, 6, 5)), (F.dropout2d, (4, 6, 5))):
        y = f(gt.ones(*shape), 0.5, True).numpy()
        per_channel = y.reshape(y.shape[0], y.shape[1], -1)
        assert np.all(per_channel == per_channel[..., :1]), f.__name__
        assert len(np.unique(per_channel[..., 0])) == 2, f.__name__
    # feature alpha dropout keeps mean 0 and variance 1 of a standard input
    gt.manual_seed(1)
    z = F.feature_alpha_dropout(gt.randn(2000, 50, 4), 0.3, True).numpy()
    assert abs(z.mean()) < 0.05 and abs(z.var() - 1) < 0.05


# ---- 9. signed zeros of % ------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("code", [
    "a % b", "a % -3.", "a % 3.", "5. % b", "lib.remainder(a, b)", "lib.fmod(a, b)",
    "a.remainder_(b)", "a.__imod__(-2.)", "a.half() % b.half()", "a.double() % b.int()"])
def test_remainder_signed_zeros(code):
    import numpy as np

    import glasstorch as gt
    from oracle import torch

    vals = ([-0., 0., -3., 3., -4., 5., -5., 1., -1., float("nan"), float("inf"), 2.5],
            [2., -2., 3., -3., 2., -3., 3., float("inf"), float("inf"), 1., 2., -0.])
    out = []
    for lib in (gt, torch):
        env = {"lib": lib, "a": lib.tensor(vals[0]), "b": lib.tensor(vals[1])}
        out.append(np.asarray(eval(code, env).float().numpy(), dtype=np.float64))
    ours, theirs = out
    np.testing.assert_array_equal(ours, theirs)
    num = ~np.isnan(theirs)  # (the sign of a NaN means nothing)
    assert (np.signbit(ours[num]) == np.signbit(theirs[num])).all(), (ours, theirs)


# ---- 10. relu's gradient: at NaN, and differentiable under create_graph --------------------------
R = "x = lib.tensor([float('nan'), 0., 1., -1., float('inf'), -0.], requires_grad=True)\n"


@cases(R + "lib.relu(x).sum().backward()\ngrads = x.grad",
       R + "lib.nn.functional.relu(x).backward(lib.tensor([1., 1., float('nan'), float('nan'), "
       "1., float('inf')]))\ngrads = x.grad",
       R + "y = x * 1\ny.relu_()\ny.sum().backward()\nout = y\ngrads = x.grad",
       R + "y = x.double() * 1\nlib.relu(y).sum().backward()\ngrads = x.grad",
       "x = lib.tensor([-1., 2., 3.], requires_grad=True)\n"
       "g, = lib.autograd.grad(lib.relu(x).sum(), x, create_graph=True)\nout = g",
       "x = lib.tensor([-1., 2., 3.], requires_grad=True)\n"
       "g, = lib.autograd.grad((lib.relu(x) * x).sum(), x, create_graph=True)\n"
       "g.sum().backward()\nout = g\ngrads = x.grad",
       "x = lib.tensor([-1., 2., 3.], requires_grad=True)\n"
       "g, = lib.autograd.grad((lib.relu(x) ** 2).sum(), x, create_graph=True)\n"
       "h, = lib.autograd.grad(g.sum(), x, create_graph=True)\nout = (g, h)",
       "x = lib.tensor([-1., 2., 3.], requires_grad=True)\nw = lib.ones(3, requires_grad=True)\n"
       "g, = lib.autograd.grad(lib.relu(x), x, grad_outputs=w * 2, create_graph=True)\n"
       "g.sum().backward()\nout = g\ngrads = (x.grad, w.grad)")
def test_relu_gradient(code):
    check(code)


# ---- 11. gather / scatter with a 0-d index or input -------------------------------------------
@cases(
    "out = lib.zeros(10).scatter_(0, lib.tensor(3), value=1)",
    "out = lib.zeros(10).scatter_(0, lib.tensor(3), lib.tensor([5., 6.]))",
    "out = lib.zeros(10).scatter(0, lib.tensor(3), lib.tensor(5.))",
    "out = lib.zeros(10).scatter_add(0, lib.tensor(3), lib.tensor([5., 6.]))",
    "out = lib.zeros(10).scatter(0, lib.tensor([3]), lib.tensor(5.))",
    "out = lib.zeros(10).scatter(0, lib.tensor([3, 4]), lib.tensor(5.))",
    "out = lib.zeros(()).scatter(0, lib.tensor([0]), lib.tensor([5.]))",
    "out = lib.zeros(()).scatter(0, lib.tensor(0), lib.tensor(5.))",
    "out = lib.zeros(()).scatter(0, lib.tensor(0), 5.)",
    "out = lib.arange(10.).gather(0, lib.tensor(3))",
    "out = lib.arange(10.).gather(-1, lib.tensor(3))",
    "out = lib.arange(10.).gather(0, lib.tensor(13))",
    "out = lib.tensor(7.).gather(0, lib.tensor(0))",
    "out = lib.tensor(7.).gather(0, lib.tensor([0, 0]))",
    "out = lib.arange(10.).scatter(0, lib.tensor(3), 1., reduce='add')",
    "out = lib.zeros(3, 2).scatter(0, lib.tensor(1), 5.)",
    "out = lib.zeros(3, 2).gather(0, lib.tensor(1))",
    "x = lib.arange(10., requires_grad=True)\nout = x.gather(0, lib.tensor(3))\n"
    "(out * 2).backward()\ngrads = x.grad",
    "x = lib.arange(10., requires_grad=True)\ns = lib.tensor([5., 6.], requires_grad=True)\n"
    "out = (x * 1).scatter(0, lib.tensor(3), s)\n(out * lib.arange(10.)).sum().backward()\n"
    "grads = (x.grad, s.grad)",
    "x = lib.arange(10., requires_grad=True)\ns = lib.tensor(5., requires_grad=True)\n"
    "out = x.scatter_add(0, lib.tensor(3), s)\n(out * lib.arange(10.)).sum().backward()\n"
    "grads = (x.grad, s.grad)",
    *[f"x = lib.arange(10., requires_grad=True)\ns = lib.ones({sh}, requires_grad=True)\n"
      f"(x * 1).{f}(0, lib.tensor(3), s).sum().backward()\ngrads = s.grad"
      for f in ("scatter", "scatter_add") for sh in ("2", "1", "()")],
    "x = lib.tensor(1., requires_grad=True)\ns = lib.ones(2, requires_grad=True)\n"
    "(x * 1).scatter(0, lib.tensor([0, 0]), s).sum().backward()\ngrads = (x.grad, s.grad)")
def test_gather_scatter_0d(code):
    check(code)


# ---- 12. gradcheck -------------------------------------------------------------------------------
G = "gc = lib.autograd.gradcheck\nd = lib.float64\n"
CAUGHT = "\nexcept RuntimeError as e:\n    out = (type(e).__name__, str(e))"  # (GradcheckError)


@cases(*[G + c for c in (
    "out = gc(lambda x: (x * x).sum(), (lib.randn(3, dtype=d, requires_grad=True),))",
    "out = gc(lambda x: (x * lib.arange(6., dtype=d).view(3, 2)).sum(), "
    "(lib.randn(2, 3, dtype=d).t().requires_grad_(),))",  # a leaf that is not contiguous
    "out = gc(lambda x: x * 2, (lib.randn(3, dtype=d),))",
    "try:\n    gc(lambda x: x.detach() * 2 + x, (lib.ones(2, dtype=d, requires_grad=True),))"
    + CAUGHT,
    "out = gc(lambda x: x.detach() * 2 + x, (lib.ones(2, dtype=d, requires_grad=True),), "
    "raise_exception=False)",
    "out = gc(lambda x: (x * 2, x.argmax()), (lib.randn(3, dtype=d, requires_grad=True),))",
    "try:\n    gc(lambda x: x.detach() * 2, (lib.randn(3, dtype=d, requires_grad=True),))"
    + CAUGHT,
    "out = gc(lambda x: x.detach() * 2, (lib.randn(3, dtype=d, requires_grad=True),), "
    "raise_exception=False)",
    "out = gc(lambda x, k: x * k, (lib.randn(3, dtype=d, requires_grad=True), 3.))",
    "out = gc(lambda x: x * 2, (lib.randn(1, dtype=d).expand(3).requires_grad_(),))",
    "try:\n    gc(lib.relu, (lib.tensor([0., 1.], dtype=d, requires_grad=True),))"
    + CAUGHT,
    "out = lib.autograd.gradgradcheck(lib.sin, (lib.randn(3, dtype=d, requires_grad=True),))")])
def test_gradcheck(code):
    check(code)


# ---- 13. saved inputs (version counter) and empty selections ------------------------------------
@cases(*[f"x = lib.ones(3, 2, requires_grad=True)\nh = x * 1\ni = lib.tensor([[0, 1], [1, 0]])\n"
         f"g = {op}\nh[0, 0] = 5\ng.sum().backward()\ngrads = x.grad"
         for op in ("h.gather(0, i)", "h.index_select(0, i.view(-1))", "h.take(i)", "h[i]",
                    "h.masked_select(h > 0)", "h.scatter(0, i, 1.)", "h.gather(0, i)[0]")],
       "x = lib.zeros(0, 4)\nout = lib.index_select(x, 0, lib.tensor([0]))",
       "x = lib.zeros(0, 4)\nout = lib.index_select(x, 0, lib.tensor([], dtype=lib.long))",
       "x = lib.zeros(4, 0)\nout = lib.index_select(x, 1, lib.tensor([1]))",
       "x = lib.zeros(0)\nout = lib.index_select(x, 0, lib.tensor([0, 0, 0]))",
       "x = lib.ones(4, 3)\nx[[], -3] = lib.ones(2, 0)",
       "x = lib.ones(4, 3)\nx[[], -3] = lib.ones(0)\nout = x",
       "x = lib.ones(4, 0)\nx[[1, 2]] = lib.ones(2, 0)\nout = x",
       "x = lib.ones(4, 0)\nx[[1, 2]] = lib.ones(3, 0)")
def test_saved_inputs_and_empty_selections(code):
    check(code)


# ---- 14. empty selections are not range-checked; a number is converted before the key ----------
@cases("x = lib.zeros(1, 3, 0, 4)\nx.index_put_((lib.tensor([0, 1, 1]),), lib.zeros(1, 3, 0, 4))\n"
       "out = x",
       "x = lib.zeros(0, 3, 2)\nx[..., lib.tensor([-3, 0, -1]), True] = lib.tensor(1.)\nout = x",
       "x = lib.zeros(0, 4, 2, 3)\nout = x[:, True, lib.tensor([[0]]), [1, 2, 0]]",
       "x = lib.zeros(0, 4, 2, 3)\nout = x[:, [7]]",
       "x = lib.zeros(0)\nout = x[[1]]",
       "x = lib.zeros(3, 0)\nout = x[[5]]",
       "x = lib.zeros(3, 0)\nx[[5]] = 1.\nout = x",
       "x = lib.zeros(3, 0, requires_grad=True)\ny = x[[5]]\ny.sum().backward()\nout = y\n"
       "grads = x.grad",
       "x = lib.zeros(1, 4, 0, 3, dtype=lib.int64)\nx[0, [-3, 2], 0, ::2] = 1e30",
       "x = lib.zeros(3, dtype=lib.int64)\nx[5] = 1e30",
       "x = lib.zeros(3, dtype=lib.int64)\nx[[5]] = 1e30")
def test_empty_selections(code):
    check(code)


# ---- 15. empty bool masks must fit the dimensions they cover ------------------------------------
@cases("x = lib.ones(4, 3, 4, 0)\nx[False, -3, :-1, lib.tensor([], dtype=lib.bool)] = "
       "lib.tensor(1., dtype=lib.float64)",
       "x = lib.ones(4, 3, 4, 0)\nout = x[True, -3, :-1, lib.tensor([], dtype=lib.bool)]",
       "x = lib.ones(4, 0, dtype=lib.float64)\nx[lib.tensor([], dtype=lib.bool)] = lib.tensor(1)",
       "x = lib.ones(4, 0)\nout = x[lib.tensor([], dtype=lib.bool)]",
       "x = lib.ones(0, 3)\nout = x[lib.tensor([], dtype=lib.bool)]",
       "x = lib.ones(0, 3)\nx[lib.tensor([], dtype=lib.bool)] = 1.\nout = x",
       "x = lib.ones(3, 0)\nout = x[:, lib.tensor([], dtype=lib.bool)]",
       "x = lib.ones(3, 2)\nout = x[:, lib.tensor([], dtype=lib.bool)]",
       "x = lib.ones(4, 3)\nout = x[True, lib.tensor([True, False, True, True]), "
       "lib.tensor([True, False])]")
def test_empty_masks(code):
    check(code)
