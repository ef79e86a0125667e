"""A small thread pool that runs a heavy kernel over pieces of the batch at once.

NumPy lets go of Python's global lock inside its ufunc loops, copies and BLAS calls, so two
threads that each run NumPy on their own slice of a batch really compute at the same time. A
kernel that wants this writes its work as ``body(start, stop)`` over a range of items (images,
planes, elements) and calls::

    _parallel.run(body, n_items, cost, block)

``cost`` is about how many elements the whole job reads and writes. Handing work to another
thread costs some tens of microseconds, so a job uses at most ``get_num_threads()`` threads and
one thread per ``MIN_COST`` elements: a small tensor, the learners' everyday case, stays on the
calling thread and pays nothing. ``block`` cuts the range into blocks of about a core's cache
(``block_items``), so that a kernel's several NumPy passes over one block read memory the cache
still holds.

**Claiming, not assigning.** The blocks are not dealt out in advance: the calling thread and the
helpers take the next unclaimed block until none is left, and the caller waits only for blocks
already being worked on. On a machine busy with other programs a helper thread may not get a core
for a while; the caller then simply does the blocks itself, instead of waiting for it.

Each block writes only its own slice of the outputs. A reduction (a weight gradient) uses
``run_sum``: the range is cut into a fixed number of contiguous pieces, each adding into its own
accumulator, added up in order at the end, so that the result does not depend on which thread
took which piece (it does on how many pieces there are: the last float32 bits of a sum depend on
its order). While the threads run, the BLAS library is set to one thread (the threads already
fill the cores) and set back after.

**A busy machine.** When other programs keep the cores busy, a helper can lose its core in the
middle of a block and the caller waits for it: then threads make every step slower. So a job
whose caller waited for a helper much longer than a block takes switches the kernels to one
thread for ``BACK_OFF_SECONDS``; after that they try again.

**Device arrays.** A GPU already runs each kernel on thousands of cores, and a block the size of a
CPU core's cache would only launch more, smaller kernels: a job on device arrays (its caller passes
one as ``like``) runs on the calling thread, over the whole range at once, or in blocks of
``device_block`` items where the caller bounds its scratch memory that way (convolution's columns).

Tests set ``forced_split`` (``force_split(k)``) to use ``k`` threads on small shapes too, and
compare the results with the one-thread path.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import _array, _threads

# Elements per thread for a hand-off to pay (measured on the LeNet and ResNet-18 layers on a
# 2-core machine: below about this, waking a helper and the cache traffic cost more than the
# share of the work it takes).
MIN_COST = 1 << 19

# Multiply-adds of a matrix product (n*k*m) from which it runs on every BLAS thread (``matmul``):
# about 0.17 ms on one core. Measured on a quiet 2-core machine (BENCHMARKS.md, 6 Dec): the MLP
# epoch (256x784 @ 784x256, 51M) 1.6x faster, LeNet's (256x400 @ 400x120, 12M) 8 % faster; the
# two-layer net's 64x1000 @ 1000x100 (6.4M) got 30 % slower from 2^22, so it stays on one.
BIG_PRODUCT = 1 << 23

# About what one core's cache holds (L2 is 1-2 MiB per core on current x86): a kernel that makes
# several passes over its data works through it in blocks of this size (``block_items``).
BLOCK_BYTES = 1 << 20

forced_split: int | None = None  # tests: use this many threads for every job, whatever its size

# A helper later than this (beyond half the caller's own work) means the machine is busy: jobs
# then stay on one thread for a while (``_watch_for_late_helpers``).
LATE_SECONDS = 2e-3
BACK_OFF_SECONDS = 2.0
_backoff: dict = {"until": 0.0}

_pool: dict = {"executor": None, "size": 0}
_local = threading.local()  # .busy: this thread is already running a job's blocks (no nesting)


def parts(n_items: int, cost: int) -> int:
    """How many threads a job of ``n_items`` items and ``cost`` elements runs on."""
    if getattr(_local, "busy", False) or n_items <= 1:
        return 1
    if forced_split is not None:
        return max(1, min(n_items, forced_split))
    threads = _threads.get_num_threads()
    if threads <= 1 or _backed_off():
        return 1
    return max(1, min(threads, n_items, cost // MIN_COST))


def _backed_off() -> bool:
    """Whether the pool is in a back-off to one thread (a busy machine, ``BACK_OFF_SECONDS``)."""
    return bool(_backoff["until"]) and time.monotonic() < _backoff["until"]


def ranges(n_items: int, k: int) -> list:
    """``k`` contiguous ``(start, stop)`` ranges covering ``range(n_items)``, sizes within one."""
    base, extra = divmod(n_items, k)
    bounds, start = [], 0
    for i in range(k):
        stop = start + base + (i < extra)
        bounds.append((start, stop))
        start = stop
    return bounds


def block_items(item_bytes: int) -> int:
    """How many items of ``item_bytes`` each make a block of about ``BLOCK_BYTES``."""
    return max(1, BLOCK_BYTES // max(item_bytes, 1))


def _forget_pool() -> None:
    """In a forked child (a DataLoader worker): the parent's threads are not there."""
    _pool["executor"], _pool["size"] = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _executor(workers: int) -> ThreadPoolExecutor:
    if _pool["size"] < workers:
        if _pool["executor"] is not None:
            _pool["executor"].shutdown(wait=False)
        _pool["executor"] = ThreadPoolExecutor(workers, thread_name_prefix="glasstorch")
        _pool["size"] = workers
    return _pool["executor"]


