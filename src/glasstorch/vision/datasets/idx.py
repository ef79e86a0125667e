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
per-image Python loop. ``.gz`` files are decompressed on the fly, and never beyond the size their
header announces (a small corrupt ``.gz`` cannot exhaust memory). docs/FILES.md lists the checks
and the fuzzing behind them.

Parsed files are cached per process (keyed by path, size and modification time) as read-only
arrays, so building the same dataset twice reads the disk once.
"""

from __future__ import annotations

import math
import os
import sys
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
    return _gunzip(raw, path)


_CHUNK = 1 << 20


def _gunzip(raw: bytes, path: str) -> bytes:
    """Decompress gzip ``raw`` (one or more members), stopping as soon as the output is longer
    than its IDX header says the file should be: a small corrupt or malicious ``.gz`` cannot make
    us allocate more than the data it announces (plus one chunk)."""
    out = bytearray()
    limit = None
    data = raw
    while True:
        d = zlib.decompressobj(wbits=31)  # 31: gzip framing
        pending = data
        try:
            while True:
                piece = d.decompress(pending, _CHUNK)
                out += piece
                pending = d.unconsumed_tail
                if limit is None:
                    limit = _expected_size(out, path)
                if limit is not None and len(out) > limit:
                    shape, dtype, _ = _parse_header(out, path)
                    raise _fail(path, f"has trailing bytes: dimensions {list(shape)} of "
                                      f"{dtype.name} need {limit} bytes but it decompresses "
                                      "to more")
                if d.eof or not (piece or pending):
                    break
        except zlib.error as e:
            raise _fail(path, f"cannot be decompressed as gzip ({e})") from None
        if not d.eof:
            raise _fail(path, "cannot be decompressed as gzip (the compressed stream is cut "
                              "short)")
        data = d.unused_data
        if not data.strip(b"\0"):  # gzip allows zero padding after the last member
            return bytes(out)


def _expected_size(prefix: bytes, path: str) -> int | None:
    """Total file size the IDX header at the start of ``prefix`` announces (None: the header is
    not complete yet)."""
    if len(prefix) < 4 or len(prefix) < 4 + 4 * prefix[3]:
        return None
    shape, dtype, header = _parse_header(prefix, path)
    return header + math.prod(shape) * dtype.itemsize


def _parse_header(data, path: str):
    """Check the magic number, type code and dimensions: ``(shape, dtype, header length)``."""
    if len(data) < 4:
        raise _fail(path, f"is {len(data)} bytes long, too short for the 4-byte IDX magic number")
    if data[0] != 0 or data[1] != 0:
        raise _fail(path, f"bad magic number 0x{bytes(data[:4]).hex()} (an IDX file starts with "
                          "two zero bytes)")
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
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return shape, _DTYPES[code], header


def parse_idx(data: bytes, path: str = "<bytes>") -> np.ndarray:
    """Check an IDX byte string and return its array (native byte order, read-only).

    ``path`` only serves the error messages.
    """
    shape, dtype, header = _parse_header(data, path)
    # Python integers: a product of 32-bit dimensions never wraps around
    expected = header + math.prod(shape) * dtype.itemsize
    if len(data) != expected:
        which = "truncated" if len(data) < expected else "has trailing bytes"
        raise _fail(path, f"{which}: dimensions {list(shape)} of {dtype.name} need {expected} "
                          f"bytes but the file holds {len(data)}")
    if math.prod(d for d in shape if d) * dtype.itemsize > sys.maxsize:  # empty, yet NumPy-sized
        raise _fail(path, f"dimensions {list(shape)} are too large for an array")
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
