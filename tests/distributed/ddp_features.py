"""Run under mpirun (2 or 3 ranks): no_sync accumulation, unused parameters, buffers, the
unused-parameter error, and the module/state-dict surface of DistributedDataParallel."""

import numpy as np

import glasstorch as torch
import glasstorch.distributed as dist
from glasstorch import nn
from glasstorch.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
gen = np.random.default_rng(5)
X = torch.tensor(gen.standard_normal((4 * world, 3)))
Y = torch.tensor(gen.standard_normal((4 * world, 2)))


def net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()


# no_sync: two local micro-batches accumulate, the third backward averages all of it
ddp = DDP(net())
mine = [slice((3 * rank + k) * X.shape[0] // (3 * world), (3 * rank + k + 1) * X.shape[0]
              // (3 * world)) for k in range(3)]
with ddp.no_sync():
    for k in range(2):
        nn.functional.mse_loss(ddp(X[mine[k]]), Y[mine[k]], reduction="sum").backward()
nn.functional.mse_loss(ddp(X[mine[2]]), Y[mine[2]], reduction="sum").backward()
single = net()
nn.functional.mse_loss(single(X), Y, reduction="sum").backward()
for p, q in zip(ddp.module.parameters(), single.parameters()):
    assert np.allclose(p.grad.numpy() * world, q.grad.numpy(), atol=1e-12), "no_sync"


# find_unused_parameters: rank 0 skips the extra layer, no rank uses the dead one
class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.body = nn.Linear(3, 2).double()
        self.extra = nn.Linear(2, 2).double()
        self.dead = nn.Linear(2, 2).double()

    def forward(self, x, use_extra):
        y = self.body(x)
        return self.extra(y) if use_extra else y


model = DDP(Branchy(), find_unused_parameters=True)
model(X[:2], use_extra=rank != 0).sum().backward()
assert model.module.dead.weight.grad is None  # unused everywhere: left alone
every = [None] * world
dist.all_gather_object(every, model.module.extra.weight.grad.numpy())
assert all(np.array_equal(every[0], e) for e in every), "averaged on every rank"
manual = Branchy()
out = [manual(X[:2], use_extra=r != 0).sum() for r in range(world)]
sum(out).backward()
assert np.allclose(model.module.extra.weight.grad.numpy(), manual.extra.weight.grad.numpy() /
                   world, atol=1e-12)

# without find_unused_parameters, a parameter without a gradient is reported at the next forward
strict = DDP(Branchy())
strict(X[:2], use_extra=True).sum().backward()
try:
    strict(X[:2], use_extra=True)
except RuntimeError as e:
    assert "find_unused_parameters=True" in str(e) and "dead.weight" in str(e), e
else:
    raise AssertionError("expected the unused-parameter error")

# buffers and parameters come from rank 0; .module, repr and state dict as torch
torch.manual_seed(rank)
bn = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
bn[1].running_mean.fill_(float(rank))
wrapped = DDP(bn)
assert wrapped.module is bn
assert float(bn[1].running_mean.sum()) == 0.0
keys = list(wrapped.state_dict())
assert keys[0] == "module.0.weight", keys
plain = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
plain.load_state_dict(wrapped.module.state_dict())
try:
    DDP(nn.ReLU())
except RuntimeError as e:
    assert "doesn't have any parameter" in str(e)

# two dtypes (one bucket each) and gradients as views into the buckets
class Mixed(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.a = nn.Linear(3, 3).double()
        self.b = nn.Linear(3, 2)

    def forward(self, x):
        return self.b(self.a(x).float())


mixed = DDP(Mixed(), gradient_as_bucket_view=True)
assert sorted(str(b.data.dtype) for b in mixed._buckets) == ["float32", "float64"]
share = slice(rank * 4, (rank + 1) * 4)
mixed(X[share]).sum().backward()
ref = Mixed()
sum(ref(X[r * 4:(r + 1) * 4]).sum() for r in range(world)).backward()
for p, q in zip(mixed.module.parameters(), ref.parameters()):
    assert p.grad.dtype == p.dtype
    assert np.allclose(p.grad.numpy(), q.grad.numpy() / world, atol=1e-6), (p.grad, q.grad)
if rank == 0:
    print("ok ddp features")
dist.destroy_process_group()
