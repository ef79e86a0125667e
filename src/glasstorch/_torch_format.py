"""PyTorch's checkpoint format, read and written without PyTorch (and without running code).

What ``torch.save`` writes (since PyTorch 1.6) is an uncompressed zip archive::

    archive/data.pkl          the object, pickled (protocol 2); tensors refer to storages by key
    archive/data/0, data/1…   each storage's raw bytes (one per distinct memory block)
    archive/byteorder         "little" or "big"
    archive/version           "3"; .format_version, .storage_alignment, .data/serialization_id

(the folder is named after the file or is ``archive``; readers take whatever it is). A tensor is
pickled as ``torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride,
requires_grad, hooks)``: a view into a storage, so tensors that share memory share one storage.

The *legacy* format (``_use_new_zipfile_serialization=False``, PyTorch before 1.6) is one stream:
four pickles (a magic number, a protocol version, system info, the object), a pickled list of
storage keys, then each storage as an 8-byte element count and its bytes.

``read(f, name, ...)`` reads both through ``_torch_pickle``'s restricted unpickler;
``write(obj)`` returns the bytes of a zip archive real ``torch.load`` reads with its default
``weights_only=True``. Tensors load as NumPy views into their storage's array (storage sharing
kept); ``bfloat16`` storages, which glasstorch has no dtype for, load as ``float32`` (exactly).

Devices: each storage is written with its location (``'cpu'``, ``'cuda:0'``; a GPU tensor's bytes
are copied to the host, as torch does). Loading puts it where ``map_location`` says, as torch:
``None`` (where it was saved), a device or its name, a dict from saved location to location, or a
function ``(storage, location) -> storage`` given the storage on the host (return it to keep it
there, ``storage.cuda(i)`` to move it). A GPU storage is copied once and its tensors view the copy.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
import warnings
import zipfile
from collections import OrderedDict

import numpy as np

from . import _array, _dtype
from ._device import device
from ._size import Size
from ._tensor import Tensor, _wrap
from ._torch_pickle import _CheckpointPickler, _Global, base_allowed, weights_only_load

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001
_ALIGN = 64  # storages start at multiples of 64 bytes in the archive, as torch writes them

# torch's storage classes and dtype names -> glasstorch dtype (None: bfloat16, read as float32)
_STORAGES = {
    "FloatStorage": _dtype.float32, "DoubleStorage": _dtype.float64,
    "HalfStorage": _dtype.float16, "BFloat16Storage": None, "LongStorage": _dtype.int64,
    "IntStorage": _dtype.int32, "ShortStorage": _dtype.int16, "CharStorage": _dtype.int8,
    "ByteStorage": _dtype.uint8, "BoolStorage": _dtype.bool_,
    "ComplexFloatStorage": _dtype.complex64, "ComplexDoubleStorage": _dtype.complex128,
}
_STORAGE_OF = {dt.name: name for name, dt in _STORAGES.items() if dt is not None}
_DTYPE_NAMES = {
    "float32": _dtype.float32, "float": _dtype.float32, "float64": _dtype.float64,
    "double": _dtype.float64, "float16": _dtype.float16, "half": _dtype.float16,
    "bfloat16": None, "int64": _dtype.int64, "long": _dtype.int64, "int32": _dtype.int32,
    "int": _dtype.int32, "int16": _dtype.int16, "short": _dtype.int16, "int8": _dtype.int8,
    "uint8": _dtype.uint8, "bool": _dtype.bool_, "complex64": _dtype.complex64,
    "cfloat": _dtype.complex64, "complex128": _dtype.complex128, "cdouble": _dtype.complex128,
}


class _Bfloat16:
    """Stands for ``torch.bfloat16`` while reading (glasstorch has no bfloat16)."""

    name = "bfloat16"


def bad(name: str, why: str) -> RuntimeError:
    return RuntimeError(
        f"{name} is not a valid PyTorch checkpoint ({why}); it may be truncated or corrupted, or "
        "not written by torch.save"
    )


# ---- storages --------------------------------------------------------------------------------
class _StorageType:
    """``torch.FloatStorage`` & co. in a pickle: the dtype a storage's bytes hold."""

    def __init__(self, name: str, dt):
        self.name = name
        self.dtype = dt  # a glasstorch dtype, None for bfloat16, "untyped" for UntypedStorage


