"""The layers of ``torch.nn``, one family per file (all re-exported by ``glasstorch.nn``)."""

from .activation import *  # noqa: F401,F403
from .activation import __all__ as _activation_all
from .attention import MultiheadAttention
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import *  # noqa: F401,F403
from .conv import __all__ as _conv_all
from .dropout import *  # noqa: F401,F403
from .dropout import __all__ as _dropout_all
from .flatten import Flatten, Unflatten
from .fold import Fold, Unfold
from .linear import Bilinear, Identity, LazyLinear, Linear
from .loss import *  # noqa: F401,F403
from .loss import __all__ as _loss_all
from .module import Module
from .normalization import *  # noqa: F401,F403
from .normalization import __all__ as _normalization_all
from .pixelshuffle import PixelShuffle, PixelUnshuffle
from .pooling import *  # noqa: F401,F403
from .pooling import __all__ as _pooling_all
from .rnn import *  # noqa: F401,F403
from .rnn import __all__ as _rnn_all
from .sparse import Embedding
from .transformer import *  # noqa: F401,F403
from .transformer import __all__ as _transformer_all

__all__ = [
    "Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Identity", "Linear", "Bilinear", "LazyLinear", "Flatten", "Unflatten", "Embedding",
    "Fold", "Unfold", "PixelShuffle", "PixelUnshuffle",
    "MultiheadAttention", *_transformer_all,
    *_activation_all, *_dropout_all, *_loss_all,
    *_conv_all, *_pooling_all, *_normalization_all, *_rnn_all,
]
