"""The collectives: every rank of a group calls the same one, and each tensor is changed in place,
as ``torch.distributed`` defines them.

    all_reduce        every rank ends with the element-wise SUM (AVG, PRODUCT, MIN, MAX, …)
    broadcast         every rank ends with ``src``'s tensor
    reduce            only ``dst`` ends with the reduction
    all_gather(_into_tensor), gather     every rank's tensor, in rank order, on all / on ``dst``
    scatter           ``src`` hands piece ``i`` of its list to rank ``i``
    reduce_scatter(_tensor)              reduce, then rank ``i`` keeps piece ``i``
    all_to_all(_single)                  rank ``i`` sends its piece ``j`` to rank ``j``
    barrier           wait until every rank has arrived

Each hands the tensor's own NumPy array to MPI (no copy) when it is contiguous and of a type MPI
can reduce; a strided view, a float16 tensor (MPI has no 16-bit float arithmetic: it is summed in
float32) or a bool one (reduced as bytes: SUM and MAX are "any", PRODUCT and MIN "all") goes
through a contiguous staging copy. Collectives that only move bytes (broadcast, gathers,
scatters) move any dtype as bytes. With ``async_op=True`` the call returns a ``Work`` handle at
once (MPI's non-blocking collective); ``wait()`` it before reading the tensor.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import mpi
from .process_group import NOT_INITIALIZED, ReduceOp, resolve, world
from .work import Work

# dtypes MPI reduces in place, straight from the tensor's array
_NATIVE = {np.dtype(t) for t in (np.float64, np.float32, np.int64, np.int32, np.int16, np.int8,
                                 np.uint8, np.complex64, np.complex128)}
_OPS: dict = {}  # ReduceOp -> MPI.Op, filled on first use
_SUM = ReduceOp.SUM
_BITWISE = (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR)
_BOOL_OPS = {ReduceOp.SUM: "MAX", ReduceOp.MAX: "MAX", ReduceOp.BOR: "MAX",
             ReduceOp.PRODUCT: "MIN", ReduceOp.MIN: "MIN", ReduceOp.BAND: "MIN",
             ReduceOp.BXOR: "BXOR"}


def _mpi_ops() -> dict:
    MPI = mpi.load()
    _OPS.update({ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
                 ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
                 ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR})
    return _OPS


# ---- checks and staging (off the fast path) ------------------------------------------------
def _not_tensor(name: str, value):
    return TypeError(
        f"Invalid function argument. Expected parameter `{name}` of type torch.Tensor\n"
        f"             but got {type(value)} instead."
    )


def _array(t, name: str = "tensor") -> np.ndarray:
    if not isinstance(t, Tensor):
        raise _not_tensor(name, t)
    return t._data


def _tensor_list(ts, name: str, pg, what: str) -> list:
    if not isinstance(ts, (list, tuple)):
        raise TypeError(f"{what}: {name} must be a list of tensors, got {type(ts).__name__}")
    for i, t in enumerate(ts):
        if not isinstance(t, Tensor):
            raise TypeError(f"{what}: {name}[{i}] must be a Tensor, got {type(t).__name__}")
    if len(ts) != pg.size:
        raise RuntimeError(
            f"{what}: {name} has {len(ts)} tensors but the group has {pg.size} ranks "
            f"(expected length {pg.size}, got {len(ts)}): give one tensor per rank"
        )
    return [t._data for t in ts]


def _same(arrays, like: np.ndarray, what: str, name: str) -> None:
    for i, a in enumerate(arrays):
        if a.shape != like.shape or a.dtype != like.dtype:
            raise RuntimeError(
                f"{what}: invalid tensor size or dtype at index {i} of {name} (expected "
                f"{tuple(like.shape)} {like.dtype}, got {tuple(a.shape)} {a.dtype}): every "
                "tensor in the list must match the input tensor"
            )


def _op_of(op, what: str):
    ops = _OPS or _mpi_ops()
    mpi_op = ops.get(op) if isinstance(op, int) else None
    if mpi_op is None:
        raise TypeError(
            f"{what}: op must be a ReduceOp (ReduceOp.SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, "
            f"BXOR), got {op!r}"
        )
    return mpi_op


def _arith(arr: np.ndarray, op, what: str):
    """A contiguous buffer MPI can reduce with ``op``, the MPI op, and how to write the result
    back into ``arr`` (None when the buffer is ``arr`` itself)."""
    MPI = mpi.load()
    mpi_op = _op_of(op, what)
    kind = arr.dtype.kind
    if op in _BITWISE and kind not in "biu":
        raise RuntimeError(f"{what}: {op.name} needs an integer or bool tensor, got {arr.dtype}")
    if op == ReduceOp.AVG and kind not in "fc":
        raise RuntimeError(
            f"{what}: ReduceOp.AVG needs a floating-point tensor, got {_name(arr)}: use "
            "ReduceOp.SUM and divide, or convert the tensor with .float()"
        )
    if op == ReduceOp.PREMUL_SUM:
        raise RuntimeError(f"{what}: ReduceOp.PREMUL_SUM is not supported; scale the tensor "
                           "and use ReduceOp.SUM")
    if kind == "b":
        buf = np.ascontiguousarray(arr).view(np.uint8).copy()
        return buf, getattr(MPI, _BOOL_OPS[op]), lambda b: _write(arr, b.view(np.bool_))
    if arr.dtype == np.float16:
        return arr.astype(np.float32), mpi_op, lambda b: _write(arr, b)
    if arr.dtype not in _NATIVE:
        raise RuntimeError(f"{what}: tensors of dtype {_name(arr)} cannot be reduced")
    if not arr.flags.c_contiguous:
        return np.ascontiguousarray(arr), mpi_op, lambda b: _write(arr, b)
    return arr, mpi_op, None


def _write(arr: np.ndarray, buf: np.ndarray) -> None:
    np.copyto(arr, buf.reshape(arr.shape), casting="unsafe")


def _name(arr: np.ndarray) -> str:
    from .. import _dtype

    return str(_dtype._from_np.get(arr.dtype, arr.dtype))


def _bytes(arr: np.ndarray):
    """``(buffer, writeback)``: the array as raw bytes for a collective that only moves data."""
    if arr.flags.c_contiguous:
        return arr, None
    buf = np.ascontiguousarray(arr)
    return buf, lambda: _write(arr, buf)


def _root(pg, rank, group_rank, what: str, name: str) -> int:
    """The group rank named by ``src=``/``dst=`` (a global rank) or ``group_src=``/``group_dst=``
    (a rank within the group)."""
    if group_rank is not None:
        if rank is not None:
            raise ValueError(f"{what}: pass {name} or group_{name}, not both")
        root = int(group_rank)
    elif rank is None:
        root = 0
    elif pg is world.default:
        root = int(rank)
    else:
        root = pg.rank_in_group(int(rank), what)
    if not 0 <= root < pg.size:
        raise RuntimeError(
            f"{what}: invalid root rank: {root} (the group has ranks 0 to {pg.size - 1})"
        )
    return root


def _mpi_failed(pg, what: str, err) -> RuntimeError:
    return RuntimeError(
        f"[rank {pg.rank}] {what}: MPI failed with '{err.Get_error_string().strip()}': the ranks "
        f"disagree about this call (every rank must call {what} in the same order with tensors "
        "of the same shape and dtype); set TORCH_DISTRIBUTED_DEBUG=DETAIL to check each call's "
        "shapes across ranks"
    )


def _agree(pg, what: str, arr: np.ndarray) -> None:
    """``TORCH_DISTRIBUTED_DEBUG=DETAIL``: check that every rank called ``what`` on the same shape
    and dtype, with one small all-reduce (MAX of the description and of its negative)."""
    MPI = mpi.load()
    shape = list(arr.shape)[:8]
    desc = [sum(map(ord, what)), arr.dtype.num, arr.ndim, *shape, *[0] * (8 - len(shape))]
    both = np.array(desc + [-d for d in desc], dtype=np.int64)
    pg.comm.Allreduce(MPI.IN_PLACE, both, MPI.MAX)
    n = len(desc)
    if (both[:n] == -both[n:]).all():
        return
    seen = pg.comm.allgather((what, _name(arr), tuple(arr.shape)))
    lines = "; ".join(f"rank {r}: {w} {d} {s}" for r, (w, d, s) in enumerate(seen))
    raise RuntimeError(
        f"[rank {pg.rank}] {what}: the ranks called different collectives or passed tensors of "
        f"different shapes or dtypes ({lines}); every rank must make the same call with the same "
        "shape and dtype"
    )


def _run(pg, what: str, start, finish, async_op: bool):
    """Run one collective: ``start(nonblocking)`` calls MPI (returning its request when
    non-blocking), ``finish()`` runs once the data is in place."""
    MPI = mpi.load()
    if async_op:
        try:
            request = start(True)
        except MPI.Exception as e:
            raise _mpi_failed(pg, what, e) from None
        return Work(pg, what, request, finish)
    pg.calls += 1
    pg.busy = what
    try:
        start(False)
    except MPI.Exception as e:
        raise _mpi_failed(pg, what, e) from None
    finally:
        pg.busy = None
    if finish is not None:
        finish()
    return None


# ---- the collectives -----------------------------------------------------------------------
def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` over every rank of the group, in place: afterwards each rank holds the
    element-wise ``op`` (SUM by default) of all ranks' tensors (same shape and dtype on all)."""
    pg = world.default if group is None else resolve(group)
    # Fast path, the common call: SUM, blocking, a Tensor of a type MPI reduces, no debug check.
    # The tensor's own array goes to one MPI call; the watchdog gets a call count and the array
    # (which also tells it this rank is in all_reduce). A 4 KB all-reduce takes a few
    # microseconds, so every step counts: this function defines no nested functions (their
    # shared variables would become cells, built on every call, ~100 ns); everything else is
    # _all_reduce's.
    if (op is _SUM and pg is not None and not async_op and not pg.check_shapes
            and (type(tensor) is Tensor or isinstance(tensor, Tensor))):
        arr = tensor._data
        if arr.dtype in _NATIVE:
            pg.calls += 1
            pg.busy_array = arr  # also so that a timeout can say which shape this rank passed
            try:
                pg.comm.Allreduce(mpi.IN_PLACE, arr)  # MPI's SUM
                return None
            except BufferError:
                pass  # a strided view: MPI needs contiguous memory, staged in _all_reduce
            except mpi.Error as e:
                raise _mpi_failed(pg, "all_reduce", e) from None
            finally:
                pg.busy_array = None
    return _all_reduce(pg, tensor, op, group, async_op)


