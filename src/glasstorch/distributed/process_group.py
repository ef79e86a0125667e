"""The process group: which processes take part, and the one MPI communicator they share.

``init_process_group`` joins the processes an MPI launcher started (``glasstorch run --nproc N``,
``mpirun -n N``) into the default group, ``new_group`` makes a sub-group of some of them, and
every collective runs on a group (the default one unless ``group=`` says otherwise).

Two guards keep a job from hanging:

- a **watchdog** thread per group: a blocking collective still running after the group's
  ``timeout`` ends the job with an error naming the rank and the collective (a blocked MPI call
  cannot be interrupted, so, as torch's NCCL watchdog does, it stops the job);
- an **exception hook**: a rank that raises prints its traceback under its rank number and aborts
  the whole job (``MPI_Abort``), so the other ranks do not wait forever for it.

``TORCH_DISTRIBUTED_DEBUG=DETAIL`` (torch's switch) makes every collective first check, with one
small extra all-reduce, that all ranks called the same collective on the same shape and dtype.
"""

from __future__ import annotations

import datetime
import enum
import os
import sys
import threading
import time

from . import mpi

DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)  # torch's default for gloo and mpi


class Backend(str):
    """A backend's name (``torch.distributed.Backend``): both run on MPI here."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    MPI = "mpi"
    NCCL = "nccl"

    def __new__(cls, name: str):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, got {name!r}")
        value = name.lower()
        if value.startswith("cpu:") or "," in value:  # "cpu:gloo,cuda:nccl"
            parts = dict(p.split(":", 1) for p in value.split(",") if ":" in p)
            value = parts.get("cpu", "gloo")
        if value == cls.NCCL:
            raise RuntimeError(
                "init_process_group(backend='nccl'): NCCL needs NVIDIA GPUs and is not part of "
                "glasstorch; use backend='gloo' or 'mpi' (both run on MPI; CUDA tensors are "
                "staged through host memory)"
            )
        if value not in (cls.GLOO, cls.MPI):
            raise ValueError(
                f"Invalid backend: '{name}': glasstorch.distributed runs 'mpi' and 'gloo' "
                "(both on MPI)"
            )
        return super().__new__(cls, value)


class ReduceOp:
    """How values from every rank combine (``torch.distributed.ReduceOp``)."""

    class RedOpType(enum.IntEnum):
        SUM = 0
        AVG = 1
        PRODUCT = 2
        MIN = 3
        MAX = 4
        BAND = 5
        BOR = 6
        BXOR = 7
        PREMUL_SUM = 8

    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM


class ProcessGroup:
    """Some of the job's processes and the MPI communicator they talk on.

    ``rank`` is this process's number within the group, ``size`` how many take part;
    ``ranks`` lists their numbers in the default group (``global_ranks[i]`` is the global rank of
    group rank ``i``).
    """

    def __init__(self, comm, backend: str, timeout: datetime.timedelta, global_ranks: list):
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.backend = backend
        self.timeout = timeout
        self.global_ranks = global_ranks
        self.group_of = {g: i for i, g in enumerate(global_ranks)}
        self.busy = None  # the name of the blocking call running now (the watchdog reads it)
        self.calls = 0  # blocking calls started so far: tells the watchdog one call from the next
        # all_reduce's array while its fast path runs: it alone says "in all_reduce" (one store
        # less than setting busy too, on a call of a few microseconds) and gives the timeout's
        # message the shape and dtype
        self.busy_array = None
        self.check_shapes = os.environ.get("TORCH_DISTRIBUTED_DEBUG", "").upper() == "DETAIL"
        self.watchdog = _Watchdog(self) if self.size > 1 else None

    def __repr__(self) -> str:
        return (f"ProcessGroup(backend={self.backend!r}, rank={self.rank}, size={self.size}, "
                f"ranks={self.global_ranks})")

    def rank_in_group(self, global_rank: int, what: str) -> int:
        """The group rank of ``global_rank`` (how torch's ``src=``/``dst=`` name a process)."""
        r = self.group_of.get(global_rank)
        if r is None:
            raise ValueError(
                f"{what}: Global rank {global_rank} is not part of group {self.global_ranks}; "
                "pass one of its ranks (or group_src=/group_dst= with a rank within the group)"
            )
        return r

    def destroy(self) -> None:
        if self.watchdog is not None:
            self.watchdog.stop()
        if self.comm is not None:
            try:
                self.comm.Free()
            except Exception:  # noqa: BLE001 - a communicator MPI has already let go of
                pass
            self.comm = None


class _NonMember:
    """What ``new_group`` returns on a rank outside the new group (torch's NON_GROUP_MEMBER)."""

    def __repr__(self) -> str:
        return "NON_GROUP_MEMBER"


class GroupMember:
    """``GroupMember.WORLD`` is the default group (None before ``init_process_group``)."""

    WORLD: ProcessGroup | None = None
    NON_GROUP_MEMBER = _NonMember()


class group:  # noqa: N801 - torch's name
    """``group.WORLD``: the default process group."""

    WORLD: ProcessGroup | None = None


class _World:
    default: ProcessGroup | None = None
    groups: list = []
    hooked = False


world = _World()

NOT_INITIALIZED = (
    "Default process group has not been initialized, please make sure to call "
    "init_process_group."
)


def default_group() -> ProcessGroup:
    pg = world.default
    if pg is None:
        raise ValueError(NOT_INITIALIZED)
    return pg


def resolve(group_arg) -> ProcessGroup | None:
    """The group a call runs on: ``group=`` if given, else the default one; None on a rank that is
    not a member (torch then does nothing and returns)."""
    if group_arg is None:
        pg = world.default
        if pg is None:
            raise ValueError(NOT_INITIALIZED)
        return pg
    if group_arg is GroupMember.NON_GROUP_MEMBER:
        return None
    if isinstance(group_arg, ProcessGroup):
        if group_arg.comm is None:
            raise ValueError("this process group was destroyed; make a new one with new_group()")
        return group_arg
    raise TypeError(
        f"group must be a ProcessGroup from new_group(), got {type(group_arg).__name__}"
    )


# ---- starting and stopping -----------------------------------------------------------------
def is_available() -> bool:
    """True when glasstorch.distributed can run here (mpi4py installed)."""
    return mpi.is_available()


def is_initialized() -> bool:
    return world.default is not None


def is_mpi_available() -> bool:
    return mpi.is_available()


def is_gloo_available() -> bool:
    return mpi.is_available()  # "gloo" runs on MPI here


def is_nccl_available() -> bool:
    return False


def is_torchelastic_launched() -> bool:
    return "TORCHELASTIC_RUN_ID" in os.environ


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout: datetime.timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
    store=None,
    group_name: str = "",
    pg_options=None,
    device_id=None,
) -> None:
    """Join the processes the launcher started into the default process group.

    Start them with ``glasstorch run --nproc N script.py`` (or ``mpirun -n N python script.py``);
    MPI has already told each process its rank and how many there are, so ``init_method``
    (``"env://"``, ``"tcp://…"``), ``MASTER_ADDR`` and ``MASTER_PORT`` are accepted but not needed.
    ``rank``, ``world_size`` and the ``RANK`` / ``WORLD_SIZE`` variables, when given, must agree
    with what MPI started. ``backend`` "gloo" and "mpi" both run on MPI.
    """
    if world.default is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = Backend(backend if backend is not None else Backend.GLOO)
    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    if not isinstance(timeout, datetime.timedelta):
        raise TypeError(
            f"Expected timeout argument to be of type datetime.timedelta, got {timeout}"
        )
    if init_method is not None and store is not None:
        raise ValueError("Cannot specify both init_method and store.")
    if not mpi.is_available():
        raise RuntimeError(mpi.INSTALL)
    launched = mpi.launcher_world()
    env_size = _env_int("WORLD_SIZE")
    env_rank = _env_int("RANK")
    if launched is None and env_size not in (None, 1):
        raise RuntimeError(
            f"init_process_group: WORLD_SIZE={env_size} is set, but this process was not started "
            "by an MPI launcher, so it cannot reach the others (torchrun's TCP rendezvous is not "
            f"part of glasstorch): start the job with `glasstorch run --nproc {env_size} "
            f"script.py` or `mpirun -n {env_size} python script.py`"
        )
    MPI = mpi.load()
    base = MPI.COMM_WORLD
    size, me = base.Get_size(), base.Get_rank()
    for what, given, actual in (("world_size", world_size, size), ("WORLD_SIZE", env_size, size),
                                ("rank", rank, me), ("RANK", env_rank, me)):
        if given is None or given == -1 or given == actual:
            continue
        if what.lower() == "world_size":
            raise RuntimeError(
                f"init_process_group: {what}={given}, but the launcher started {size} "
                f"process(es) (rank {me} of {size}): start {given} with `glasstorch run --nproc "
                f"{given} script.py` (or `mpirun -n {given}`), or pass world_size={size}"
            )
        raise RuntimeError(
            f"init_process_group: {what}={given}, but MPI numbered this process {me} (of {size}): "
            "leave rank out (MPI numbers the processes), or pass the rank MPI gave"
        )
    comm = base.Dup()
    pg = ProcessGroup(comm, str(name), timeout, list(range(size)))
    world.default = pg
    world.groups = [pg]
    GroupMember.WORLD = pg
    group.WORLD = pg
    _install_excepthook()


