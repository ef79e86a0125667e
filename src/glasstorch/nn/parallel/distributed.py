"""``DistributedDataParallel`` (DDP): data parallelism over the processes of a job.

Every process holds the same model and trains it on its own share of each batch. DDP keeps the
copies identical:

1. at construction, rank 0's parameters and buffers are broadcast to every rank;
2. during ``backward``, each parameter's gradient is copied into a **bucket** (a flat array of
   about ``bucket_cap_mb`` megabytes; parameters in reverse order, the order their gradients
   arrive) the moment it is computed; a full bucket starts a **non-blocking all-reduce** at once,
   so the communication runs while backward computes the earlier layers' gradients;
3. when backward ends (an engine callback), DDP waits for the buckets and writes each averaged
   gradient into ``param.grad``. Every rank's optimizer then makes the same step.

So N processes with batch B/N each end each step exactly where one process with batch B would
(up to floating-point rounding). ``no_sync()`` skips step 2 for gradient accumulation;
``find_unused_parameters=True`` handles a forward that leaves some parameters out.

On a GPU (``DistributedDataParallel(model.cuda(), device_ids=[i])``) the buckets stay in host
memory: each gradient is copied to its bucket on the host, MPI averages the buckets there, and the
averages are copied back to the parameters' GPU (MPI here is not assumed to be CUDA-aware). With
``device_ids``, the inputs of ``forward`` are moved to that GPU first, as torch does.
"""

from __future__ import annotations

import contextlib
import time

import numpy as np

from ... import _array, _device
from ... import distributed as dist
from ..._tensor import Tensor, _wrap
from ...autograd import engine
from ...autograd.graph import AccumulateGrad, edge
from ...distributed import mpi
from ...distributed.process_group import resolve
from ..modules.module import Module

_UNUSED = (
    "Expected to have finished reduction in the prior iteration before starting a new one. This "
    "error indicates that your module has parameters that were not used in producing loss. You "
    "can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `glasstorch.nn.parallel.DistributedDataParallel`, and by "
    "making sure all `forward` function outputs participate in calculating loss. Parameters "
    "that did not receive a gradient on rank {rank}: {names}"
)


class _Bucket:
    """A flat array holding the gradients of some parameters, all-reduced as one message."""

    def __init__(self, entries: list, dtype):
        self.entries = entries  # (index into DDP's parameter list, offset, numel, shape)
        self.data = np.zeros(sum(e[2] for e in entries), dtype=dtype)
        self.pending = len(entries)
        self.request = None


