"""Run a program in glasstorch and in PyTorch side by side, one statement at a time.

After every statement, every variable the statement may have touched is compared (all tensors
in scope: an in-place op on a view changes its base too), and so are the gradients of leaves.
Exceptions are part of the behaviour: when both libraries raise, their exception *types* must be
equal (and the program goes on, the failed statement having assigned nothing); when only one
raises, that is a mismatch. When both raise and the values of a tensor then differ, torch wrote
part of it before failing (glasstorch checks first and writes nothing): the run ends there as
agreeing, since what a failed in-place op leaves behind is not part of torch's contract.

The result is the first :class:`Mismatch`, or None when the whole program agrees.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch

import glasstorch

from .compare import differences, is_tensor_like
from .program import Program

RAISES = ("raises.ours", "raises.torch", "raises.type")


@dataclass(frozen=True)
class Mismatch:
    """The first disagreement found in a program.

    Attributes:
        index: the statement after which it showed (0-based, in ``program.statements``).
        op: that statement's op label.
        kind: a kind of :mod:`compare` (``value``, ``grad.value``...) or one of ``raises.ours``
            (only glasstorch raised), ``raises.torch`` (only torch raised), ``raises.type``
            (both raised, different types).
        variable: the variable that differs ('' for exceptions).
        detail: a human-readable explanation.
    """

    index: int
    op: str
    kind: str
    variable: str
    detail: str
    raised: str = ""  # for raises.*: "ours <type> | torch <type>" (part of the signature)


def namespace(lib, arrays: dict[str, np.ndarray]) -> dict:
    """The globals a program runs in: ``torch`` and ``F`` from ``lib``, private array copies."""
    ns = {"torch": lib, "F": lib.nn.functional, "np": np, "inf": float("inf"),
          "nan": float("nan")}
    ns.update({k: v.copy() for k, v in arrays.items()})
    return ns


def execute(code: str, ns: dict) -> BaseException | None:
    """Run one statement; return what it raised (None when it ran)."""
    try:
        exec(code, ns)  # noqa: S102 - generated programs, the point of a fuzzer
    except Exception as e:  # noqa: BLE001 - any exception is an observable behaviour
        return e
    return None


def compare_namespaces(ours: dict, theirs: dict, no_grad_fn=frozenset()) -> list[tuple]:
    """Differences between all program variables (``v*`` names) of both runs.

    Gradients returned by ``autograd.grad(..., create_graph=True)`` (names in ``no_grad_fn``)
    keep their values, dtypes and requires_grad compared, but not their grad_fn: glasstorch
    writes each backward with ordinary ops (so the node is ``MulBackward0``), where torch has a
    dedicated double-backward node (``TanhBackwardBackward0``). A deliberate difference.
    """
    found = []
    for name, value in theirs.items():
        if not name.startswith("v"):
            continue
        if name not in ours:
            found.append(("type", name, "assigned in torch only"))
            continue
        if isinstance(value, torch.Tensor) or isinstance(value, (tuple, list, int, float)):
            for kind, detail in differences(ours[name], value):
                if not (kind == "grad_fn" and name in no_grad_fn):
                    found.append((kind, name, detail))
    return found


def exception_name(e: BaseException) -> str:
    return f"{type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else ''}"


def run_program(program: Program, stop_at: int | None = None) -> Mismatch | None:
    """Run ``program`` in both libraries and return the first mismatch (None: they agree)."""
    ns_t, ns_o = namespace(torch, program.arrays), namespace(glasstorch, program.arrays)
    statements = program.statements if stop_at is None else program.statements[:stop_at]
    no_grad_fn: set[str] = set()  # results of autograd.grad: see compare_namespaces
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for i, st in enumerate(statements):
            before = set(ns_t)
            err_t = execute(st.code, ns_t)
            err_o = execute(st.code, ns_o)
            if "autograd.grad(" in st.code:
                no_grad_fn |= set(ns_t) - before
            if err_t is not None or err_o is not None:
                raised = f"ours {type(err_o).__name__} | torch {type(err_t).__name__}"
                if err_t is None:
                    return Mismatch(i, st.op, "raises.ours", "", exception_name(err_o), raised)
                if err_o is None:
                    return Mismatch(i, st.op, "raises.torch", "", exception_name(err_t), raised)
                if type(err_t).__name__ != type(err_o).__name__:
                    return Mismatch(i, st.op, "raises.type", "",
                                    f"ours {exception_name(err_o)} | torch {exception_name(err_t)}",
                                    raised)
            try:
                found = compare_namespaces(ns_o, ns_t, no_grad_fn)
            except Exception as e:  # noqa: BLE001 - reading a result crashed (e.g. .numpy())
                why = f"comparing raised {exception_name(e)}"
                return Mismatch(i, st.op, "read.raises", "", why)
            if found and err_t is not None and all(f[0] == "value" for f in found):
                # both raised, and torch had already written part of a tensor (index_put_ with
                # an index out of range writes the positions before it): what a failed in-place
                # op leaves behind is torch's implementation detail; stop comparing here
                return None
            if found:
                kind, name, detail = min(found, key=lambda f: _rank(f[0]))
                return Mismatch(i, st.op, kind, name, detail)
    return None


def _rank(kind: str) -> int:
    from .compare import KINDS

    base = kind.split(".")[0]
    return KINDS.index(base) if base in KINDS else len(KINDS)


def torch_tensors(ns: dict) -> dict[str, torch.Tensor]:
    """The torch tensors of a namespace, by name (the generator reads shapes from these)."""
    return {k: v for k, v in ns.items() if k.startswith("v") and is_tensor_like(v)}
