"""A test double of CuPy 14 that keeps every array in NumPy, so the CUDA device runs without a GPU.

CuPy's arrays live in GPU memory, and CuPy refuses to mix them with NumPy's host arrays:
``numpy.asarray(gpu_array)`` raises TypeError, and so does ``gpu_array + host_array``. This module
keeps that contract while storing each array as a NumPy array, so a test run on a machine without a
GPU fails wherever glasstorch would leak a device array into NumPy, or a NumPy array into device
code, on a real one. What it mirrors:

- ``ndarray`` wraps a NumPy array (``_array``). NumPy's methods, ufuncs and functions run on the
  unwrapped data and every array in the result comes back wrapped; a NumPy scalar comes back as a
  0-d array, as CuPy returns it (``a.sum()``, ``a[0]``).
- No implicit conversion: ``__array__`` raises CuPy's TypeError, and a ``numpy.ndarray`` (of any
  size) given to a ufunc, a function, a method, ``out=``, an index or an assignment raises
  TypeError. Real CuPy silently copies a NumPy index, or a NumPy value assigned through an integer
  or boolean index, to the device, and compares with a 0-d NumPy array: the double is stricter
  there on purpose, as each is a hidden host-to-device copy.
- The ufunc methods CuPy has: ``outer`` for every ufunc, ``reduce`` and ``accumulate`` for add
  and multiply, ``reduceat`` for add, ``at`` for add, subtract, maximum, minimum and bitwise
  and/or/xor (add/maximum/minimum with an integer index only for CuPy's atomic dtypes); the others
  raise NotImplementedError, as in CuPy.
- Devices (``cuda.Device``, current per thread as in CUDA; ``GLASSTORCH_FAKE_CUDA_DEVICES`` sets how
  many, default 1). A new array lives on the device current when it is made, a view on its base's.
  A ufunc or NumPy function given an array from another device raises CuPy's ValueError (the case
  of GPUs without peer access); methods do not check.
- ``get_default_memory_pool()`` counts the bytes of the live arrays that own memory, per device,
  in CuPy's 512-byte units; past ``set_limit``, allocating raises ``cuda.memory.OutOfMemoryError``.

``install(monkeypatch)`` registers the double as ``cupy`` and ``fake_cupyx`` as ``cupyx``.
"""

import functools
import os
import sys
import threading
import types
import warnings

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

__version__ = "14.2.0-fake"

_TOTAL_MEMORY = 16 * 2**30  # what each fake GPU reports
_SCALARS = (int, float, complex, bool)  # with NumPy scalars: what CuPy takes besides its arrays
_UNSUPPORTED_DTYPES = "OSUVMmgG"  # object, bytes, str, void, datetime, timedelta, long double
_NOT_IN_CUPY = frozenset((  # NumPy names CuPy does not have
    "object_ bytes_ str_ void character flexible longdouble clongdouble datetime64 timedelta64 "
    "frompyfunc nditer nested_iters einsum_path busday_count busday_offset is_busday "
    "busdaycalendar datetime_as_string datetime_data memmap matrix asmatrix bmat recarray record "
    "ma char rec strings ctypeslib").split())
_MISSING = object()

_local = threading.local()  # the current device and stream: per thread, as in CUDA


def _current():
    return getattr(_local, "device", 0)


# -- memory ------------------------------------------------------------------------------------


