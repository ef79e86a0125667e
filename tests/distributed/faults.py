"""Run under mpirun with one fault named by argv[1]; test_distributed.py checks how the job ends.
argv[2] is a marker the test uses to find processes left running."""

import datetime
import sys
import time

import glasstorch as torch
import glasstorch.distributed as dist

fault = sys.argv[1]
if fault == "wrong_world_size":
    dist.init_process_group("gloo", world_size=3)
if fault == "wrong_rank_env":
    import os

    os.environ["RANK"] = "7"
    dist.init_process_group("gloo")
if fault in ("mismatch_default_timeout", "one_call_more"):
    # torch's default timeout (30 minutes): the watchdogs must find the mismatch by themselves
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    if fault == "mismatch_default_timeout":
        dist.all_reduce(torch.ones(4000 * (rank + 1)))
    elif rank == 1:
        dist.all_reduce(torch.ones(4000))  # rank 0 never makes this call
    sys.exit(0)
dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=2))
rank = dist.get_rank()
t = torch.ones(4)

if fault == "raise":
    dist.all_reduce(t)
    if rank == 1:
        raise ValueError("boom on purpose")
    dist.all_reduce(t)  # rank 0 waits here for a rank that is gone
elif fault == "timeout":
    if rank == 1:
        time.sleep(60)  # never joins: rank 0's all_reduce must time out
    dist.all_reduce(t)
elif fault == "async_timeout":
    if rank == 1:
        time.sleep(2.0)  # late, not gone: rank 0's first wait times out, a second succeeds
    work = dist.all_reduce(t, async_op=True)
    if rank == 0:
        try:
            work.wait(timeout=datetime.timedelta(seconds=0.3))
        except RuntimeError as e:
            print(f"caught: {e}", flush=True)  # one write: ranks share the stream
    work.wait()
    print("sum", t.tolist(), flush=True)
elif fault == "double_init":
    try:
        dist.init_process_group("gloo")
    except ValueError as e:
        print(f"caught: {e}", flush=True)  # one write: ranks share the stream
elif fault == "shape_mismatch":
    dist.all_reduce(torch.ones(4 * 1000 * (rank + 1)))
elif fault == "dtype_mismatch_detail":
    dist.all_reduce(torch.ones(4, dtype=torch.float32 if rank == 0 else torch.float64))
elif fault == "list_length":
    try:
        dist.all_gather([torch.ones(4)], t)
    except RuntimeError as e:
        print(f"caught: {e}", flush=True)  # one write: ranks share the stream
    try:
        dist.broadcast(t, src=5)
    except RuntimeError as e:
        print(f"caught: {e}", flush=True)  # one write: ranks share the stream
    try:
        dist.send(t, dst=rank)
    except ValueError as e:
        print(f"caught: {e}", flush=True)  # one write: ranks share the stream
dist.destroy_process_group()
