"""Run under mpirun: every collective, for every dtype, against a NumPy reference. Each rank's
input is a known function of its rank, so every rank can compute what all of them hold."""

import datetime

import numpy as np

import glasstorch as torch
import glasstorch.distributed as dist

dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=60))
rank, world = dist.get_rank(), dist.get_world_size()
R = dist.ReduceOp
DTYPES = [torch.float16, torch.float32, torch.float64, torch.int64, torch.int32, torch.int16,
          torch.int8, torch.uint8, torch.bool]
checks = 0


def data(r, dtype, shape=(2, 3), salt=0):
    """Rank r's input: small values, so products and sums fit every dtype."""
    n = int(np.prod(shape))
    a = (np.arange(n) * 3 + r * 5 + salt) % 4 + (1 if dtype != torch.bool else 0)
    if dtype == torch.bool:
        a = (np.arange(n) + r + salt) % 3 == 0
    return a.reshape(shape).astype(dtype.np if hasattr(dtype, "np") else None)


def as_np(dtype):
    return torch.zeros(1, dtype=dtype).numpy().dtype


def expect(got, want, what):
    global checks
    got = got.numpy() if hasattr(got, "numpy") else got
    want = np.asarray(want)
    if got.dtype != want.dtype or got.shape != want.shape or not np.allclose(
            got.astype(np.float64), want.astype(np.float64), rtol=1e-3, atol=1e-3):
        raise AssertionError(f"rank {rank} {what}: got {got!r}, want {want!r}")
    checks += 1


def inputs(dtype, shape=(2, 3), salt=0):
    return [data(r, dtype, shape, salt).astype(as_np(dtype)) for r in range(world)]


REFS = {R.SUM: lambda xs: np.sum(xs, 0), R.PRODUCT: lambda xs: np.prod(xs, 0),
        R.MIN: lambda xs: np.min(xs, 0), R.MAX: lambda xs: np.max(xs, 0),
        R.AVG: lambda xs: np.mean(xs, 0)}
BITS = {R.BAND: np.bitwise_and.reduce, R.BOR: np.bitwise_or.reduce,
        R.BXOR: np.bitwise_xor.reduce}


def reference(op, xs, dtype):
    xs = np.stack(xs)
    if dtype == torch.bool:
        table = {R.SUM: np.any, R.MAX: np.any, R.PRODUCT: np.all, R.MIN: np.all,
                 R.BOR: np.any, R.BAND: np.all, R.BXOR: lambda a, axis: np.bitwise_xor.reduce(
                     a, axis=axis)}
        return table[op](xs, axis=0)
    if op in BITS:
        return BITS[op](xs, axis=0)
    return REFS[op](xs).astype(xs.dtype)