class _MemoryPool:
    """``cupy.cuda.MemoryPool``: bytes held by live arrays, and freed bytes it keeps cached, per
    device (the current one answers)."""

    def __init__(self):
        self._used, self._cached, self._limit = {}, {}, {}

    def _malloc(self, device, nbytes):
        size = -(-nbytes // 512) * 512  # CuPy allocates in 512-byte units
        used, limit = self._used.get(device, 0), self._limit.get(device, 0)
        if limit and used + size > limit:
            raise cuda.memory.OutOfMemoryError(
                f"Out of memory allocating {size:,} bytes (allocated so far: {used:,} bytes, "
                f"limit set to: {limit:,} bytes).")
        self._used[device] = used + size
        self._cached[device] = max(0, self._cached.get(device, 0) - size)
        return size

    def _free(self, device, size):
        self._used[device] -= size
        self._cached[device] = self._cached.get(device, 0) + size

    def used_bytes(self):
        return self._used.get(_current(), 0)

    def free_bytes(self):
        return self._cached.get(_current(), 0)

    def total_bytes(self):
        return self.used_bytes() + self.free_bytes()

    def free_all_blocks(self, stream=None):
        self._cached[_current()] = 0

    def set_limit(self, size=None, fraction=None):
        if fraction is not None:
            size = int(fraction * _TOTAL_MEMORY)
        self._limit[_current()] = size or 0

    def get_limit(self):
        return self._limit.get(_current(), 0)


class _PinnedMemoryPool:
    """``cupy.cuda.PinnedMemoryPool``: host memory is plain NumPy here, so it stays empty."""

    def free_all_blocks(self):
        pass

    def n_free_blocks(self):
        return 0


_pool = _MemoryPool()
_pinned_pool = _PinnedMemoryPool()


# -- wrapping and unwrapping -------------------------------------------------------------------


def _root_of(arr):
    """The object that owns ``arr``'s memory (the end of its chain of ``base``)."""
    while getattr(arr, "base", None) is not None:
        arr = arr.base
    return arr


def _init(a, arr, device):
    """Make ``a`` a new array that owns ``arr``'s memory on ``device``, counted by the pool."""
    if arr.dtype.char in _UNSUPPORTED_DTYPES:
        raise ValueError(f"Unsupported dtype {arr.dtype}")
    root = _root_of(arr)  # views of ``a`` will share it
    nbytes = root.nbytes if isinstance(root, np.ndarray) else arr.nbytes
    a._size = _pool._malloc(device, nbytes) if nbytes else 0  # given back by ``__del__``
    a._array, a._device, a._base, a._root = arr, device, None, root
    return a


def _view(arr, of):
    """A view ``arr`` of the device array ``of``: same device, same base."""
    a = object.__new__(ndarray)
    a._array, a._device, a._root, a._size = arr, of._device, of._root, 0
    a._base = of if of._base is None else of._base
    return a


def _unsupported(x, what=""):
    return TypeError(f"Unsupported type {type(x)}{what}")


def _unwrap(x, seen, device):
    """``x`` with device arrays replaced by their NumPy arrays (collected in ``seen``), through
    tuples, lists and dicts. A NumPy array raises TypeError; so does a device array from another
    device than ``device``, unless ``device`` is None."""
    t = type(x)
    if t is ndarray:
        if device is not None and x._device != device:
            raise ValueError(
                f"The device where the array resides ({x._device}) is different from the current "
                f"device ({device}). Peer access is unavailable between these devices.")
        seen.append(x)
        return x._array
    if t is tuple or t is list:
        return t(_unwrap(v, seen, device) for v in x)
    if t is dict:
        return {k: _unwrap(v, seen, device) for k, v in x.items()}
    if isinstance(x, np.ndarray):
        raise _unsupported(x)
    return x


def _wrap(r, seen, device):
    """NumPy's result ``r`` as device arrays: one of ``seen`` itself (``out=``, ``astype`` without
    a copy), a view of one of them, or a new array on ``device``. NumPy scalars: 0-d arrays."""
    t = type(r)
    if t is np.ndarray:
        for a in seen:
            if a._array is r:
                return a
        if r.base is not None:
            root = _root_of(r)
            for a in seen:
                if a._root is root:
                    return _view(r, a)
        return _init(object.__new__(ndarray), r, device)
    if isinstance(r, np.generic):
        return _init(object.__new__(ndarray), np.asarray(r), device)
    if t is tuple or t is list:
        return t(_wrap(v, seen, device) for v in r)
    if isinstance(r, tuple):  # a named tuple (linalg's results)
        return t(*(_wrap(v, seen, device) for v in r))
    if isinstance(r, np.ndarray):  # a subclass
        return _wrap(np.asarray(r), seen, device)
    return r


def _index(key):
    """An index with device arrays unwrapped; a NumPy array in it raises TypeError."""
    t = type(key)
    if t is ndarray:
        return key._array
    if t is tuple or t is list:
        return t(_index(k) for k in key)
    if isinstance(key, np.ndarray):
        raise _unsupported(key, " as an index: CuPy copies it to the device behind your back")
    return key


# -- ufuncs ------------------------------------------------------------------------------------

# method: (the ufuncs CuPy has it for, the keywords it takes)
_UFUNC_METHODS = {
    "reduce": ({"add", "multiply"}, {"axis", "dtype", "out", "keepdims"}),
    "accumulate": ({"add", "multiply"}, {"axis", "dtype", "out"}),
    "reduceat": ({"add"}, {"axis", "dtype", "out"}),
    "at": ({"add", "subtract", "maximum", "minimum", "bitwise_and", "bitwise_or", "bitwise_xor"},
           set()),
}
# ``ufunc.at`` with an integer-array index runs CUDA atomics, which exist for these dtypes only
_ATOMIC = {"add": ("add", "int32 float16 float32 float64 uint32 uint64".split()),
           "maximum": ("max", "int32 float32 float64 uint32 uint64".split()),
           "minimum": ("min", "int32 float32 float64 uint32 uint64".split())}


def _integer_index(index):
    parts = index if type(index) is tuple else (index,)
    return any(type(p) is list or (type(p) is np.ndarray and p.dtype.kind in "iu") for p in parts)


def _apply_ufunc(uf, method, inputs, kwargs):
    """NumPy's ufunc ``uf`` (or its ``method``) on device arrays and scalars, with CuPy's rules."""
    name = uf.__name__
    if method in ("__call__", "outer"):
        for x in inputs:
            if type(x) is not ndarray and type(x) not in _SCALARS and not isinstance(x, np.generic):
                raise _unsupported(x)
    else:
        names, keywords = _UFUNC_METHODS.get(method, ((), ()))
        if name not in names:
            raise NotImplementedError(f"`cupy_{name}.{method}` is not supported yet")
        for k in kwargs:
            if k not in keywords:
                raise TypeError(f"{method}() got an unexpected keyword argument {k!r}")
        if type(inputs[0]) is not ndarray:
            raise _unsupported(inputs[0])
    device, seen = _current(), []
    args, kwargs = _unwrap(inputs, seen, device), _unwrap(kwargs, seen, device)
    if method == "at" and name in _ATOMIC and _integer_index(args[1]):
        op, dtypes = _ATOMIC[name]
        if args[0].dtype.name not in dtypes:
            raise TypeError(f"scatter_{op} only supports {', '.join(dtypes)} as data type")
    result = (uf if method == "__call__" else getattr(uf, method))(*args, **kwargs)
    return _wrap(result, seen, device)


class ufunc:
    """``cupy.ufunc``: one of NumPy's, applied to device arrays (``cupy.add(a, b)``, ``.at``...)."""

    def __init__(self, numpy_ufunc):
        self._ufunc = numpy_ufunc
        self.__name__ = numpy_ufunc.__name__
        self.__doc__ = numpy_ufunc.__doc__

    def __call__(self, *args, **kwargs):
        return _apply_ufunc(self._ufunc, "__call__", args, kwargs)

    def outer(self, A, B, **kwargs):
        return _apply_ufunc(self._ufunc, "outer", (A, B), kwargs)

    def reduce(self, array, axis=0, dtype=None, out=None, keepdims=False):
        kw = {"axis": axis, "dtype": dtype, "out": out, "keepdims": keepdims}
        return _apply_ufunc(self._ufunc, "reduce", (array,), kw)

    def accumulate(self, array, axis=0, dtype=None, out=None):
        kw = {"axis": axis, "dtype": dtype, "out": out}
        return _apply_ufunc(self._ufunc, "accumulate", (array,), kw)

    def reduceat(self, array, indices, axis=0, dtype=None, out=None):
        kw = {"axis": axis, "dtype": dtype, "out": out}
        return _apply_ufunc(self._ufunc, "reduceat", (array, indices), kw)

    def at(self, a, indices, b=None):
        _apply_ufunc(self._ufunc, "at", (a, indices) if b is None else (a, indices, b), {})

    def __getattr__(self, name):  # nin, nout, identity, types...
        return getattr(self._ufunc, name)

    def __repr__(self):
        return f"<ufunc 'cupy_{self.__name__}'>"


# -- the array ---------------------------------------------------------------------------------


def _passthrough(name):
    return property(lambda self: getattr(self._array, name), doc=f"numpy.ndarray.{name}")


def _view_property(name):
    def get(self):
        return _wrap(getattr(self._array, name), [self], _current())

    def set_(self, value):
        setattr(self._array, name, _value(value))

    return property(get, set_ if name in ("real", "imag") else None)


def _value(value):
    """A value assigned into a device array: a device array's data or a scalar, not NumPy's."""
    if type(value) is ndarray:
        return value._array
    if isinstance(value, np.ndarray):
        raise _unsupported(value, " as a value: a host array assigned into a device array")
    return value


class _Flags:
    def __init__(self, c, f, own):
        self.c_contiguous, self.f_contiguous, self.owndata = c, f, own

    def __getitem__(self, key):
        return {"C_CONTIGUOUS": self.c_contiguous, "F_CONTIGUOUS": self.f_contiguous,
                "OWNDATA": self.owndata}[key]


class _MemoryPointer:
    def __init__(self, ptr, device_id):
        self.ptr, self.device_id = ptr, device_id


class ndarray(NDArrayOperatorsMixin):
    """``cupy.ndarray``: an array on a (fake) GPU, held as a NumPy array ``_array``."""

    __slots__ = ("_array", "_device", "_base", "_root", "_size", "__weakref__")

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order="C"):
        if memptr is not None or strides is not None:
            raise NotImplementedError("fake_cupy.ndarray: memptr and strides are not supported")
        _init(self, np.empty(shape, dtype, order), _current())

    dtype, ndim, size, strides, itemsize, nbytes = map(
        _passthrough, ("dtype", "ndim", "size", "strides", "itemsize", "nbytes"))
    T, mT, real, imag = map(_view_property, ("T", "mT", "real", "imag"))

    @property
    def shape(self):
        return self._array.shape

    @shape.setter
    def shape(self, value):
        self._array.shape = value

    @property
    def base(self):
        return self._base

    @property
    def device(self):
        return cuda.Device(self._device)

    @property
    def data(self):
        return _MemoryPointer(self._array.ctypes.data, self._device)

    @property
    def flags(self):
        f = self._array.flags
        return _Flags(f.c_contiguous, f.f_contiguous, self._base is None)

    # -- to the host, explicitly
    def get(self, stream=None, order="C", out=None, blocking=True):
        """A NumPy copy (into ``out`` when given)."""
        if out is None:
            return np.array(self._array, order=order, copy=True)
        if not isinstance(out, np.ndarray):
            raise TypeError("Only numpy.ndarray can be obtained from cupy.ndarray")
        if out.dtype != self.dtype:
            raise TypeError(f"{out.dtype} array cannot be obtained from {self.dtype} array")
        if out.shape != self.shape:
            raise ValueError(f"Shape mismatch. Expected shape: {self.shape}, actual shape: "
                             f"{out.shape}")
        np.copyto(out, self._array)
        return out

    def set(self, arr, stream=None):
        """Copy the NumPy array ``arr`` (same dtype and shape) into this array."""
        if not isinstance(arr, np.ndarray):
            raise TypeError("Only numpy.ndarray can be set to cupy.ndarray")
        if arr.dtype != self.dtype:
            raise TypeError(f"{arr.dtype} array cannot be set to {self.dtype} array")
        if arr.shape != self.shape:
            raise ValueError(f"Shape mismatch. Old shape: {self.shape}, new shape: {arr.shape}")
        self._array[...] = arr

    def item(self, *args):
        return self._array.item(*args)

    def tolist(self):
        return self._array.tolist()

    def _scalar(self, kind):
        if self._array.ndim:
            raise TypeError("only 0-dimensional arrays can be converted to Python scalars")
        return kind(self._array)

    def __int__(self):
        return self._scalar(int)

    def __float__(self):
        return self._scalar(float)

    def __complex__(self):
        return self._scalar(complex)

    def __bool__(self):
        if self._array.size == 0:
            warnings.warn("The truth value of an empty array is ambiguous. Returning False, but in "
                          "future this will result in an error. Use `array.size > 0` to check "
                          "that an array is not empty.", DeprecationWarning, stacklevel=2)
            return False
        if self._array.size > 1:
            raise ValueError("The truth value of an array with more than one element is "
                             "ambiguous. Use a.any() or a.all()")
        return bool(self._array)

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. Please use `.get()` "
                        "to construct a NumPy array explicitly.")

    def __repr__(self):
        return repr(self._array)

    def __str__(self):
        return str(self._array)

    def __format__(self, spec):
        return format(self._array, spec)

    # -- containers and indexing
    def __len__(self):
        if self._array.ndim == 0:
            raise TypeError("len() of unsized object")
        return len(self._array)

    def __iter__(self):
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(len(self._array)))

    def __getitem__(self, key):
        key = _index(key)
        r = self._array[key]
        if type(r) is not np.ndarray:  # a NumPy scalar: CuPy returns a 0-d view
            r = self._array[(key if type(key) is tuple else (key,)) + (Ellipsis,)]
        return _wrap(r, [self], _current())

    def __setitem__(self, key, value):
        self._array[_index(key)] = _value(value)

    # -- NumPy's protocols: CuPy runs NumPy's functions on its arrays
    def __array_ufunc__(self, uf, method, *inputs, **kwargs):
        if getattr(np, uf.__name__, None) is not uf:
            return NotImplemented  # not one of NumPy's ufuncs (``frompyfunc``): CuPy lacks it
        out = kwargs.get("out", ())
        if len(out) > 1:
            raise ValueError("The 'out' parameter must have exactly one array value")
        for x in inputs + out:  # anything else (a list, a slice): NumPy raises TypeError
            if not (type(x) is ndarray or type(x) in _SCALARS
                    or isinstance(x, (np.generic, np.ndarray))):
                return NotImplemented
        return _apply_ufunc(uf, method, inputs, kwargs)

    def __array_function__(self, func, _types, args, kwargs):
        if func.__name__ in _NOT_IN_CUPY:
            return NotImplemented  # NumPy raises TypeError
        device, seen = _current(), []
        result = func(*_unwrap(args, seen, device), **_unwrap(kwargs, seen, device))
        return _wrap(result, seen, device)

    def __array_namespace__(self, api_version=None):
        return sys.modules[__name__]

    def __eq__(self, other):  # CuPy: never equal to None or to an object without __eq__
        if other is None or type(other).__eq__ is object.__eq__:
            return _init(object.__new__(ndarray), np.zeros(self.shape, bool), _current())
        return np.equal(self, other)

    def __ne__(self, other):
        if other is None or type(other).__eq__ is object.__eq__:
            return _init(object.__new__(ndarray), np.ones(self.shape, bool), _current())
        return np.not_equal(self, other)

    __hash__ = None

    def __del__(self):  # the memory goes back to the pool (views hold their base alive)
        if getattr(self, "_size", 0):
            _pool._free(self._device, self._size)

    # -- copies
    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        with cuda.Device(self._device):
            return self.copy()

    def __reduce__(self):
        return array, (self.get(),)


