"""The IDX reader: good files (raw and gzipped), and every way a file can be wrong."""

import gzip
import os
import struct

import numpy as np
import pytest

from glasstorch.vision.datasets import idx

DEBIAN = "/usr/share/datasets/fashion-mnist"


def idx_bytes(arr: np.ndarray, code: int = 0x08) -> bytes:
    """An IDX file for ``arr``: magic (0, 0, code, ndim), big-endian dims, big-endian data."""
    big = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    header = bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(big).tobytes()


def write(path, data: bytes) -> str:
    path = str(path)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(data)
    return path


@pytest.fixture(autouse=True)
def fresh_cache():
    idx.clear_cache()
    yield
    idx.clear_cache()


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_reads_uint8_images_raw_and_gz(tmp_path, name):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    arr = idx.read_idx(write(tmp_path / name, idx_bytes(images)))
    assert arr.dtype == np.uint8 and arr.shape == (2, 3, 4)
    np.testing.assert_array_equal(arr, images)


def test_multibyte_types_are_big_endian_on_disk(tmp_path):
    values = np.array([1, -2, 70000, -(2**31)], dtype=np.int32)
    arr = idx.read_idx(write(tmp_path / "x", idx_bytes(values, 0x0C)))
    assert arr.dtype == np.dtype(np.int32) and arr.dtype.isnative
    assert arr.tolist() == [1, -2, 70000, -(2**31)]
    floats = np.array([[0.5, -1.25]], dtype=np.float64)
    assert idx.read_idx(write(tmp_path / "f", idx_bytes(floats, 0x0E))).tolist() == [[0.5, -1.25]]


def test_result_is_cached_and_read_only(tmp_path):
    path = write(tmp_path / "l", idx_bytes(np.array([3, 1, 4], dtype=np.uint8)))
    first = idx.read_idx(path)
    assert idx.read_idx(path) is first
    with pytest.raises(ValueError):
        first[0] = 9


def test_rewritten_file_is_read_again(tmp_path):
    path = write(tmp_path / "l", idx_bytes(np.array([3, 1, 4], dtype=np.uint8)))
    assert idx.read_idx(path).tolist() == [3, 1, 4]
    write(path, idx_bytes(np.array([2, 7], dtype=np.uint8)))
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse-grained file systems
    assert idx.read_idx(path).tolist() == [2, 7]


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_file_names_file_and_sizes(tmp_path, gz):
    data = idx_bytes(np.zeros((3, 28, 28), dtype=np.uint8))
    path = write(tmp_path / ("t.gz" if gz else "t"), data[:-100])
    with pytest.raises(idx.IDXFormatError) as err:
        idx.read_idx(path)
    msg = str(err.value)
    assert path in msg and "truncated" in msg
    assert f"need {len(data)} bytes but the file holds {len(data) - 100}" in msg
    assert "delete it" in msg


def test_trailing_bytes_are_an_error(tmp_path):
    data = idx_bytes(np.zeros(5, dtype=np.uint8)) + b"\x00\x01"
    with pytest.raises(idx.IDXFormatError, match="trailing bytes.*need 13 bytes but the file "
                                                 "holds 15"):
        idx.read_idx(write(tmp_path / "x", data))


def test_wrong_magic(tmp_path):
    data = b"\x1f\x8b" + idx_bytes(np.zeros(4, dtype=np.uint8))[2:]
    path = write(tmp_path / "m", data)
    with pytest.raises(idx.IDXFormatError, match="bad magic number 0x1f8b0801") as err:
        idx.read_idx(path)
    assert path in str(err.value)


def test_unknown_type_code_and_zero_dims(tmp_path):
    data = bytearray(idx_bytes(np.zeros(4, dtype=np.uint8)))
    data[2] = 0x0A
    with pytest.raises(idx.IDXFormatError, match="unknown element type code 0x0A"):
        idx.read_idx(write(tmp_path / "c", bytes(data)))
    with pytest.raises(idx.IDXFormatError, match="0 dimensions"):
        idx.read_idx(write(tmp_path / "z", b"\x00\x00\x08\x00"))


def test_short_header_and_tiny_file(tmp_path):
    with pytest.raises(idx.IDXFormatError, match="header of 16 bytes announced but the file is 8"):
        idx.read_idx(write(tmp_path / "h", b"\x00\x00\x08\x03" + b"\x00" * 4))
    with pytest.raises(idx.IDXFormatError, match="2 bytes long, too short"):
        idx.read_idx(write(tmp_path / "s", b"\x00\x00"))


def test_corrupt_gzip_names_the_file(tmp_path):
    path = str(tmp_path / "bad.gz")
    good = gzip.compress(idx_bytes(np.zeros((2, 2), dtype=np.uint8)))
    with open(path, "wb") as f:
        f.write(good[: len(good) // 2])
    with pytest.raises(idx.IDXFormatError, match="cannot be decompressed as gzip") as err:
        idx.read_idx(path)
    assert path in str(err.value)


@pytest.mark.skipif(not os.path.isdir(DEBIAN), reason="dataset-fashion-mnist is not installed")
def test_debian_fashion_mnist_files():
    images = idx.read_idx(os.path.join(DEBIAN, "t10k-images-idx3-ubyte.gz"))
    labels = idx.read_idx(os.path.join(DEBIAN, "t10k-labels-idx1-ubyte.gz"))
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and set(np.unique(labels).tolist()) == set(range(10))
    assert np.bincount(labels).tolist() == [1000] * 10