class _Storage:
    """One storage of a checkpoint: its bytes as a flat array of its dtype."""

    def __init__(self, raw: np.ndarray, dt, big_endian: bool, name: str, key: str):
        self.raw = raw  # uint8, writeable, owned
        self.dtype = dt
        self.big_endian = big_endian
        self.name = name
        self.key = key
        self._typed: dict = {}
        self.gpu: int | None = None  # where its tensors go: None for the host, else a GPU number
        self._on_gpu: dict = {}  # dtype name -> the typed array copied to GPU ``self.gpu``

    # what a map_location function may call on the storage it is given
    @property
    def device(self) -> device:
        return device("cpu") if self.gpu is None else device("cuda", self.gpu)

    def to(self, dev) -> _Storage:
        """This storage's bytes, to be loaded on ``dev`` (a device or its name)."""
        from ._device import gpu_index

        index = gpu_index(dev)
        if index == self.gpu:
            return self
        moved = _Storage(self.raw, self.dtype, self.big_endian, self.name, self.key)
        moved._typed, moved.gpu = self._typed, index
        return moved

    def cuda(self, dev=None, non_blocking: bool = False) -> _Storage:
        return self.to(device("cuda") if dev is None else device(dev) if not isinstance(
            dev, int) else device("cuda", dev))

    def cpu(self) -> _Storage:
        return self.to("cpu")

    def on_device(self, dt) -> np.ndarray:
        """``typed(dt)`` where the storage's tensors live: on the host, or copied (once) to its
        GPU."""
        flat = self.typed(dt)
        if self.gpu is None:
            return flat
        key = "bfloat16" if dt is None else dt.name
        if key not in self._on_gpu:
            self._on_gpu[key] = _array.to_device(flat, self.gpu)
        return self._on_gpu[key]

    def refill(self, data: bytes) -> None:
        """Put the storage's bytes in place (legacy files store them after the tensors), also
        into the converted copies (bfloat16, other byte order) tensors already view."""
        self.raw[:] = np.frombuffer(data, np.uint8)
        copies, self._typed = self._typed, {}
        for key, arr in copies.items():
            if key == "warned":
                self._typed[key] = arr
                continue
            if not np.shares_memory(arr, self.raw):
                arr[...] = self.typed(None if key == "bfloat16" else _dtype._by_name(key))
            self._typed[key] = arr
        for key, arr in self._on_gpu.items():  # the GPU copies: refreshed in place
            arr[...] = _array.like(arr, self.typed(None if key == "bfloat16"
                                                   else _dtype._by_name(key)))

    def typed(self, dt) -> np.ndarray:
        """The bytes as a 1-D array of ``dt`` (a glasstorch dtype or None for bfloat16)."""
        key = "bfloat16" if dt is None else dt.name
        if key not in self._typed:
            item = 2 if dt is None else dt.itemsize
            if self.raw.size % item:
                raise pickle.UnpicklingError(
                    f"{self.name}: storage {self.key!r} holds {self.raw.size} bytes, not a "
                    f"whole number of {key} elements")
            order = ">" if self.big_endian else "<"
            if dt is None:  # bfloat16: the top half of a float32
                halves = self.raw.view(order + "u2").astype(np.uint32)
                arr = (halves << 16).view(np.float32)
                if not self._typed.get("warned"):
                    self._typed["warned"] = True
                    warnings.warn(
                        f"{self.name} holds bfloat16 tensors; glasstorch has no bfloat16 and "
                        "loads them as float32 (the same values)", stacklevel=4)
            else:
                arr = self.raw.view(dt.np.newbyteorder(order) if dt.itemsize > 1 else dt.np)
                if not arr.dtype.isnative:
                    arr = arr.astype(dt.np)
            self._typed[key] = arr
        return self._typed[key]


def _count(v, what: str) -> int:
    if type(v) is not int or v < 0:
        raise ValueError(f"{what} must be a non-negative int, not {v!r}")
    return v


