"""The IDX file format (MNIST's and Fashion-MNIST's), read strictly and fast.

An IDX file is a tiny header followed by one big-endian array:

====================  =========================================================================
bytes                 meaning
====================  =========================================================================
0, 1                  always zero
2                     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
                      0x0E float64
3                     number of dimensions ``d``
4 … 4 + 4d            each dimension's size, a big-endian uint32 (images: ``N, 28, 28``)
the rest              ``N × 28 × 28`` values, row-major
====================  =========================================================================

``read_idx(path)`` checks every one of those facts (a truncated download or a file with bytes
appended is an error naming the file and the expected vs. actual size, never a silently short
dataset) and returns the whole array at once: ``np.frombuffer`` over the decompressed bytes, no
per-image Python loop. ``.gz`` files are decompressed on the fly.

Parsed files are cached per process (keyed by path, size and modification time) as read-only
arrays, so building the same dataset twice reads the disk once.
"""

from __future__ import annotations

import gzip
import os
import zlib

import numpy as np

__all__ = ["read_idx", "IDXFormatError", "clear_cache"]

# element-type code → big-endian NumPy dtype
_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_cache: dict[tuple, np.ndarray] = {}


class IDXFormatError(RuntimeError):
    """A file that is not a valid IDX file (corrupt, truncated, or not IDX at all)."""


def _fail(path: str, problem: str) -> IDXFormatError:
    return IDXFormatError(
        f"{path}: {problem}. The file is corrupt or incomplete: delete it and get it again "
        "(download=True, or reinstall the dataset package)."
    )


def _read_bytes(path: str) -> bytes:
    """The file's content, decompressed when the name ends in ``.gz``."""
    with open(path, "rb") as f:
        raw = f.read()
    if not path.endswith(".gz"):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError
        raise _fail(path, f"cannot be decompressed as gzip ({e})") from None


def parse_idx(data: bytes, path: str = "<bytes>") -> np.ndarray:
    """Check an IDX byte string and return its array (native byte order, read-only).

    ``path`` only serves the error messages.
    """
    if len(data) < 4:
        raise _fail(path, f"is {len(data)} bytes long, too short for the 4-byte IDX magic number")
    if data[0] != 0 or data[1] != 0:
        raise _fail(path, f"bad magic number 0x{data[:4].hex()} (an IDX file starts with two "
                          "zero bytes)")
    code, ndim = data[2], data[3]
    if code not in _DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in _DTYPES)
        raise _fail(path, f"unknown element type code 0x{code:02X} (expected one of {known})")
    if ndim == 0:
        raise _fail(path, "has 0 dimensions (an IDX array has at least one)")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise _fail(path, f"header of {header} bytes announced but the file is {len(data)} "
                          "bytes long")
    shape = tuple(int(n) for n in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = _DTYPES[code]
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        which = "truncated" if len(data) < expected else "has trailing bytes"
        raise _fail(path, f"{which}: dimensions {list(shape)} of {dtype.name} need {expected} "
                          f"bytes but the file holds {len(data)}")
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    if dtype.itemsize > 1:
        arr = arr.astype(dtype.newbyteorder("="))  # big-endian → native (a copy)
        arr.flags.writeable = False
    return arr


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in the IDX file at ``path`` (``.gz`` or raw), checked and cached.

    The result is read-only and shared by every caller in this process: copy it before writing.
    """
    path = os.fspath(path)
    st = os.stat(path)
    key = (os.path.realpath(path), st.st_size, st.st_mtime_ns)
    arr = _cache.get(key)
    if arr is None:
        arr = parse_idx(_read_bytes(path), path)
        _cache[key] = arr
    return arr


def clear_cache() -> None:
    """Forget every parsed file (the next ``read_idx`` reads the disk again)."""
    _cache.clear()