def _method(name):
    def method(self, *args, **kwargs):
        seen = [self]
        args, kwargs = _unwrap(args, seen, None), _unwrap(kwargs, seen, None)
        return _wrap(getattr(self._array, name)(*args, **kwargs), seen, _current())

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"numpy.ndarray.{name}, on the device"
    return method


# every other public method of NumPy's ndarray that CuPy's has too: sum, reshape, astype, fill...
for _name in dir(np.ndarray):
    if (not _name.startswith("_") and _name not in ndarray.__dict__
            and _name not in ("to_device", "getfield", "setfield", "setflags", "byteswap", "resize")
            and callable(getattr(np.ndarray, _name))):
        setattr(ndarray, _name, _method(_name))
del _name


# -- the module's functions --------------------------------------------------------------------


def _host(obj):
    """``obj`` for ``numpy.array``: device arrays in (nested) lists replaced by their data."""
    if type(obj) is ndarray:
        return obj._array
    if type(obj) is list or type(obj) is tuple:
        return [_host(x) for x in obj]
    return obj


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0, *, blocking=False):
    """A new array on the current device (a host-to-device copy for host data)."""
    if type(obj) is ndarray:
        r = np.array(obj._array, dtype=dtype, copy=True if copy else None, order=order, ndmin=ndmin)
        return _wrap(r, [obj], _current())
    r = np.array(_host(obj), dtype=dtype, copy=True, order=order, ndmin=ndmin)
    return _init(object.__new__(ndarray), r, _current())


