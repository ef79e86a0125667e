"""Run a d2l learner program on the real PyTorch with glasstorch's d2l helpers on top of it.

    python tests/programs/_d2l_on_torch.py PROGRAM [ARGS...]

The book's own ``d2l`` package cannot be installed beside torch 2.13 (it pins torch 2.0), so to
compare what a d2l program prints on PyTorch with what it prints under ``glasstorch run``, the
program's ``from d2l import torch as d2l`` gets glasstorch's ``d2l`` package loaded from its source
files with every ``glasstorch`` import inside it answered by ``torch`` (``glasstorch.vision`` by
``torchvision``). The helpers' Python code is then the same on both sides, and only the library
underneath differs: what the comparison is meant to test.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import runpy
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
D2L_SOURCE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "src", "glasstorch", "d2l")


class _Existing(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        return None


class TorchUnderD2L(importlib.abc.MetaPathFinder):
    """``glasstorch.d2l[.x]`` from source; any other ``glasstorch[.x]`` is ``torch[.x]``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "d2l":
            holder = types.ModuleType("d2l")
            holder.__path__ = []
            return importlib.util.spec_from_loader("d2l", _Existing(holder), is_package=True)
        if fullname == "d2l.torch":
            return importlib.util.spec_from_loader(
                fullname, _Existing(importlib.import_module("glasstorch.d2l")))
        if fullname == "glasstorch.d2l" or fullname.startswith("glasstorch.d2l."):
            rest = fullname[len("glasstorch.d2l"):].lstrip(".")
            if not rest:
                return importlib.util.spec_from_file_location(
                    fullname, os.path.join(D2L_SOURCE, "__init__.py"),
                    submodule_search_locations=[D2L_SOURCE])
            return importlib.util.spec_from_file_location(
                fullname, os.path.join(D2L_SOURCE, *rest.split(".")) + ".py")
        if fullname == "glasstorch" or fullname.startswith("glasstorch."):
            real = fullname.replace("glasstorch.vision", "torchvision", 1)
            real = real.replace("glasstorch", "torch", 1)
            module = importlib.import_module(real)
            if fullname == "glasstorch":
                module.__path__ = getattr(module, "__path__", [])
            return importlib.util.spec_from_loader(fullname, _Existing(module),
                                                   is_package=hasattr(module, "__path__"))
        return None


def main() -> int:
    import torch  # noqa: F401 - the real one, first

    sys.meta_path.insert(0, TorchUnderD2L())
    program = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(program)))
    runpy.run_path(program, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
