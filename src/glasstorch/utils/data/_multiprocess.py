"""The parent's side of multi-process loading (``num_workers > 0``).

Each worker has its own index queue; all share one result queue. The parent keeps
``prefetch_factor * num_workers`` batches in flight, handing tasks to the workers in turn, and
numbers them: task ``k`` is batch ``k`` of the epoch. Results can arrive out of order (a slow
worker), so a result that is early waits in ``_task_info`` until its turn: batches come out in
sampler order, whatever the workers' timing (unless ``in_order=False``).

Nothing here may hang:

- waiting for a result polls every ``_POLL`` seconds and checks that the workers are alive
  (a killed worker → ``RuntimeError: DataLoader worker (pid(s) N) exited unexpectedly``);
- ``timeout=`` bounds the wait for one batch;
- an exception in a worker shuts the workers down before it is raised here;
- the end of the epoch, ``break`` (the iterator is dropped) and ``del`` all shut the workers down:
  ask politely (``None`` on each index queue), wait a little, then terminate.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import queue
import time

from ._iterators import _BaseIter
from ._worker import ExceptionWrapper, _IterableDatasetStopIteration, _ResumeIteration, worker_loop

_POLL = 0.5  # seconds between liveness checks while waiting for a batch
_JOIN_GRACE = 1.0  # seconds the workers get to exit on their own at shutdown


def _default_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class _MultiProcessIter(_BaseIter):
    """Batches fetched ahead of time by ``num_workers`` worker processes."""

    def __init__(self, loader) -> None:
        super().__init__(loader)
        self._owner_pid = os.getpid()
        self._shutdown = True  # until the workers exist
        self._timeout = loader.timeout
        self._in_order = loader.in_order
        self._persistent = loader.persistent_workers
        self._prefetch = loader.prefetch_factor * self._num_workers
        ctx = loader.multiprocessing_context or _default_context()
        self._result_queue = ctx.Queue()
        self._done_event = ctx.Event()
        self._index_queues = []
        self._workers = []
        self._shutdown = False
        for worker_id in range(self._num_workers):
            index_queue = ctx.Queue()
            index_queue.cancel_join_thread()  # never block our exit on tasks nobody will read
            w = ctx.Process(
                target=worker_loop,
                args=(self._is_iterable, loader.dataset, index_queue, self._result_queue,
                      self._done_event, self._auto_collation, self._collate_fn, self._drop_last,
                      self._base_seed, loader.worker_init_fn, worker_id, self._num_workers,
                      self._owner_pid),
                daemon=True,
            )
            w.start()
            self._index_queues.append(index_queue)
            self._workers.append(w)
        self._reset(loader, first_epoch=True)

    # ---- bookkeeping of one epoch ---------------------------------------------------------
    def _reset(self, loader, first_epoch: bool = False) -> None:
        super()._reset(loader)
        self._send_idx = 0  # next task number to hand out
        self._rcvd_idx = 0  # next task number to yield
        self._task_info = {}  # task -> (worker,) while pending, (worker, data) once arrived early
        self._outstanding = 0
        self._active = [True] * self._num_workers  # False: its IterableDataset copy is exhausted
        self._next_worker = itertools.cycle(range(self._num_workers))
        if not first_epoch:  # persistent workers: restart them, discard last epoch's leftovers
            for q in self._index_queues:
                q.put(_ResumeIteration())
            waiting = self._num_workers
            while waiting:
                task_id, _ = self._get_data()
                if isinstance(task_id, _ResumeIteration):
                    waiting -= 1
        for _ in range(self._prefetch):
            self._put_task()

    def _put_task(self) -> None:
        """Hand the next batch of indices to the next active worker (if there is one)."""
        if self._outstanding >= self._prefetch:
            return
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker = next(self._next_worker)
            if self._active[worker]:
                break
        else:
            return  # every worker's stream has ended
        self._index_queues[worker].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker,)
        self._outstanding += 1
        self._send_idx += 1

    # ---- receiving ------------------------------------------------------------------------
    def _try_get(self, timeout: float):
        """One bounded wait on the result queue: ``(True, item)`` or ``(False, None)``.

        After a fruitless wait, check the workers: one that died means its batch never comes.
        """
        try:
            return True, self._result_queue.get(timeout=timeout)
        except queue.Empty:
            pass
        dead = [w for w in self._workers if not w.is_alive()]
        if dead:
            pids = ", ".join(str(w.pid) for w in dead)
            self._shutdown_workers()
            raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly")
        return False, None

    def _get_data(self):
        if self._timeout > 0:
            deadline = time.monotonic() + self._timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._shutdown_workers()
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
                ok, item = self._try_get(min(_POLL, left))
                if ok:
                    return item
        while True:
            ok, item = self._try_get(_POLL)
            if ok:
                return item

    def _next_data(self):
        if self._shutdown:  # after an error, or once the workers were stopped
            raise StopIteration
        while True:
            # Skip tasks already yielded (in_order=False) or lost with an exhausted stream.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._active[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            info = self._task_info[self._rcvd_idx]
            if len(info) == 2:  # it arrived earlier, out of order
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._deliver(info[1])
            task_id, data = self._get_data()
            if isinstance(task_id, _ResumeIteration):
                continue
            self._outstanding -= 1
            data = pickle.loads(data)
            if isinstance(data, _IterableDatasetStopIteration):
                self._active[data.worker_id] = False
                self._put_task()
                continue
            if task_id == self._rcvd_idx or not self._in_order:
                self._task_info.pop(task_id, None)
                if task_id == self._rcvd_idx:
                    self._rcvd_idx += 1
                return self._deliver(data)
            self._task_info[task_id] += (data,)

    def _deliver(self, data):
        if isinstance(data, ExceptionWrapper):
            self._shutdown_workers()
            data.reraise()
        self._put_task()
        return data

    # ---- shutting down --------------------------------------------------------------------
    def _shutdown_workers(self) -> None:
        """Stop every worker and close the queues; safe to call twice, and from ``__del__``."""
        # A forked child holds copies of its parent's iterators: they are not its to shut down.
        if self._shutdown or os.getpid() != self._owner_pid:
            return
        self._shutdown = True
        try:
            self._done_event.set()
            for q in self._index_queues:
                try:
                    q.put(None)
                except (OSError, ValueError):
                    pass
            deadline = time.monotonic() + _JOIN_GRACE
            for w in self._workers:
                w.join(max(0.0, deadline - time.monotonic()))
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(1.0)
                    if w.is_alive():
                        w.kill()
                        w.join()
            for q in self._index_queues:
                q.close()
            self._result_queue.cancel_join_thread()
            self._result_queue.close()

    def __del__(self) -> None:
        try:
            self._shutdown_workers()
        except Exception:  # interpreter teardown: modules may already be gone
            pass