def asarray(a, dtype=None, order=None, *, blocking=False):
    """``a`` itself when it is a device array of that dtype, else a copy on the current device."""
    if type(a) is ndarray:
        return _wrap(np.asarray(a._array, dtype=dtype, order=order), [a], _current())
    return array(a, dtype, order=order or "K")


asanyarray = asarray


def asnumpy(a, stream=None, order="C", out=None, *, blocking=True):
    """A NumPy copy of a device array; anything else through ``numpy.asarray``."""
    if type(a) is ndarray:
        return a.get(stream, order, out, blocking)
    if out is None:
        return np.asarray(a, order=order)
    out[...] = a
    return out


def get_array_module(*args):
    for a in args:
        if type(a) is ndarray:
            return sys.modules[__name__]
    return np


def is_available():
    return True


def get_default_memory_pool():
    return _pool


def get_default_pinned_memory_pool():
    return _pinned_pool


class _Indexer:
    """``mgrid``, ``ogrid``, ``r_``, ``c_``: NumPy's, with results on the device."""

    def __init__(self, indexer):
        self._indexer = indexer

    def __getitem__(self, key):
        device, seen = _current(), []
        return _wrap(self._indexer[_unwrap(key, seen, device)], seen, device)


def _function(func):
    def wrapper(*args, **kwargs):
        device, seen = _current(), []
        result = func(*_unwrap(args, seen, device), **_unwrap(kwargs, seen, device))
        return _wrap(result, seen, device)

    return functools.wraps(func)(wrapper)


