"""glasstorch: PyTorch's API on NumPy, small enough to read.

``import glasstorch as torch`` and write PyTorch code. Where things live: ``Tensor`` in
``_tensor.py``; dtypes and promotion in ``_dtype.py``; the graph and ``backward()`` in
``autograd/``; each op family, forward and backward side by side, in ``ops/``; creation and random
functions in ``_creation.py`` and ``random.py``; then ``nn``, ``optim``, ``utils.data``.
"""
# ruff: noqa: E402, F401, F403, I001  (the import order below is deliberate)

from __future__ import annotations

import builtins as _builtins
import warnings as _warnings

from ._dtype import (
    bool_ as bool,
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
from ._device import device, get_default_device, set_default_device
from ._size import Size
from ._tensor import Tensor
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)

# The op families bind their methods onto Tensor as they are imported: before anything else.
from .ops import *
from .linalg.top_level import cross, det, inverse, matrix_power, norm, slogdet
from ._creation import *
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from ._threads import get_num_threads, set_num_threads
from .autograd import is_anomaly_check_nan_enabled, is_anomaly_enabled
from ._threads import use_one_thread_unless_told as _use_one_thread_unless_told
from . import _dtype, autograd, cuda, linalg, random
from . import nn

# nn.functional's ops that torch also offers at the top level (torch.softmax needs ``dim``).
from .nn.functional.softmax import _log_softmax_method as log_softmax
from .nn.functional.softmax import _softmax_method as softmax
from .nn.functional import (
    alpha_dropout,
    avg_pool1d,
    adaptive_avg_pool1d,
    celu,
    celu_,
    conv1d,
    conv2d,
    cosine_similarity,
    dropout,
    group_norm,
    layer_norm,
    max_pool1d,
    max_pool2d,
    hardshrink,
    pairwise_distance,
    prelu,
    rrelu,
    rrelu_,
    selu,
    selu_,
    threshold,
    threshold_,
)

__version__ = "0.1.0"

# torch computes with IEEE semantics silently (1/0 is inf, 0*inf is nan). NumPy warns about each;
# silence those warnings for glasstorch's own calls only (no per-op cost, user NumPy code keeps
# its warnings).
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"glasstorch(\.|$)")

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
cfloat = complex64
cdouble = complex128


def is_tensor(obj) -> _builtins.bool:
    """True if ``obj`` is a glasstorch tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> _builtins.bool:
    """True if ``input`` has a floating dtype."""
    return input.is_floating_point()


def numel(input: Tensor) -> _builtins.int:
    """The number of elements of ``input``."""
    return input.numel()


def result_type(tensor1, tensor2) -> dtype:
    """The dtype torch's promotion gives an op on these two operands."""
    return _dtype.result_type(tensor1, tensor2)


_use_one_thread_unless_told()


# Loaded on first use (import time is measured): ``glasstorch.optim`` imports the module then.
_LAZY_MODULES = ("accelerator", "backends", "distributed", "distributions", "hub", "optim",
                 "serialization", "utils")
_LAZY_FUNCTIONS = {"save": "serialization", "load": "serialization"}
_LAZY_FUNCTIONS.update(install_as_torch="notebook", load_ipython_extension="notebook")


def __getattr__(name: str):
    import importlib

    if name in _LAZY_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY_FUNCTIONS:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY_FUNCTIONS[name]}"), name)
        globals()[name] = value
        return value
    from ._missing import missing  # a torch name glasstorch lacks says so

    raise missing(__name__, name)


def __dir__():
    return sorted(set(globals()) | set(_LAZY_MODULES) | set(_LAZY_FUNCTIONS))
