"""set_num_threads / get_num_threads: glasstorch's kernel pool and the BLAS threads, as torch's."""

import pytest

import glasstorch as gt


def test_set_and_get_num_threads():
    before = gt.get_num_threads()
    try:
        gt.set_num_threads(1)
        assert gt.get_num_threads() == 1
        x = gt.randn(64, 64)
        assert (x @ x).shape == (64, 64)
    finally:
        gt.set_num_threads(max(before, 1))
    assert gt.get_num_threads() == max(before, 1)


@pytest.mark.parametrize("bad,message", [(0, "positive integer"), (-1, "positive integer"),
                                         (1.5, "expects an int, but got float")])
def test_bad_thread_counts(bad, message):
    with pytest.raises(RuntimeError, match=message):
        gt.set_num_threads(bad)


def test_default_is_the_usable_cores_or_omp_num_threads():
    """As torch: all the cores this process may use, unless OMP_NUM_THREADS says otherwise. The
    BLAS library keeps one thread unless told (see _threads' docstring for why)."""
    import os
    import subprocess
    import sys

    code = ("import glasstorch as g, numpy as np; from threadpoolctl import threadpool_info; "
            "print(g.get_num_threads(), [p['num_threads'] for p in threadpool_info() "
            "if p['user_api'] == 'blas'][0])")
    env = {k: v for k, v in os.environ.items()
           if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, timeout=120, check=True).stdout.split()
    told = subprocess.run([sys.executable, "-c", code], env={**env, "OMP_NUM_THREADS": "1"},
                          capture_output=True, text=True, timeout=120, check=True).stdout.split()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert plain == [str(cores), "1"]
    assert told == ["1", "1"]
    two = subprocess.run([sys.executable, "-c", code], env={**env, "OMP_NUM_THREADS": "2"},
                         capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert two[0] == "2" and (two[1] == "2" or os.cpu_count() == 1)


def test_set_num_threads_sets_the_blas_threads_too():
    pytest.importorskip("threadpoolctl")
    from threadpoolctl import threadpool_info

    before = gt.get_num_threads()
    try:
        for n in (1, 2):
            gt.set_num_threads(n)
            blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
            assert gt.get_num_threads() == n and all(b == n for b in blas)
    finally:
        gt.set_num_threads(before)


def test_a_big_product_borrows_every_blas_thread(monkeypatch):
    """With the one-BLAS-thread default in effect, a product of BIG_PRODUCT multiply-adds or more
    runs on get_num_threads() BLAS threads and puts the BLAS library back after; a small one, a
    product on one of the pool's threads, a backed-off pool, or BLAS threads the user chose leave
    the BLAS library alone. The values are NumPy's product either way."""
    import numpy as np

    from glasstorch import _parallel, _threads

    asked = []
    monkeypatch.setattr(_threads, "blas_threads", lambda n: asked.append(n) or [1])
    monkeypatch.setattr(_threads, "restore_blas", lambda before: asked.append(("back", before)))
    monkeypatch.setitem(_threads._state, "threads", 3)
    monkeypatch.setitem(_threads._state, "blas_default", True)
    monkeypatch.setattr(_parallel, "BIG_PRODUCT", 4 * 5 * 6)
    monkeypatch.setitem(_parallel._backoff, "until", 0.0)
    a, b = np.random.default_rng(0).standard_normal((2, 4, 5)), np.ones((5, 6))
    x, w = gt.tensor(a[0], requires_grad=True), gt.tensor(b, requires_grad=True)

    y = x @ w  # the forward (4*5*6) and both gradients' products are big enough
    np.testing.assert_array_equal(y.detach().numpy(), a[0] @ b)
    assert asked == [3, ("back", [1])]
    y.sum().backward()
    assert asked[2:] == [3, ("back", [1])] * 2
    gt.nn.functional.linear(x, w.T.detach(), gt.zeros(6, dtype=gt.float64))
    assert len(asked) == 8  # linear: one more product, on every thread

    asked.clear()
    np.testing.assert_array_equal(_parallel.matmul(a[0, :3], b), a[0, :3] @ b)  # 3*5*6 < 120
    _parallel._local.busy = True  # one of the pool's own threads
    try:
        _parallel.matmul(a, b)
    finally:
        _parallel._local.busy = False
    monkeypatch.setitem(_parallel._backoff, "until", float("inf"))  # a busy machine
    _parallel.matmul(a, b)
    monkeypatch.setitem(_parallel._backoff, "until", 0.0)
    monkeypatch.setitem(_threads._state, "blas_default", False)  # the user set the BLAS threads
    _parallel.matmul(a, b)
    assert asked == []  # none of these asked for BLAS threads