def _lookup(namespace, name, qualname):
    """NumPy's ``namespace.name`` as CuPy has it: ufuncs and functions work on device arrays and
    make new ones on the current device; types and constants are NumPy's."""
    value = _MISSING
    if not name.startswith("_") and name not in _NOT_IN_CUPY:
        value = getattr(namespace, name, _MISSING)
    if value is _MISSING:
        raise AttributeError(f"module {qualname!r} has no attribute {name!r}")
    if isinstance(value, np.ufunc):
        return ufunc(value)
    if isinstance(value, types.ModuleType):
        return _Namespace(f"{qualname}.{name}", value)
    if name in ("mgrid", "ogrid", "r_", "c_"):
        return _Indexer(value)
    if callable(value) and not isinstance(value, type):
        return _function(value)
    return value


def __getattr__(name):  # zeros, exp, where, einsum, float32, pi, newaxis...: made once, then kept
    value = globals()[name] = _lookup(np, name, __name__)
    return value


class _Namespace(types.ModuleType):
    """A submodule (``linalg``, ``fft``, ``lib``...): NumPy's, looked up like the top level."""

    def __init__(self, name, numpy_module):
        super().__init__(name)
        self._numpy = numpy_module

    def __getattr__(self, name):
        value = _lookup(self._numpy, name, self.__name__)
        setattr(self, name, value)
        return value


