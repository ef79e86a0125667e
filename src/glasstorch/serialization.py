"""``save`` and ``load``: PyTorch's checkpoint format (read without ever running code), and
safetensors for ``.safetensors`` names.

``save(obj, "model.pt")`` (any name but ``*.safetensors``, and any file object) writes PyTorch's
own zip format (``_torch_format``), which real ``torch.load`` reads, and which needs nothing
beyond NumPy. ``load`` reads that format — files written here or by ``torch.save``, zip or legacy
— through a restricted unpickler (``_torch_pickle``) that rebuilds only tensors, storages,
containers, numbers, strings, sizes and dtypes, as PyTorch's ``weights_only=True`` does: a pickle
that names anything else (``os.system``, a class) is refused before anything runs.
``weights_only=False`` unpickles fully, for whole models from files one trusts.

``save(obj, "model.safetensors")`` writes a `safetensors
<https://github.com/huggingface/safetensors>`_ file instead: a small JSON header, then the raw
bytes of every array (needs the ``safetensors`` package). What it accepts:

- tensors (any glasstorch dtype; ``requires_grad`` and ``nn.Parameter``-ness are kept);
- lists, tuples, dicts (also ``OrderedDict`` and ``Counter``) nesting them, with keys and values
  that are ``None``, ``bool``, ``int``, ``float`` (inf and nan too), ``complex``, ``str``, dtypes
  and devices — so module and optimizer state dicts, scheduler state dicts and training
  checkpoints (``{'epoch': 3, 'model': ..., 'optim': ...}``) all work. NumPy scalars are stored as
  the equal Python number.

The arrays go in the safetensors body; the nested structure (with each tensor's dtype, shape and
flags) goes as JSON into the header's ``__metadata__`` under the key ``"glasstorch"``. A tensor
that appears twice in one object is stored once and loads back as one tensor; two different
tensors that are views of one another are stored (and load) as independent tensors.

A flat ``dict`` of ``str -> Tensor`` (a module's ``state_dict()``) is stored under exactly its
own keys, so PyTorch reads it with ``safetensors.torch.load_file``, and
``model.load_state_dict(glasstorch.load("model.safetensors"))`` reads what
``safetensors.torch.save_file`` wrote. (Nested objects are readable by ``safetensors`` too: their
tensors have path-like keys such as ``state.0.exp_avg``.)

Saving to a path is atomic: the bytes go to a temporary file in the same directory, which is
flushed, fsynced and renamed over the target, so a crash never leaves a half-written checkpoint.
Loading checks the file before reading its data (``_serialization_read.py``); docs/FILES.md lists
every guarantee and the fuzzing that backs them.
"""

from __future__ import annotations

import functools
import json
import math
import os
import stat
from collections import Counter, OrderedDict

import numpy as np

from . import _array, _dtype
from ._device import device, place
from ._serialization_read import _MAX_HEADER, _OLD_PICKLE_STARTS, _bad, _read
from ._size import Size
from ._tensor import Tensor, _wrap
from ._torch_format import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals

__all__ = ["save", "load", "add_safe_globals", "clear_safe_globals", "get_safe_globals",
           "safe_globals"]

_META_KEY = "glasstorch"
_FORMAT = 1


def _safetensors():
    try:
        import safetensors.numpy as st
    except ImportError:
        raise ImportError(
            "glasstorch.save and glasstorch.load need the safetensors package: "
            "pip install safetensors (or pip install 'glasstorch[io]')"
        ) from None
    return st


