"""set_num_threads / get_num_threads change the BLAS thread count, as torch's do."""

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


def test_one_blas_thread_by_default_unless_the_environment_says():
    import os
    import subprocess
    import sys

    code = "import glasstorch as g; print(g.get_num_threads())"
    env = {k: v for k, v in os.environ.items()
           if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, timeout=120, check=True).stdout.strip()
    told = subprocess.run([sys.executable, "-c", code], env={**env, "OPENBLAS_NUM_THREADS": "2"},
                          capture_output=True, text=True, timeout=120, check=True).stdout.strip()
    assert plain == "1"
    assert told == "2" or os.cpu_count() == 1  # OpenBLAS may cap threads at the core count
