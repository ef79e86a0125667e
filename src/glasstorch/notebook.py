"""Run the book's notebook cells unchanged: ``torch``, ``torchvision`` and ``d2l`` → glasstorch.

In a Jupyter notebook (or any running Python), the first cell::

    %load_ext glasstorch

(or ``import glasstorch; glasstorch.install_as_torch()``) makes every later ``import torch``,
``from torch import nn``, ``import torchvision`` and ``from d2l import torch as d2l`` give
glasstorch's modules, exactly as ``glasstorch run`` does for a script (the same import hook,
``glasstorch.cli.run.AliasFinder``). It must come before any ``import torch``: tensors made by
the real PyTorch cannot mix with glasstorch's, so if PyTorch (or the ``d2l`` package, which
imports it) is already loaded, it raises and says to restart the kernel.
"""

from __future__ import annotations

import sys

__all__ = ["install_as_torch", "load_ipython_extension"]

# Names whose real packages must not be loaded already: they would keep the real PyTorch.
_REAL_PACKAGES = ("torch", "torchvision", "d2l")


def _real_module(name: str):
    """The module ``sys.modules`` holds for ``name`` when it is not glasstorch's stand-in."""
    module = sys.modules.get(name)
    if module is None:
        return None
    own = getattr(module, "__name__", "")
    if own.startswith("glasstorch") or getattr(module, "__glasstorch_holder__", False):
        return None
    return module


def install_as_torch() -> None:
    """Make ``torch``, ``torchvision``, ``d2l`` and ``d2l.torch`` resolve to glasstorch in this
    interpreter, for every import from now on.

    Raises ``RuntimeError`` if the real PyTorch, torchvision or d2l was imported first (restart
    the kernel and run this before any ``import torch``). Calling it twice is harmless.
    """
    for name in _REAL_PACKAGES:
        module = _real_module(name)
        if module is not None:
            where = getattr(module, "__file__", None) or "a module"
            raise RuntimeError(
                f"glasstorch.install_as_torch: the real '{name}' ({where}) was imported in this "
                f"session before glasstorch could stand in for it, and tensors from the two "
                f"libraries do not mix. Restart the kernel and make `%load_ext glasstorch` (or "
                f"`import glasstorch; glasstorch.install_as_torch()`) the first cell, before any "
                f"`import torch`."
            )
    from .cli.run import install

    install()


def _show_import_error(shell, etype, value, tb, tb_offset=None):
    """The kernel's usual traceback, with "glasstorch does not implement ... yet" added to a
    ``from torch.nn import LSTM`` that names a PyTorch feature glasstorch lacks."""
    from ._missing import explain_import_error

    explain_import_error(value)
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def load_ipython_extension(ipython) -> None:
    """``%load_ext glasstorch``: ``install_as_torch()`` in this IPython kernel, said in one line."""
    import glasstorch

    install_as_torch()
    ipython.set_custom_exc((ImportError,), _show_import_error)
    print(f"glasstorch {glasstorch.__version__}: torch, torchvision and d2l.torch now resolve to "
          "glasstorch in this kernel")