def _env_int(name: str) -> int | None:
    text = os.environ.get(name)
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"Error initializing torch.distributed using env:// rendezvous: "
                         f"environment variable {name} expected, but not set or not an "
                         f"integer: {text!r}") from None


def destroy_process_group(group=None) -> None:
    """Leave ``group`` (default: every group, the default one included)."""
    if world.default is None:
        raise AssertionError("Process group cannot be None")
    if group is None or group is world.default:
        _finish_at_exit()  # no rank may still wait in a collective of these groups
        for pg in world.groups:
            pg.destroy()
        world.default = None
        world.groups = []
        GroupMember.WORLD = None
        globals()["group"].WORLD = None  # the class `group`, which the argument hides here
    elif isinstance(group, ProcessGroup):
        group.destroy()
        if group in world.groups:
            world.groups.remove(group)


def new_group(ranks=None, timeout=None, backend=None, pg_options=None,
              use_local_synchronization: bool = False, group_desc=None, device_id=None):
    """A group of some of the default group's ranks (every rank must call it, members or not).

    On a rank outside ``ranks`` it returns ``GroupMember.NON_GROUP_MEMBER``; collectives given
    that return at once there, as in torch.
    """
    pg = default_group()
    members = list(range(pg.size)) if ranks is None else sorted(int(r) for r in ranks)
    for r in members:
        if not 0 <= r < pg.size:
            raise ValueError(
                f"new_group: rank {r} is not in the default group (ranks 0 to {pg.size - 1})"
            )
    if len(set(members)) != len(members):
        raise ValueError(f"new_group: ranks {members} repeats a rank")
    MPI = mpi.load()
    inside = pg.rank in members
    comm = pg.comm.Split(0 if inside else MPI.UNDEFINED, pg.rank)
    if not inside:
        return GroupMember.NON_GROUP_MEMBER
    name = Backend(backend) if backend is not None else pg.backend
    sub = ProcessGroup(comm, str(name), timeout or pg.timeout, members)
    world.groups.append(sub)
    return sub


