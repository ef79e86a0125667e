"""The op catalogue: one table of ops that drives every op test (see ``spec.py``).

Each family module (``pointwise``, ``reduction``, ``linalg``, ``shape``, ``indexing``,
``creation``) defines ``OPS`` (a list of ``OpSpec``) and ``ERRORS`` (a list of ``ErrorSpec``).
"""

import importlib
import pkgutil

import numpy as np

from .spec import ErrorSpec, OpSpec


def all_specs():
    ops, errors = [], []
    for m in pkgutil.iter_modules(__path__):
        if m.name == "spec":
            continue
        mod = importlib.import_module(f"{__name__}.{m.name}")
        ops.extend(getattr(mod, "OPS", []))
        errors.extend(getattr(mod, "ERRORS", []))
    return ops, errors


def spec_arrays(spec, dtype=None, seed=0):
    """The NumPy inputs of one entry: its fixed ``values``, or uniform draws in ``domain`` of its
    shapes and dtypes (``dtype="float64"``: every floating input in float64, for gradchecks)."""
    if spec.values is not None:
        return [np.array(v) for v in spec.values]
    rng = np.random.default_rng(seed)
    out = []
    for i, shape in enumerate(spec.shapes):
        dt = (spec.dtypes[i] if spec.dtypes else None) or dtype or spec.dtype
        if dtype is not None and dt.startswith("float"):
            dt = dtype
        lo, hi = spec.domain
        if dt == "bool":
            out.append(np.asarray(rng.random(shape) > 0.5))
        elif dt.startswith(("int", "uint")):
            out.append(rng.integers(int(lo), int(hi) + 1, size=shape).astype(dt))
        else:
            out.append(rng.uniform(lo, hi, size=shape).astype(dt))
    return out


def grad_indices(spec, arrays):
    """Which inputs require grad: ``grad_inputs``, else every floating one (none unless
    ``spec.grad``)."""
    if not spec.grad:
        return ()
    if spec.grad_inputs is not None:
        return spec.grad_inputs
    return tuple(i for i, a in enumerate(arrays) if a.dtype.kind == "f")


__all__ = ["OpSpec", "ErrorSpec", "all_specs", "spec_arrays", "grad_indices"]