def _watch_for_late_helpers(worked: float, waited: float) -> None:
    """Back off to one thread for ``BACK_OFF_SECONDS`` when the calling thread, done with its
    blocks, had to wait for a helper much longer than a block takes: the helper lost its core
    to other programs mid-block, and on such a busy machine threads make every step slower."""
    if forced_split is None and waited > LATE_SECONDS + 0.5 * worked:
        _backoff["until"] = time.monotonic() + BACK_OFF_SECONDS


def _claimed(pieces: list, work, threads: int) -> list:
    """``work(piece)`` for every piece, on ``threads`` threads that each claim the next piece not
    yet taken (see the module docstring); the results in the pieces' order."""
    if threads == 1 or len(pieces) == 1:
        return [work(p) for p in pieces]
    results = [None] * len(pieces)
    lock = threading.Lock()
    state = {"next": 0, "left": len(pieces), "error": None}
    done = threading.Event()

    def loop():
        _local.busy = True
        try:
            while True:
                with lock:
                    i = state["next"]
                    if i >= len(pieces):
                        return
                    state["next"] = i + 1
                try:
                    results[i] = work(pieces[i])
                except BaseException as e:  # re-raised on the calling thread
                    state["error"] = e
                with lock:
                    state["left"] -= 1
                    if state["left"] == 0:
                        done.set()
        finally:
            _local.busy = False

    before = _threads.blas_threads(1)
    try:
        pool = _executor(threads - 1)
        for _ in range(threads - 1):
            pool.submit(loop)
        start = time.perf_counter()
        loop()
        worked = time.perf_counter() - start
        done.wait()
        _watch_for_late_helpers(worked, time.perf_counter() - start - worked)
    finally:
        _threads.restore_blas(before)
    if state["error"] is not None:
        raise state["error"]
    return results


def _split(n_items: int, k: int, block: int | None) -> list:
    """The blocks of a job on ``k`` threads: of ``block`` items, or one range per thread."""
    if block is None:
        return ranges(n_items, k)
    return [(s, min(s + block, n_items)) for s in range(0, n_items, block)]


def _on_device(like) -> bool:
    return like is not None and not _array.on_host(like)


def _device_blocks(n_items: int, device_block: int | None) -> list:
    """The blocks of a job on device arrays: the whole range, or blocks of ``device_block``."""
    if device_block is None or n_items == 0:
        return [(0, n_items)]
    return [(s, min(s + device_block, n_items)) for s in range(0, n_items, device_block)]


