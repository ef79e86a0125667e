"""Fuzzing the two file readers that take bytes from outside: ``glasstorch.load`` (safetensors)
and the IDX reader of the vision datasets; and killing ``glasstorch.save`` mid-write.

What is checked for every input (random bytes, or a valid file with flipped bytes, cut short,
padded, or with huge declared sizes, counts and header lengths):

- the reader either returns a result or raises its documented exception (``RuntimeError`` for
  ``load``, ``IDXFormatError`` for IDX), nothing else;
- it returns within a few seconds (an alarm turns a hang into a failure);
- it allocates memory in proportion to the bytes really present (tracemalloc's peak), never to
  what a header claims.

Example counts: a few thousand in all by default; ``GLASSTORCH_FUZZ_EXAMPLES=100000`` runs that
many per property (see docs/FILES.md).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import pickle
import signal
import struct
import subprocess
import sys
import textwrap
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glasstorch as gt
from glasstorch.vision.datasets.idx import IDXFormatError, parse_idx, read_idx

_ENV = os.environ.get("GLASSTORCH_FUZZ_EXAMPLES")


def examples(default: int) -> settings:
    """Hypothesis settings: ``default`` examples, or GLASSTORCH_FUZZ_EXAMPLES when set."""
    return settings(max_examples=int(_ENV) if _ENV else default,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


MEMORY_SLACK = 8 << 20  # bytes a read may use beyond a few times the input's size


@contextlib.contextmanager
def bounded(input_size: int, seconds: int = 10):
    """Fail if the block takes over ``seconds`` or its memory peak exceeds a small multiple of
    the input plus MEMORY_SLACK."""
    def on_alarm(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    tracemalloc.start()
    try:
        yield
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert peak < 8 * input_size + MEMORY_SLACK, f"peak {peak} bytes for {input_size} of input"


# ---- IDX -----------------------------------------------------------------------------------
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


@st.composite
def idx_files(draw) -> bytes:
    code = draw(st.sampled_from(sorted(IDX_TYPES)))
    shape = draw(st.lists(st.integers(0, 6), min_size=1, max_size=4))
    n = int(np.prod(shape))
    raw = draw(st.binary(min_size=n * np.dtype(IDX_TYPES[code]).itemsize,
                         max_size=n * np.dtype(IDX_TYPES[code]).itemsize))
    return bytes([0, 0, code, len(shape)]) + b"".join(d.to_bytes(4, "big") for d in shape) + raw


def mutate(data: bytes, draw) -> bytes:
    """One of: flip a byte, cut short, append bytes, write a huge 32/64-bit number somewhere."""
    kind = draw(st.sampled_from(["flip", "truncate", "append", "huge32", "huge64", "none"]))
    if not data or kind == "none":
        return data
    at = draw(st.integers(0, len(data) - 1))
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    if kind == "truncate":
        return data[:at]
    if kind == "append":
        return data + draw(st.binary(min_size=1, max_size=64))
    width = 4 if kind == "huge32" else 8
    value = draw(st.sampled_from([2**31 - 1, 2**32 - 1, 10**9, 2**63 - 1, 2**64 - 1, 10**15]))
    packed = (value % (1 << (8 * width))).to_bytes(width, draw(st.sampled_from(["big", "little"])))
    return data[:at] + packed + data[at + width:]


def check_idx_result(arr, data: bytes) -> None:
    """A returned array must be exactly what its header announced."""
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    assert arr.shape == shape
    assert 4 + 4 * ndim + arr.nbytes == len(data)


@examples(500)
@given(st.binary(max_size=300))
def test_idx_random_bytes(data):
    with bounded(len(data)):
        try:
            arr = parse_idx(data)
        except IDXFormatError:
            return
    check_idx_result(arr, data)


@examples(600)
@given(idx_files(), st.data())
def test_idx_mutated_files(valid, data):
    mutated = mutate(valid, data.draw)
    with bounded(len(mutated)):
        try:
            arr = parse_idx(mutated)
        except IDXFormatError as e:
            assert "corrupt or incomplete" in str(e)
            return
    check_idx_result(arr, mutated)


@examples(300)
@given(idx_files(), st.data(), st.booleans())
def test_idx_gz_mutated_before_or_after_compression(tmp_path_factory, valid, data, after):
    """``.gz`` files: a mutated IDX compressed, or a compressed IDX mutated (corrupt gzip)."""
    payload = gzip.compress(valid) if after else gzip.compress(mutate(valid, data.draw))
    if after:
        payload = mutate(payload, data.draw)
    path = tmp_path_factory.mktemp("idx") / "images-idx3-ubyte.gz"
    path.write_bytes(payload)
    with bounded(len(payload) + len(valid)):
        try:
            arr = read_idx(path)
        except IDXFormatError:
            return
    check_idx_result(arr, gzip.decompress(payload))


def test_idx_gzip_bomb_stops_at_the_declared_size(tmp_path):
    """A 10-byte image claimed by the header, then 64 MB of zeros: refused after about one chunk
    of output, never decompressed in full."""
    header = bytes([0, 0, 0x08, 1]) + (10).to_bytes(4, "big")
    comp = gzip.compress(header + bytes(64 << 20), compresslevel=9)
    path = tmp_path / "bomb-idx1-ubyte.gz"
    path.write_bytes(comp)
    with bounded(len(comp)), pytest.raises(IDXFormatError, match="has trailing bytes"):
        read_idx(path)


def test_idx_huge_dimensions_do_not_wrap_around():
    """Dimensions whose product overflows 64 bits are compared exactly, not modulo 2**64."""
    dims = [2**32 - 1] * 3
    data = bytes([0, 0, 0x08, 3]) + b"".join(d.to_bytes(4, "big") for d in dims)
    with bounded(len(data)), pytest.raises(IDXFormatError, match="truncated"):
        parse_idx(data)


# ---- safetensors (glasstorch.load) ---------------------------------------------------------
DTYPES = [gt.float32, gt.float64, gt.int64, gt.int32, gt.uint8, gt.bool, gt.float16, gt.int8]


@st.composite
def saved_objects(draw):
    """A small object ``glasstorch.save`` accepts: a flat state dict or a nested checkpoint."""
    def tensor():
        dtype = draw(st.sampled_from(DTYPES))
        shape = draw(st.lists(st.integers(0, 4), max_size=3))
        return gt.zeros(shape, dtype=dtype) + draw(st.integers(0, 3))

    names = draw(st.lists(st.text("abcxyz.", min_size=1, max_size=6), min_size=1, max_size=4,
                          unique=True))
    flat = {n: tensor() for n in names}
    if draw(st.booleans()):
        return flat
    return {"epoch": draw(st.integers(-5, 5)), "model": flat, "lr": [0.1, float("inf")],
            "note": draw(st.text(max_size=5)), "pair": (tensor(), None)}


def saved_bytes(obj) -> bytes:
    """What ``save`` writes to a ``.safetensors`` path."""
    from glasstorch.serialization import _to_bytes

    return _to_bytes(obj)


def torch_format_bytes(obj) -> bytes:
    """What ``save`` writes to any other path or a file object: torch's zip archive."""
    buf = io.BytesIO()
    gt.save(obj, buf)
    return buf.getvalue()


