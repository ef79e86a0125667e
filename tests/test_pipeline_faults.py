"""Fault injection in the DataLoader's worker pipeline: every fault ends in torch's error, fast,
with no worker process left behind.

Faults injected (FAULTS below, one test each, plus the main-loop exits):

- a worker raises (in ``__getitem__``, ``collate_fn``, ``worker_init_fn``, an IterableDataset's
  ``__iter__``, with an exception class that cannot be rebuilt from a string): the parent raises
  the same type, "Caught ValueError in DataLoader worker process N." followed by the worker's
  original traceback (file, line and message of the user's code);
- a worker dies: ``os._exit``, SIGKILL, SIGSEGV sent to itself, a real segmentation fault (ctypes
  reading address 0), ``os.abort()``, dying in ``worker_init_fn`` or in a persistent worker's
  second epoch: ``RuntimeError: DataLoader worker (pid(s) N) exited unexpectedly`` naming the
  dead worker's pid;
- a worker is too slow: ``timeout=`` raises "DataLoader timed out after N seconds";
- the main loop stops early: ``break``, ``del`` of the iterator, an exception or
  KeyboardInterrupt in the loop body, a garbage-collected loader.

After each, the test process has no worker child left (psutil is not a dependency: children are
read from /proc). Every test runs under a 60 s SIGALRM deadline, so a hang fails instead of
stalling the suite.
"""

from __future__ import annotations

import ctypes
import faulthandler
import os
import re
import signal
import time

import pytest

from glasstorch.utils import data as gdata

pytestmark = [
    pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs POSIX signals"),
    pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to list child processes"),
]


@pytest.fixture(autouse=True)
def deadline():
    def on_alarm(signum, frame):
        raise TimeoutError("test exceeded its 60 s deadline: the loader hung")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def children() -> set[int]:
    """PIDs of this process's live (non-zombie) children, read from /proc."""
    me = str(os.getpid())
    kids = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me and fields[0] != "Z":
            kids.add(int(pid))
    return kids


def still_alive(pids: set[int], seconds: float = 10.0) -> set[int]:
    """Those of ``pids`` still running after up to ``seconds`` (a bound, not a timing claim)."""
    end = time.monotonic() + seconds
    while (alive := pids & children()) and time.monotonic() < end:
        time.sleep(0.05)
    return alive


@pytest.fixture
def no_orphans():
    """Fail the test if it leaves a child process behind."""
    before = children()
    yield
    assert not still_alive(children() - before)


# ---- the faults --------------------------------------------------------------------------------
class Unbuildable(Exception):
    """An exception whose constructor needs two arguments: it cannot be rebuilt from a message."""

    def __init__(self, a, b):
        super().__init__(f"{a}/{b}")


def _segfault():
    ctypes.string_at(0)  # a real SIGSEGV, in C code


def _quietly(crash):
    """``crash`` with the worker's faulthandler off: pytest enables it, and the worker (a fork)
    would print a "Fatal Python error" block for a crash this test makes on purpose straight
    into the test report, where it reads as a crash of the suite."""

    def fault():
        faulthandler.disable()
        crash()

    return fault


FAULTS = {
    "raise": lambda: (_ for _ in ()).throw(ValueError("sample 3 is broken")),
    "raise_key": lambda: {}["missing key"],
    "raise_unbuildable": lambda: (_ for _ in ()).throw(Unbuildable(1, 2)),
    "exit": lambda: os._exit(3),
    "sigkill": lambda: os.kill(os.getpid(), signal.SIGKILL),
    "sigsegv": _quietly(lambda: os.kill(os.getpid(), signal.SIGSEGV)),
    "segfault": _quietly(_segfault),
    "abort": _quietly(os.abort),
}
RAISES = {"raise": ValueError, "raise_key": KeyError, "raise_unbuildable": RuntimeError}
DIES = sorted(set(FAULTS) - set(RAISES))


class Faulty(gdata.Dataset):
    """Samples 0..n-1; sample ``at`` triggers the fault."""

    def __init__(self, fault: str, n: int = 12, at: int = 5):
        self.fault, self.n, self.at = fault, n, at

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.at:
            FAULTS[self.fault]()  # THE-FAULT
        return i


def _line_of_the_fault() -> int:
    with open(__file__, encoding="utf-8") as f:
        return next(n for n, text in enumerate(f, 1) if text.rstrip().endswith("# THE-FAULT"))


def run_epoch(loader):
    """Iterate one epoch; return the exception raised and the pids of the iterator's workers."""
    it = iter(loader)
    pids = {w.pid for w in it._workers}
    try:
        for _ in it:
            pass
    except BaseException as e:  # noqa: BLE001 - what is raised is what we check
        return e, pids
    finally:
        del it
    raise AssertionError("the fault was not reported")


@pytest.mark.parametrize("fault", sorted(RAISES))
def test_worker_exception_is_reraised_with_its_traceback(fault, no_orphans):
    loader = gdata.DataLoader(Faulty(fault), batch_size=2, num_workers=2)
    err, pids = run_epoch(loader)
    assert type(err) is RAISES[fault]
    text = err.args[0]
    first, second = text.splitlines()[:2]
    original = "Unbuildable" if fault == "raise_unbuildable" else RAISES[fault].__name__
    assert re.fullmatch(rf"Caught {original} in DataLoader worker process [01]\.", first)
    assert second == "Original Traceback (most recent call last):"
    assert f'"{__file__}", line {_line_of_the_fault()}, in __getitem__' in text
    last = text.rstrip().splitlines()[-1]
    assert last in ("ValueError: sample 3 is broken", "KeyError: 'missing key'",
                    f"{__name__}.Unbuildable: 1/2", "Unbuildable: 1/2")
    assert not still_alive(pids)  # stopped before the error reached us