def run(body, n_items: int, cost: int, block: int | None = None, *, like=None,
        device_block: int | None = None) -> list:
    """``body(start, stop)`` over ``range(n_items)`` in blocks of at most ``block`` items (one
    range per thread without ``block``), on as many threads as the cost pays for; returns the
    blocks' results in order. With ``like`` a device array: on this thread, in ``device_block``
    blocks (the whole range without it)."""
    if _on_device(like):
        return [body(a, b) for a, b in _device_blocks(n_items, device_block)]
    k = parts(n_items, cost)
    return _claimed(_split(n_items, k, block), lambda r: body(*r), k)


def run_sum(body, n_items: int, cost: int, block: int | None, shape: tuple, dtype, *, like=None,
            device_block: int | None = None):
    """Like ``run``, for a job that also adds up a result (a weight gradient, say):
    ``body(start, stop, acc)`` adds its block's share into ``acc``. The blocks are grouped into
    ``2 * threads`` contiguous pieces (one on one thread), each with its own zeroed ``acc`` of
    ``shape``; returns the pieces' sums added in order. With ``like`` a device array: one
    accumulator on its device, the blocks in order on this thread."""
    if _on_device(like):
        acc = _array.namespace(like).zeros(shape, dtype)
        for a, b in _device_blocks(n_items, device_block):
            body(a, b, acc)
        return acc
    k = parts(n_items, cost)
    blocks = _split(n_items, k, block)
    count = min(len(blocks), 2 * k if k > 1 else 1)
    pieces = [blocks[a:b] for a, b in ranges(len(blocks), count)] if count else []

    def work(piece):
        acc = np.zeros(shape, dtype)
        for a, b in piece:
            body(a, b, acc)
        return acc

    accs = _claimed(pieces, work, k) if pieces else [np.zeros(shape, dtype)]
    total = accs[0]
    for acc in accs[1:]:
        total += acc
    return total


def matmul(a, b):
    """``np.matmul(a, b)`` of arrays of 2 or more dimensions. A big product (``BIG_PRODUCT``
    multiply-adds or more) runs on ``get_num_threads()`` BLAS threads, where the BLAS library is
    at glasstorch's default of one thread (``_threads``), the caller is not one of the pool's own
    threads, the pool has not backed off (a busy machine) and the arrays are on the host."""
    if a.size * b.shape[-1] < BIG_PRODUCT:
        return np.matmul(a, b)
    threads = _threads.get_num_threads()
    if (threads > 1 and _threads.one_blas_thread_by_default() and _array.on_host(a)
            and not getattr(_local, "busy", False) and not _backed_off()):
        before = _threads.blas_threads(threads)
        try:
            return np.matmul(a, b)
        finally:
            _threads.restore_blas(before)
    return np.matmul(a, b)


def elementwise(fn, out, *arrays):
    """``fn(*arrays, out=out)`` for a kernel that maps each element on its own (several NumPy
    passes, say), run on flat blocks of about ``BLOCK_BYTES``, on threads for big arrays: the
    arrays all have ``out``'s shape, ``out`` is C-contiguous. Returns ``out``. A device ``out``:
    one call over the whole arrays (the GPU is parallel already)."""
    n = out.size
    if (n * (1 + len(arrays)) < MIN_COST and forced_split is None) or not _array.on_host(out):
        fn(*arrays, out=out)
        return out
    flat_out = out.reshape(-1)
    flat = [a.reshape(-1) for a in arrays]

    def body(a, b):
        fn(*(x[a:b] for x in flat), out=flat_out[a:b])

    run(body, n, n * (1 + len(arrays)), block_items(out.itemsize * (1 + len(arrays))))
    return out


@contextlib.contextmanager
def force_split(k: int):
    """Tests: within the block, every job runs on ``k`` threads whatever its size."""
    global forced_split
    before, forced_split = forced_split, k
    try:
        yield
    finally:
        forced_split = before
