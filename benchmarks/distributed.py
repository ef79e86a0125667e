"""glasstorch.distributed on MPI: all-reduce bandwidth, DDP speed-up and overlap.

    .venv/bin/python benchmarks/distributed.py                 # all three parts, 2 ranks
    .venv/bin/python benchmarks/distributed.py --only allreduce --rounds 7

1. **all-reduce bandwidth**: ``dist.all_reduce(t)`` on a float32 tensor against the MPI library's
   own speed, ``comm.Allreduce(MPI.IN_PLACE, array)`` of mpi4py on the same raw NumPy buffer, for
   4 KB to 64 MB; the two alternate within each round and the table shows medians over rounds.
2. **MLP epoch**: d2l's 784-256-10 MLP, one epoch over 24,000 synthetic images at a global batch of
   256: one process with batch 256 against 2 ranks of DistributedDataParallel with 128 each.
3. **overlap**: backward of a 784-1024-1024-1024-10 MLP on 2 ranks with DDP (buckets of 1 MB
   all-reduced while backward runs, waited at its end) against backward with no communication
   followed by one blocking all-reduce of every gradient (communication after computation).

Each part runs as an ``mpirun -n 2`` job of this file; the parent prints the tables.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")
SIZES = [4 << 10, 64 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20]


def _mpirun(n: int, *args: str) -> list:
    env = dict(os.environ, OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1",
               OMPI_MCA_hwloc_base_binding_policy="none",
               PYTHONPATH=os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]))
    cmd = ["mpirun", "-n", str(n), sys.executable, os.path.abspath(__file__), *args]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if out.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    return [json.loads(line[6:]) for line in out.stdout.splitlines() if line.startswith("BENCH ")]


# ---- 1. all-reduce bandwidth (inside the job) --------------------------------------------------
def child_allreduce(rounds: int) -> None:
    import numpy as np
    from mpi4py import MPI

    import glasstorch as torch
    import glasstorch.distributed as dist

    dist.init_process_group("gloo")
    comm = MPI.COMM_WORLD
    results = []
    for nbytes in SIZES:
        t = torch.ones(nbytes // 4)
        raw = np.ones(nbytes // 4, dtype=np.float32)
        reps = max(3, min(2000, (256 << 20) // nbytes // 8))
        mine, theirs = [], []
        for _ in range(rounds):
            for side in ("mpi4py", "glasstorch"):
                comm.Barrier()
                tick = time.perf_counter()
                if side == "mpi4py":
                    for _ in range(reps):
                        comm.Allreduce(MPI.IN_PLACE, raw)
                else:
                    for _ in range(reps):
                        dist.all_reduce(t)
                seconds = (time.perf_counter() - tick) / reps
                worst = comm.allreduce(seconds, MPI.MAX)  # a collective lasts as its slowest
                (theirs if side == "mpi4py" else mine).append(worst)
        results.append({"bytes": nbytes, "mpi4py": statistics.median(theirs),
                        "glasstorch": statistics.median(mine),
                        "ratios": [a / b for a, b in zip(theirs, mine)],
                        "best": min(theirs) / min(mine)})
    if dist.get_rank() == 0:
        for r in results:
            print("BENCH " + json.dumps(r))
    dist.destroy_process_group()


def child_overhead(rounds: int) -> None:
    """Per-call cost without a second process to wait for: what glasstorch adds to MPI."""
    import timeit

    import numpy as np
    from mpi4py import MPI

    import glasstorch as torch
    import glasstorch.distributed as dist

    dist.init_process_group("gloo")
    t = torch.ones(1024)
    raw = np.ones(1024, dtype=np.float32)
    comm = MPI.COMM_WORLD.Dup()
    number = 20000
    ours = min(timeit.repeat(lambda: dist.all_reduce(t), number=number, repeat=rounds)) / number
    theirs = min(timeit.repeat(lambda: comm.Allreduce(MPI.IN_PLACE, raw), number=number,
                               repeat=rounds)) / number
    print("BENCH " + json.dumps({"raw": theirs, "ours": ours}))
    dist.destroy_process_group()


# ---- 2. MLP epoch -------------------------------------------------------------------------------
def child_mlp(rounds: int) -> None:
    import numpy as np

    import glasstorch as torch
    import glasstorch.distributed as dist
    from glasstorch import nn
    from glasstorch.nn.parallel import DistributedDataParallel
    from glasstorch.utils.data import DataLoader, DistributedSampler, TensorDataset

    dist.init_process_group("gloo")
    world, rank = dist.get_world_size(), dist.get_rank()
    gen = np.random.default_rng(0)
    X = torch.tensor(gen.random((24000, 784), dtype=np.float32))
    y = torch.tensor(gen.integers(0, 10, 24000))
    data = TensorDataset(X, y)
    times = []
    for _ in range(rounds):
        torch.manual_seed(0)
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
        model = DistributedDataParallel(net) if world > 1 else net
        sampler = DistributedSampler(data, seed=0) if world > 1 else None
        loader = DataLoader(data, batch_size=256 // world, shuffle=sampler is None,
                            sampler=sampler)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        loss_fn = nn.CrossEntropyLoss()
        dist.barrier()
        tick = time.perf_counter()
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        dist.barrier()
        times.append(time.perf_counter() - tick)
    if rank == 0:
        print("BENCH " + json.dumps({"world": world, "seconds": times}))
    dist.destroy_process_group()


# ---- 3. overlap ---------------------------------------------------------------------------------
def child_overlap(rounds: int) -> None:
    import numpy as np

    import glasstorch as torch
    import glasstorch.distributed as dist
    from glasstorch import nn
    from glasstorch.nn.parallel import DistributedDataParallel

    dist.init_process_group("gloo")
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                        nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))
    ddp = DistributedDataParallel(net, bucket_cap_mb=1)
    params = list(net.parameters())
    gen = np.random.default_rng(0)
    X = torch.tensor(gen.random((256, 784), dtype=np.float32))
    y = torch.tensor(gen.integers(0, 10, 256))
    loss_fn = nn.CrossEntropyLoss()
    overlapped, sequential, compute, waits, comm_after = [], [], [], [], []
    for _ in range(rounds * 4):
        for mode in ("ddp", "sequential"):
            for p in params:
                p.grad = None
            loss = loss_fn(ddp(X), y)
            dist.barrier()
            tick = time.perf_counter()
            if mode == "ddp":
                before = ddp.comm_seconds
                loss.backward()
                total = time.perf_counter() - tick
                overlapped.append(total)
                waits.append(ddp.comm_seconds - before)
            else:
                with ddp.no_sync():
                    loss.backward()
                mid = time.perf_counter()
                flat = torch.cat([p.grad.reshape(-1) for p in params])
                dist.all_reduce(flat)
                flat /= dist.get_world_size()
                end = time.perf_counter()
                sequential.append(end - tick)
                compute.append(mid - tick)
                comm_after.append(end - mid)
    if dist.get_rank() == 0:
        print("BENCH " + json.dumps({
            "grad_mb": sum(p.numel() for p in params) * 4 / 2**20, "buckets": len(ddp._buckets),
            "overlapped": statistics.median(overlapped),
            "sequential": statistics.median(sequential), "compute": statistics.median(compute),
            "comm_after": statistics.median(comm_after), "wait_at_end": statistics.median(waits),
        }))
    dist.destroy_process_group()


# ---- the parent: run the jobs, print the tables ----------------------------------------------
def _size(n: int) -> str:
    return f"{n >> 20} MB" if n >= 1 << 20 else f"{n >> 10} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", nargs="*", default=["allreduce", "mlp", "overlap"])
    args = parser.parse_args()
    import platform

    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; 2 ranks on one machine "
          "(Open MPI, shared memory)\n")
    if "allreduce" in args.only:
        rows = _mpirun(2, "--child", "allreduce", str(args.rounds))
        print("| size | mpi4py raw (µs) | glasstorch (µs) | glasstorch GB/s | ratio, median "
              "of rounds (≥ 1: as fast) | ratio of the best rounds |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {_size(r['bytes'])} | {r['mpi4py'] * 1e6:.1f} | {r['glasstorch'] * 1e6:.1f}"
                  f" | {r['bytes'] / r['glasstorch'] / 1e9:.2f} | "
                  f"{statistics.median(r['ratios']):.2f} | {r['best']:.2f} |")
        print()
        over = _mpirun(1, "--child", "overhead", str(args.rounds))[0]
        print("| one rank (no waiting on another process): µs per call, best of rounds | "
              "mpi4py raw | glasstorch | glasstorch's own cost |")
        print("|---|---|---|---|")
        print(f"| all_reduce of 4 KB | {over['raw'] * 1e6:.2f} | {over['ours'] * 1e6:.2f} | "
              f"{(over['ours'] - over['raw']) * 1e6:.2f} |\n")
    if "mlp" in args.only:
        one, two = [], []
        for _ in range(max(1, args.rounds // 2)):  # alternate the two configurations
            one += _mpirun(1, "--child", "mlp", "2")[0]["seconds"][1:]
            two += _mpirun(2, "--child", "mlp", "2")[0]["seconds"][1:]
        a, b = statistics.median(one), statistics.median(two)
        print("| MLP epoch (24,000 images, global batch 256) | seconds (median) |")
        print("|---|---|")
        print(f"| 1 process, batch 256 | {a:.2f} |")
        print(f"| 2 ranks (DDP), batch 128 each | {b:.2f} |")
        print(f"| speed-up | {a / b:.2f}× |\n")
    if "overlap" in args.only:
        r = _mpirun(2, "--child", "overlap", str(args.rounds))[0]
        print(f"| backward of a {r['grad_mb']:.1f} MB-gradient MLP, 2 ranks | ms (median) |")
        print("|---|---|")
        print(f"| backward alone (no_sync, no communication) | {r['compute'] * 1e3:.1f} |")
        print(f"| + one blocking all-reduce after it | {r['comm_after'] * 1e3:.1f} |")
        print(f"| = communication after computation | {r['sequential'] * 1e3:.1f} |")
        print(f"| DDP: {r['buckets']} buckets all-reduced during backward | "
              f"{r['overlapped'] * 1e3:.1f} |")
        print(f"| of which waiting for buckets at the end | {r['wait_at_end'] * 1e3:.1f} |")
        print(f"| communication hidden behind backward | "
              f"{(r['sequential'] - r['overlapped']) * 1e3:.1f} |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        {"allreduce": child_allreduce, "overhead": child_overhead, "mlp": child_mlp,
         "overlap": child_overlap}[sys.argv[2]](int(sys.argv[3]))
    else:
        main()
