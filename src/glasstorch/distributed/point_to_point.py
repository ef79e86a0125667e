"""Point-to-point: one rank sends a tensor, one other receives it (``send``/``recv`` block;
``isend``/``irecv`` return a ``Work`` to ``wait()`` on). The receiver's tensor must already have
the sender's shape and dtype; ``tag`` tells apart several messages between the same two ranks."""

from __future__ import annotations

import numpy as np

from . import mpi
from .collectives import _array, _bytes, _mpi_failed, _run
from .process_group import resolve, world
from .work import Work


def _peer(pg, rank, group_rank, what: str, name: str, allow_any: bool = False):
    if group_rank is not None:
        peer = int(group_rank)
    elif rank is None:
        if allow_any:
            return mpi.load().ANY_SOURCE
        raise ValueError(f"{what}: {name} must be given")
    elif pg is world.default:
        peer = int(rank)
    else:
        peer = pg.rank_in_group(int(rank), what)
    if peer == pg.rank:
        kind = "destination" if name == "dst" else "source"
        raise ValueError(
            f"Invalid {kind} rank: {kind} rank should not be the same as the rank of the current "
            "process."
        )
    if not 0 <= peer < pg.size:
        raise ValueError(f"{what}: invalid {name} rank {peer} (the group has ranks 0 to "
                         f"{pg.size - 1})")
    return peer


def _send(tensor, dst, group, tag, group_dst, nonblocking: bool):
    what = "isend" if nonblocking else "send"
    pg = resolve(group)
    if pg is None:
        return None
    arr = _array(tensor)
    peer = _peer(pg, dst, group_dst, what, "dst")
    buf = np.ascontiguousarray(arr)
    MPI = mpi.load()

    def start(nb):
        return (pg.comm.Isend if nb else pg.comm.Send)([buf, MPI.BYTE], peer, tag)

    return _run(pg, what, start, None, nonblocking)


def send(tensor, dst=None, group=None, tag: int = 0, group_dst=None) -> None:
    """Send ``tensor`` to rank ``dst``; returns once it can be reused."""
    _send(tensor, dst, group, tag, group_dst, False)


def isend(tensor, dst=None, group=None, tag: int = 0, group_dst=None) -> Work | None:
    """Start sending ``tensor`` to ``dst``; do not change it until the returned work is waited."""
    return _send(tensor, dst, group, tag, group_dst, True)


def _receive(tensor, src, group, tag, group_src, nonblocking: bool):
    what = "irecv" if nonblocking else "recv"
    pg = resolve(group)
    if pg is None:
        return None if nonblocking else -1
    arr = _array(tensor)
    peer = _peer(pg, src, group_src, what, "src", allow_any=True)
    buf, back = _bytes(arr)
    MPI = mpi.load()

    def finish():
        if back is not None:
            back()

    if nonblocking:
        return Work(pg, "recv from any rank" if peer == MPI.ANY_SOURCE else "recv",
                    pg.comm.Irecv([buf, MPI.BYTE], peer, tag), finish)
    status = MPI.Status()
    pg.calls += 1
    pg.busy = what
    try:
        pg.comm.Recv([buf, MPI.BYTE], peer, tag, status)
    except MPI.Exception as e:
        raise _mpi_failed(pg, what, e) from None
    finally:
        pg.busy = None
    if status.Get_count(MPI.BYTE) != buf.nbytes:
        raise RuntimeError(
            f"recv: received {status.Get_count(MPI.BYTE)} bytes but the tensor holds {buf.nbytes} "
            f"({tuple(arr.shape)} {arr.dtype}): give recv a tensor of the sender's shape and dtype"
        )
    finish()
    return pg.global_ranks[status.Get_source()]


def recv(tensor, src=None, group=None, tag: int = 0, group_src=None) -> int:
    """Receive into ``tensor`` from ``src`` (any rank if None); returns the sender's rank."""
    return _receive(tensor, src, group, tag, group_src, False)


def irecv(tensor, src=None, group=None, tag: int = 0, group_src=None) -> Work | None:
    """Start receiving into ``tensor``; read it only after the returned work is waited."""
    return _receive(tensor, src, group, tag, group_src, True)


class P2POp:
    """One send or receive for ``batch_isend_irecv``: ``P2POp(isend, tensor, peer)``."""

    def __init__(self, op, tensor, peer=None, group=None, tag: int = 0, group_peer=None):
        if op not in (isend, irecv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be of type ``torch.distributed."
                             "isend`` or ``torch.distributed.irecv``.")
        self.op, self.tensor, self.peer, self.group, self.tag = op, tensor, peer, group, tag
        self.group_peer = group_peer


def batch_isend_irecv(p2p_op_list: list) -> list:
    """Start every send and receive of the list at once; returns their works."""
    works = []
    for p in p2p_op_list:
        if p.op is isend:
            works.append(isend(p.tensor, p.peer, p.group, p.tag, p.group_peer))
        else:
            works.append(irecv(p.tensor, p.peer, p.group, p.tag, p.group_peer))
    return works


__all__ = ["send", "recv", "isend", "irecv", "P2POp", "batch_isend_irecv"]
