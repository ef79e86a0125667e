"""Run under mpirun: N ranks with DDP and batch B/N each must end where one process with batch B
ends. Prints one line "ok ..." from rank 0, or raises."""

import sys

import numpy as np

import glasstorch as torch
import glasstorch.distributed as dist
from glasstorch import nn
from glasstorch.nn.parallel import DistributedDataParallel as DDP

dtype = {"float64": torch.float64, "float32": torch.float32}[sys.argv[1]]
steps, batch = 20, 24
tol = 1e-10 if dtype == torch.float64 else 1e-5

dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()


def make():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(),
                         nn.Linear(16, 3)).to(dtype)


gen = np.random.default_rng(1)
X = torch.tensor(gen.standard_normal((steps, batch, 5)), dtype=dtype)
Y = torch.tensor(gen.standard_normal((steps, batch, 3)), dtype=dtype)

torch.manual_seed(100 + rank)  # different on every rank: DDP must broadcast rank 0's weights
local = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(),
                      nn.Linear(16, 3)).to(dtype)
for p, q in zip(local.parameters(), make().parameters()):
    if rank == 0:
        p.data.copy_(q.data)
model = DDP(local, bucket_cap_mb=0.001)  # tiny buckets: several all-reduces in flight
assert len(model._buckets) > 1
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
share = batch // world
for s in range(steps):
    xs = X[s, rank * share:(rank + 1) * share]
    ys = Y[s, rank * share:(rank + 1) * share]
    opt.zero_grad()
    nn.functional.mse_loss(model(xs), ys).backward()
    opt.step()

single = make()
opt1 = torch.optim.SGD(single.parameters(), lr=0.05, momentum=0.9)
for s in range(steps):
    opt1.zero_grad()
    nn.functional.mse_loss(single(X[s]), Y[s]).backward()
    opt1.step()

mine = np.concatenate([p.detach().numpy().ravel() for p in model.module.parameters()])
ref = np.concatenate([p.detach().numpy().ravel() for p in single.parameters()])
diff_single = float(np.abs(mine - ref).max())
everyone = [None] * world
dist.all_gather_object(everyone, mine)
diff_ranks = max(float(np.abs(e - mine).max()) for e in everyone)
if diff_single > tol or diff_ranks > tol:
    raise AssertionError(f"rank {rank}: {diff_single=} {diff_ranks=} (tolerance {tol})")
# the state dict: torch's "module." keys; the wrapped module's own loads into a plain model
assert all(k.startswith("module.") for k in model.state_dict())
plain = make()
plain.load_state_dict(model.module.state_dict())
assert all((a == b).all() for a, b in zip(plain.parameters(), model.module.parameters()))
if rank == 0:
    print(f"ok {sys.argv[1]} world {world}: max diff vs one process {diff_single:.2e}, "
          f"between ranks {diff_ranks:.2e}")
dist.destroy_process_group()