class Unseekable(io.RawIOBase):
    """A stream that cannot tell its size (a pipe, a socket): the chunked read path."""

    def __init__(self, data: bytes):
        self._inner = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, b):
        chunk = self._inner.read(min(len(b), 4096))
        b[: len(chunk)] = chunk
        return len(chunk)


def load_or_refuse(data: bytes, stream: bool = False):
    """``glasstorch.load`` of ``data``: the object, or None when refused with RuntimeError (or
    pickle.UnpicklingError, a torch file's pickle refused or damaged)."""
    import pickle

    src = Unseekable(data) if stream else io.BytesIO(data)
    with bounded(len(data)):
        try:
            return gt.load(src)
        except (RuntimeError, pickle.UnpicklingError) as e:
            assert "<" in str(e)  # the message names the source (here '<BytesIO>')
            return None


@examples(500)
@given(st.binary(max_size=300), st.booleans())
def test_load_random_bytes(data, stream):
    load_or_refuse(data, stream)


@examples(500)
@given(saved_objects(), st.data(), st.booleans())
def test_load_mutated_files(obj, data, stream):
    load_or_refuse(mutate(saved_bytes(obj), data.draw), stream)


@examples(500)
@given(saved_objects(), st.data(), st.booleans())
def test_load_mutated_torch_format_files(obj, data, stream):
    load_or_refuse(mutate(torch_format_bytes(obj), data.draw), stream)