def _as_tensor(storage, storage_offset, size, stride, dt) -> Tensor:
    """A tensor viewing ``storage`` as torch's (offset, size, stride) say, after checking that
    every element it reaches lies inside the storage."""
    if not isinstance(storage, _Storage):
        raise ValueError(f"expected a storage, got {type(storage).__name__}")
    flat = storage.on_device(dt)
    offset = _count(storage_offset, "storage_offset")
    if not isinstance(size, (tuple, list)) or not isinstance(stride, (tuple, list)):
        raise ValueError("size and stride must be tuples")
    shape = tuple(_count(s, "a size") for s in size)
    steps = tuple(_count(s, "a stride") for s in stride)
    if len(shape) != len(steps):
        raise ValueError(f"size {list(shape)} and stride {list(steps)} differ in length")
    if 0 in shape:
        return _wrap(_array.namespace(flat).empty(shape, flat.dtype))
    last = offset + sum((n - 1) * s for n, s in zip(shape, steps))
    if last >= flat.size:
        raise ValueError(f"a tensor of size {list(shape)}, stride {list(steps)} at offset "
                         f"{offset} reaches element {last} of a storage of {flat.size}")
    item = flat.itemsize
    xp = _array.namespace(flat)
    arr = xp.lib.stride_tricks.as_strided(flat[offset:], shape, tuple(s * item for s in steps))
    return _wrap(arr)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _as_tensor(storage, storage_offset, size, stride, storage.dtype
                      if isinstance(storage, _Storage) else None)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    t = _rebuild_tensor(storage, storage_offset, size, stride)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dt, metadata=None):
    if not (isinstance(dt, _dtype.dtype) or dt is _Bfloat16):
        raise ValueError(f"expected a dtype, got {dt!r}")
    t = _as_tensor(storage, storage_offset, size, stride, None if dt is _Bfloat16 else dt)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks, state=None):
    from .nn import Parameter

    if not isinstance(data, Tensor):
        raise ValueError(f"a Parameter's data must be a tensor, not {type(data).__name__}")
    return Parameter(data, requires_grad=bool(requires_grad))


def _rebuild_from_type_v2(func, new_type, args, state):
    from .nn import Parameter

    build = func.build if isinstance(func, _Global) else func
    if build not in _TENSOR_BUILDERS or not isinstance(args, tuple):
        raise ValueError(f"cannot rebuild a tensor with {func!r}")
    t = build(*args)
    if new_type is _TENSOR_CLASS:
        return t
    if new_type is _PARAMETER_CLASS:
        return Parameter(t, requires_grad=t.requires_grad)
    raise ValueError(f"cannot rebuild a tensor of type {new_type!r}")


def _size(items=()):
    return Size(_count(v, "a torch.Size entry") for v in items)


def _device(kind, index=None):
    return device(kind, index)


_TENSOR_BUILDERS = (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter)
_TENSOR_CLASS = _Global("torch", "Tensor")
_PARAMETER_CLASS = _Global("torch.nn.parameter", "Parameter")


def _allowed() -> dict:
    """Every global a weights-only checkpoint may name, with what it rebuilds."""
    table = base_allowed()

    def add(module, name, build=None, value=None):
        table[(module, name)] = _Global(module, name, build, value)

    for fn in (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter):
        add("torch._utils", fn.__name__, fn)
    add("torch._utils", "_rebuild_parameter_with_state", _rebuild_parameter)
    add("torch._tensor", "_rebuild_from_type_v2", _rebuild_from_type_v2)
    add("torch", "Size", _size)
    add("torch", "device", _device)
    table[("torch", "Tensor")] = _TENSOR_CLASS
    table[("torch.nn.parameter", "Parameter")] = _PARAMETER_CLASS
    for name, dt in _STORAGES.items():
        add("torch", name, value=_StorageType(name, dt))
    for module in ("torch", "torch.storage"):
        add(module, "UntypedStorage", value=_StorageType("UntypedStorage", "untyped"))
    for name, dt in _DTYPE_NAMES.items():
        add("torch", name, value=_Bfloat16 if dt is None else dt)
    return table


_ALLOWED = _allowed()

# what add_safe_globals registered: (module, qualname) -> the class or function it names
_USER_SAFE: dict = {}


def _safe_name(obj) -> tuple[str, str]:
    if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[1], str):
        obj, name = obj  # (object, "module.qualname") as torch accepts
        module, _, qualname = name.rpartition(".")
        return module, qualname
    return obj.__module__, obj.__qualname__


