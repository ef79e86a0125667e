"""The layers of ``torch.nn``, one family per file (all re-exported by ``glasstorch.nn``)."""

from .activation import *  # noqa: F401,F403
from .activation import __all__ as _activation_all
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .dropout import *  # noqa: F401,F403
from .dropout import __all__ as _dropout_all
from .flatten import Flatten, Unflatten
from .linear import Bilinear, Identity, LazyLinear, Linear
from .loss import *  # noqa: F401,F403
from .loss import __all__ as _loss_all
from .module import Module
from .sparse import Embedding

__all__ = [
    "Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Identity", "Linear", "Bilinear", "LazyLinear", "Flatten", "Unflatten", "Embedding",
    *_activation_all, *_dropout_all, *_loss_all,
]
