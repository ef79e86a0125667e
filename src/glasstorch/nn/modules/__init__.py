"""The layers of ``torch.nn``, one family per file (all re-exported by ``glasstorch.nn``)."""

from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .flatten import Flatten, Unflatten
from .linear import Bilinear, Identity, LazyLinear, Linear
from .module import Module
from .sparse import Embedding

__all__ = [
    "Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Identity", "Linear", "Bilinear", "LazyLinear", "Flatten", "Unflatten",
    "Embedding",
]
