"""The one place the array library is chosen (``glasstorch._array``)."""

import numpy as np

from glasstorch import _array


def test_numpy_arrays_and_numbers_live_in_numpy():
    assert _array.namespace(np.zeros(2)) is np
    assert _array.namespace(2.5) is np
    assert _array.namespace() is _array.default is np


def test_host_arrays_stay_where_they_are():
    a = np.arange(3.0)
    assert _array.on_host(a) and _array.on_host(np.float32(1)) and _array.on_host(2)
    assert _array.to_host(a) is a
    assert _array.like(a, np.zeros(2)) is not a  # a host reference: the array is returned as is
    assert _array.device_index(a) == -1