def get_rank(group=None) -> int:
    """This process's rank in ``group`` (the default group if None); -1 outside it."""
    pg = resolve(group)
    return -1 if pg is None else pg.rank


def get_world_size(group=None) -> int:
    """How many processes ``group`` holds; -1 on a rank outside it."""
    pg = resolve(group)
    return -1 if pg is None else pg.size


def get_backend(group=None) -> str:
    pg = resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return pg.backend


def get_global_rank(group, group_rank: int) -> int:
    pg = resolve(group)
    if pg is None or not 0 <= group_rank < pg.size:
        raise ValueError(f"Group rank {group_rank} is not part of group {group}")
    return pg.global_ranks[group_rank]


def get_process_group_ranks(group) -> list:
    pg = resolve(group)
    return [] if pg is None else list(pg.global_ranks)


# ---- the two guards ------------------------------------------------------------------------
class _Watchdog:
    """A daemon thread per group that keeps a stuck collective from hanging the job.

    - An ``all_reduce`` stuck for ``SUSPECT_AFTER`` seconds makes this rank tell the others which
      shape and dtype it passed (a small message on the watchdogs' own communicator). A rank stuck
      in ``all_reduce`` that hears of a different shape or dtype from another stuck rank stops the
      job at once with both shapes in the message: mismatched tensors end in seconds.
    - Any collective still running after the group's ``timeout`` stops the job.
    """

    SUSPECT_AFTER = 2.0
    TAG = 7

    def __init__(self, pg: ProcessGroup):
        self.pg = pg
        self.done = threading.Event()
        seconds = pg.timeout.total_seconds()
        self.period = min(0.5, max(0.05, seconds / 10))
        MPI = mpi.load()
        self.talk = pg.comm.Dup()  # the watchdogs' own channel, apart from the collectives
        self.inbox = self.talk.irecv(source=MPI.ANY_SOURCE, tag=self.TAG)
        self.sent: list = []
        self.heard: dict = {}  # rank -> (the all_reduce it is stuck in, when heard) or None
        self.told = None  # the call the others have heard this rank is stuck in
        self.thread = threading.Thread(target=self.run, name="glasstorch-dist-watchdog",
                                       daemon=True)
        self.thread.start()

    def running(self):
        """The name of the blocking call this rank is in now, else None."""
        busy = self.pg.busy
        if busy is None and self.pg.busy_array is not None:
            return "all_reduce"  # its fast path sets busy_array only
        return busy

    def state(self):
        """``(collective, shape, dtype)`` of the all_reduce this rank is stuck in, else None."""
        arr = self.pg.busy_array
        if arr is None:
            return None
        return "all_reduce", tuple(arr.shape), str(arr.dtype)

    def run(self) -> None:
        limit = self.pg.timeout.total_seconds()
        seen = None  # (the call counter, when that call was first seen running)
        while not self.done.wait(self.period):
            busy, calls, now = self.running(), self.pg.calls, time.monotonic()
            if self.told is not None and (busy is None or calls != self.told):
                self.tell(None)  # the call the others heard about has finished
                self.told = None
            if busy is None:
                seen = None
            elif seen is None or seen[0] != calls:
                seen = (calls, now)
            elif now - seen[1] > limit:
                self.expire(busy, limit)
            elif now - seen[1] > self.SUSPECT_AFTER and self.told != calls:
                mine = self.state()
                if mine is not None:
                    self.told = calls
                    self.tell(mine)
            self.read()

    def tell(self, mine) -> None:
        """Tell every other rank of the group which all_reduce this rank is stuck in (None:
        no longer stuck)."""
        for r in range(self.pg.size):
            if r != self.pg.rank:
                self.sent.append(self.talk.isend((self.pg.rank, mine), dest=r, tag=self.TAG))

    def read(self) -> None:
        """Take in everything the other ranks told (in order: a later "no longer stuck" cancels
        an earlier "stuck"); then a rank stuck in this rank's collective with another shape or
        dtype ends the job."""
        while True:
            arrived, message = self.inbox.test()
            if not arrived:
                break
            self.inbox = self.talk.irecv(source=mpi.load().ANY_SOURCE, tag=self.TAG)
            other, theirs = message
            self.heard[other] = None if theirs is None else (theirs, time.monotonic())
        for other, entry in self.heard.items():
            if entry is not None:
                self.compare(other, entry[0])

    def finish_with_the_others(self) -> None:
        """At exit: wait until every rank of the group has finished too. A rank still stuck in a
        collective of this group can never finish it now: the job stops, saying which."""
        self.done.set()
        self.thread.join()
        if self.told is not None:
            self.tell(None)
        barrier = self.talk.Ibarrier()
        while not barrier.Test():
            self.read()
            now = time.monotonic()
            stuck = {r: e[0] for r, e in self.heard.items() if e is not None and now - e[1] > 1}
            if stuck:
                me = self.pg.global_ranks[self.pg.rank]
                waits = "; ".join(f"rank {self.pg.global_ranks[r]} waits in {s[0]} of a tensor "
                                  f"of shape {s[1]} and dtype {s[2]}" for r, s in stuck.items())
                sys.stderr.write(
                    f"[rank {me}] RuntimeError: glasstorch.distributed: rank {me} reached the end "
                    f"of its script, but {waits}: the ranks made different calls (a tensor of "
                    "another shape, or one call more on some ranks); stopping every rank\n")
                sys.stderr.flush()
                mpi.load().COMM_WORLD.Abort(1)
            time.sleep(0.02)

    def compare(self, other: int, theirs) -> None:
        mine = self.state()
        if mine is None or mine[0] != theirs[0] or mine == theirs:
            return
        me = self.pg.global_ranks[self.pg.rank]
        sys.stderr.write(
            f"[rank {me}] RuntimeError: glasstorch.distributed: {mine[0]}: rank {me} passed a "
            f"tensor of shape {mine[1]} and dtype {mine[2]}, but rank "
            f"{self.pg.global_ranks[other]} passed shape {theirs[1]} and dtype {theirs[2]}: "
            "every rank must pass the same shape and dtype; stopping every rank\n"
        )
        sys.stderr.flush()
        mpi.load().COMM_WORLD.Abort(1)

    def expire(self, what: str, limit: float) -> None:
        me = world.default.rank if world.default is not None else self.pg.rank
        arr = self.pg.busy_array
        if arr is not None:
            what += f" of a tensor of shape {tuple(arr.shape)} and dtype {arr.dtype}"
        sys.stderr.write(
            f"[rank {me}] RuntimeError: glasstorch.distributed: {what} did not complete within "
            f"the timeout of {datetime.timedelta(seconds=limit)} (init_process_group(timeout=)): "
            "some rank never reached it (it stopped, waits in another collective, or passed a "
            "tensor of another shape or dtype: TORCH_DISTRIBUTED_DEBUG=DETAIL checks every "
            "call); stopping every rank\n"
        )
        sys.stderr.flush()
        mpi.load().COMM_WORLD.Abort(1)

    def stop(self) -> None:
        self.done.set()
        self.thread.join()
        try:
            self.inbox.cancel()
            for request in self.sent:
                request.wait()
            self.talk.Free()
        except Exception:  # noqa: BLE001 - MPI may already be shutting down
            pass