def add_safe_globals(safe_globals: list) -> None:
    """Let ``weights_only=True`` loads rebuild these classes and functions too (``[MyConfig,
    numpy.dtype]``, or ``(obj, "module.name")`` pairs) — for objects you trust to build only
    data."""
    for obj in safe_globals:
        _USER_SAFE[_safe_name(obj)] = obj[0] if isinstance(obj, tuple) else obj


def get_safe_globals() -> list:
    """What ``add_safe_globals`` registered."""
    return list(_USER_SAFE.values())


def clear_safe_globals() -> None:
    """Forget every ``add_safe_globals`` registration."""
    _USER_SAFE.clear()


class safe_globals:
    """``with safe_globals([...]):`` — ``add_safe_globals`` for the ``with`` block only."""

    def __init__(self, safe_globals: list):
        self.safe = safe_globals

    def __enter__(self):
        self.before = dict(_USER_SAFE)
        add_safe_globals(self.safe)

    def __exit__(self, *exc):
        _USER_SAFE.clear()
        _USER_SAFE.update(self.before)


class _AllowList(dict):
    """The built-in allow-list plus what the user registered (looked up at load time)."""

    @property
    def user_objects(self) -> list:
        return list(_USER_SAFE.values())

    def get(self, key, default=None):
        found = _ALLOWED.get(key)
        if found is not None:
            return found
        obj = _USER_SAFE.get(key)
        return default if obj is None else _Global(key[0], key[1], obj, user=True)


# ---- reading -------------------------------------------------------------------------------
class _Reader:
    """Resolves a checkpoint's persistent storage ids to ``_Storage`` objects."""

    def __init__(self, name: str, fetch, big_endian: bool, map_location, limit: int):
        self.name = name
        self.limit = limit  # the file's size: no storage can be larger
        self.fetch = fetch  # (key, nbytes or None) -> bytes of that storage
        self.big_endian = big_endian
        self.map_location = map_location
        self.storages: dict[str, _Storage] = {}

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(
                f"{self.name}: unknown persistent id {str(pid)[:60]!r} (only storages are "
                "allowed)")
        kind, key, location, numel = pid[1:5]
        stype = kind.value if isinstance(kind, _Global) else kind
        if not isinstance(stype, _StorageType):
            raise pickle.UnpicklingError(f"{self.name}: storage of an unknown type {kind!r}")
        if not isinstance(key, str) or not isinstance(location, str):
            raise pickle.UnpicklingError(f"{self.name}: a malformed storage id {pid!r}")
        target = _target(location, self.map_location, self.name)
        if key in self.storages:
            return self.storages[key]
        dt = None if stype.dtype == "untyped" else stype.dtype
        item = 1 if stype.dtype == "untyped" else 2 if dt is None else dt.itemsize
        try:
            nbytes = _count(numel, "a storage's size") * item
        except ValueError as e:
            raise pickle.UnpicklingError(f"{self.name}: {e}") from None
        if nbytes > self.limit:
            raise bad(self.name, f"storage {key!r} claims {nbytes} bytes, more than the whole "
                                 f"file ({self.limit} bytes)")
        raw = np.frombuffer(bytearray(self.fetch(key, nbytes)), np.uint8)
        storage = _Storage(raw, dt if stype.dtype != "untyped" else _dtype.uint8,
                           self.big_endian, self.name, key)
        if target is _CALL:
            moved = self.map_location(storage, location)
            storage = moved if isinstance(moved, _Storage) else storage
        elif target is not None:
            storage.gpu = target
        self.storages[key] = storage
        return storage


_CALL = object()  # _target's answer when a map_location function decides


# the device types torch.save writes into a storage's location ("cuda:0", "cpu", ...)
_DEVICE_TYPES = frozenset({"cpu", "cuda", "meta", "mps", "xpu", "hpu", "xla", "ipu", "mtia",
                           "privateuseone", "lazy", "hip", "ve", "maia", "vulkan", "fpga"})


