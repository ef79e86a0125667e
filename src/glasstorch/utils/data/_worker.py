"""What runs inside a DataLoader worker process, and what both sides of the pipe share.

A worker is a loop: take ``(task_id, indices)`` from its own index queue, fetch that batch from
its copy of the dataset, put ``(task_id, pickled batch)`` on the result queue shared by all
workers. ``None`` on the index queue means "exit". An exception while fetching is not fatal to
the worker: it travels to the parent as an ``ExceptionWrapper`` (type + formatted traceback) and
is raised there.

Fetchers (also used without workers) turn the loader's indices into a batch:

- map-style: ``__getbatch__`` (an already collated batch, only with ``default_collate``), else
  ``__getitems__`` (a list of samples), else ``[dataset[i] for i in indices]``; then collate;
- iterable: the next ``batch_size`` items of ``iter(dataset)``.
"""

from __future__ import annotations

import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

# How often (seconds) a waiting worker checks that its parent is still alive.
_PARENT_CHECK_INTERVAL = 1.0


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker (read-only).

    ``id`` (0 … num_workers - 1), ``num_workers``, ``seed`` (this worker's seed:
    ``base_seed + id``), ``dataset`` (this process's copy of the dataset).
    """

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str = "multiprocessing"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """Inside a DataLoader worker: its ``WorkerInfo``. In the main process: ``None``.

    An ``IterableDataset`` uses it to split the stream, e.g. ``range(start + info.id, stop,
    info.num_workers)``; a ``worker_init_fn`` uses it to configure ``info.dataset``.
    """
    return _worker_info


class _KeyErrorMessage(str):
    """A KeyError shows ``repr`` of its argument; this str reprs as itself, keeping newlines."""

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """An exception caught in a worker, in a form that pickles: its type and traceback text."""

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        exc_info = exc_info or sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_name = self.exc_type.__name__
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the exception again here, its message carrying the original traceback."""
        msg = f"Caught {self.exc_name} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        try:
            exc = self.exc_type(msg)
        except Exception:  # an exception type that cannot be built from one string
            raise RuntimeError(msg) from None
        raise exc


class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch, and echoed back as an ack."""


# ---- fetchers ------------------------------------------------------------------------------
class _MapFetcher:
    """Fetch from a map-style dataset: one call per batch when the dataset offers it."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        from ._collate import default_collate

        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        getbatch = getattr(dataset, "__getbatch__", None)
        self.getbatch = getbatch if collate_fn is default_collate and callable(getbatch) else None
        getitems = getattr(dataset, "__getitems__", None)
        self.getitems = getitems if callable(getitems) else None

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.getbatch is not None:
            return self.getbatch(index)
        if self.getitems is not None:
            return self.collate_fn(self.getitems(index))
        return self.collate_fn([self.dataset[i] for i in index])


class _IterableFetcher:
    """Fetch from an IterableDataset: the next item, or the next ``len(index)`` items."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.iterator = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        items = []
        for _ in index:
            try:
                items.append(next(self.iterator))
            except StopIteration:
                self.ended = True
                break
        if not items or (self.drop_last and len(items) < len(index)):
            raise StopIteration
        return self.collate_fn(items)


def make_fetcher(iterable: bool, dataset, auto_collation, collate_fn, drop_last):
    cls = _IterableFetcher if iterable else _MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


def _pickled(data, where: str) -> bytes:
    """``data`` pickled here, so that a batch that cannot be pickled becomes an error the parent
    sees (the queue would pickle it in a background thread and only print the failure)."""
    try:
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        if not isinstance(data, ExceptionWrapper):
            data = ExceptionWrapper(where=where)  # report the pickling error itself
    try:
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # the exception's own class cannot be pickled (a local class)
        data.exc_type = RuntimeError
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)


# ---- the worker process --------------------------------------------------------------------
def _seed_everything(seed: int, base_seed: int, worker_id: int) -> None:
    """Seed glasstorch, ``random`` and NumPy's global RNG so each worker draws its own stream."""
    from ...random import manual_seed

    manual_seed(seed)
    random.seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))


def worker_loop(iterable, dataset, index_queue, result_queue, done_event, auto_collation,
                collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                parent_pid) -> None:
    """The body of worker process ``worker_id`` (runs until it reads ``None`` or is orphaned).

    ``parent_pid`` comes from the parent itself: under load a worker may first run after its
    parent has already died, and ``os.getppid()`` read then would name the adoptive parent.
    """
    global _worker_info
    where = f"in DataLoader worker process {worker_id}"
    seed = base_seed + worker_id
    _seed_everything(seed, base_seed, worker_id)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

    init_error = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
    except Exception:
        init_error = ExceptionWrapper(where=where)

    exhausted = False
    try:
        while True:
            try:
                task = index_queue.get(timeout=_PARENT_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent_pid:  # the parent died: do not linger as an orphan
                    break
                continue
            if task is None:
                break
            if isinstance(task, _ResumeIteration):
                exhausted = False
                if init_error is None:
                    fetcher = make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
                result_queue.put((task, None))
                continue
            if done_event.is_set() or exhausted:
                continue  # shutting down, or nothing left to give: drain quietly
            task_id, index = task
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        data = ExceptionWrapper(where=where)
                    else:
                        data = _IterableDatasetStopIteration(worker_id)
                        exhausted = True
                except Exception:
                    data = ExceptionWrapper(where=where)
            result_queue.put((task_id, _pickled(data, where)))
            del data, task, index
    except KeyboardInterrupt:
        pass  # the parent handles Ctrl-C; the worker just stops
    # Exit without waiting for unread results to be flushed into the pipe.
    result_queue.cancel_join_thread()
    result_queue.close()
