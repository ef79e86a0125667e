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