def _target(location: str, map_location, name: str):
    """Where a storage saved at ``location`` loads: None for the host, a GPU number, or
    ``_CALL`` (the map_location function decides); torch's errors for a GPU that is missing,
    and an error naming the file ``name`` for a location that is no device type at all (a
    damaged file, unless a map_location sends its storages elsewhere)."""
    target = location
    if isinstance(map_location, dict):
        target = map_location.get(location, location)
    elif map_location is not None and not callable(map_location):
        target = map_location
    elif callable(map_location) and not isinstance(map_location, device):
        return _CALL
    kind = target.type if isinstance(target, device) else str(target).split(":")[0]
    if kind in ("cpu", "meta"):
        return None
    if kind not in _DEVICE_TYPES:
        raise pickle.UnpicklingError(f"{name}: a storage on an unknown device {str(target)[:40]!r}")
    lib = _array.cuda(required=False)
    if kind != "cuda" or lib is None:
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
            "is False. If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU."
        )
    dev = device(target)
    from ._device import _current

    index = _current[0] if dev.index is None else dev.index
    count = lib.device_count()
    if index >= count:
        raise RuntimeError(
            f"Attempting to deserialize object on CUDA device {index} but "
            f"torch.cuda.device_count() is {count}. Please use torch.load with map_location to "
            "map your storages to an existing device."
        )
    return index


def _unpickle(data: bytes, name: str, persistent_load, weights_only: bool, start: int = 0):
    if weights_only:
        return weights_only_load(data, name, _AllowList(), persistent_load, start)
    stream = io.BytesIO(data)
    stream.seek(start)
    unpickler = _TrustingUnpickler(stream, name, persistent_load)
    try:
        obj = unpickler.load()
    except (EOFError, ValueError, TypeError, KeyError, IndexError, AttributeError) as e:
        raise pickle.UnpicklingError(f"{name}: the pickle is damaged ({e})") from None
    return obj, stream.tell()


class _TrustingUnpickler(pickle.Unpickler):
    """``weights_only=False``: Python's own unpickler (it runs what the file names), with
    torch's tensor and storage names mapped to glasstorch's."""

    def __init__(self, file, name, persistent_load):
        super().__init__(file)
        self._name = name
        self._persistent = persistent_load

    def persistent_load(self, pid):
        return self._persistent(pid)

    def find_class(self, module, name):
        known = _ALLOWED.get((module, name))
        if known is not None:
            if known.build is not None:
                return known.build
            return known if known.value is None else known.value
        if module == "torch" or module.startswith("torch."):
            raise pickle.UnpicklingError(
                f"{self._name} holds a PyTorch object ({module}.{name}) that glasstorch cannot "
                "rebuild: glasstorch reads tensors, not PyTorch's own classes. In PyTorch, save "
                "model.state_dict() and load it here with model.load_state_dict(torch.load(...))"
            )
        return super().find_class(module, name)


def read(f, name: str, map_location, weights_only: bool):
    """Load a torch.save file (zip or legacy) from the open binary file ``f``."""
    start = f.tell() if f.seekable() else 0
    head = f.read(4)
    f.seek(start)
    if head == b"PK\x03\x04":
        return _read_zip(f, name, map_location, weights_only)
    return _read_legacy(f.read(), name, map_location, weights_only)


def _read_zip(f, name, map_location, weights_only):
    try:
        archive = zipfile.ZipFile(f)
        infos = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise RuntimeError(
            f"{name} is not a valid PyTorch checkpoint: failed reading zip archive ({e}). The "
            "file is probably truncated or corrupted: save it again or copy it again."
        ) from None
    pkl = [n for n in infos if n.endswith("data.pkl") and n.count("/") == 1]
    if len(pkl) != 1:
        raise bad(name, "its zip archive has no <folder>/data.pkl record")
    prefix = pkl[0][: -len("data.pkl")]

    def record(rel: str, limit: int | None = None) -> bytes:
        info = infos.get(prefix + rel)
        if info is None:
            raise bad(name, f"the record {prefix + rel} is missing")
        if info.compress_type != zipfile.ZIP_STORED:
            raise bad(name, f"the record {prefix + rel} is compressed; torch.save stores them "
                            "uncompressed")
        if limit is not None and info.file_size != limit:
            raise bad(name, f"the record {prefix + rel} holds {info.file_size} bytes but its "
                            f"storage needs {limit}")
        try:
            return archive.read(info)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
                RuntimeError) as e:  # (the last two: flag bits that ask for a password)
            raise bad(name, f"the record {prefix + rel} cannot be read: {e}") from None

    order = "little"
    if prefix + "byteorder" in infos:
        order = record("byteorder").decode("ascii", "replace").strip()
        if order not in ("little", "big"):
            raise bad(name, f"its byteorder record says {order!r}")

    def fetch(key: str, nbytes: int) -> bytes:
        if not key or "/" in key or key.startswith("."):
            raise pickle.UnpicklingError(f"{name}: a malformed storage key {key!r}")
        return record(f"data/{key}", nbytes)

    end = f.seek(0, os.SEEK_END)
    reader = _Reader(name, fetch, order == "big", map_location, end)
    data = record("data.pkl")
    return _unpickle(data, name, reader.persistent_load, weights_only)[0]


