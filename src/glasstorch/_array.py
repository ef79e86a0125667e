"""The array libraries glasstorch computes with: NumPy on the CPU, CuPy on CUDA GPUs. This is
the one place they are chosen.

A Tensor holds one array (``t._data``): a ``numpy.ndarray`` on the CPU, a ``cupy.ndarray`` on a
GPU. The ops reach the library in two ways, and only the second depends on which library it is:

- functions applied to arrays that exist (``np.exp(x)``, ``np.matmul(a, b)``, ``x.sum()``,
  ``np.zeros_like(x)``) follow their arguments: CuPy implements NumPy's dispatch protocols
  (``__array_ufunc__``, ``__array_function__``), so ``np.exp(gpu_array)`` runs on the GPU;
- making an array from nothing (``zeros(shape)``, ``arange``, ``asarray(list)``) has no argument
  to follow: it asks ``namespace(x)`` for the library of an array it works with
  (``namespace(x).zeros(shape, x.dtype)``), or ``like(x, host_array)`` to move a small array
  made with NumPy onto ``x``'s device.

CuPy refuses to turn a GPU array into a NumPy one behind your back (``np.asarray(gpu_array)``
raises TypeError), and so does glasstorch: ``to_host`` is the one explicit way back.

Which module plays CuPy: ``cupy`` (with ``cupyx``), or the module named by the environment
variable ``GLASSTORCH_CUDA_ARRAYS`` (with that name plus ``x``). The tests name a double of
CuPy that keeps NumPy arrays (``tests/devices/fake_cupy.py``), so every path of the CUDA device
runs in CI without a GPU.
"""

from __future__ import annotations

import importlib
import os

import numpy

default = numpy  # the library new CPU tensors are made in

HOST_TYPES = (numpy.ndarray,)  # array types that live in host memory


class _Cuda:
    """The loaded device library: ``xp`` (CuPy's namespace), ``xpx`` (cupyx) and its array type."""

    def __init__(self, xp, xpx):
        self.xp = xp
        self.xpx = xpx
        self.ndarray = xp.ndarray

    def device_count(self) -> int:
        try:
            return int(self.xp.cuda.runtime.getDeviceCount())
        except Exception:  # no driver, no GPU: CuPy raises its own runtime error
            return 0


_cuda: _Cuda | None = None
_cuda_tried = False
_cuda_error = ""


def cuda(required: bool = True) -> _Cuda | None:
    """The device library, loaded on first use; None (or, when ``required``, the error torch
    gives a build without CUDA) when it is missing or sees no GPU."""
    global _cuda, _cuda_tried, _cuda_error
    if not _cuda_tried:
        _cuda_tried = True
        name = os.environ.get("GLASSTORCH_CUDA_ARRAYS", "cupy")
        try:
            loaded = _Cuda(importlib.import_module(name), importlib.import_module(name + "x"))
        except ImportError as e:
            _cuda_error = (f"the array library for CUDA, {name}, could not be imported: {e}; on a "
                           "machine with an NVIDIA GPU, pip install 'glasstorch[cuda]'")
        else:
            if loaded.device_count() > 0:
                _cuda = loaded
                global DEVICE_TYPES
                DEVICE_TYPES = (loaded.ndarray,)
            else:
                _cuda_error = f"{name} sees no CUDA GPU"
    if _cuda is None and required:
        raise AssertionError(
            f"Torch not compiled with CUDA enabled ({_cuda_error}: glasstorch computes on the CPU "
            "here; use device='cpu', or d2l.try_gpu(), which returns the CPU when there is no GPU)"
        )
    return _cuda


DEVICE_TYPES: tuple = ()  # array types that live on a GPU (set once the device library loads)


def on_host(arr) -> bool:
    """Whether ``arr`` lives in host memory (a NumPy array or scalar, a Python number)."""
    return not (DEVICE_TYPES and isinstance(arr, DEVICE_TYPES))


def namespace(*arrays):
    """The array library that holds ``arrays``: CuPy if any of them is a GPU array, else NumPy.
    So ``namespace(x).zeros(shape, x.dtype)`` makes an array of the same kind as ``x``."""
    if DEVICE_TYPES:
        for a in arrays:
            if isinstance(a, DEVICE_TYPES):
                return _cuda.xp
    return numpy


def device_index(arr) -> int:
    """The GPU number of a device array (-1 for a host array), as ``Tensor.get_device`` says."""
    if on_host(arr):
        return -1
    return int(arr.device.id)


def to_device(arr, index: int):
    """``arr`` (host or device) as an array on GPU ``index``: itself when it is already there."""
    lib = cuda()
    if not on_host(arr) and int(arr.device.id) == index:
        return arr
    with lib.xp.cuda.Device(index):
        if on_host(arr):
            return lib.xp.asarray(numpy.asarray(arr, order="C"))
        return lib.xp.array(arr, copy=True)  # a copy between two GPUs


def to_host(arr) -> numpy.ndarray:
    """``arr`` in host memory: itself for a NumPy array, a copy for a device array."""
    if on_host(arr):
        return arr
    return _cuda.xp.asnumpy(arr)


def address(arr) -> int:
    """Where the first element of ``arr`` sits in memory: a host address for a NumPy array (or
    scalar), a GPU address for a device array (which has no ``__array_interface__``)."""
    if type(arr) is numpy.ndarray or on_host(arr):
        return arr.__array_interface__["data"][0]
    return int(arr.data.ptr)


def like(ref, arr):
    """``arr`` (made with NumPy, usually small: indices, a mask, a constant) moved to the device of
    ``ref`` when ``ref`` is a device array; ``arr`` itself otherwise."""
    if on_host(ref) or not on_host(arr):
        return arr
    return to_device(arr, int(ref.device.id))


def scatter_add(target, index, values) -> None:
    """``target[index] += values`` with repeated indices adding up (``np.add.at``), on either
    library (CuPy spells it ``cupyx.scatter_add``)."""
    if on_host(target):
        numpy.add.at(target, index, values)
    else:
        _cuda.xpx.scatter_add(target, index, values)
