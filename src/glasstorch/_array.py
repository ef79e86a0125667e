"""The array library glasstorch computes with: NumPy. This is the one place it is chosen.

A Tensor holds one array of this library (``t._data``). The ops reach the library in two ways,
and only the second depends on which library it is:

- functions applied to arrays that exist (``np.exp(x)``, ``np.matmul(a, b)``, ``x.sum()``,
  ``np.zeros_like(x)``) follow their arguments: an array library that implements NumPy's dispatch
  protocols (``__array_ufunc__``, ``__array_function__``; CuPy does, for GPUs) runs them itself;
- making an array from nothing (``zeros(shape)``, ``arange``, ``asarray(list)``) has no argument
  to follow: it must ask ``namespace(x)`` for the library of an array it works with, or use
  ``default`` for a brand-new tensor.
"""

from __future__ import annotations

import numpy

default = numpy  # the library new tensors are made in


def namespace(*arrays):
    """The array library that holds ``arrays`` (their ``__array_namespace__``, as the Python array
    API standard names it), so that ``namespace(x).zeros(shape, x.dtype)`` makes an array of the
    same kind as ``x``. NumPy for NumPy arrays and for Python numbers."""
    for a in arrays:
        get = getattr(a, "__array_namespace__", None)
        if get is not None:
            return get()
    return default