@pytest.mark.parametrize("fault", DIES)
def test_dead_worker_is_reported_with_its_pid(fault, no_orphans):
    loader = gdata.DataLoader(Faulty(fault), batch_size=2, num_workers=2)
    err, pids = run_epoch(loader)
    assert type(err) is RuntimeError
    m = re.fullmatch(r"DataLoader worker \(pid\(s\) ([\d, ]+)\) exited unexpectedly", str(err))
    assert m, str(err)
    assert {int(p) for p in m.group(1).split(", ")} <= pids


class FaultyIterable(gdata.IterableDataset):
    def __iter__(self):
        FAULTS["raise"]()
        yield 0


def _die_in_init(worker_id):
    if worker_id == 1:
        os._exit(7)


def _raise_in_init(worker_id):
    raise ValueError(f"worker {worker_id} cannot start")


def _bad_collate(batch):
    raise ValueError("cannot collate")


@pytest.mark.parametrize("where", ["iterable", "init_raises", "init_dies", "collate"])
def test_faults_outside_getitem(where, no_orphans):
    kwargs = {
        "iterable": dict(dataset=FaultyIterable()),
        "init_raises": dict(dataset=Faulty("none", at=-1), worker_init_fn=_raise_in_init),
        "init_dies": dict(dataset=Faulty("none", at=-1), worker_init_fn=_die_in_init),
        "collate": dict(dataset=Faulty("none", at=-1), collate_fn=_bad_collate),
    }[where]
    err, _ = run_epoch(gdata.DataLoader(batch_size=2, num_workers=2, **kwargs))
    if where == "init_dies":
        assert re.fullmatch(r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly", str(err))
    else:
        assert type(err) is ValueError
        assert str(err).startswith("Caught ValueError in DataLoader worker process ")


def test_persistent_worker_dying_between_epochs(no_orphans):
    loader = gdata.DataLoader(Faulty("none", at=-1), batch_size=2, num_workers=2,
                              persistent_workers=True)
    assert sum(len(b) for b in loader) == 12
    pids = {w.pid for w in loader._iterator._workers}
    os.kill(min(pids), signal.SIGKILL)  # a worker dies between epochs
    with pytest.raises(RuntimeError, match=rf"worker \(pid\(s\) {min(pids)}\) exited"):
        for _ in loader:
            pass
    del loader


class Slow(Faulty):
    def __getitem__(self, i):
        if i == self.at:
            time.sleep(30)
        return i


@pytest.mark.parametrize("timeout, shown", [(1, "1"), (0.5, "0.5")])
def test_timeout_names_its_seconds_as_torch(timeout, shown, no_orphans):
    loader = gdata.DataLoader(Slow("none", at=0), batch_size=2, num_workers=1, timeout=timeout)
    err, pids = run_epoch(loader)
    assert type(err) is RuntimeError
    assert str(err) == f"DataLoader timed out after {shown} seconds"
    assert not still_alive(pids)


# ---- leaving the loop early ----------------------------------------------------------------------
def _loop_and_leave(how: str):
    loader = gdata.DataLoader(Faulty("none", n=60, at=-1), batch_size=2, num_workers=2)
    it = iter(loader)
    pids = {w.pid for w in it._workers}
    if how == "del":  # a half-used iterator, dropped
        next(it)
        next(it)
        del it, loader
        return pids
    try:
        for i, _ in enumerate(it):
            if i == 2:
                if how == "break":
                    break
                if how == "keyboard":
                    raise KeyboardInterrupt
                if how == "error":
                    raise ZeroDivisionError("in the training step")
    except (KeyboardInterrupt, ZeroDivisionError):
        pass
    del it, loader
    return pids


@pytest.mark.parametrize("how", ["break", "keyboard", "error", "del"])
def test_leaving_the_loop_early_stops_every_worker(how, no_orphans):
    pids = _loop_and_leave(how)
    assert len(pids) == 2
    assert not still_alive(pids)


# ---- against torch ------------------------------------------------------------------------------
def test_reraised_message_has_torchs_wording(torch):
    """The first line of a re-raised worker error as torch writes it (torch's own loader runs on
    the same fault). The dead-worker and timeout messages are fixed strings, checked above: torch
    2.13 writes "DataLoader worker (pid(s) N) exited unexpectedly" and "DataLoader timed out
    after N seconds"."""
    tdata = torch.utils.data

    class TorchFaulty(tdata.Dataset):
        __len__ = Faulty.__len__
        __getitem__ = Faulty.__getitem__
        __init__ = Faulty.__init__

    def first_line(lib_data, ds):
        it = iter(lib_data.DataLoader(ds, batch_size=2, num_workers=1))
        try:
            for _ in it:
                pass
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e).splitlines()[0]
        finally:
            it._shutdown_workers()  # now, rather than whenever the garbage collector runs
        return None

    ours = first_line(gdata, Faulty("raise"))
    assert ours == first_line(tdata, TorchFaulty("raise"))
    assert ours == ("ValueError", "Caught ValueError in DataLoader worker process 0.")