linalg = _Namespace(f"{__name__}.linalg", np.linalg)
fft = _Namespace(f"{__name__}.fft", np.fft)
lib = _Namespace(f"{__name__}.lib", np.lib)


def _submodule(name, **members):
    """A module ``fake_cupy.<name>`` holding ``members``; its classes take their names there."""
    module = types.ModuleType(f"{__name__}.{name}")
    for key, value in members.items():
        if isinstance(value, type):
            value.__name__, value.__qualname__, value.__module__ = key, key, module.__name__
        setattr(module, key, value)
    return module


# -- cupy.random -------------------------------------------------------------------------------


def _sample(values, out=None, dtype=None):
    result = _init(object.__new__(ndarray), np.asarray(values, dtype), _current())
    if out is None:
        return result
    out[...] = result
    return out


def _float(dtype):
    dtype = np.dtype(dtype)
    if dtype.char not in "fd":
        raise TypeError("cupy.random only supports float32 and float64")
    return dtype


class _Generator:
    """``cupy.random.Generator``, with some of CuPy's methods (CuPy has beta, gamma, poisson too),
    and not NumPy's others: CuPy's has no uniform, normal, permutation, choice, shuffle."""

    def __init__(self, seed=None):
        self._rng = np.random.default_rng(seed)

    def random(self, size=None, dtype=np.float64, out=None):
        if np.dtype(dtype).char in "fd":
            return _sample(self._rng.random(size, dtype), out)
        return _sample(self._rng.random(size), out, dtype)  # CuPy: float64, then astype

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        return _sample(self._rng.integers(low, high, size, dtype=dtype, endpoint=endpoint))

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        if np.dtype(dtype).char not in "fd":
            raise TypeError(f"Unsupported dtype {np.dtype(dtype).name} for standard_normal")
        return _sample(self._rng.standard_normal(size, dtype), out)

    def standard_exponential(self, size=None, dtype=np.float64, method="inv", out=None):
        return _sample(self._rng.standard_exponential(size), out, dtype)

    def exponential(self, scale=1.0, size=None):
        return _sample(self._rng.exponential(scale, size))


