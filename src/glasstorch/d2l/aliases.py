"""The framework-neutral names the book's shared code uses (``d2l.reshape(x, s)``, ...).

d2l writes some code once for several frameworks, calling ``d2l.<name>`` instead of the
framework's own spelling. For PyTorch most names are simply torch's functions; the rest are small
functions that call the matching ``Tensor`` method (``d2l.reduce_sum(x)`` is ``x.sum()``).
"""

from __future__ import annotations

import glasstorch as torch

__all__ = [
    "ones", "zeros", "tensor", "arange", "sin", "sinh", "cos", "cosh", "tanh", "linspace", "exp",
    "log", "normal", "rand", "randn", "matmul", "int32", "int64", "float32", "concat", "stack",
    "abs", "eye", "sigmoid", "batch_matmul", "numpy", "size", "reshape", "to", "reduce_sum",
    "reduce_mean", "argmax", "astype", "transpose", "ones_like", "zeros_like", "expand_dims",
    "swapaxes", "repeat", "meshgrid",
]

# The same functions and dtypes as glasstorch's (d2l's names on the left).
ones, zeros, tensor, arange = torch.ones, torch.zeros, torch.tensor, torch.arange
sin, sinh, cos, cosh, tanh = torch.sin, torch.sinh, torch.cos, torch.cosh, torch.tanh
linspace, exp, log = torch.linspace, torch.exp, torch.log
normal, rand, randn = torch.normal, torch.rand, torch.randn
matmul, batch_matmul = torch.matmul, torch.bmm
int32, int64, float32 = torch.int32, torch.int64, torch.float32
concat, stack = torch.cat, torch.stack
abs, eye, sigmoid = torch.abs, torch.eye, torch.sigmoid
ones_like, zeros_like, meshgrid = torch.ones_like, torch.zeros_like, torch.meshgrid


def numpy(x, *args, **kwargs):
    """``x`` as a NumPy array (detached from autograd first, so it works on any tensor)."""
    return x.detach().numpy(*args, **kwargs)


def size(x, *args, **kwargs):
    """The number of elements of ``x`` (``x.numel()``), not its shape."""
    return x.numel(*args, **kwargs)


def reshape(x, *args, **kwargs):
    """``x.reshape(shape)``."""
    return x.reshape(*args, **kwargs)


def to(x, *args, **kwargs):
    """``x.to(device_or_dtype)``."""
    return x.to(*args, **kwargs)


def reduce_sum(x, *args, **kwargs):
    """``x.sum(...)``: all elements, or along ``axis``/``dim``."""
    return x.sum(*args, **kwargs)


def reduce_mean(x, *args, **kwargs):
    """``x.mean(...)``: all elements, or along ``axis``/``dim``."""
    return x.mean(*args, **kwargs)


def argmax(x, *args, **kwargs):
    """``x.argmax(...)``: index of the largest element (along ``axis``/``dim`` if given)."""
    return x.argmax(*args, **kwargs)


def astype(x, *args, **kwargs):
    """``x.type(dtype)``: a copy of ``x`` converted to ``dtype``."""
    return x.type(*args, **kwargs)


def transpose(x, *args, **kwargs):
    """``x.t()``: the transpose of a matrix (of at most 2 dimensions)."""
    return x.t(*args, **kwargs)


def expand_dims(x, *args, **kwargs):
    """``x.unsqueeze(dim)``: ``x`` with a new axis of size 1 at ``dim``."""
    return x.unsqueeze(*args, **kwargs)


def swapaxes(x, *args, **kwargs):
    """``x.swapaxes(dim0, dim1)``: ``x`` with two axes exchanged."""
    return x.swapaxes(*args, **kwargs)


def repeat(x, *args, **kwargs):
    """``x.repeat(*sizes)``: ``x`` tiled ``sizes[i]`` times along each axis."""
    return x.repeat(*args, **kwargs)