def _all_reduce(pg, tensor, op, group, async_op):
    """Every other all_reduce: checks, another op, async, a staged copy (strided, float16,
    bool)."""
    if pg is None:
        if group is None:
            raise ValueError(NOT_INITIALIZED)
        return None
    arr = _array(tensor)
    if pg.check_shapes:
        _agree(pg, "all_reduce", arr)
    buf, mpi_op, back = _arith(arr, op, "all_reduce")
    size = pg.size

    def start(nonblocking):
        call = pg.comm.Iallreduce if nonblocking else pg.comm.Allreduce
        return call(mpi.IN_PLACE, buf, mpi_op)

    def finish():
        if op == ReduceOp.AVG:
            np.divide(buf, size, out=buf)
        if back is not None:
            back(buf)

    return _run(pg, "all_reduce", start, finish, async_op)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``src``'s ``tensor`` into every rank's ``tensor`` (same shape and dtype on all)."""
    pg = resolve(group)
    if pg is None:
        return None
    arr = _array(tensor)
    root = _root(pg, src, group_src, "broadcast", "src")
    if pg.check_shapes:
        _agree(pg, "broadcast", arr)
    buf, back = _bytes(arr)
    MPI = mpi.load()

    def start(nonblocking):
        return (pg.comm.Ibcast if nonblocking else pg.comm.Bcast)([buf, MPI.BYTE], root)

    def finish():
        if back is not None and pg.rank != root:
            back()

    return _run(pg, "broadcast", start, finish, async_op)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce every rank's ``tensor`` with ``op`` into ``dst``'s ``tensor`` (the others keep
    theirs)."""
    pg = resolve(group)
    if pg is None:
        return None
    arr = _array(tensor)
    root = _root(pg, dst, group_dst, "reduce", "dst")
    if pg.check_shapes:
        _agree(pg, "reduce", arr)
    buf, mpi_op, back = _arith(arr, op, "reduce")
    MPI = mpi.load()
    here = pg.rank == root

    def start(nonblocking):
        call = pg.comm.Ireduce if nonblocking else pg.comm.Reduce
        if here:
            return call(MPI.IN_PLACE, buf, mpi_op, root)
        return call(buf, None, mpi_op, root)

    def finish():
        if here:
            if op == ReduceOp.AVG:
                np.divide(buf, pg.size, out=buf)
            if back is not None:
                back(buf)

    return _run(pg, "reduce", start, finish, async_op)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill ``tensor_list[i]`` with rank ``i``'s ``tensor``, on every rank."""
    pg = resolve(group)
    if pg is None:
        return None
    arr = _array(tensor)
    outs = _tensor_list(tensor_list, "tensor_list", pg, "all_gather")
    _same(outs, arr, "all_gather", "tensor_list")
    if pg.check_shapes:
        _agree(pg, "all_gather", arr)
    send = np.ascontiguousarray(arr)
    recv = np.empty((pg.size, *arr.shape), dtype=arr.dtype)
    MPI = mpi.load()

    def start(nonblocking):
        call = pg.comm.Iallgather if nonblocking else pg.comm.Allgather
        return call([send, MPI.BYTE], [recv, MPI.BYTE])

    def finish():
        for out, piece in zip(outs, recv):
            out[...] = piece

    return _run(pg, "all_gather", start, finish, async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Every rank's ``input_tensor``, in rank order, into ``output_tensor``: either concatenated
    along dim 0 (shape ``(world_size * n, ...)``) or stacked (shape ``(world_size, n, ...)``)."""
    pg = resolve(group)
    if pg is None:
        return None
    src = _array(input_tensor, "input_tensor")
    out = _array(output_tensor, "output_tensor")
    _check_sizes("all_gather_into_tensor", out, src, pg.size, "output", "input")
    if pg.check_shapes:
        _agree(pg, "all_gather_into_tensor", src)
    send = np.ascontiguousarray(src)
    recv, back = _bytes(out)
    MPI = mpi.load()

    def start(nonblocking):
        call = pg.comm.Iallgather if nonblocking else pg.comm.Allgather
        return call([send, MPI.BYTE], [recv, MPI.BYTE])

    def finish():
        if back is not None:
            back()

    return _run(pg, "all_gather_into_tensor", start, finish, async_op)


def _check_sizes(what, big, small, size, big_name, small_name) -> None:
    if big.dtype != small.dtype:
        raise RuntimeError(f"{what}: {big_name} and {small_name} tensors must have the same "
                           f"dtype, got {_name(big)} and {_name(small)}")
    if big.size != size * small.size:
        raise RuntimeError(
            f"{what}: the {big_name} tensor must hold world_size ({size}) times the elements of "
            f"the {small_name} tensor: got {tuple(big.shape)} ({big.size} elements) for "
            f"{tuple(small.shape)} ({small.size} elements)"
        )


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Collect every rank's ``tensor`` into ``gather_list`` on ``dst`` (only there)."""
    pg = resolve(group)
    if pg is None:
        return None
    arr = _array(tensor)
    root = _root(pg, dst, group_dst, "gather", "dst")
    here = pg.rank == root
    if here:
        if not gather_list:
            raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
        outs = _tensor_list(gather_list, "gather_list", pg, "gather")
        _same(outs, arr, "gather", "gather_list")
    elif gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    if pg.check_shapes:
        _agree(pg, "gather", arr)
    send = np.ascontiguousarray(arr)
    recv = np.empty((pg.size, *arr.shape), dtype=arr.dtype) if here else None
    MPI = mpi.load()

    def start(nonblocking):
        call = pg.comm.Igather if nonblocking else pg.comm.Gather
        return call([send, MPI.BYTE], [recv, MPI.BYTE] if here else None, root)

    def finish():
        if here:
            for out, piece in zip(outs, recv):
                out[...] = piece

    return _run(pg, "gather", start, finish, async_op)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Rank ``i`` receives ``scatter_list[i]`` of ``src`` into its ``tensor``."""
    pg = resolve(group)
    if pg is None:
        return None
    arr = _array(tensor)
    root = _root(pg, src, group_src, "scatter", "src")
    here = pg.rank == root
    if here:
        if not scatter_list:
            raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
        if len(scatter_list) != pg.size:
            raise RuntimeError(
                f"scatter: Incorrect input list size {len(scatter_list)}. Input list size should "
                f"be {pg.size}, same as size of the process group."
            )
        ins = _tensor_list(scatter_list, "scatter_list", pg, "scatter")
        _same(ins, arr, "scatter", "scatter_list")
        send = np.stack([np.ascontiguousarray(a) for a in ins]) if ins else None
    elif scatter_list:
        raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
    else:
        send = None
    if pg.check_shapes:
        _agree(pg, "scatter", arr)
    recv, back = _bytes(arr)
    MPI = mpi.load()

    def start(nonblocking):
        call = pg.comm.Iscatter if nonblocking else pg.comm.Scatter
        return call([send, MPI.BYTE] if here else None, [recv, MPI.BYTE], root)

    def finish():
        if back is not None:
            back()

    return _run(pg, "scatter", start, finish, async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list[i]`` over the ranks with ``op``; rank ``i`` keeps that result in
    ``output``."""
    pg = resolve(group)
    if pg is None:
        return None
    out = _array(output, "output")
    ins = _tensor_list(input_list, "input_list", pg, "reduce_scatter")
    _same(ins, out, "reduce_scatter", "input_list")
    if pg.check_shapes:
        _agree(pg, "reduce_scatter", out)
    stacked = np.stack([np.ascontiguousarray(a) for a in ins])
    return _reduce_scatter(pg, "reduce_scatter", output, out, stacked, op, async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` (``world_size`` pieces along dim 0) over the ranks; rank ``i`` keeps
    piece ``i`` of the result in ``output``."""
    pg = resolve(group)
    if pg is None:
        return None
    out = _array(output, "output")
    src = _array(input, "input")
    _check_sizes("reduce_scatter_tensor", src, out, pg.size, "input", "output")
    if pg.check_shapes:
        _agree(pg, "reduce_scatter_tensor", src)
    return _reduce_scatter(pg, "reduce_scatter_tensor", output, out, src, op, async_op)


def _reduce_scatter(pg, what, output, out, src, op, async_op):
    send, mpi_op, _ = _arith(src, op, what)
    recv, mpi_op, back = _arith(out, op, what)
    if send.dtype != recv.dtype:  # float16 and bool are staged in another dtype
        send = send.astype(recv.dtype)
    if send is src and not src.flags.c_contiguous:
        send = np.ascontiguousarray(src)

    def start(nonblocking):
        call = pg.comm.Ireduce_scatter_block if nonblocking else pg.comm.Reduce_scatter_block
        return call(send, recv, mpi_op)

    def finish():
        if op == ReduceOp.AVG:
            np.divide(recv, pg.size, out=recv)
        if back is not None:
            back(recv)

    return _run(pg, what, start, finish, async_op)


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Rank ``i`` sends ``input_tensor_list[j]`` to rank ``j``, which receives it into its
    ``output_tensor_list[i]`` (pieces may differ in size; each pair must agree)."""
    pg = resolve(group)
    if pg is None:
        return None
    ins = _tensor_list(input_tensor_list, "input_tensor_list", pg, "all_to_all")
    outs = _tensor_list(output_tensor_list, "output_tensor_list", pg, "all_to_all")
    dtypes = {a.dtype for a in ins + outs}
    if len(dtypes) > 1:
        raise RuntimeError(f"all_to_all: every tensor must have the same dtype, got "
                           f"{sorted(str(d) for d in dtypes)}")
    send = np.concatenate([np.ascontiguousarray(a).reshape(-1).view(np.uint8) for a in ins])
    send_counts = [a.nbytes for a in ins]
    recv_counts = [a.nbytes for a in outs]
    recv = np.empty(sum(recv_counts), dtype=np.uint8)

    def finish():
        at = 0
        for out, n in zip(outs, recv_counts):
            out[...] = recv[at:at + n].view(out.dtype).reshape(out.shape)
            at += n

    return _alltoallv(pg, "all_to_all", send, send_counts, recv, recv_counts, finish, async_op)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None, group=None,
                      async_op=False):
    """``all_to_all`` on one tensor each: ``input`` is split along dim 0 (evenly, or by
    ``input_split_sizes``) into one piece per rank; ``output`` receives the pieces in rank order."""
    pg = resolve(group)
    if pg is None:
        return None
    out = _array(output, "output")
    src = _array(input, "input")
    if out.dtype != src.dtype:
        raise RuntimeError(f"all_to_all_single: output and input must have the same dtype, "
                           f"got {_name(out)} and {_name(src)}")

    def counts(arr, splits, name):
        rows = arr.shape[0] if arr.ndim else 1
        row_bytes = arr.nbytes // rows if rows else 0
        if splits is None:
            if rows % pg.size:
                raise RuntimeError(f"all_to_all_single: {name} dim 0 ({rows}) must divide "
                                   f"evenly by world_size ({pg.size}); or pass {name}_split_sizes")
            splits = [rows // pg.size] * pg.size
        splits = [int(s) for s in splits]
        if len(splits) != pg.size or sum(splits) != rows:
            raise RuntimeError(f"all_to_all_single: {name}_split_sizes {splits} must have "
                               f"{pg.size} entries summing to dim 0 ({rows})")
        return [s * row_bytes for s in splits]

    send_counts = counts(src, input_split_sizes, "input")
    recv_counts = counts(out, output_split_sizes, "output")
    send = np.ascontiguousarray(src).reshape(-1).view(np.uint8)
    recv, back = _bytes(out)
    recv_bytes = recv.reshape(-1).view(np.uint8)

    def finish():
        if back is not None:
            back()

    return _alltoallv(pg, "all_to_all_single", send, send_counts, recv_bytes, recv_counts,
                      finish, async_op)


def _alltoallv(pg, what, send, send_counts, recv, recv_counts, finish, async_op):
    MPI = mpi.load()
    send_at = np.cumsum([0] + send_counts[:-1]).tolist()
    recv_at = np.cumsum([0] + recv_counts[:-1]).tolist()

    def start(nonblocking):
        call = pg.comm.Ialltoallv if nonblocking else pg.comm.Alltoallv
        return call([send, (send_counts, send_at), MPI.BYTE],
                    [recv, (recv_counts, recv_at), MPI.BYTE])

    return _run(pg, what, start, finish, async_op)


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank of the group has reached this call."""
    pg = resolve(group)
    if pg is None:
        return None

    def start(nonblocking):
        return pg.comm.Ibarrier() if nonblocking else pg.comm.Barrier()

    return _run(pg, "barrier", start, None, async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks: bool = False):
    """A barrier that raises ``RuntimeError`` in this process if some rank has not arrived
    within ``timeout`` (default: the group's)."""
    pg = resolve(group)
    if pg is None:
        return None
    work = Work(pg, "monitored_barrier", pg.comm.Ibarrier())
    work.wait(timeout)
    return None


__all__ = [
    "all_reduce", "broadcast", "reduce", "all_gather", "all_gather_into_tensor", "gather",
    "scatter", "reduce_scatter", "reduce_scatter_tensor", "all_to_all", "all_to_all_single",
    "barrier", "monitored_barrier",
]
