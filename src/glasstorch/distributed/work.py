"""``Work``: the handle of a collective or a send/receive started with ``async_op=True``
(``isend``, ``irecv``). The call returns at once; ``wait()`` blocks until the data has arrived
(raising ``RuntimeError`` if it takes longer than the timeout), and only then are the tensors
safe to read or change."""

from __future__ import annotations

import datetime
import time

from . import mpi


class Work:
    """One operation in flight: its MPI requests and what to do when they complete
    (``finish``: copy a staged buffer back into the tensor, divide for an average, …)."""

    def __init__(self, pg, what: str, requests, finish=None):
        self.pg = pg
        self.what = what
        self.requests = requests if isinstance(requests, list) else [requests]
        self.finish = finish
        self.done = False
        self.source = None

    def __repr__(self) -> str:
        state = "completed" if self.done else "in flight"
        return f"<Work {self.what} ({state})>"

    def is_completed(self) -> bool:
        """True once the operation has finished (never blocks; also moves MPI's progress on)."""
        if not self.done and mpi.load().Request.Testall(self.requests):
            self._complete()
        return self.done

    def is_success(self) -> bool:
        return self.is_completed()

    def exception(self):
        return None

    def wait(self, timeout: datetime.timedelta | None = None) -> bool:
        """Block until the operation completes; ``RuntimeError`` after ``timeout`` (default: the
        process group's)."""
        if self.done:
            return True
        MPI = mpi.load()
        requests = self.requests
        limit = (timeout if timeout is not None else self.pg.timeout).total_seconds()
        start = time.monotonic()
        spins = 0
        pause = 0.0
        status = MPI.Status() if self.what.startswith("recv") else None
        while not (MPI.Request.Testall(requests, [status] if status else None)):
            spins += 1
            if spins < 2000:
                continue  # short operations: a tight loop answers in microseconds
            if time.monotonic() - start > limit:
                raise RuntimeError(
                    f"[rank {self.pg.rank}] glasstorch.distributed: {self.what} did not complete "
                    f"within the timeout of {datetime.timedelta(seconds=limit)}: some rank never "
                    "took part in it (it stopped, or waits in another operation)"
                )
            pause = min(0.001, pause + 0.00005)  # long ones: give the CPU to the others
            time.sleep(pause)
        if status is not None:
            self.source = self.pg.global_ranks[status.Get_source()]
        self._complete()
        return True

    def _complete(self) -> None:
        self.done = True
        if self.finish is not None:
            finish, self.finish = self.finish, None
            finish()

    def result(self) -> list:
        self.wait()
        return []

    def synchronize(self) -> None:
        self.wait()

    def source_rank(self) -> int:
        """The rank a finished ``irecv`` (with ``src=None``) received from."""
        self.wait()
        if self.source is None:
            raise RuntimeError("source_rank(): only a receive knows where its data came from")
        return self.source