# ---- save -----------------------------------------------------------------------------------
class _Encoder:
    """Turns an object into a JSON-able structure, collecting its tensors' arrays by key."""

    def __init__(self, flat: bool):
        self.flat = flat
        self.arrays: dict[str, np.ndarray] = {}
        self.keys: dict[int, str] = {}  # id(tensor) -> key of its first occurrence
        self.alive: list[Tensor] = []  # keeps ids valid while encoding

    def key_for(self, path: str) -> str:
        key = path or "tensor"
        if key == "__metadata__":
            key = "_" + key
        n = 1
        while key in self.arrays:
            n += 1
            key = f"{path}#{n}"
        return key

    def tensor(self, t: Tensor, path: str) -> dict:
        first = self.keys.get(id(t))
        if first is not None and not self.flat:
            return {"same_as": first}
        key = self.key_for(path)
        arr = _array.to_host(t._data)  # a GPU tensor is stored from a host copy (as torch.save)
        arr = arr if arr.flags.c_contiguous else arr.copy(order="C")
        if arr.dtype == np.complex128:  # not a safetensors dtype: store (re, im) pairs
            arr = arr[..., None].view(np.float64)
        self.arrays[key] = arr
        if first is not None:
            return {"same_as": first}
        self.keys[id(t)] = key
        self.alive.append(t)
        node = {
            "tensor": key,
            "dtype": t.dtype.name,
            "shape": list(t._data.shape),
            "requires_grad": bool(t._rg),
        }
        if type(t) is not Tensor and isinstance(t, _parameter_class()):
            node["parameter"] = True
        return node

    def encode(self, obj, path: str = ""):
        if obj is None or type(obj) in (bool, int, str):
            return obj
        if isinstance(obj, (bool, np.bool_)):
            return bool(obj)
        if isinstance(obj, (int, np.integer)):
            return int(obj)
        if isinstance(obj, str):
            return str(obj)
        if isinstance(obj, float):
            return float(obj) if math.isfinite(obj) else {"float": repr(float(obj))}
        if isinstance(obj, Tensor):
            return self.tensor(obj, path)
        if isinstance(obj, np.floating):
            return self.encode(float(obj), path)
        if isinstance(obj, (complex, np.complexfloating)):
            return {"complex": [self.encode(obj.real), self.encode(obj.imag)]}
        if isinstance(obj, Size):
            return {"size": list(obj)}
        if isinstance(obj, list):
            return [self.encode(v, _join(path, i)) for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"tuple": [self.encode(v, _join(path, i)) for i, v in enumerate(obj)]}
        if isinstance(obj, dict):
            kind = (
                "Counter" if isinstance(obj, Counter)
                else "OrderedDict" if isinstance(obj, OrderedDict) else "dict"
            )
            items = [[self.key(k), self.encode(v, _join(path, k))] for k, v in obj.items()]
            return {kind: items}
        if isinstance(obj, _dtype.dtype):
            return {"dtype": obj.name}
        if isinstance(obj, device):
            return {"device": str(obj)}
        raise TypeError(
            f"glasstorch.save cannot store an object of type {type(obj).__name__}: it stores "
            "tensors, numbers, strings, None, dtypes and lists/tuples/dicts of them (save a "
            "model's or optimizer's state_dict(), not the object itself)"
        )

    def key(self, k):
        if isinstance(k, (Tensor, list, dict)):
            raise TypeError(
                f"glasstorch.save cannot store a dict key of type {type(k).__name__}"
            )
        return self.encode(k)


def _join(path: str, part) -> str:
    return f"{path}.{part}" if path else str(part)


def _is_flat(obj) -> bool:
    return (
        type(obj) in (dict, OrderedDict)
        and len(obj) > 0
        and all(isinstance(k, str) and k not in ("", "__metadata__") for k in obj)
        and all(isinstance(v, Tensor) for v in obj.values())
    )


def _to_bytes(obj) -> bytes:
    st = _safetensors()
    enc = _Encoder(flat=_is_flat(obj))
    if enc.flat:
        structure = {type(obj).__name__: [[k, enc.tensor(v, k)] for k, v in obj.items()]}
    else:
        try:
            structure = enc.encode(obj)
        except RecursionError:
            raise ValueError(
                "glasstorch.save cannot store this object: it contains itself (a cycle) or is "
                "nested too deeply"
            ) from None
    meta = json.dumps({"format": _FORMAT, "object": structure}, allow_nan=False)
    return st.save(enc.arrays, metadata={_META_KEY: meta, "format": "pt"})


