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