@pytest.mark.parametrize("flags", [0x01, 0x40], ids=["encrypted", "strong-encryption"])
def test_load_torch_format_with_encryption_flags_is_refused_by_name(flags):
    """A zip record flagged as encrypted makes zipfile raise NotImplementedError or RuntimeError
    without the file's name (the fuzzer found a flipped bit 6): the loader says which file."""
    data = bytearray(torch_format_bytes({"w": gt.ones(3)}))
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data[at + flag_offset] |= flags
            at = data.find(signature, at + 4)
    with pytest.raises(RuntimeError, match="<BytesIO> is not a valid PyTorch checkpoint"):
        gt.load(io.BytesIO(bytes(data)))


def _legacy_bytes() -> list[bytes]:
    """Checkpoints in PyTorch's legacy (pre-zip) format, written by real torch (when installed)."""
    try:
        import torch
    except ImportError:
        return []
    files = []
    for obj in ({"w": torch.arange(6.0).reshape(2, 3), "b": torch.ones(2, dtype=torch.int64)},
                [torch.zeros(3, dtype=torch.float16), 7, "x", (torch.ones(1, dtype=torch.bool),)]):
        buf = io.BytesIO()
        torch.save(obj, buf, _use_new_zipfile_serialization=False)
        files.append(buf.getvalue())
    return files


LEGACY = _legacy_bytes()


@pytest.mark.skipif(not LEGACY, reason="needs torch to write legacy-format files")
@examples(300)
@given(st.data(), st.booleans())
def test_load_mutated_legacy_torch_files(data, stream):
    load_or_refuse(mutate(data.draw(st.sampled_from(LEGACY)), data.draw), stream)


@pytest.mark.skipif(not LEGACY, reason="needs torch to write legacy-format files")
def test_load_legacy_storage_on_an_unknown_device_is_refused_by_name():
    """A flipped byte in a storage's location ('cpu' -> 'cuq', found by the fuzzer) used to get
    the CUDA-unavailable advice, without the file's name. A map_location that sends the storages
    elsewhere loads it, as in torch."""
    damaged = LEGACY[0].replace(b"cpu", b"cuq")
    with pytest.raises(pickle.UnpicklingError,
                       match="<BytesIO>: a storage on an unknown device 'cuq'"):
        gt.load(io.BytesIO(damaged))
    loaded = gt.load(io.BytesIO(damaged), map_location="cpu")
    assert loaded["w"].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


# opcodes the restricted unpickler knows, with arguments drawn as random bytes after them
_OPCODES = st.sampled_from(list(b"(.0}]l)tsuaeNF\x85\x86\x87\x88\x89\x8a\x8bKJMXCBqhjrQRbc\x8c"
                                b"\x93\x94\x81\x95\x8f\x90\x91\x8d\x8e\x96"))


@examples(500)
@given(st.lists(st.tuples(_OPCODES, st.binary(max_size=6)), max_size=40))
def test_load_random_pickle_programs(ops):
    """Random sequences of pickle opcodes (with random arguments) after a protocol-2 header:
    the restricted unpickler returns something or refuses, never crashes or hangs."""
    load_or_refuse(b"\x80\x02" + b"".join(bytes([op]) + arg for op, arg in ops))


def with_header(header: dict, body: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + body


# the tags glasstorch's object description uses, so random structures hit every decoder branch
TAGS = ["tensor", "same_as", "dtype", "shape", "requires_grad", "parameter", "tuple", "dict",
        "OrderedDict", "Counter", "float", "complex", "size", "device", "a", "float32"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**65), 2**65) | st.floats()
    | st.sampled_from(TAGS) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(TAGS) | st.text(max_size=8), inner, max_size=3),
    max_leaves=20,
)


