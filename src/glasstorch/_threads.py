"""``torch.set_num_threads`` / ``get_num_threads``: how many threads glasstorch computes with.

Two kinds of threads do glasstorch's arithmetic:

- the **BLAS library** NumPy ships (OpenBLAS in NumPy's wheels) runs each matrix product on its
  own threads;
- glasstorch's **kernel pool** (``_parallel``) cuts the heavy layers (convolution, pooling,
  batch norm, activations of big tensors) into parts over the batch and runs them on threads:
  NumPy lets go of Python's lock inside its loops, copies and BLAS calls, so they run at once.

As in torch, both start at the number of cores this process may use (``os.sched_getaffinity``),
or ``OMP_NUM_THREADS`` when that is set; ``set_num_threads(n)`` sets both. BLAS threads are set
through ``threadpoolctl`` (imported when first needed); without it, glasstorch's pool still
follows ``set_num_threads`` and the BLAS library keeps what its environment variables chose.

The trade-off (BENCHMARKS.md has the figures): a second thread pays on the big layers of a
convolutional network, but a hand-off costs tens of microseconds, so small tensors stay on one
thread (``_parallel.MIN_COST``); and on a machine busy with other processes, threads that wait for
each other can make a step slower. ``OMP_NUM_THREADS=1`` (or ``set_num_threads(1)``) gives the
one-thread behaviour back.
"""

from __future__ import annotations

import os

_state: dict = {"threads": None, "blas": None}


def usable_cores() -> int:
    """The number of cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def _default_threads() -> int:
    """``OMP_NUM_THREADS`` when it is a positive integer, else every usable core."""
    told = os.environ.get("OMP_NUM_THREADS", "").strip().split(",")[0]
    if told.isdigit() and int(told) > 0:
        return int(told)
    return usable_cores()


def _blas():
    """threadpoolctl's controllers of the BLAS libraries NumPy loaded ([] without threadpoolctl)."""
    if _state["blas"] is None:
        try:
            import numpy  # noqa: F401  (loads its BLAS first)
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _state["blas"] = []
        else:
            _state["blas"] = ThreadpoolController().select(user_api="blas").lib_controllers
    return _state["blas"]


def get_num_threads() -> int:
    """The number of threads glasstorch's kernels and matrix products use."""
    if _state["threads"] is None:
        _state["threads"] = _default_threads()
    return _state["threads"]


def set_num_threads(num: int) -> None:
    """Use ``num`` threads (≥ 1) for the kernels and the matrix products from now on."""
    if not isinstance(num, int) or isinstance(num, bool):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(num).__name__}")
    if num < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _state["threads"] = num
    for lib in _blas():
        lib.set_num_threads(num)


def blas_threads(num: int) -> list:
    """Set the BLAS libraries to ``num`` threads; returns what each had, for ``restore_blas``.

    The kernel pool runs its parts' matrix products one BLAS thread each (its own threads already
    fill the cores); this costs well under a microsecond per library."""
    libs = _blas()
    before = [lib.get_num_threads() for lib in libs]
    for lib in libs:
        lib.set_num_threads(num)
    return before


def restore_blas(before: list) -> None:
    for lib, num in zip(_blas(), before):
        lib.set_num_threads(num)
