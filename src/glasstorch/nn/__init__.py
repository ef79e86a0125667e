"""``torch.nn``: layers, containers, losses and the tools to build and train models.

- ``Module`` (``modules/module.py``) is the base of every layer; ``Parameter`` marks learned ones.
- Layers: ``Linear``, ``Flatten``, ``Embedding``...; containers: ``Sequential``, ``ModuleList``...
- ``nn.functional`` holds the same computations as plain functions; ``nn.init`` fills weights;
  ``nn.utils`` clips gradients.
"""

from .._missing import module_getattr as _module_getattr
from . import functional, init, parallel, utils
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .modules.activation import *  # noqa: F401,F403
from .modules.activation import __all__ as _activation_all
from .modules.dropout import *  # noqa: F401,F403
from .modules.dropout import __all__ as _dropout_all
from .modules.loss import *  # noqa: F401,F403
from .modules.loss import __all__ as _loss_all
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = [
    *_modules_all, *_activation_all, *_dropout_all, *_loss_all,
    "Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer",
    "functional", "init", "parallel", "utils",
]

__getattr__ = _module_getattr(__name__)  # a torch name not here yet says so