class DistributedDataParallel(Module):
    """Wrap ``module`` so that its gradients are averaged over every rank of the process group.

    Args:
        module: the model (the same architecture on every rank); reachable as ``.module``.
        process_group: the group to average over (default: the default group).
        bucket_cap_mb: the size of a gradient bucket in megabytes (default 25; the first one
            holds 1 MB, so communication starts early).
        find_unused_parameters: set when some parameters may get no gradient in a step; they
            then count as zero on that rank (and keep ``grad`` None if no rank used them).
        broadcast_buffers: send rank 0's buffers (BatchNorm statistics) to all ranks before each
            forward (default True).
        gradient_as_bucket_view: let each ``param.grad`` be a view into its bucket.

    Shape: whatever ``module`` takes and returns; each rank passes its own share of the batch.
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool = True, init_sync: bool = True, process_group=None,
                 bucket_cap_mb: float | None = None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False, delay_all_reduce_named_params=None,
                 param_to_hook_all_reduce=None, mixed_precision=None, device_mesh=None):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an nn.Module, got "
                            f"{type(module).__name__}")
        pg = resolve(process_group)
        if pg is None:
            raise ValueError("DistributedDataParallel: this rank is not in process_group")
        self.device_ids, self.output_device = _device_ids(module, device_ids, output_device)
        self.module = module
        self.process_group = pg
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module doesn't have any parameter "
                "that requires a gradient."
            )
        self._names = [n for n, _ in named]
        self._params = [p for _, p in named]
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 2**20)
        if init_sync:
            self._broadcast_coalesced([*module.parameters(), *module.buffers()])
        self._buckets, self._where = self._make_buckets()
        self._handles = [p.register_hook(self._hook_for(i)) for i, p in enumerate(self._params)]
        self._ready = np.zeros(len(self._params), dtype=bool)
        self._used = np.ones(len(self._params), dtype=np.uint8)
        self._next = 0  # buckets start in order: MPI needs every rank to start them alike
        self._armed = False  # a backward of this iteration has started filling the buckets
        self.comm_seconds = 0.0  # time spent waiting for all-reduces after backward (measured)

    # ---- construction -----------------------------------------------------------------------
    def _broadcast_coalesced(self, tensors: list) -> None:
        """Broadcast rank 0's values of ``tensors`` to all ranks: one message per dtype."""
        by_dtype: dict = {}
        for t in tensors:
            by_dtype.setdefault(t._data.dtype, []).append(t)
        for ts in by_dtype.values():
            # on the host: a GPU tensor's values are copied there and back
            flat = np.concatenate([_array.to_host(t._data).reshape(-1) for t in ts])
            holder = _wrap(flat)
            dist.broadcast(holder, src=self.process_group.global_ranks[0],
                           group=self.process_group)
            at = 0
            for t in ts:
                n = t._data.size
                t._data[...] = _array.like(t._data, flat[at:at + n].reshape(t._data.shape))
                at += n

    def _make_buckets(self):
        """Parameters in reverse order, cut into buckets (1 MB first, then ``bucket_cap_mb``),
        one dtype per bucket; ``where[i]`` = (bucket, entry) of parameter ``i``."""
        buckets, where = [], [None] * len(self._params)
        open_: dict = {}  # dtype -> (entries, bytes so far)
        cap = min(2**20, self.bucket_bytes_cap)

        def close(dtype):
            entries, _ = open_.pop(dtype)
            b = _Bucket(entries, dtype)
            for k, e in enumerate(entries):
                where[e[0]] = (len(buckets), k)
            buckets.append(b)

        for i in reversed(range(len(self._params))):
            arr = self._params[i]._data
            entries, used = open_.get(arr.dtype, ([], 0))
            offset = sum(e[2] for e in entries)
            entries.append((i, offset, arr.size, arr.shape))
            open_[arr.dtype] = (entries, used + arr.nbytes)
            if used + arr.nbytes >= cap:
                close(arr.dtype)
                cap = self.bucket_bytes_cap
        for dtype in list(open_):
            close(dtype)
        return buckets, where

    # ---- forward ----------------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        if self._armed:
            self._finish_or_fail()
        if self.broadcast_buffers and self.require_forward_param_sync:
            buffers = list(self.module.buffers())
            if buffers and self.process_group.size > 1:
                self._broadcast_coalesced(buffers)
        if self.device_ids:
            where = _device.device("cuda", self.device_ids[0])
            inputs, kwargs = _moved(inputs, where), _moved(kwargs, where)
        out = self.module(*inputs, **kwargs)
        if self.require_backward_grad_sync:
            self._prepare(out)
        return out

    def _prepare(self, out) -> None:
        """Reset the buckets for this iteration; with ``find_unused_parameters``, mark the
        parameters this forward did not use as ready (zero gradient) right away."""
        self._ready[:] = False
        self._next = 0
        for b in self._buckets:
            b.pending = len(b.entries)
            b.request = None
        self._used[:] = 1
        if not self.find_unused_parameters:
            return
        reached = _leaves_reached(out)
        for i, p in enumerate(self._params):
            if id(p) not in reached:
                self._used[i] = 0
                self._fill(i, None)

    # ---- backward: hooks fill buckets, full buckets start their all-reduce ----------------------
    def _hook_for(self, i: int):
        def hook(grad):
            if self.require_backward_grad_sync:
                self._fill(i, grad)
            return None

        return hook

    def _fill(self, i: int, grad) -> None:
        """Parameter ``i``'s gradient is known: put ``.grad + grad`` (what ``.grad`` will hold
        once backward has accumulated it) into its bucket; start the bucket when it is full."""
        if self._ready[i]:
            raise RuntimeError(
                f"Expected to mark a variable ready only once. Parameter {self._names[i]} got a "
                "gradient twice in one iteration (a second backward through the same forward, or "
                "a parameter shared between two wrapped models): call forward again before each "
                "backward, or use no_sync() for all but the last backward"
            )
        self._ready[i] = True
        if not self._armed:
            self._armed = True
            engine.queue_callback(self._finalize)
        b_index, k = self._where[i]
        bucket = self._buckets[b_index]
        _, offset, numel, shape = bucket.entries[k]
        piece = bucket.data[offset:offset + numel].reshape(shape)
        old = self._params[i]._grad
        host = _array.to_host  # the buckets live on the host (a GPU gradient is copied there)
        if grad is None:
            if old is None:
                piece[...] = 0
            else:
                piece[...] = host(old._data)
        elif old is None:
            np.copyto(piece, host(grad._data), casting="unsafe")
        elif _array.on_host(grad._data):
            np.add(old._data, grad._data, out=piece, casting="unsafe")
        else:
            np.copyto(piece, host(old._data + grad._data), casting="unsafe")
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch_ready()
        else:
            self._progress()

    def _launch_ready(self) -> None:
        MPI = mpi.load()
        comm = self.process_group.comm
        while self._next < len(self._buckets) and self._buckets[self._next].pending == 0:
            bucket = self._buckets[self._next]
            bucket.request = comm.Iallreduce(MPI.IN_PLACE, bucket.data, MPI.SUM)
            self._next += 1

    def _progress(self) -> None:
        """Let MPI move the started all-reduces on (it progresses only when called)."""
        requests = [b.request for b in self._buckets[: self._next] if b.request is not None]
        if requests:
            mpi.load().Request.Testall(requests)

    # ---- end of backward: wait, average, write .grad ---------------------------------------------
    def _finalize(self) -> None:
        if not self._armed:
            return
        if not self._ready.all():
            if not self.find_unused_parameters:
                return  # reported at the next forward, as torch does
        self._armed = False
        tick = time.perf_counter()
        pg = self.process_group
        works = [dist.Work(pg, "DistributedDataParallel gradient all_reduce", b.request)
                 for b in self._buckets if b.request is not None]
        used = self._used
        if self.find_unused_parameters:
            used = used.copy()
            works.append(dist.Work(pg, "DistributedDataParallel unused-parameter all_reduce",
                                   pg.comm.Iallreduce(mpi.load().IN_PLACE, used,
                                                      mpi.load().MAX)))
        for w in works:
            w.wait()
        size = pg.size
        for bucket in self._buckets:
            if size > 1:
                np.divide(bucket.data, size, out=bucket.data)
            for i, offset, numel, shape in bucket.entries:
                if not used[i]:
                    continue  # no rank used it: .grad stays as it is
                p = self._params[i]
                piece = bucket.data[offset:offset + numel].reshape(shape)
                if not _array.on_host(p._data):  # back to the parameter's GPU: a copy
                    piece = _array.like(p._data, piece)
                    if p._grad is None or self.gradient_as_bucket_view:
                        p._grad = _wrap(piece)
                    else:
                        p._grad._data[...] = piece
                        p._grad._vc[0] += 1
                elif self.gradient_as_bucket_view:
                    p._grad = _wrap(piece)
                elif p._grad is None:
                    p._grad = _wrap(piece.copy())
                else:
                    p._grad._data[...] = piece
                    p._grad._vc[0] += 1
        self.comm_seconds += time.perf_counter() - tick

    def _finish_or_fail(self) -> None:
        missing = [self._names[i] for i in np.flatnonzero(~self._ready)]
        self._armed = False
        if missing:
            raise RuntimeError(_UNUSED.format(rank=self.process_group.rank,
                                              names=", ".join(missing)))

    # ---- the rest of torch's surface ------------------------------------------------------
    @contextlib.contextmanager
    def no_sync(self):
        """Inside this block, backward only accumulates local gradients (no communication); the
        first backward after it averages everything accumulated."""
        before = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = before

    def state_dict(self, *args, **kwargs):
        """As torch: the keys carry the ``module.`` prefix; ``ddp.module.state_dict()`` is the
        plain model's (what to save to load into a model without DDP)."""
        return super().state_dict(*args, **kwargs)

    def extra_repr(self) -> str:
        return ""


