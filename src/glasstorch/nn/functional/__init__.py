"""``torch.nn.functional``: the stateless building blocks of networks, as functions.

``import glasstorch.nn.functional as F`` then ``F.linear``, ``F.relu``, ``F.cross_entropy``...
The layers of ``glasstorch.nn`` (``nn.Linear``, ``nn.ReLU``, ``nn.CrossEntropyLoss``) hold the
parameters and settings and call these. One file per family, each op's forward and its backward
node side by side; this file only gathers them:

- ``linear``: linear (one fused matmul + bias node), bilinear; ``dropout``: dropout and its
  feature forms; ``sparse``: one_hot, embedding; ``distance``: normalize, cosine_similarity,
  pairwise_distance;
- ``activation``: relu, sigmoid, tanh, elu, leaky_relu...; ``activation_smooth``: gelu, silu,
  mish, softplus...; ``activation_hard``: the piecewise-linear ones (hardtanh, relu6, ...);
- ``softmax``: softmax, log_softmax, softmin, gumbel_softmax; ``attention``:
  scaled_dot_product_attention; ``cross_entropy``: cross_entropy, nll_loss;
- ``loss``: mse, l1, huber, binary cross-entropy; ``loss_margin``: margin, embedding and
  likelihood losses;
- ``conv``: conv1d, conv2d, conv_transpose1d/2d (the NumPy kernels in ``_im2col``); ``fold``:
  unfold (im2col) and fold (col2im); ``pooling``, ``pooling_adaptive``: max/avg pooling (windows
  in ``_windows``); ``padding``: pad; ``resample``: interpolate, upsample; ``pixel_shuffle``:
  pixel_shuffle, pixel_unshuffle;
- ``normalization``: batch, layer, group norm; ``instancenorm``: instance and local response norm.
"""

import sys

from ..._missing import module_getattr as _module_getattr
from .activation import *  # noqa: F401,F403
from .activation_hard import *  # noqa: F401,F403
from .activation_smooth import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .cross_entropy import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .loss_margin import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pixel_shuffle import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .pooling_adaptive import *  # noqa: F401,F403
from .resample import *  # noqa: F401,F403
from .softmax import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403

_FAMILIES = ("linear", "dropout", "sparse", "distance", "activation", "activation_smooth",
             "activation_hard", "softmax", "attention", "cross_entropy", "loss", "loss_margin",
             "conv", "fold", "pooling", "pooling_adaptive", "padding", "pixel_shuffle",
             "resample", "normalization", "instancenorm")
__all__ = [name for family in _FAMILIES for name in sys.modules[f"{__name__}.{family}"].__all__]

__getattr__ = _module_getattr(__name__)  # a torch name not here yet says so