def _finish_at_exit() -> None:
    """Registered at init (so it runs before mpi4py's MPI_Finalize): see
    ``_Watchdog.finish_with_the_others``."""
    for pg in list(world.groups):
        if pg.watchdog is not None and pg.comm is not None:
            pg.watchdog.finish_with_the_others()


def _install_excepthook() -> None:
    """A rank that dies of an exception takes the job down with it, saying which rank it was."""
    if world.hooked:
        return
    world.hooked = True
    import atexit

    atexit.register(_finish_at_exit)
    previous = sys.excepthook

    def hook(kind, value, tb):
        pg = world.default
        if pg is None or pg.size == 1 or issubclass(kind, KeyboardInterrupt):
            previous(kind, value, tb)
            return
        import traceback

        text = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write("".join(f"[rank {pg.rank}] {line}\n" for line in text.splitlines()))
        abort(pg.rank, f"{kind.__name__}: {value}")

    sys.excepthook = hook


def abort(rank: int, reason: str, code: int = 1) -> None:
    """Stop every rank of the job (``MPI_Abort``) after saying why on stderr."""
    size = world.default.size if world.default is not None else "all"
    sys.stderr.write(f"glasstorch.distributed: rank {rank} failed ({reason}); stopping all "
                     f"{size} ranks\n")
    sys.stderr.flush()
    sys.stdout.flush()
    mpi.load().COMM_WORLD.Abort(code)