@examples(300)
@given(st.data())
def test_load_random_headers(data):
    """Headers with random entries (any JSON), as well as plausible ones with huge sizes."""
    entry = data.draw(st.one_of(
        json_values,
        st.fixed_dictionaries({
            "dtype": st.sampled_from(["F32", "F64", "U8", "I64", "BOOL", "X9", 3]),
            "shape": st.lists(st.integers(-2, 10**15), max_size=3),
            "data_offsets": st.lists(st.integers(-5, 10**15), min_size=2, max_size=2),
        }),
    ))
    body = data.draw(st.binary(max_size=64))
    load_or_refuse(with_header({"t": entry}, body), data.draw(st.booleans()))


@examples(200)
@given(json_values)
def test_load_random_glasstorch_structures(structure):
    """A safetensors file whose glasstorch metadata holds any JSON as the saved object."""
    meta = json.dumps({"format": 1, "object": structure})
    arr = np.arange(4, dtype=np.float32).tobytes()
    header = {"__metadata__": {"glasstorch": meta},
              "a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}
    load_or_refuse(with_header(header, arr))


@pytest.mark.parametrize("claimed", [10**9, 10**12, 10**15, 2**63 - 1])
def test_huge_declared_tensor_is_refused_before_allocating(tmp_path, claimed):
    path = tmp_path / "claims.safetensors"
    path.write_bytes(with_header({"t": {"dtype": "U8", "shape": [claimed],
                                        "data_offsets": [0, claimed]}}))
    with bounded(100), pytest.raises(RuntimeError, match=f"the data is cut short: 0 of {claimed}"):
        gt.load(path)


def test_huge_header_length_is_refused_before_allocating(tmp_path):
    path = tmp_path / "claims.safetensors"
    path.write_bytes(struct.pack("<Q", 99_999_999) + b"{}")
    with bounded(100), pytest.raises(RuntimeError, match="header is cut short: 2 of 99999999"):
        gt.load(path)


# ---- atomic save under SIGKILL ------------------------------------------------------------
_SAVER = textwrap.dedent("""
    import sys
    import glasstorch as gt
    path = sys.argv[1]
    step = 0
    while True:
        step += 1
        gt.save({"step": step, "w": gt.full((1 << 18,), float(step))}, path)
        print(step, flush=True)
""")


def test_kill_during_save_leaves_a_loadable_file(tmp_path):
    """A process saving 1 MB checkpoints in a loop, SIGKILLed at random moments (4 times): the
    file always loads and is one complete checkpoint (its tensor all equal to its step)."""
    path = tmp_path / "ckpt.safetensors"
    rng = np.random.default_rng(0)
    seen_steps = set()
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", _SAVER, str(path)],
                                stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline()  # at least one save finished
            time.sleep(float(rng.uniform(0.0, 0.3)))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        obj = gt.load(path)
        step = obj["step"]
        assert obj["w"].shape == (1 << 18,)
        assert bool((obj["w"] == float(step)).all())
        seen_steps.add(step)
    assert seen_steps  # at least one checkpoint was read back
    # what a kill can leave: at most the one temporary file being written, never a broken target
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != path.name]
    assert all(n.startswith(".ckpt.safetensors.") and n.endswith(".tmp") for n in leftovers)


class _RunsCode:
    """Unpickling this would create a file: proof that code ran."""

    path = ""

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("protocol", range(6))
def test_pickles_of_every_protocol_are_refused_unrun(tmp_path, protocol):
    import pickle

    _RunsCode.path = str(tmp_path / "pwned")
    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps({"x": _RunsCode()}, protocol=protocol))
    with bounded(evil.stat().st_size), pytest.raises(pickle.UnpicklingError) as refused:
        gt.load(evil)
    assert "open, which is not allowed" in str(refused.value)
    assert "weights_only=False" in str(refused.value)
    assert not (tmp_path / "pwned").exists()
