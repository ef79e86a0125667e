"""The op catalogue against PyTorch: forward values, dtypes and shapes; gradients; float64
finite-difference gradchecks; and error parity. Entries live in ``tests/catalogue/``."""

from __future__ import annotations

import numpy as np
import pytest

import glasstorch as gt
from catalogue import all_specs, grad_indices, spec_arrays
from oracle import assert_same, needs_torch, torch

OPS, ERRORS = all_specs()


def _inputs(lib, arrays, grad_idx=()):
    ts = []
    for i, a in enumerate(arrays):
        t = lib.tensor(a.copy()) if lib is gt else lib.from_numpy(a.copy())
        if i in grad_idx:
            t.requires_grad_(True)
        ts.append(t)
    return ts


def _first_tensor(out, lib):
    if isinstance(out, (tuple, list)):
        return [o for o in out if isinstance(o, lib.Tensor) and o.requires_grad]
    return [out] if isinstance(out, lib.Tensor) and out.requires_grad else []


@needs_torch
@pytest.mark.parametrize("spec", OPS, ids=[s.name for s in OPS])
def test_forward_matches_torch(spec):
    arrays = spec_arrays(spec)
    ours = spec.fn(gt, *_inputs(gt, arrays))
    theirs = spec.fn(torch, *_inputs(torch, arrays))
    assert_same(ours, theirs, spec.rtol, spec.atol, msg=spec.name)


@needs_torch
@pytest.mark.parametrize("spec", [s for s in OPS if s.grad], ids=[s.name for s in OPS if s.grad])
def test_gradients_match_torch(spec):
    arrays = spec_arrays(spec)
    idx = grad_indices(spec, arrays)
    ours_in, theirs_in = _inputs(gt, arrays, idx), _inputs(torch, arrays, idx)
    ours_out = _first_tensor(spec.fn(gt, *ours_in), gt)
    theirs_out = _first_tensor(spec.fn(torch, *theirs_in), torch)
    assert len(ours_out) == len(theirs_out) > 0, spec.name
    rng = np.random.default_rng(1)
    for o, t in zip(ours_out, theirs_out):
        g = rng.uniform(-1, 1, size=tuple(t.shape)).astype(str(t.dtype).replace("torch.", ""))
        o.backward(gt.tensor(g), retain_graph=True)
        t.backward(torch.from_numpy(g), retain_graph=True)
    for i in idx:
        assert (ours_in[i].grad is None) == (theirs_in[i].grad is None), f"{spec.name}: input {i}"
        if theirs_in[i].grad is not None:
            assert_same(
                ours_in[i].grad,
                theirs_in[i].grad,
                spec.rtol,
                spec.atol,
                msg=f"{spec.name}: grad of input {i}",
            )


_GC = [s for s in OPS if s.grad and s.gradcheck]


@pytest.mark.parametrize("spec", _GC, ids=[s.name for s in _GC])
def test_gradcheck_float64(spec):
    arrays = spec_arrays(spec, dtype="float64")
    idx = grad_indices(spec, arrays)
    inputs = _inputs(gt, arrays, idx)

    def f(*xs):
        out = spec.fn(gt, *xs)
        return (
            out
            if not isinstance(out, (tuple, list))
            # floating outputs, not "requires_grad" ones: under no_grad (the finite
            # differences) nothing requires grad, and every output would be dropped
            else tuple(o for o in out if isinstance(o, gt.Tensor) and o.is_floating_point())
        )

    assert gt.autograd.gradcheck(f, tuple(inputs), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("spec", ERRORS, ids=[s.name for s in ERRORS])
def test_errors_match_torch(spec):
    arrays = spec_arrays(spec)
    with pytest.raises(spec.exc) as ours:
        spec.fn(gt, *_inputs(gt, arrays))
    for part in spec.contains:
        assert part in str(ours.value), f"{spec.name}: {part!r} not in {str(ours.value)!r}"
    if torch is not None:
        with pytest.raises(Exception) as theirs:
            spec.fn(torch, *_inputs(torch, arrays))
        assert isinstance(theirs.value, spec.exc), (
            f"{spec.name}: torch raises {type(theirs.value).__name__}, catalogue says "
            f"{spec.exc.__name__}"
        )
