"""DataLoader with worker processes: same batches as num_workers=0, errors, dead workers, cleanup.

Every test uses tiny data and is bounded: a loader that hung would be a bug, so each test runs
under a SIGALRM deadline that fails it instead of stalling the suite.
"""

from __future__ import annotations

import os
import random
import signal
import time

import numpy as np
import pytest

import glasstorch as gt
from glasstorch.utils import data as gdata

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs POSIX signals")


@pytest.fixture(autouse=True)
def deadline():
    """Fail (rather than hang) any test here that takes more than 60 seconds."""
    def on_alarm(signum, frame):
        raise TimeoutError("test exceeded its 60 s deadline")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _children() -> set[int]:
    """PIDs of this process's live (non-zombie) children, from /proc."""
    me = str(os.getpid())
    kids = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me and fields[0] != "Z":
            kids.add(int(pid))
    return kids


def _wait_gone(pids: set[int], seconds: float = 10.0) -> set[int]:
    """Those of ``pids`` still alive after waiting up to ``seconds``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        alive = pids & _children()
        if not alive:
            return alive
        time.sleep(0.05)
    return pids & _children()


needs_proc = pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")


def _dataset(n=23):
    X = gt.tensor(np.arange(n * 3, dtype=np.float32).reshape(n, 3))
    return gdata.TensorDataset(X, gt.tensor(np.arange(n)))


class Items(gdata.Dataset):
    """A map-style dataset without batch fetching (the per-item path)."""

    def __init__(self, n=17, slow=()):
        self.n, self.slow = n, set(slow)

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i in self.slow:
            time.sleep(0.3)  # make a worker late, so results arrive out of order
        return gt.tensor([float(i)]), i


def _flat(batches):
    return [[b.tolist() if isinstance(b, gt.Tensor) else b for b in batch] for batch in batches]


@pytest.mark.parametrize("num_workers", [1, 2])
def test_same_batches_as_single_process(num_workers):
    for ds, kwargs in [(_dataset(), dict(batch_size=4)), (Items(slow={1, 2}), dict(batch_size=2)),
                       (Items(9), dict(batch_size=None)), (_dataset(), dict(batch_size=5,
                                                                             drop_last=True))]:
        expected = _flat(gdata.DataLoader(ds, **kwargs))
        loader = gdata.DataLoader(ds, num_workers=num_workers, **kwargs)
        got = _flat(loader)
        assert got == expected and len(loader) == len(expected)


def test_shuffle_with_workers_is_reproducible():
    ds = _dataset(30)
    g = gt.Generator().manual_seed(11)
    single = [_flat(gdata.DataLoader(ds, batch_size=4, shuffle=True, generator=g))
              for _ in range(2)]
    g.manual_seed(11)
    multi = [_flat(gdata.DataLoader(ds, batch_size=4, shuffle=True, generator=g, num_workers=2))
             for _ in range(2)]
    assert multi == single and single[0] != single[1]


class RandomPerWorker(gdata.Dataset):
    """Each item: (worker id, worker seed, a draw from glasstorch, from numpy, from random)."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = gdata.get_worker_info()
        return (info.id, info.seed, float(gt.randn(1).item()), float(np.random.rand()),
                random.random())


def test_workers_seeded_distinctly_and_reproducibly():
    def run():
        gt.manual_seed(123)
        loader = gdata.DataLoader(RandomPerWorker(), batch_size=1, num_workers=2)
        return [tuple(v.item() for v in b) for b in loader]

    first, again = run(), run()
    assert first == again
    by_worker = {row[0]: row for row in first[:2]}
    assert set(by_worker) == {0, 1}
    assert by_worker[1][1] == by_worker[0][1] + 1  # seed = base_seed + worker_id
    for k in (2, 3, 4):
        assert by_worker[0][k] != by_worker[1][k]


def test_worker_init_fn_and_iterable_split():
    seen = []

    def init(worker_id):
        info = gdata.get_worker_info()
        if info.id != worker_id or info.num_workers != 2:
            raise RuntimeError("wrong worker info")

    from test_data import Stream

    loader = gdata.DataLoader(Stream(11), batch_size=2, num_workers=2, worker_init_fn=init)
    for batch in loader:
        seen.extend(batch.tolist())
    assert sorted(seen) == list(range(11))
    single = list(gdata.DataLoader(Stream(5), batch_size=None, num_workers=2))
    assert sorted(single) == list(range(5)) and all(isinstance(v, int) for v in single)


class FailsAt(gdata.Dataset):
    def __init__(self, bad, exc=ValueError):
        self.bad, self.exc = bad, exc

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == self.bad:
            raise self.exc(f"bad item {i}")
        return i


@needs_proc
def test_worker_error_reraised_with_traceback_and_workers_stopped():
    loader = gdata.DataLoader(FailsAt(5), batch_size=2, num_workers=2)
    it = iter(loader)
    pids = {w.pid for w in it._workers}
    with pytest.raises(ValueError) as info:
        list(it)
    msg = str(info.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 0.\n"
                          "Original Traceback (most recent call last):\n")
    assert "bad item 5" in msg and "__getitem__" in msg
    assert not _wait_gone(pids)
    with pytest.raises(KeyError) as kinfo:
        next(iter(gdata.DataLoader(FailsAt(0, KeyError), num_workers=1)))
    assert str(kinfo.value).startswith("Caught KeyError in DataLoader worker process 0.\n")


def test_worker_init_fn_error_is_reraised():
    def init(worker_id):
        raise ZeroDivisionError("init failed")

    with pytest.raises(ZeroDivisionError, match="Caught ZeroDivisionError in DataLoader worker"):
        list(gdata.DataLoader(Items(4), num_workers=1, worker_init_fn=init))


