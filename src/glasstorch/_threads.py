"""``torch.set_num_threads`` / ``get_num_threads``: how many threads the BLAS library uses.

glasstorch's matrix products run in the OpenBLAS that ships inside NumPy's wheels. By default it
starts one thread per core; on a busy machine those threads spin waiting for each other and a
small training step can get many times slower, so a learner may want one thread. NumPy offers
no switch for this, so we call OpenBLAS's own functions through ``ctypes``, finding the library
among those this process has loaded. Where no OpenBLAS is found (NumPy built against another
BLAS), ``get_num_threads`` reports 1 and ``set_num_threads`` raises, saying so.

Unlike torch (one thread per core), glasstorch starts with ONE BLAS thread unless the user set
``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` or ``MKL_NUM_THREADS``. Measured on the learners'
models on a 2-core machine (BENCHMARKS.md): when it is quiet, a second thread makes an MLP epoch
(batch 256) 1.45x faster but the seed's two-layer net (batch 64) 1.37x slower; when the machine
is busy, a second thread makes training 4-100x slower, as threads spin waiting for each other.
"""

from __future__ import annotations

import ctypes
import os

# Symbol names of the setter/getter in the OpenBLAS builds NumPy ships or links.
_SYMBOLS = (
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("openblas_set_num_threads", "openblas_get_num_threads"),
)
_found: list = []


def _openblas():
    """``(set, get)`` ctypes functions of the loaded OpenBLAS, or None."""
    if _found:
        return _found[0]
    import numpy  # noqa: F401  (loads its BLAS)

    pair = None
    try:
        with open("/proc/self/maps") as maps:
            paths = {ln.split()[-1] for ln in maps if "openblas" in ln.lower() and "/" in ln}
    except OSError:
        paths = set()
    for path in sorted(paths):
        if not os.path.exists(path):
            continue
        lib = ctypes.CDLL(path)
        for setter, getter in _SYMBOLS:
            if hasattr(lib, setter) and hasattr(lib, getter):
                pair = (getattr(lib, setter), getattr(lib, getter))
                break
        if pair:
            break
    _found.append(pair)
    return pair


def get_num_threads() -> int:
    """The number of threads matrix products use."""
    blas = _openblas()
    return int(blas[1]()) if blas else 1


def set_num_threads(num: int) -> None:
    """Use ``num`` threads (≥ 1) for matrix products from now on."""
    if not isinstance(num, int):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(num).__name__}")
    if num < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    blas = _openblas()
    if blas is None:
        raise RuntimeError(
            "set_num_threads: no OpenBLAS library found in this process (NumPy uses another "
            "BLAS); set OMP_NUM_THREADS / OPENBLAS_NUM_THREADS before starting Python instead"
        )
    blas[0](num)


def use_one_thread_unless_told() -> None:
    """At import: one BLAS thread, unless an environment variable already chose a number."""
    if any(v in os.environ for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")):
        return
    if _openblas() is not None:
        set_num_threads(1)
