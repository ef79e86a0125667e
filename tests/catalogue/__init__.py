"""The op catalogue: one table of ops that drives every op test (see ``spec.py``).

Each family module (``pointwise``, ``reduction``, ``linalg``, ``shape``, ``indexing``,
``creation``) defines ``OPS`` (a list of ``OpSpec``) and ``ERRORS`` (a list of ``ErrorSpec``).
"""

import importlib
import pkgutil

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


__all__ = ["OpSpec", "ErrorSpec", "all_specs"]
