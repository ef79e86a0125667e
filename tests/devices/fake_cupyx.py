"""The test double of ``cupyx`` that goes with ``fake_cupy``: ``scatter_add`` only."""

import fake_cupy


def scatter_add(a, slices, value):
    """``a[slices] += value`` where repeated indices add up (unbuffered, like ``numpy.add.at``).

    As in CuPy, ``a`` must be a device array, and with an integer-array index only int32, float16,
    float32, float64, uint32 and uint64 arrays are supported (CUDA's atomic add)."""
    fake_cupy.add.at(a, slices, value)
