"""The threaded kernels (``glasstorch._parallel``) give the one-thread results.

Every heavy kernel cuts its work into parts over the batch only when the tensor is big enough
(``MIN_COST``); ``_parallel.force_split(k)`` makes it cut even small shapes into ``k`` parts, so
these tests run the threaded path on small tensors and compare it with the same computation on
one thread. Parts that write their own slices of the output give the same bits; a weight gradient
added up part by part may differ in the last float32 bits (another order of additions).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import glasstorch as gt
import glasstorch.nn.functional as F
from glasstorch import _parallel


def _run(fn, *shapes, seed=0, grad=True):
    """``fn`` on random inputs of ``shapes``: the output and the inputs' gradients, as arrays."""
    rng = np.random.default_rng(seed)
    xs = [gt.tensor(rng.standard_normal(s, dtype=np.float32), requires_grad=grad) for s in shapes]
    out = fn(*xs)
    if not grad:
        return [out.detach().numpy()]
    g = gt.tensor(rng.standard_normal(tuple(out.shape), dtype=np.float32))
    out.backward(g)
    return [out.detach().numpy()] + [x.grad.numpy() for x in xs]


def _threaded_equals_single(fn, *shapes, exact=True, grad=True):
    before = gt.get_num_threads()
    try:
        gt.set_num_threads(1)
        single = _run(fn, *shapes, grad=grad)
        gt.set_num_threads(max(before, 2))
        for k in (2, 3):
            with _parallel.force_split(k):
                threaded = _run(fn, *shapes, grad=grad)
            for a, b in zip(single, threaded):
                if exact:
                    np.testing.assert_array_equal(a, b)
                else:
                    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    finally:
        gt.set_num_threads(before)


CONVS = [
    ("3x3 pad 1", (5, 3, 9, 9), (4, 3, 3, 3), dict(padding=1)),
    ("5x5 stride 2", (6, 2, 11, 10), (3, 2, 5, 5), dict(stride=2)),
    ("dilated, groups", (5, 4, 10, 10), (6, 2, 3, 3), dict(dilation=2, groups=2, padding=2)),
    ("3x3 pad 1, 32 out (input gradient as a convolution)", (3, 4, 6, 6), (32, 4, 3, 3),
     dict(padding=1)),
    ("dilated 32 out, groups", (3, 4, 7, 7), (32, 2, 3, 3), dict(padding=2, dilation=2,
                                                                 groups=2)),
    ("one channel (LeNet's first layer)", (6, 1, 12, 12), (6, 1, 5, 5), dict(padding=2)),
    ("one channel, stride 2", (5, 1, 11, 10), (3, 1, 3, 3), dict(stride=2, padding=1)),
    ("1x1", (5, 4, 7, 7), (6, 4, 1, 1), {}),
    ("1x1 stride 2", (5, 4, 7, 8), (6, 4, 1, 1), dict(stride=2)),
]


@pytest.mark.parametrize("name,xs,ws,kw", CONVS, ids=[c[0] for c in CONVS])
def test_conv2d_threaded_equals_single_thread(name, xs, ws, kw):
    # the weight gradient is summed part by part: equal to float32 rounding
    _threaded_equals_single(lambda x, w, b: F.conv2d(x, w, b, **kw), xs, ws, (ws[0],),
                            exact=False)


def test_conv2d_forward_and_input_gradient_bitwise_equal():
    def fn(x):
        w = gt.tensor(np.linspace(-1, 1, 4 * 3 * 3 * 3, dtype=np.float32).reshape(4, 3, 3, 3))
        return F.conv2d(x, w, padding=1)

    _threaded_equals_single(fn, (6, 3, 8, 8))


def test_conv_transpose2d_threaded_equals_single_thread():
    _threaded_equals_single(lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1),
                            (5, 4, 6, 6), (4, 3, 3, 3), exact=False)


@pytest.mark.parametrize("args", [(2,), (3, 2, 1), (3, 1, 1), ((2, 3), (1, 2))])
def test_max_pool2d_threaded_equals_single_thread(args):
    _threaded_equals_single(lambda x: F.max_pool2d(x, *args), (4, 3, 9, 9))


def test_max_pool2d_with_indices_and_ties_threaded():
    x = gt.tensor(np.tile(np.array([1., 1., 0., 2.], np.float32), (5, 2, 4, 1)))

    def both():
        out, idx = F.max_pool2d(x, 2, return_indices=True)
        return out.numpy(), idx.numpy()

    single = both()
    with _parallel.force_split(3):
        threaded = both()
    for a, b in zip(single, threaded):
        np.testing.assert_array_equal(a, b)