class _RandomState:
    """``cupy.random.RandomState``, behind ``cupy.random.rand``, ``seed``... (one for all GPUs)."""

    def __init__(self, seed=None):
        self._rs = np.random.RandomState(seed)

    def seed(self, seed=None):
        self._rs.seed(seed)

    def random_sample(self, size=None, dtype=float):
        values = np.asarray(self._rs.random_sample(size), _float(dtype))
        values[values == 1] = np.nextafter(values.dtype.type(1), 0)  # float32 may round up to 1
        return _sample(values)

    random = random_sample

    def rand(self, *size, dtype=float):
        return self.random_sample(size, dtype)

    def standard_normal(self, size=None, dtype=float):
        return _sample(self._rs.standard_normal(size), None, _float(dtype))

    def randn(self, *size, dtype=float):
        return self.standard_normal(size, dtype)

    def uniform(self, low=0.0, high=1.0, size=None, dtype=float):
        low, high = _unwrap(low, [], None), _unwrap(high, [], None)
        return _sample(self._rs.uniform(low, high, size), None, _float(dtype))

    def normal(self, loc=0.0, scale=1.0, size=None, dtype=float):
        loc, scale = _unwrap(loc, [], None), _unwrap(scale, [], None)
        return _sample(self._rs.normal(loc, scale, size), None, _float(dtype))

    def randint(self, low, high=None, size=None, dtype="l"):
        return _sample(self._rs.randint(low, high, size, dtype))

    def permutation(self, num):
        return _sample(self._rs.permutation(_unwrap(num, [], None)))


def _default_rng(seed=None):
    return _Generator(seed)


_random_state = _RandomState()
random = _submodule(
    "random", Generator=_Generator, RandomState=_RandomState, default_rng=_default_rng,
    get_random_state=lambda: _random_state, seed=_random_state.seed, rand=_random_state.rand,
    randn=_random_state.randn, randint=_random_state.randint, random=_random_state.random,
    random_sample=_random_state.random_sample, standard_normal=_random_state.standard_normal,
    uniform=_random_state.uniform, normal=_random_state.normal,
    permutation=_random_state.permutation)


# -- cupy.cuda ---------------------------------------------------------------------------------


class _CUDARuntimeError(RuntimeError):
    def __init__(self, status, text):
        self.status = status
        super().__init__(text)


class _OutOfMemoryError(MemoryError):
    pass


def _device_count():
    return int(os.environ.get("GLASSTORCH_FAKE_CUDA_DEVICES", "1"))


def _check_device(i):
    if not 0 <= i < _device_count():
        raise cuda.runtime.CUDARuntimeError(101, "cudaErrorInvalidDevice: invalid device ordinal")


def _set_device(i):
    _check_device(i)
    _local.device = i


