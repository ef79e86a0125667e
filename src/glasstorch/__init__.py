"""glasstorch: PyTorch's API on NumPy, small enough to read.

``import glasstorch as torch`` and write PyTorch code: tensors with autograd (``_tensor``,
``autograd/``), the op families (``ops/``), and later ``nn``, ``optim`` and ``utils.data``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import _dtype, autograd, cuda, distributions, linalg, nn, optim, random, utils  # noqa: E402,F401
from ._creation import *  # noqa: F401,F403
from ._device import device
from ._dtype import (
    bool_ as bool,
)
from ._dtype import (
    complex64,
    complex128,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    set_default_dtype,
    uint8,
)
from ._dtype import (
    result_type as _result_type,
)
from ._size import Size
from ._tensor import Tensor
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .ops import *  # noqa: F401,F403  (binds Tensor methods; exports the op functions)
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
cfloat = complex64
cdouble = complex128


def is_tensor(obj):
    """True if ``obj`` is a glasstorch tensor."""
    return isinstance(obj, Tensor)


def result_type(tensor1, tensor2):
    """The dtype torch's promotion gives an op on these two operands."""
    return _result_type(tensor1, tensor2)