class KillsItself(gdata.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


def test_killed_worker_raises_instead_of_hanging():
    loader = gdata.DataLoader(KillsItself(), batch_size=1, num_workers=2)
    pattern = r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"
    with pytest.raises(RuntimeError, match=pattern):
        list(loader)


class Sleepy(gdata.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(5)
        return i


def test_timeout():
    loader = gdata.DataLoader(Sleepy(), num_workers=1, timeout=0.5)
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.5 seconds$"):
        next(iter(loader))


@needs_proc
def test_break_and_del_leave_no_orphans():
    loader = gdata.DataLoader(Items(40), batch_size=2, num_workers=2)
    before = _children()
    for i, _ in enumerate(loader):
        if i == 1:
            break
    # the for loop dropped its iterator: the workers must be gone
    assert not _wait_gone(_children() - before)
    it = iter(loader)
    next(it)
    pids = {w.pid for w in it._workers}
    assert pids <= _children()
    del it
    assert not _wait_gone(pids)


@needs_proc
def test_persistent_workers_reused_across_epochs():
    loader = gdata.DataLoader(Items(7), batch_size=3, num_workers=2, persistent_workers=True)
    expected = _flat(gdata.DataLoader(Items(7), batch_size=3))
    first = iter(loader)
    pids = {w.pid for w in first._workers}
    next(first)  # leave an epoch unfinished: its leftovers must not leak into the next
    assert _flat(loader) == expected
    assert _flat(loader) == expected
    assert {w.pid for w in loader._iterator._workers} == pids
    del loader, first  # no reference cycle: dropping the loader stops its workers at once
    assert not _wait_gone(pids)


def test_in_order_false_yields_every_batch():
    loader = gdata.DataLoader(Items(12, slow={0}), batch_size=2, num_workers=2, in_order=False)
    got = sorted(x for batch in loader for x in batch[1].tolist())
    assert got == list(range(12))


def test_too_many_workers_warning_matches_torch(torch):
    n = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()) + 1
    with pytest.warns(UserWarning) as ours:
        gdata.DataLoader(Items(2), num_workers=n)
    with pytest.warns(UserWarning) as theirs:
        torch.utils.data.DataLoader(list(range(2)), num_workers=n)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]


def test_spawn_context():
    ds = gdata.Subset(_dataset(9), [8, 2, 5, 1])  # pickled to the spawned worker
    expected = _flat(gdata.DataLoader(ds, batch_size=3))
    loader = gdata.DataLoader(ds, batch_size=3, num_workers=1, multiprocessing_context="spawn")
    assert _flat(loader) == expected


_ORPHAN_SCRIPT = """
import os, signal, sys
sys.path.insert(0, {tests!r})
import glasstorch.utils.data as d
from test_dataloader_workers import Items
it = iter(d.DataLoader(Items(50), num_workers=2))
{step}
print(" ".join(str(w.pid) for w in it._workers), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@needs_proc
@pytest.mark.parametrize("step", ["next(it)", "pass"])  # "pass": killed before workers run
def test_workers_exit_when_the_parent_is_killed(tmp_path, step):
    import subprocess
    import sys

    script = _ORPHAN_SCRIPT.format(tests=os.path.dirname(__file__), step=step)
    out_file = tmp_path / "pids.txt"
    with open(out_file, "w") as out:  # a file, not a pipe: the workers inherit it
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=out)
        proc.wait(timeout=40)
    pids = [int(p) for p in out_file.read_text().split()]
    assert len(pids) == 2
    end = time.monotonic() + 15
    alive = pids
    while alive and time.monotonic() < end:
        time.sleep(0.1)
        alive = []
        for p in pids:
            try:
                with open(f"/proc/{p}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                        alive.append(p)
            except OSError:
                pass
    for p in alive:  # do not leave them behind even when the test fails
        os.kill(p, signal.SIGKILL)
    assert not alive


def test_unpicklable_batch_or_exception_is_an_error_not_a_hang():
    loader = gdata.DataLoader(Items(4), batch_size=2, num_workers=1,
                              collate_fn=lambda batch: (lambda: batch))
    with pytest.raises(Exception, match="Caught .* in DataLoader worker process 0"):
        list(loader)

    class LocalError(Exception):
        pass

    class RaisesLocal(Items):
        def __getitem__(self, i):
            raise LocalError("not importable")

    it = iter(gdata.DataLoader(RaisesLocal(4), num_workers=1))
    with pytest.raises(RuntimeError, match="Caught LocalError in DataLoader worker process 0"):
        next(it)
    with pytest.raises(StopIteration):  # the workers are gone: the iterator is finished
        next(it)


class ShowsWorkerInfo(Items):
    def __getitem__(self, i):
        info = gdata.get_worker_info()
        try:
            info.id = 5
        except Exception as e:
            frozen = type(e).__name__
        return repr(info).split(", dataset=")[0], frozen


def test_worker_info_is_a_frozen_record():
    (text, frozen), = list(gdata.DataLoader(ShowsWorkerInfo(1), batch_size=None, num_workers=1))
    assert text.startswith("WorkerInfo(id=0, num_workers=1, seed=")
    assert frozen == "FrozenInstanceError"


def test_persistent_loader_recovers_after_a_worker_error():
    loader = gdata.DataLoader(FailsAt(5), batch_size=2, num_workers=1, persistent_workers=True)
    with pytest.raises(ValueError, match="bad item 5"):
        list(loader)
    it = iter(loader)  # the failed workers were stopped: a fresh set serves the next epoch
    assert next(it).tolist() == [0, 1]
    it._shutdown_workers()