for dtype in DTYPES:
    is_float = dtype.is_floating_point
    is_int = not is_float and dtype != torch.bool
    ops = [R.SUM, R.PRODUCT, R.MIN, R.MAX] + ([R.AVG] if is_float else []) + (
        [R.BAND, R.BOR, R.BXOR] if not is_float else [])
    xs = inputs(dtype)
    mine = lambda xs=xs: torch.from_numpy(xs[rank].copy())  # noqa: E731
    for op in ops:
        want = reference(op, xs, dtype)
        t = mine()
        dist.all_reduce(t, op)
        expect(t, want, f"all_reduce {op.name} {dtype}")
        t = mine()
        dist.all_reduce(t, op, async_op=True).wait()
        expect(t, want, f"all_reduce async {op.name} {dtype}")
        big = torch.from_numpy(np.stack([xs[rank]] * 2, 1).copy())  # strided view below
        view = big[:, 0]
        dist.all_reduce(view, op)
        expect(view, want, f"all_reduce strided {op.name} {dtype}")
        for dst in range(world):
            t = mine()
            dist.reduce(t, dst, op)
            expect(t, want if rank == dst else xs[rank], f"reduce {op.name} dst={dst} {dtype}")
        out = torch.zeros((2, 3), dtype=dtype)
        flat = [torch.from_numpy(data(r, dtype, salt=rank).astype(as_np(dtype))) for r in
                range(world)]
        if dtype != torch.float16 or op not in (R.PRODUCT,):
            dist.reduce_scatter(out, flat, op)
            ref_pieces = reference(op, [data(rank, dtype, salt=s).astype(as_np(dtype))
                                        for s in range(world)], dtype)
            expect(out, ref_pieces, f"reduce_scatter {op.name} {dtype}")
            out2 = torch.zeros((2, 3), dtype=dtype)
            dist.reduce_scatter_tensor(out2, torch.cat(flat), op)
            expect(out2, ref_pieces, f"reduce_scatter_tensor {op.name} {dtype}")
    for src in range(world):
        t = mine()
        dist.broadcast(t, src)
        expect(t, xs[src], f"broadcast src={src} {dtype}")
        t = mine()
        dist.scatter(t, [torch.from_numpy(x) for x in inputs(dtype, salt=7)] if rank == src
                     else None, src=src)
        expect(t, inputs(dtype, salt=7)[rank], f"scatter src={src} {dtype}")
        gl = [torch.zeros((2, 3), dtype=dtype) for _ in range(world)] if rank == src else None
        dist.gather(mine(), gl, dst=src)
        if rank == src:
            for r in range(world):
                expect(gl[r], xs[r], f"gather dst={src} {dtype}")
    outs = [torch.zeros((2, 3), dtype=dtype) for _ in range(world)]
    dist.all_gather(outs, mine())
    for r in range(world):
        expect(outs[r], xs[r], f"all_gather {dtype}")
    cat = torch.zeros((2 * world, 3), dtype=dtype)
    dist.all_gather_into_tensor(cat, mine())
    expect(cat, np.concatenate(xs), f"all_gather_into_tensor {dtype}")
    stacked = torch.zeros((world, 2, 3), dtype=dtype)
    dist.all_gather_into_tensor(stacked, mine(), async_op=True).wait()
    expect(stacked, np.stack(xs), f"all_gather_into_tensor stacked {dtype}")
    # all_to_all: rank i sends piece j (i + j + 1 elements) to rank j
    send = [torch.from_numpy(data(rank, dtype, (rank + j + 1,), j).astype(as_np(dtype)))
            for j in range(world)]
    recv = [torch.zeros(j + rank + 1, dtype=dtype) for j in range(world)]
    dist.all_to_all(recv, send)
    for j in range(world):
        expect(recv[j], data(j, dtype, (j + rank + 1,), rank).astype(as_np(dtype)),
               f"all_to_all from {j} {dtype}")
    single_in = torch.from_numpy(np.concatenate([data(rank, dtype, (2, 3), j)
                                                 for j in range(world)]).astype(as_np(dtype)))
    single_out = torch.zeros((2 * world, 3), dtype=dtype)
    dist.all_to_all_single(single_out, single_in)
    expect(single_out, np.concatenate([data(j, dtype, (2, 3), rank) for j in range(world)])
           .astype(as_np(dtype)), f"all_to_all_single {dtype}")
    # point to point around a ring, blocking and not
    right, left = (rank + 1) % world, (rank - 1) % world
    got = torch.zeros((2, 3), dtype=dtype)
    if rank % 2 == 0:
        dist.send(mine(), right)
        src = dist.recv(got, left)
    else:
        src = dist.recv(got)
        dist.send(mine(), right)
    expect(got, xs[left], f"send/recv {dtype}")
    assert src == left, (src, left)
    got = torch.zeros((2, 3), dtype=dtype)
    works = [dist.isend(mine(), right, tag=3), dist.irecv(got, left, tag=3)]
    for w in works:
        w.wait()
    expect(got, xs[left], f"isend/irecv {dtype}")

# a large tensor straight from its own memory, and a sub-group with a non-power-of-two size
big = torch.ones(3_000_000, dtype=torch.float32) * (rank + 1)
address = big.numpy().__array_interface__["data"][0]
dist.all_reduce(big)
assert big.numpy().__array_interface__["data"][0] == address
expect(big[:3], np.full(3, world * (world + 1) / 2, np.float32), "large all_reduce")
sub_ranks = list(range(world))[1:] if world > 2 else [0, 1]
sub = dist.new_group(sub_ranks)
t = torch.ones(4) * rank
dist.all_reduce(t, group=sub)
if rank in sub_ranks:
    expect(t, np.full(4, float(sum(sub_ranks)), np.float32), "sub-group all_reduce")
    assert dist.get_world_size(sub) == len(sub_ranks)
    assert dist.get_rank(sub) == sub_ranks.index(rank)
else:
    expect(t, np.full(4, float(rank), np.float32), "outside the sub-group")
    assert dist.get_rank(sub) == -1
t = torch.ones(2) * rank
dist.broadcast(t, src=sub_ranks[-1], group=sub)
if rank in sub_ranks:
    expect(t, np.full(2, float(sub_ranks[-1]), np.float32), "sub-group broadcast (global src)")
# objects
objs = [None] * world
dist.all_gather_object(objs, {"rank": rank, "t": torch.arange(rank + 1)})
assert [o["rank"] for o in objs] == list(range(world))
assert all(o["t"].tolist() == list(range(r + 1)) for r, o in enumerate(objs))
lst = [rank, "x"] if rank == 1 else [None, None]
dist.broadcast_object_list(lst, src=1)
assert lst == [1, "x"], lst
gathered = [None] * world if rank == 0 else None
dist.gather_object(rank * 10, gathered, dst=0)
assert rank != 0 or gathered == [r * 10 for r in range(world)]
out = [None]
dist.scatter_object_list(out, [f"to {r}" for r in range(world)] if rank == 0 else None, src=0)
assert out == [f"to {rank}"]
dist.barrier()
dist.barrier(async_op=True).wait()
assert dist.get_backend() == "gloo" and dist.is_initialized()
dist.destroy_process_group()
assert not dist.is_initialized()
dist.init_process_group("mpi")  # again, after destroy
assert dist.get_backend() == "mpi"
dist.destroy_process_group()
if rank == 0:
    print(f"ok {checks} checks on {world} ranks")
