"""``torch.nn``: layers, containers, losses and the tools to build and train models.

- ``Module`` (``modules/module.py``) is the base of every layer; ``Parameter`` marks learned ones.
- Layers: ``Linear``, ``Flatten``, ``Embedding``...; containers: ``Sequential``, ``ModuleList``...
- ``nn.functional`` holds the same computations as plain functions; ``nn.init`` fills weights;
  ``nn.utils`` clips gradients.
"""

from . import functional, init, utils
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter, UninitializedParameter

__all__ = [*_modules_all, "Parameter", "Buffer", "UninitializedParameter", "functional", "init",
           "utils"]
