"""``torch.set_num_threads`` / ``get_num_threads``: how many threads glasstorch computes with.

Two kinds of threads do glasstorch's arithmetic:

- the **BLAS library** NumPy ships (OpenBLAS in NumPy's wheels) runs each matrix product on its
  own threads;
- glasstorch's **kernel pool** (``_parallel``) cuts the heavy layers (convolution, pooling,
  batch norm, activations of big tensors) into parts over the batch and runs them on threads:
  NumPy lets go of Python's lock inside its loops, copies and BLAS calls, so they run at once.

As in torch, ``get_num_threads()`` starts at the number of cores this process may use
(``os.sched_getaffinity``), or ``OMP_NUM_THREADS`` when that is set: glasstorch's pool uses that
many threads. ``set_num_threads(n)`` sets both the pool and the BLAS library to ``n``. BLAS
threads are set through ``threadpoolctl`` (imported when first needed); without it, the pool
still follows ``set_num_threads`` and the BLAS library keeps what its environment chose.

Unlike torch, the BLAS library starts with ONE thread unless ``set_num_threads`` or one of
``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` asks for more, and only a big
product (``_parallel.BIG_PRODUCT`` multiply-adds or more: an MLP's 256x784 @ 784x256) runs on every
thread (``_parallel.matmul``). The trade-off, measured on a quiet 2-core machine (BENCHMARKS.md):
BLAS threads for every product made an MLP epoch 1.58x faster but the two-layer net 1.46x and LeNet
up to 2.2x slower (likely because OpenBLAS's threads keep spinning after a product, ~60 ms of CPU
after one, while the kernel pool needs the cores); when other programs keep the cores busy, a BLAS
thread that loses its core stalls every product (OpenBLAS threads wait for each other), and a LeNet
step went from ~80 ms to ~800-1200 ms. glasstorch's own pool has no such cliff: a job whose helper
is late makes the pool back off to one thread for a while (``_parallel``), so it can safely start
at all cores; small tensors stay on one thread (``_parallel.MIN_COST``), and a big product stays on
one BLAS thread while the pool is backed off.
"""

from __future__ import annotations

import os

# blas_default: the BLAS library is at glasstorch's default of one thread, not set by the user
_state: dict = {"threads": None, "blas": None, "blas_default": False}


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
    _state["blas_default"] = False
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


def use_one_thread_unless_told() -> None:
    """At import: one BLAS thread, unless an environment variable already chose a number (the
    pool keeps ``get_num_threads()`` threads; see the module docstring)."""
    if any(v in os.environ for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")):
        return
    for lib in _blas():
        lib.set_num_threads(1)
    _state["blas_default"] = True


def one_blas_thread_by_default() -> bool:
    """Whether the BLAS library is at glasstorch's default of one thread (nobody asked for a
    number): then a big product may borrow every thread (``_parallel.matmul``)."""
    return _state["blas_default"]
