"""The op catalogue (``tests/catalogue``) on the CUDA device: every op's forward values, dtypes
and shapes, and its gradients, equal the CPU's (which the main suite checks against PyTorch)."""

from __future__ import annotations

import numpy as np
import pytest

import glasstorch as gt
from catalogue import all_specs, grad_indices, spec_arrays

OPS, _ = all_specs()

# What torch itself gives on the CPU even when the default device is cuda: the legacy typed
# constructors (``torch.FloatTensor([...])``, ``torch.Tensor(...)``), an explicit ``to('cpu')``,
# and ``type('torch.IntTensor')`` (a CPU type name).
_LEGACY = ("Tensor/", "FloatTensor/", "DoubleTensor/", "LongTensor/", "IntTensor/", "BoolTensor/",
           "ByteTensor/")
_STAYS_ON_CPU = {"to/device-dtype", "to/kwargs", "type/string"}
# ``x.type()`` names the device: 'torch.cuda.FloatTensor' where the CPU says 'torch.FloatTensor'.
_TYPE_NAMES = {"type/name", "type/int-name"}


def _expected_device(spec) -> str:
    return "cpu" if spec.name in _STAYS_ON_CPU or spec.name.startswith(_LEGACY) else "cuda"


def _run(spec, arrays, device):
    """``spec.fn`` on ``device`` (factories inside it too); the inputs, the outputs that require
    grad, and every output."""
    idx = grad_indices(spec, arrays)
    gt.set_default_device(device)
    try:
        inputs = [gt.tensor(a.copy(), requires_grad=i in idx) for i, a in enumerate(arrays)]
        out = spec.fn(gt, *inputs)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        rng = np.random.default_rng(1)
        for o in outs:
            if isinstance(o, gt.Tensor) and o.requires_grad:
                g = rng.uniform(-1, 1, size=tuple(o.shape)).astype(str(o.dtype)[6:])
                o.backward(gt.tensor(g, device=o.device), retain_graph=True)
    finally:
        gt.set_default_device(None)
    return inputs, outs


def _same(cuda, cpu, spec, what, device="cuda"):
    if isinstance(cpu, gt.Tensor):
        assert isinstance(cuda, gt.Tensor), f"{spec.name} {what}: not a tensor"
        assert cuda.device.type == device, f"{spec.name} {what}: on {cuda.device}"
        assert cuda.shape == cpu.shape and cuda.dtype == cpu.dtype, (
            f"{spec.name} {what}: {cuda.dtype}{tuple(cuda.shape)} vs {cpu.dtype}{tuple(cpu.shape)}")
        a, b = cuda.detach().cpu().numpy(), cpu.detach().numpy()
        if a.dtype.kind in "fc":
            tol = 1e-3 if a.dtype == np.float16 else 1e-5
            np.testing.assert_allclose(a, b, rtol=spec.rtol or tol, atol=spec.atol or 1e-6,
                                       equal_nan=True, err_msg=f"{spec.name} {what}")
        else:
            np.testing.assert_array_equal(a, b, err_msg=f"{spec.name} {what}")
    elif isinstance(cpu, (tuple, list)):
        assert len(cuda) == len(cpu), f"{spec.name} {what}"
        for i, (x, y) in enumerate(zip(cuda, cpu)):
            _same(x, y, spec, f"{what}[{i}]", device)
    elif spec.name in _TYPE_NAMES:
        assert cuda == cpu.replace("torch.", "torch.cuda."), f"{spec.name}: {cuda!r}"
    else:
        assert cuda == cpu or (cuda != cuda and cpu != cpu), f"{spec.name} {what}"


@pytest.mark.parametrize("spec", OPS, ids=[s.name for s in OPS])
def test_op_on_cuda_matches_cpu(spec):
    arrays = spec_arrays(spec)
    cpu_in, cpu_out = _run(spec, arrays, None)
    cuda_in, cuda_out = _run(spec, arrays, "cuda")
    _same(cuda_out, cpu_out, spec, "output", _expected_device(spec))
    for i, (x, y) in enumerate(zip(cuda_in, cpu_in)):
        assert (x.grad is None) == (y.grad is None), f"{spec.name}: grad of input {i}"
        if y.grad is not None:
            _same(x.grad, y.grad, spec, f"grad of input {i}")
