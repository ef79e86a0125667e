"""A small thread pool that runs a heavy kernel over parts of the batch at once.

NumPy lets go of Python's global lock inside its ufunc loops, copies and BLAS calls, so two
threads that each run NumPy on their own slice of a batch really compute at the same time. A
kernel that wants this writes its work as ``body(start, stop)`` over a range of items (images,
channels, rows) and calls::

    _parallel.run(body, n_items, cost)

``cost`` is about how many elements the whole job reads and writes. Handing a part to another
thread costs some tens of microseconds, so the work is cut into at most ``get_num_threads()``
parts of at least ``MIN_COST`` elements each: a small tensor, the learners' everyday case, stays on
the calling thread and pays nothing. Each part must write only its own slice of the outputs; a
reduction (a weight gradient) keeps one partial result per part and adds them afterwards.

While the parts run, the BLAS library is set to one thread (the parts already fill the cores) and
set back after.

Tests set ``forced_split`` to a number of parts to run the threaded path on small shapes and
compare it with the one-thread path (``force_split`` is a context manager for that).
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import _threads

# Elements a part must have for its hand-off to pay (measured on the LeNet and ResNet-18 layers
# on a 2-core machine: below about this, the second thread's start-up and the cache traffic
# cost more than the half of the work it takes).
MIN_COST = 1 << 19

# About what one core's cache holds (L2 is 1-2 MiB per core on current x86): a kernel that makes
# several passes over its data works through it in blocks of this size (``run(..., block=)``).
BLOCK_BYTES = 1 << 20

forced_split: int | None = None  # tests: cut every job into this many parts, whatever its size

_pool: dict = {"executor": None, "size": 0}
_local = threading.local()  # .busy: this thread is already running a part (no nesting)


def parts(n_items: int, cost: int) -> int:
    """How many parts a job of ``n_items`` items and ``cost`` elements is cut into."""
    if getattr(_local, "busy", False) or n_items <= 1:
        return 1
    if forced_split is not None:
        return max(1, min(n_items, forced_split))
    threads = _threads.get_num_threads()
    if threads <= 1:
        return 1
    return max(1, min(threads, n_items, cost // MIN_COST))


def ranges(n_items: int, k: int) -> list:
    """``k`` contiguous ``(start, stop)`` ranges covering ``range(n_items)``, sizes within one."""
    base, extra = divmod(n_items, k)
    bounds, start = [], 0
    for i in range(k):
        stop = start + base + (i < extra)
        bounds.append((start, stop))
        start = stop
    return bounds


def _executor(workers: int) -> ThreadPoolExecutor:
    if _pool["size"] < workers:
        if _pool["executor"] is not None:
            _pool["executor"].shutdown(wait=True)
        _pool["executor"] = ThreadPoolExecutor(workers, thread_name_prefix="glasstorch")
        _pool["size"] = workers
    return _pool["executor"]


def block_items(item_bytes: int) -> int:
    """How many items of ``item_bytes`` each make a block of about ``BLOCK_BYTES``."""
    return max(1, BLOCK_BYTES // max(item_bytes, 1))


def _blocks(bounds: list, block: int | None) -> list:
    """Each part's ``(start, stop)`` cut into blocks of at most ``block`` items."""
    if block is None:
        return [[r] for r in bounds]
    return [[(s, min(s + block, b)) for s in range(a, b, block)] for a, b in bounds]


def _run_parts(work, k: int) -> list:
    """``work(i)`` for the parts ``i < k``: part 0 on the calling thread, the rest on the pool,
    one BLAS thread each meanwhile. Returns the results in part order."""
    if k == 1:
        return [work(0)]

    def part(i):
        _local.busy = True
        try:
            return work(i)
        finally:
            _local.busy = False

    before = _threads.blas_threads(1)
    try:
        pending = [_executor(k - 1).submit(part, i) for i in range(1, k)]
        first = part(0)
        return [first] + [f.result() for f in pending]
    finally:
        _threads.restore_blas(before)


def run(body, n_items: int, cost: int, block: int | None = None) -> list:
    """``body(start, stop)`` over ``range(n_items)`` cut into parts (see the module docstring),
    the first part on the calling thread; returns the results in order.

    With ``block``, each part calls ``body`` on consecutive ranges of at most ``block`` items, so
    that the several NumPy passes of one call read memory the core's cache still holds (one
    result per block, in order)."""
    k = parts(n_items, cost)
    blocks = _blocks(ranges(n_items, k), block)
    results = _run_parts(lambda i: [body(a, b) for a, b in blocks[i]], k)
    return [r for part in results for r in part]


def run_sum(body, n_items: int, cost: int, block: int | None, shape: tuple, dtype):
    """Like ``run``, for a job that also adds up a result (a weight gradient, say):
    ``body(start, stop, acc)`` adds its block's share into ``acc``, one zeroed array of ``shape``
    per part; returns the parts' ``acc`` added together in part order."""
    k = parts(n_items, cost)
    blocks = _blocks(ranges(n_items, k), block)

    def work(i):
        acc = np.zeros(shape, dtype)
        for a, b in blocks[i]:
            body(a, b, acc)
        return acc

    accs = _run_parts(work, k)
    total = accs[0]
    for acc in accs[1:]:
        total += acc
    return total


def elementwise(fn, out, *arrays):
    """``fn(*arrays, out=out)`` for a kernel that maps each element on its own (several NumPy
    passes, say), run on flat blocks of about ``BLOCK_BYTES`` in parts: the arrays all have
    ``out``'s shape and are C-contiguous. Returns ``out``."""
    if out.size * (1 + len(arrays)) < MIN_COST and forced_split is None:
        fn(*arrays, out=out)
        return out
    flat_out = out.reshape(-1)
    flat = [a.reshape(-1) for a in arrays]

    def body(a, b):
        fn(*(x[a:b] for x in flat), out=flat_out[a:b])

    n = out.size
    run(body, n, n * (1 + len(arrays)), block_items(out.itemsize * (1 + len(arrays))))
    return out


@contextlib.contextmanager
def force_split(k: int):
    """Tests: within the block, every job is cut into ``k`` parts whatever its size."""
    global forced_split
    before, forced_split = forced_split, k
    try:
        yield
    finally:
        forced_split = before
