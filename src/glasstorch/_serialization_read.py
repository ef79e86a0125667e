"""Reading a safetensors file defensively: the framing and every header entry are checked before
the body is read, and nothing is ever executed.

A safetensors file is ``[8-byte little-endian header length n][n bytes of JSON header][body]``.
The header maps each tensor's name to ``{"dtype": "F32", "shape": [2, 3], "data_offsets":
[begin, end]}`` (offsets into the body) and may hold a ``"__metadata__"`` map of strings.
``_read`` refuses, with a ``RuntimeError`` naming the file and the reason:

- a pickle or a zip archive (``serialization.load`` hands those to ``_torch_format`` first),
  unread;
- an empty or short file, a header length that is implausible (over 100 MB) or longer than the
  file, a header that is not a JSON object;
- an entry with an unknown dtype, a shape that is not a list of non-negative integers, offsets
  that are not two non-negative integers in order, or offsets whose span is not exactly
  ``prod(shape) * itemsize`` bytes;
- a body shorter than the entries need (checked against the file's size before reading it) or
  longer (bytes after the data).

Memory follows what the file really holds: a 100-byte file claiming 10**15 elements is refused
before anything is allocated, and streams that cannot tell their size are read in growing
chunks. Overlapping or gapped offsets are then refused by the safetensors library itself.
"""

from __future__ import annotations

import json
import math
import os

_MAX_HEADER = 100_000_000  # bytes; safetensors' own limit
# First bytes of a protocol 0/1 pickle (MARK, EMPTY_DICT/LIST/TUPLE, GLOBAL, NONE, INT, ...): only
# taken as a pickle when the 8 bytes also make an implausible safetensors header length.
_OLD_PICKLE_STARTS = frozenset(b"(}])cNIFSVLGJKMU")

_PICKLE = (
    "{name} looks like a pickle file (e.g. written by torch.save); glasstorch never unpickles: "
    "loading a pickle can run arbitrary code. In PyTorch, re-save the tensors with "
    "safetensors.torch.save_file(state_dict, path) and load that file with glasstorch.load."
)


def _bad(name: str, why: str) -> RuntimeError:
    return RuntimeError(
        f"{name} is not a valid glasstorch/safetensors file ({why}); it may be truncated or "
        "corrupted, or not written by glasstorch.save / safetensors"
    )


# safetensors dtype name -> bytes per element (what the header's sizes are checked with)
_ITEMSIZE = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2,
    "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "C64": 8, "I64": 8, "U64": 8, "F64": 8,
}
_CHUNK = 1 << 20


def _read_exact(fh, n: int) -> bytes:
    """Up to ``n`` bytes of ``fh``, read in growing chunks: memory follows what the file really
    holds, never what its header claims (a 20-byte file claiming a terabyte costs nothing)."""
    parts = []
    got = 0
    while got < n:
        part = fh.read(min(n - got, max(_CHUNK, got)))
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _is_count(v) -> bool:
    return type(v) is int and v >= 0  # not bool, not negative


def _check_entries(header: dict, name: str) -> int:
    """Validate every tensor entry of a header (dtype, shape, offsets, and that the offsets hold
    exactly shape × itemsize bytes); return the body size the entries need."""
    size = 0
    for key, info in header.items():
        if key == "__metadata__":
            if not (isinstance(info, dict)
                    and all(isinstance(v, str) for v in info.values())):
                raise _bad(name, "its __metadata__ is not a map of strings")
            continue
        if not isinstance(info, dict):
            raise _bad(name, f"tensor {key!r} is described by {type(info).__name__}, not a map")
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if not isinstance(dtype, str) or dtype not in _ITEMSIZE:
            raise _bad(name, f"tensor {key!r} has an unknown dtype {dtype!r}")
        if not (isinstance(shape, list) and all(_is_count(d) for d in shape)):
            raise _bad(name, f"tensor {key!r} has an invalid shape {shape!r}")
        if not (isinstance(offsets, list) and len(offsets) == 2
                and all(_is_count(o) for o in offsets) and offsets[0] <= offsets[1]):
            raise _bad(name, f"tensor {key!r} has no valid data_offsets ({offsets!r})")
        nbytes = math.prod(shape) * _ITEMSIZE[dtype]
        if offsets[1] - offsets[0] != nbytes:
            raise _bad(name, f"tensor {key!r} of dtype {dtype} and shape {shape} needs {nbytes} "
                             f"bytes but its data_offsets {offsets} span {offsets[1] - offsets[0]}")
        size = max(size, offsets[1])
    return size


def _remaining(fh) -> int | None:
    """Bytes left in ``fh`` from its position, when it can tell (a file, BytesIO); else None."""
    try:
        if not fh.seekable():
            return None
        here = fh.tell()
        end = fh.seek(0, os.SEEK_END)
        fh.seek(here)
        return end - here
    except (AttributeError, OSError, ValueError):
        return None


def _read(fh, name: str) -> tuple[bytes, dict]:
    """Read one safetensors file from ``fh``, checking its framing and every header entry before
    reading the body (whose size is checked against what the file holds)."""
    head = fh.read(8)
    if head[:1] == b"\x80" or head[:4] == b"PK\x03\x04":  # pickle protocol 2+, or a zip
        raise RuntimeError(_PICKLE.format(name=name))
    if len(head) < 8:
        raise _bad(name, "the file is empty" if not head else "it is too short for a header")
    n = int.from_bytes(head, "little")
    if n > _MAX_HEADER and head[0] in _OLD_PICKLE_STARTS:
        raise RuntimeError(_PICKLE.format(name=name))
    if n < 2 or n > _MAX_HEADER:
        raise _bad(name, "its header length is not plausible")
    left = _remaining(fh)
    if left is not None and left < n:
        raise _bad(name, f"the header is cut short: {left} of {n} bytes")
    header_bytes = _read_exact(fh, n)
    if len(header_bytes) < n:
        raise _bad(name, f"the header is cut short: {len(header_bytes)} of {n} bytes")
    if header_bytes[:1] != b"{":
        raise _bad(name, "the header is not JSON")
    try:
        header = json.loads(header_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _bad(name, "the header is not valid JSON") from None
    if not isinstance(header, dict):
        raise _bad(name, "the header is not a JSON object")
    size = _check_entries(header, name)
    if left is not None and left - n < size:
        raise _bad(name, f"the data is cut short: {left - n} of {size} bytes")
    body = _read_exact(fh, size)
    if len(body) < size:
        raise _bad(name, f"the data is cut short: {len(body)} of {size} bytes")
    if fh.read(1):
        raise _bad(name, "there are bytes after the data")
    return head + header_bytes + body, header