def _device_ids(module: Module, device_ids, output_device):
    """``(device_ids, output_device)`` as torch keeps them: GPU numbers for a module on one
    GPU, ``(None, None)`` otherwise; torch's error for ids given with a CPU or multi-device
    module."""
    devices = {p.device for p in module.parameters()}
    on_one_gpu = len(devices) == 1 and next(iter(devices)).type == "cuda"
    if not device_ids or not on_one_gpu:
        if device_ids or output_device:
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with "
                "single-device/multiple-device GPU modules or CPU modules, but got device_ids "
                f"{device_ids}, output_device {output_device}, and module parameters {devices}.")
        return None, None

    def index(d) -> int:
        return d if isinstance(d, int) else _device.gpu_index(d)

    ids = [index(d) for d in device_ids]
    return ids, index(ids[0] if output_device is None else output_device)


def _moved(obj, where):
    """``obj`` (the inputs: tensors in tuples, lists, dicts) with its tensors on ``where``."""
    if isinstance(obj, Tensor):
        return obj.to(where)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(_moved(v, where) for v in obj))
    if isinstance(obj, (tuple, list)):
        return type(obj)(_moved(v, where) for v in obj)
    if isinstance(obj, dict):
        return {k: _moved(v, where) for k, v in obj.items()}
    return obj


def _leaves_reached(out) -> set:
    """Ids of the leaf tensors (parameters) whose gradients ``out``'s graph leads to."""
    stack, seen, leaves = [], set(), set()

    def visit(x):
        if hasattr(x, "_grad_fn"):
            fn = edge(x)[0]
            if fn is not None:
                stack.append(fn)
        elif isinstance(x, (list, tuple)):
            for y in x:
                visit(y)
        elif isinstance(x, dict):
            for y in x.values():
                visit(y)

    visit(out)
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        if type(fn) is AccumulateGrad:
            leaf = fn.variable
            if leaf is not None:
                leaves.add(id(leaf))
            continue
        for nxt, _ in fn.next_functions:
            if nxt is not None and nxt not in seen:
                stack.append(nxt)
    return leaves


__all__ = ["DistributedDataParallel"]
