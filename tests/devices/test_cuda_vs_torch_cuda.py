"""The op catalogue (``tests/catalogue``) on a real GPU: glasstorch on ``cuda`` (CuPy) against
PyTorch on ``cuda``, forward values, dtypes, shapes and devices, and the gradients.

It runs only where the real PyTorch is installed with a GPU it can use (``scripts/gpu_check.sh``
on the GPU machine); anywhere else, including on the double of CuPy, it skips. The other tests
of ``tests/devices`` compare glasstorch's cuda with glasstorch's CPU; this one checks the GPU
results against the reference implementation of the same GPU.

Tolerances: two GPU libraries compute in different orders (cuBLAS algorithms, reduction trees,
their own ``exp``/``log``), so float32 results agree to about 1e-5 relative, not bit for bit;
an entry's own ``rtol``/``atol`` is kept when it is looser. TF32 is turned off on the torch side
(cuDNN allows it by default for convolutions), as CuPy does not use it.
"""

from __future__ import annotations

import numpy as np
import pytest

import glasstorch as gt
from catalogue import all_specs, grad_indices, spec_arrays

try:
    import torch
except ImportError:
    torch = None

if torch is None or not torch.cuda.is_available():
    pytest.skip("needs the real PyTorch with a CUDA GPU (the oracle of the GPU)",
                allow_module_level=True)

torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False

OPS, _ = all_specs()
TOLERANCES = {"float16": (1e-2, 1e-3), "bfloat16": (2e-2, 1e-2), "float32": (1e-5, 1e-5),
              "float64": (1e-7, 1e-7), "complex64": (1e-5, 1e-5), "complex128": (1e-7, 1e-7)}


def _run(lib, spec, arrays):
    """``spec.fn`` with ``lib`` on cuda (factories inside it too): the inputs and the outputs,
    after a backward pass of the same random gradient through every output that needs one."""
    idx = grad_indices(spec, arrays)
    lib.set_default_device("cuda")
    try:
        inputs = []
        for i, a in enumerate(arrays):
            t = lib.tensor(a.copy(), device="cuda")
            if i in idx:
                t.requires_grad_(True)
            inputs.append(t)
        out = spec.fn(lib, *inputs)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        rng = np.random.default_rng(1)
        for o in outs:
            if isinstance(o, lib.Tensor) and o.requires_grad:
                g = rng.uniform(-1, 1, size=tuple(o.shape)).astype(str(o.dtype)[6:])
                o.backward(lib.tensor(g, device="cuda"), retain_graph=True)
    finally:
        lib.set_default_device(None)
    return inputs, out


def _same(ours, theirs, spec, what):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, gt.Tensor), f"{spec.name} {what}: {type(ours).__name__}"
        assert ours.device.type == theirs.device.type, (
            f"{spec.name} {what}: on {ours.device}, torch's on {theirs.device}")
        assert tuple(ours.shape) == tuple(theirs.shape), (
            f"{spec.name} {what}: shape {tuple(ours.shape)} vs {tuple(theirs.shape)}")
        assert str(ours.dtype) == str(theirs.dtype), (
            f"{spec.name} {what}: dtype {ours.dtype} vs {theirs.dtype}")
        a = ours.detach().cpu().numpy()
        b = theirs.detach().cpu().numpy()
        if a.dtype.kind in "fc":
            r, t = TOLERANCES.get(str(theirs.dtype)[6:], (1e-5, 1e-5))
            np.testing.assert_allclose(a, b, rtol=max(spec.rtol or 0, r),
                                       atol=max(spec.atol or 0, t), equal_nan=True,
                                       err_msg=f"{spec.name} {what}")
        else:
            np.testing.assert_array_equal(a, b, err_msg=f"{spec.name} {what}")
    elif isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), f"{spec.name} {what}"
        for i, (x, y) in enumerate(zip(ours, theirs)):
            _same(x, y, spec, f"{what}[{i}]")
    else:
        assert ours == theirs or (ours != ours and theirs != theirs), (
            f"{spec.name} {what}: {ours!r} vs {theirs!r}")


@pytest.mark.parametrize("spec", OPS, ids=[s.name for s in OPS])
def test_op_on_cuda_matches_torch_cuda(spec):
    arrays = spec_arrays(spec)
    ours_in, ours = _run(gt, spec, arrays)
    theirs_in, theirs = _run(torch, spec, arrays)
    _same(ours, theirs, spec, "output")
    for i, (x, y) in enumerate(zip(ours_in, theirs_in)):
        assert (x.grad is None) == (y.grad is None), f"{spec.name}: grad of input {i}"
        if y.grad is not None:
            _same(x.grad, y.grad, spec, f"grad of input {i}")