def save(obj, f, pickle_module=None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Write ``obj`` to ``f``: PyTorch's own format, or safetensors for a ``.safetensors`` name.

    ``f``: a path (``str`` or ``os.PathLike``; ``~`` is expanded) or a binary file object opened
    for writing. A path ending in ``.safetensors`` gets a safetensors file (tensors and plain
    containers only); any other path, and a file object, gets torch's zip format
    (``_torch_format``), which real ``torch.load`` reads. Writing to a path is atomic
    (temporary file, fsync, rename).
    """
    if pickle_module is not None or pickle_protocol != 2 or not _use_new_zipfile_serialization:
        raise NotImplementedError(
            "glasstorch.save writes torch's zip format with pickle protocol 2 only (as "
            "torch.save's defaults): drop pickle_module, pickle_protocol and "
            "_use_new_zipfile_serialization"
        )
    is_path = isinstance(f, (str, os.PathLike))
    if not is_path and not hasattr(f, "write"):  # checked before any work, as torch does
        raise AttributeError(
            "expected 'f' to be string, path, or a file-like object with a 'write' attribute"
        )
    if is_path and os.fspath(f).endswith(".safetensors"):
        payload = _to_bytes(obj)
    else:
        from ._torch_format import write

        payload = write(obj)
    if is_path:
        # through a symlink: replace the file it points to, not the link
        _atomic_write(os.path.realpath(os.path.expanduser(os.fspath(f))), payload)
    else:
        f.write(payload)


def _atomic_write(path: str, payload: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {os.path.dirname(path) or directory} does not exist.")
    try:
        st_mode = os.stat(path).st_mode
        if stat.S_ISDIR(st_mode):  # before a temporary file exists: the message names the folder
            raise RuntimeError(
                f"cannot save to {path}: Is a directory. Give save() a file path, such as "
                f"{os.path.join(path, 'model.pt')}"
            )
        mode = st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    import tempfile  # only saving needs it: kept out of `import glasstorch`

    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable (POSIX); not possible everywhere
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


# ---- load -----------------------------------------------------------------------------------
def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args):
    """Read a checkpoint from a path or a binary file object: a ``torch.save`` file (written here
    or by PyTorch, zip or legacy format) or a safetensors file; the format is told by its first
    bytes.

    A torch file is unpickled by a restricted unpickler that rebuilds only tensors, containers,
    numbers, strings, sizes and dtypes (``weights_only=True``, the default, as in PyTorch); any
    other object is refused with ``pickle.UnpicklingError``. ``weights_only=False`` uses
    Python's full unpickler — for files you trust only: it can run any code the file names (it
    is how a whole model saved with ``torch.save(model)`` loads back). A safetensors file holds
    only data, so ``weights_only`` changes nothing for it. ``map_location`` may be None,
    ``'cpu'``, a CPU ``device``, a dict, or a function (``(storage, location) -> storage`` for
    torch files, ``(tensor, 'cpu') -> tensor`` for safetensors). ``mmap`` is accepted and the
    file read into memory; ``add_safe_globals`` (``glasstorch.serialization``) lets
    ``weights_only`` loads rebuild classes you trust.
    """
    if pickle_module is not None or pickle_load_args:
        raise NotImplementedError(
            "glasstorch.load reads with its own unpickler: drop pickle_module and "
            f"{', '.join(pickle_load_args) or 'the pickle arguments'}"
        )
    weights_only = True if weights_only is None else bool(weights_only)
    if isinstance(f, (str, os.PathLike)):
        name = os.path.expanduser(os.fspath(f))
        with open(name, "rb") as fh:
            return _load_from(fh, name, map_location, weights_only)
    if hasattr(f, "read"):
        name = str(getattr(f, "name", None) or f"<{type(f).__name__}>")
        return _load_from(f, name, map_location, weights_only)
    # torch's wording: it found no seek() on the object
    raise AttributeError(
        f"'{type(f).__name__}' object has no attribute 'seek'. You can only torch.load from "
        "a file that is seekable. Please pre-load the data into a buffer like io.BytesIO and "
        "try to load from it instead."
    )


class _Prepended:
    """An unseekable stream with the bytes already read from it put back in front."""

    def __init__(self, head: bytes, rest):
        self.head, self.rest = head, rest

    def read(self, n: int = -1) -> bytes:
        if not self.head:
            return self.rest.read(n)
        if n is None or n < 0:
            out, self.head = self.head + self.rest.read(), b""
            return out
        out, self.head = self.head[:n], self.head[n:]
        return out + (self.rest.read(n - len(out)) if len(out) < n else b"")

    def seekable(self) -> bool:
        return False


def _load_from(fh, name: str, map_location, weights_only: bool):
    try:
        seekable = fh.seekable()
    except (AttributeError, ValueError):
        seekable = False
    if seekable:
        here = fh.tell()
        head = fh.read(8)
        fh.seek(here)
    else:
        head = fh.read(8)
        fh = _Prepended(head, fh)
    if _is_torch_file(head):
        import io

        from ._torch_format import read

        if not seekable:
            fh = io.BytesIO(fh.read())
        return read(fh, name, map_location, weights_only)
    data, header = _read(fh, name)
    return _load_safetensors(data, header, name, map_location)


def _is_torch_file(head: bytes) -> bool:
    """A zip archive, a pickle of protocol 2+, or (legacy protocol 0/1 pickles) bytes that
    start like a pickle and make no plausible safetensors header length."""
    if head[:4] == b"PK\x03\x04" or head[:1] == b"\x80":
        return True
    return (len(head) == 8 and int.from_bytes(head, "little") > _MAX_HEADER
            and head[0] in _OLD_PICKLE_STARTS)


def _load_safetensors(data: bytes, header: dict, name: str, map_location):
    targets = map_location.values() if isinstance(map_location, dict) else (
        [] if map_location is None or callable(map_location) else [map_location]
    )
    for dev in targets:
        if device(dev).type not in ("cpu", "meta") and not (
                device(dev).type == "cuda" and _array.cuda(required=False) is not None):
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                "is False. If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU."
            )
    st = _safetensors()
    try:
        arrays = st.load(data)
    except Exception as e:  # the library's own checks: dtypes, offsets, overlaps
        raise _bad(name, str(e)) from None

    meta = header.get("__metadata__") or {}
    if _META_KEY not in meta:
        order = sorted(arrays, key=lambda k: header[k]["data_offsets"][0])
        out = {k: _restore(_wrap(arrays[k]), map_location) for k in order}
        return out
    try:
        doc = json.loads(meta[_META_KEY])
        structure = doc["object"]
    except (TypeError, KeyError, IndexError, json.JSONDecodeError, RecursionError):
        raise _bad(name, "its glasstorch metadata is not valid JSON") from None
    if not isinstance(doc, dict) or type(doc.get("format")) is not int:
        raise _bad(name, "its glasstorch metadata has no format number")
    if doc["format"] > _FORMAT:
        raise RuntimeError(
            f"{name} was written by a newer glasstorch (format {doc.get('format')!r}); this "
            f"version reads format {_FORMAT}: upgrade glasstorch"
        )
    try:
        return _Decoder(arrays, name, map_location).decode(structure)
    except RecursionError:
        raise _bad(name, "its structure is nested too deeply") from None


class _Decoder:
    """Rebuilds the object from the JSON structure, checking every tensor against its array."""

    def __init__(self, arrays: dict, name: str, map_location):
        self.arrays = arrays
        self.name = name
        self.map_location = map_location
        self.tensors: dict[str, Tensor] = {}

    def fail(self, why: str) -> RuntimeError:
        return _bad(self.name, why)

    def decode(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict) or not node:
            raise self.fail(f"unexpected entry {node!r} in its structure")
        if "tensor" in node:
            return self.tensor(node)
        if "same_as" in node:
            ref = node["same_as"]
            t = self.tensors.get(ref) if isinstance(ref, str) else None
            if t is None:
                raise self.fail(f"it refers to a tensor {node['same_as']!r} defined nowhere")
            return t
        (tag, value), *rest = node.items()
        if rest:
            raise self.fail(f"an entry with several tags {list(node)} in its structure")
        if tag == "tuple" and isinstance(value, list):
            return tuple(self.decode(v) for v in value)
        if tag in ("dict", "OrderedDict", "Counter") and isinstance(value, list):
            cls = {"dict": dict, "OrderedDict": OrderedDict, "Counter": Counter}[tag]
            out = cls()
            for item in value:
                if not (isinstance(item, list) and len(item) == 2):
                    raise self.fail(f"a malformed {tag!r} entry in its structure")
                out[self.key(item[0])] = self.decode(item[1])
            return out
        try:
            if tag in ("float", "dtype", "device") and not isinstance(value, str):
                raise TypeError(value)
            if tag == "float":
                return float(value)
            if tag == "complex":
                return complex(self.decode(value[0]), self.decode(value[1]))
            if tag == "size":
                if not all(type(v) is int and v >= 0 for v in value):
                    raise ValueError(value)
                return Size(value)
            if tag == "dtype":
                return _dtype._by_name(value)
            if tag == "device":
                return device(value)
        except (ValueError, TypeError, KeyError, IndexError, RuntimeError):
            raise self.fail(f"a malformed {tag!r} entry in its structure") from None
        raise self.fail(f"an unknown entry {tag!r} in its structure")

    def key(self, node):
        k = self.decode(node)
        try:
            hash(k)
        except TypeError:  # a list or dict, also inside a tuple
            raise self.fail("an unhashable dict key in its structure") from None
        return k

    def tensor(self, node: dict) -> Tensor:
        key = node["tensor"]
        arr = self.arrays.get(key) if isinstance(key, str) else None
        if arr is None:
            raise self.fail(f"the tensor {key!r} it lists is missing from the file")
        try:
            dt = _dtype._by_name(node["dtype"])
            shape = tuple(int(d) for d in node["shape"])
        except (KeyError, TypeError, ValueError):
            raise self.fail(f"the tensor {key!r} has a malformed dtype or shape") from None
        if dt.np == np.complex128 and arr.dtype == np.float64 and arr.shape[-1:] == (2,):
            arr = arr.view(np.complex128)[..., 0]
        if arr.dtype != dt.np or arr.shape != shape:
            raise self.fail(
                f"the tensor {key!r} is stored as {arr.dtype}{list(arr.shape)} but described as "
                f"{dt.name}{list(shape)}"
            )
        t = _restore(_wrap(arr), self.map_location)
        if node.get("requires_grad") and dt.np.kind in "fc":
            t._rg = True
        if node.get("parameter"):
            t = _as_parameter(t)
        self.tensors[key] = t
        return t


def _restore(t: Tensor, map_location) -> Tensor:
    """A loaded (host) tensor where ``map_location`` says: a safetensors file records no device,
    so every tensor was saved at ``'cpu'``."""
    if callable(map_location) and not isinstance(map_location, (str, device)):
        moved = map_location(t, "cpu")
        return moved if isinstance(moved, Tensor) else t
    target = map_location.get("cpu") if isinstance(map_location, dict) else map_location
    if target is None or device(target).type in ("cpu", "meta"):
        return t
    return _wrap(place(t._data, target))


@functools.cache
def _parameter_class() -> type:
    """``nn.Parameter`` (imported late: ``nn`` may import this module)."""
    try:
        from .nn import Parameter
    except ImportError:
        return type(None)
    return Parameter


def _as_parameter(t: Tensor) -> Tensor:
    cls = _parameter_class()
    return t if cls is type(None) else cls(t, requires_grad=t._rg)