def _read_legacy(data: bytes, name, map_location, weights_only):
    if not data:
        raise bad(name, "the file is empty")
    if data[:1] != b"\x80" and data[:1] not in b"(}]cNIFSVLGJKMU":
        raise bad(name, "it is neither a zip archive nor a pickle")
    headers = _Reader(name, lambda key, n: b"", False, None, 0)
    magic, pos = weights_only_load(data, name, _ALLOWED, headers.persistent_load)
    if magic != _LEGACY_MAGIC:
        raise pickle.UnpicklingError(
            f"{name} is a pickle file but not a checkpoint written by torch.save (it does not "
            "start with torch's magic number). torch.load(..., weights_only=False) does not read "
            "it either: a file written by pickle.dump is read with pickle.load, and only when you "
            "trust it, since unpickling can run any code its author chose."
        )
    protocol, pos = weights_only_load(data, name, _ALLOWED, headers.persistent_load, pos)
    if protocol != _LEGACY_PROTOCOL:
        raise bad(name, f"its protocol version is {protocol!r}, not {_LEGACY_PROTOCOL}")
    sys_info, pos = weights_only_load(data, name, _ALLOWED, headers.persistent_load, pos)
    little = not isinstance(sys_info, dict) or sys_info.get("little_endian", True)

    # The storages' bytes follow the object's pickle: the tensors are built on zero-filled
    # storages of the right sizes, which are then filled in place from the bytes that follow.
    reader = _Reader(name, lambda key, nbytes: bytes(nbytes), not little, map_location,
                     len(data))

    def legacy_storage(pid):
        if isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage":
            if pid[5] is not None:
                raise pickle.UnpicklingError(f"{name}: legacy storage views are not supported")
            pid = pid[:5]
        return reader.persistent_load(pid)

    obj, pos = _unpickle(data, name, legacy_storage, weights_only, pos)
    keys, pos = weights_only_load(data, name, _ALLOWED, headers.persistent_load, pos)
    if not isinstance(keys, list):
        raise bad(name, "its list of storage keys is missing")
    for key in keys:
        storage = reader.storages.get(key) if isinstance(key, str) else None
        if storage is None:
            raise bad(name, f"it lists a storage {key!r} that no tensor uses")
        if pos + 8 > len(data):
            raise bad(name, "the data is cut short")
        count = int.from_bytes(data[pos:pos + 8], "little" if little else "big")
        nbytes = storage.raw.size
        if count * (nbytes // count if count else 0) != nbytes or pos + 8 + nbytes > len(data):
            raise bad(name, f"storage {key!r} is cut short or has the wrong size")
        storage.refill(data[pos + 8:pos + 8 + nbytes])
        pos += 8 + nbytes
    return obj


# ---- writing ---------------------------------------------------------------------------------
def _G(module, name):
    return _ALLOWED[(module, name)]


class _StorageRef:
    """A storage to write: a C-contiguous array whose bytes become ``data/<key>``."""

    def __init__(self, key: str, array: np.ndarray, dt):
        self.key, self.array, self.dtype = key, array, dt
        self.location = "cpu" if _array.on_host(array) else f"cuda:{_array.device_index(array)}"


class _Writer:
    """Collects the storages while the pickler walks the object."""

    def __init__(self):
        self.storages: list[_StorageRef] = []
        self.by_root: dict[int, _StorageRef] = {}
        self.alive: list = []  # keeps ids valid while pickling

    def storage_for(self, t: Tensor):
        """(storage, offset, stride) for ``t``: the memory block it views when that can be
        described in torch's terms (same dtype, non-negative strides), else a copy."""
        arr = t._data
        dt = t.dtype
        root = arr
        kind = type(arr)  # numpy.ndarray, or the GPU array type (its views have it as base)
        while isinstance(root.base, kind):
            root = root.base
        item = arr.itemsize
        if (root.dtype == arr.dtype and root.flags.c_contiguous and arr.size
                and all(s >= 0 and s % item == 0 for s in arr.strides)):
            start = _array.address(arr) - _array.address(root)
            if start >= 0 and start % item == 0:
                ref = self.by_root.get(id(root))
                if ref is None:
                    ref = self.new(root.reshape(-1), dt)
                    self.by_root[id(root)] = ref
                    self.alive.append(root)
                return ref, start // item, tuple(s // item for s in arr.strides)
        copy = _array.namespace(arr).ascontiguousarray(arr)
        return self.new(copy.reshape(-1), dt), 0, tuple(s // item for s in copy.strides) \
            if copy.ndim else ()

    def new(self, flat: np.ndarray, dt) -> _StorageRef:
        ref = _StorageRef(str(len(self.storages)), flat, dt)
        self.storages.append(ref)
        return ref

    def reduce(self, obj):
        if isinstance(obj, Tensor):
            return self.reduce_tensor(obj)
        if isinstance(obj, Size):
            return (_G("torch", "Size"), (tuple(int(v) for v in obj),))
        if isinstance(obj, device):
            return (_G("torch", "device"), (str(obj),))
        return None

    def reduce_tensor(self, t: Tensor):
        from .nn import Parameter

        if t._rg and t.grad_fn is not None:
            raise RuntimeError(
                "Cowardly refusing to serialize non-leaf tensor which requires_grad, since "
                "autograd does not support crossing process boundaries.  If you just want to "
                "transfer the data, call detach() on the tensor before serializing (e.g., "
                "putting it on the queue)."
            )
        if isinstance(t, Parameter):
            plain = _wrap(t._data)
            self.alive.append(plain)
            return (_G("torch._utils", "_rebuild_parameter"),
                    (plain, bool(t._rg), OrderedDict()))
        ref, offset, stride = self.storage_for(t)
        return (_G("torch._utils", "_rebuild_tensor_v2"),
                (ref, offset, tuple(t._data.shape), stride, bool(t._rg), OrderedDict()))

    def storage_id(self, obj):
        if isinstance(obj, _StorageRef):
            kind = _G("torch", _STORAGE_OF[obj.dtype.name])
            return ("storage", kind, obj.key, obj.location, int(obj.array.size))
        return None


class _Pickler(_CheckpointPickler):
    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, _dtype.dtype):
            obj = _G("torch", obj.name)  # written as the global torch.float32
        super().save(obj, save_persistent_id)


def write(obj) -> bytes:
    """The bytes of a torch.save zip archive holding ``obj``."""
    writer = _Writer()
    buffer = io.BytesIO()
    try:
        _Pickler(buffer, writer.reduce, writer.storage_id).dump(obj)
    except RecursionError:
        raise ValueError("torch.save cannot store this object: it is nested too deeply") from None
    except (pickle.PicklingError, AttributeError, TypeError) as e:
        raise type(e)(
            f"torch.save cannot pickle this object: {e}. Save the model's state_dict() (tensors "
            "in a dict) instead of objects that hold functions, files or generators."
        ) from None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        def put(rel: str, data: bytes, align: bool = False):
            info = zipfile.ZipInfo("archive/" + rel, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            if align:  # pad the local header's extra field so the bytes start aligned
                here = out.tell() + 30 + len(info.filename.encode()) + 4
                info.extra = b"FB" + (-here % _ALIGN).to_bytes(2, "little") + bytes(-here % _ALIGN)
            archive.writestr(info, data)

        put("data.pkl", buffer.getvalue())
        put(".format_version", b"1")
        put(".storage_alignment", str(_ALIGN).encode())
        put("byteorder", sys.byteorder.encode())
        for ref in writer.storages:
            # a GPU storage's bytes are copied to the host here, as torch.save does
            put(f"data/{ref.key}", np.ascontiguousarray(_array.to_host(ref.array)).tobytes(),
                align=True)
        put("version", b"3\n")
        put(".data/serialization_id", str(int.from_bytes(os.urandom(16), "big")).zfill(40)
            .encode())
    return out.getvalue()
