"""The error catalogue beyond ops: the mistakes a learner can make with modules, optimizers, the
data pipeline, save/load, the datasets, the command line and tensors themselves.

Each area module (``modules``, ``optim``, ``data``, ``serialization``, ``datasets``, ``cli``,
``tensor``, ``distributed``) defines ``CASES``, a list of ``ErrorCase``.
``tests/test_error_catalogue.py`` runs every case; ``scripts/error_catalogue.py`` lists them
(with the op catalogue's ``ErrorSpec`` entries) in ``docs/ERRORS.md``.

An entry is one line of PyTorch code written against ``lib``::

    ErrorCase("modules", "Linear/wrong-in-features",
              lambda lib: lib.nn.Linear(3, 2)(lib.ones(4, 5)),
              RuntimeError, ("mat1 and mat2 shapes cannot be multiplied (4x5 and 3x2)",))

It runs with ``lib`` = glasstorch and, when PyTorch is installed, with ``lib`` = torch: both must
raise ``exc`` with every phrase of ``contains`` in the message. ``fix`` lists phrases only our
message must contain: the remedy, where torch's message gives none. A case whose ``exc`` is a
``Warning`` class passes when the call *succeeds* and warns with that wording (a warning, not an
error). ``torch=False`` marks a glasstorch-only case (our file format, the datasets, the CLI).
"""

from __future__ import annotations

import atexit
import importlib
import pkgutil
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any, Callable

AREAS = ("tensor", "modules", "optim", "data", "serialization", "datasets", "cli", "distributed")


@dataclass(frozen=True)
class ErrorCase:
    """One mistake a user can make, and how both libraries answer it.

    area:     the part of the library (one of ``AREAS``).
    name:     unique id within the area, shown by pytest (``"Linear/wrong-in-features"``).
    fn:       ``fn(lib)``: the mistake, as one call against ``lib``.
    exc:      the exception type torch raises (or the ``Warning`` category it emits).
    contains: phrases both messages contain: the key wording, the shapes/values.
    fix:      phrases only our message must contain (the remedy torch does not spell out).
    torch:    False when torch has no counterpart: only glasstorch is run.
    xfail:    non-empty while our behaviour is known to be wrong: says which file needs what.
    """

    area: str
    name: str
    fn: Callable[[Any], Any]
    exc: type
    contains: tuple[str, ...] = ()
    fix: tuple[str, ...] = ()
    torch: bool = True
    xfail: str = ""

    def __post_init__(self):
        if self.area not in AREAS:
            raise ValueError(f"ErrorCase {self.name!r}: unknown area {self.area!r}")
        for field in ("contains", "fix"):  # a lone string is one phrase, not its characters
            if isinstance(getattr(self, field), str):
                object.__setattr__(self, field, (getattr(self, field),))

    @property
    def id(self) -> str:
        return f"{self.area}:{self.name}"


def all_cases() -> list[ErrorCase]:
    """Every case of every area module, in the order of ``AREAS``."""
    cases = []
    names = {m.name for m in pkgutil.iter_modules(__path__)}
    for area in AREAS:
        if area in names:
            cases.extend(importlib.import_module(f"{__name__}.{area}").CASES)
    return cases


_scratch: list[str] = []


def scratch() -> str:
    """A temporary folder for the cases that need files (removed when the process ends).

    Messages that name it are shown with ``<tmp>`` in its place in docs/ERRORS.md."""
    if not _scratch:
        _scratch.append(tempfile.mkdtemp(prefix="glasstorch-errors-"))
        atexit.register(shutil.rmtree, _scratch[0], ignore_errors=True)
    return _scratch[0]


__all__ = ["AREAS", "ErrorCase", "all_cases", "scratch"]
