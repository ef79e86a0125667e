"""The one place the array library is chosen (``glasstorch._array``)."""

import types

import numpy as np

from glasstorch import _array


def test_numpy_arrays_and_numbers_live_in_numpy():
    assert _array.namespace(np.zeros(2)) is np
    assert _array.namespace(2.5) is np
    assert _array.namespace() is _array.default is np


def test_an_array_of_another_library_answers_for_itself():
    other = types.SimpleNamespace(name="another array library")

    class ForeignArray:
        def __array_namespace__(self):
            return other

    assert _array.namespace(3, ForeignArray()) is other