def _can_access_peer(device, peer):  # never: arrays of another device raise (see ``_unwrap``)
    _check_device(device)
    _check_device(peer)
    return 0


def _device_properties(i):
    _check_device(i)
    return {"name": b"glasstorch fake CUDA device (NumPy)", "totalGlobalMem": _TOTAL_MEMORY,
            "major": 8, "minor": 0, "multiProcessorCount": 1, "warpSize": 32}


def _mem_get_info():
    return _TOTAL_MEMORY - _pool.total_bytes(), _TOTAL_MEMORY


class _Device:
    """``cupy.cuda.Device``: ``with Device(1):`` makes GPU 1 current for the block. As in CuPy, an
    invalid ordinal raises when the device is used, not when the object is made."""

    def __init__(self, device=None):
        self.id = _current() if device is None else int(device)
        self._previous = []

    def __int__(self):
        return self.id

    def __enter__(self):
        current = _current()
        if self.id != current:
            _set_device(self.id)
        self._previous.append(current)
        return self

    def __exit__(self, *exc_info):
        _local.device = self._previous.pop()

    def use(self):
        _set_device(self.id)

    def synchronize(self):
        _check_device(self.id)

    @property
    def compute_capability(self):
        props = _device_properties(self.id)
        return f"{props['major']}{props['minor']}"

    @property
    def mem_info(self):
        with self:
            return _mem_get_info()

    def __eq__(self, other):
        return self.id == other.id if isinstance(other, _Device) else NotImplemented

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


class _Stream:
    """``cupy.cuda.Stream``: ``with stream:`` makes it current; work is never pending here."""

    null = None  # the default stream (below)

    def __init__(self, null=False, non_blocking=False, ptr=0, priority=None):
        self.ptr = 0 if null else id(self)
        self.device_id = _current()
        self._previous = []

    def __enter__(self):
        self._previous.append(_get_current_stream())
        _local.stream = self
        return self

    def __exit__(self, *exc_info):
        _local.stream = self._previous.pop()

    def use(self):
        _local.stream = self
        return self

    def synchronize(self):
        pass

    def __repr__(self):
        return f"<Stream {self.ptr} (device {self.device_id})>"


_Stream.null = _Stream(null=True)


def _get_current_stream(device_id=None):
    return getattr(_local, "stream", _Stream.null)


cuda = _submodule(
    "cuda", Device=_Device, Stream=_Stream, MemoryPool=_MemoryPool,
    PinnedMemoryPool=_PinnedMemoryPool, OutOfMemoryError=_OutOfMemoryError,
    get_current_stream=_get_current_stream, get_device_id=_current, is_available=is_available,
    set_allocator=lambda allocator=None: None, set_pinned_memory_allocator=lambda a=None: None)
cuda.runtime = _submodule(
    "cuda.runtime", CUDARuntimeError=_CUDARuntimeError, getDeviceCount=_device_count,
    getDevice=_current, setDevice=_set_device, getDeviceProperties=_device_properties,
    deviceSynchronize=lambda: None, memGetInfo=_mem_get_info,
    deviceCanAccessPeer=_can_access_peer)
cuda.memory = _submodule("cuda.memory", OutOfMemoryError=_OutOfMemoryError,
                         MemoryPool=_MemoryPool, PinnedMemoryPool=_PinnedMemoryPool)


def install(monkeypatch=None):
    """Register the double as ``cupy`` (with its submodules) and ``fake_cupyx`` as ``cupyx`` in
    ``sys.modules``; with pytest's ``monkeypatch``, only for the test."""
    import fake_cupyx

    modules = {"cupy": sys.modules[__name__], "cupy.cuda": cuda, "cupy.cuda.runtime": cuda.runtime,
               "cupy.cuda.memory": cuda.memory, "cupy.random": random, "cupy.fft": fft,
               "cupy.linalg": linalg, "cupy.lib": lib, "cupy.lib.stride_tricks": lib.stride_tricks,
               "cupyx": fake_cupyx}
    for name, module in modules.items():
        if monkeypatch is None:
            sys.modules[name] = module
        else:
            monkeypatch.setitem(sys.modules, name, module)