def test_max_pool_double_backward_threaded():
    def fn(x):
        (g,) = gt.autograd.grad(F.max_pool2d(x, 3, 2, 1).sum(), x, create_graph=True)
        return (g * x).sum() + F.max_pool2d(x * x, 2).sum()

    _threaded_equals_single(fn, (4, 2, 7, 7))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1)])
def test_avg_pool2d_threaded_equals_single_thread(kw):
    _threaded_equals_single(lambda x: F.avg_pool2d(x, **kw), (5, 3, 8, 8))


def test_batch_norm_threaded_equals_single_thread():
    def fn(x, w, b):
        return F.batch_norm(x, None, None, w, b, training=True)

    _threaded_equals_single(fn, (6, 3, 5, 5), (3,), (3,), exact=False)


@pytest.mark.parametrize("act", ["sigmoid", "relu", "tanh"])
def test_activations_threaded_equal_single_thread(act):
    _threaded_equals_single(getattr(gt, act), (7, 3, 5, 5))


def test_small_jobs_stay_on_one_thread(monkeypatch):
    # an earlier test on a busy machine may have made the pool back off to one thread for a while
    monkeypatch.setitem(_parallel._backoff, "until", 0.0)
    assert _parallel.parts(256, _parallel.MIN_COST - 1) == 1
    assert _parallel.parts(1, 10 * _parallel.MIN_COST) == 1
    before = gt.get_num_threads()
    try:
        gt.set_num_threads(2)
        assert _parallel.parts(256, 10 * _parallel.MIN_COST) == 2
        gt.set_num_threads(1)
        assert _parallel.parts(256, 10 * _parallel.MIN_COST) == 1
    finally:
        gt.set_num_threads(before)


def test_ranges_cover_the_items_evenly():
    assert _parallel.ranges(10, 3) == [(0, 4), (4, 7), (7, 10)]
    assert _parallel.ranges(2, 2) == [(0, 1), (1, 2)]


def test_no_nested_splits_inside_a_part():
    seen = []

    def body(a, b):
        seen.append(_parallel.parts(100, 10 * _parallel.MIN_COST))

    with _parallel.force_split(2):
        _parallel.run(body, 4, 0)
    assert seen == [1, 1]


def test_omp_num_threads_is_honoured_by_the_pool():
    code = "import glasstorch as g; from glasstorch import _parallel as p; " \
           "print(g.get_num_threads(), p.parts(64, 100 * p.MIN_COST))"
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], env={**env, "OMP_NUM_THREADS": "1"},
                         capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert out == ["1", "1"]
    out = subprocess.run([sys.executable, "-c", code], env={**env, "OMP_NUM_THREADS": "3"},
                         capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert out == ["3", "3"]


@pytest.mark.parametrize("name,xs,ws,kw", CONVS, ids=[c[0] for c in CONVS])
def test_conv2d_fast_backward_equals_the_graph_backward(name, xs, ws, kw):
    """The array kernels (col2im, the input gradient as a convolution, 1x1 products) against the
    backward written with glasstorch ops (taken with create_graph=True)."""
    rng = np.random.default_rng(1)
    x = gt.tensor(rng.standard_normal(xs, dtype=np.float32), requires_grad=True)
    w = gt.tensor(rng.standard_normal(ws, dtype=np.float32), requires_grad=True)
    out = F.conv2d(x, w, **kw)
    g = gt.tensor(rng.standard_normal(tuple(out.shape), dtype=np.float32))
    fast = gt.autograd.grad(out, (x, w), g, retain_graph=True)
    graph = gt.autograd.grad(out, (x, w), g, create_graph=True)
    for a, b in zip(fast, graph):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_runs_threaded_kernels():
    """A DataLoader worker is a forked child: the parent's pool threads are not there."""
    with _parallel.force_split(2):
        _parallel.run(lambda a, b: None, 4, 0)  # the parent's pool exists now
    pid = os.fork()
    if pid == 0:  # the child: a threaded kernel must finish (and right)
        code = 1
        try:
            with _parallel.force_split(2):
                x = gt.ones(4, 2, 6, 6)
                code = 0 if float(F.max_pool2d(x, 2).sum()) == 4 * 2 * 9 else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
