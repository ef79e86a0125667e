"""The double of CuPy (``fake_cupy``, ``fake_cupyx``) itself: it must fail where CuPy fails, so the
CUDA device's tests catch every device array leaked into NumPy and every NumPy array leaked into
device code. Plain pytest, no torch."""

import copy
import os
import pickle
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fake_cupy as cp  # noqa: E402
import fake_cupyx  # noqa: E402


@pytest.fixture
def two_devices(monkeypatch):
    monkeypatch.setenv("GLASSTORCH_FAKE_CUDA_DEVICES", "2")


# -- no implicit conversion --------------------------------------------------------------------


def test_numpy_asarray_of_a_device_array_raises_cupys_error():
    a = cp.arange(3.0)
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
        np.asarray(a)
    with pytest.raises(TypeError):
        np.array([a, a])
    with pytest.raises(TypeError):
        np.ones(3)[...] = a


@pytest.mark.parametrize("host", [np.ones(3), np.array(1.0)], ids=["1-d", "0-d"])
def test_a_numpy_operand_raises_on_either_side(host):
    a = cp.ones(3)
    for op in (lambda: a + host, lambda: host + a, lambda: a * host, lambda: host < a,
               lambda: np.add(a, host), lambda: cp.add(a, host), lambda: cp.exp(host)):
        with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
            op()
    with pytest.raises(TypeError):
        a += host
    with pytest.raises(TypeError):
        host += a
    with pytest.raises(TypeError):
        np.add(a, a, out=np.empty(3))


def test_scalars_are_welcome_and_lists_are_not():
    a = cp.ones(3, dtype=cp.float32)
    for r in (a + 1, 2.5 * a, a / np.float32(2), np.float64(1) - a, a ** 2, -a, abs(a)):
        assert type(r) is cp.ndarray and r.shape == (3,)
    assert (a + np.float32(2)).dtype == np.float32
    with pytest.raises(TypeError):
        a + [1, 2, 3]
    with pytest.raises(TypeError):
        cp.add(a, [1, 2, 3])


def test_numpy_functions_run_on_device_arrays_and_refuse_host_ones():
    a, b = cp.arange(3.0), cp.ones(3)
    r = np.concatenate([a, b])
    assert type(r) is cp.ndarray and r.get().tolist() == [0, 1, 2, 1, 1, 1]
    assert type(np.einsum("i,i->", a, b)) is cp.ndarray
    assert type(np.linalg.norm(a)) is cp.ndarray
    with pytest.raises(TypeError, match="Unsupported type"):
        np.concatenate([a, np.ones(3)])
    with pytest.raises(TypeError, match="Unsupported type"):
        cp.stack([a, np.ones(3)])
    with pytest.raises(TypeError):
        np.einsum_path("i,i->", a, b)  # not in CuPy
    with pytest.raises(AttributeError):
        cp.frompyfunc  # noqa: B018


# -- results are device arrays -----------------------------------------------------------------


def test_ufunc_results_are_device_arrays_and_out_writes_in_place():
    a = cp.arange(4.0)
    for r in (np.exp(a), cp.exp(a), np.maximum(a, 1), a > 1, np.divmod(a, 2)[0], cp.add(1, 2)):
        assert type(r) is cp.ndarray
    out = cp.empty(4)
    assert np.multiply(a, 2, out=out) is out
    assert out.get().tolist() == [0, 2, 4, 6]
    before = a
    a += 1
    assert a is before and a.get().tolist() == [1, 2, 3, 4]
    assert np.add.outer(a, a).shape == (4, 4)


def test_reductions_and_scalar_indexing_give_0d_device_arrays():
    a = cp.arange(6.0).reshape(2, 3)
    for r in (a.sum(), a.mean(), a.max(), a.argmax(), a.all(), np.sum(a), a[1, 2], a[0][0]):
        assert type(r) is cp.ndarray and r.shape == ()
    s = a.sum()
    assert float(s) == 15.0 and int(s) == 15 and bool(s) and complex(s) == 15
    assert s.item() == 15.0 and type(s.item()) is float
    assert a.tolist() == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(TypeError):
        float(a)  # more than one element
    with pytest.raises(ValueError, match="ambiguous"):
        bool(a)
    with pytest.raises(TypeError):
        range(cp.array(3))  # CuPy arrays have no __index__


def test_methods_wrap_tuples_and_keep_identity():
    a = cp.array([[0, 3], [2, 0]])
    rows, cols = a.nonzero()
    assert type(rows) is cp.ndarray and rows.get().tolist() == [0, 1]
    assert cols.get().tolist() == [1, 0]
    assert a.astype(a.dtype, copy=False) is a
    assert a.astype(cp.float32).dtype == np.float32
    assert type(a.dot(a)) is cp.ndarray
    with pytest.raises(TypeError, match="Unsupported type"):
        a.take(np.array([0]))


def test_repr_len_iteration():
    a = cp.array([1.0, 2.0])
    assert repr(a) == "array([1., 2.])" and str(a) == "[1. 2.]" and f"{a[0]:.1f}" == "1.0"
    assert len(a) == 2
    items = list(a)
    assert all(type(x) is cp.ndarray and x.shape == () for x in items)
    with pytest.raises(TypeError):
        len(cp.array(1.0))
    with pytest.raises(TypeError):
        iter(cp.array(1.0))


def test_array_properties():
    a = cp.zeros((2, 3), dtype=cp.float32)
    assert (a.shape, a.dtype, a.ndim, a.size, a.itemsize, a.nbytes) == ((2, 3), np.float32, 2, 6,
                                                                          4, 24)
    assert a.strides == (12, 4) and a.T.shape == (3, 2) and a.mT.shape == (3, 2)
    assert a.flags.c_contiguous and a.flags["C_CONTIGUOUS"] and a.flags.owndata
    assert a.T.flags.f_contiguous and not a.T.flags.owndata
    assert isinstance(a.data.ptr, int) and a.data.device_id == 0
    assert a.__array_namespace__() is cp
    c = cp.array([1 + 2j])
    assert c.real.get().tolist() == [1.0] and c.imag.get().tolist() == [2.0]
    with pytest.raises(ValueError, match="Unsupported dtype"):
        cp.array(["text"])


# -- views and indexing ------------------------------------------------------------------------


def test_views_write_through_and_know_their_base():
    a = cp.zeros((3, 4))
    row = a[1]
    row[2] = 7
    cell = a[0, 0]
    cell[...] = 5
    a.T[3, 2] = 9
    assert a.get()[1, 2] == 7 and a.get()[0, 0] == 5 and a.get()[2, 3] == 9
    assert row.base is a and row.T.base is a and a.reshape(12).base is a and a.base is None
    a[:, 1] = cp.arange(3.0)
    a[0] = np.float32(3)
    assert a.get()[:, 1].tolist() == [3, 1, 2]


def test_indexing_with_device_arrays_and_refusing_host_ones():
    a = cp.arange(10.0)
    idx = cp.array([3, 1, 3])
    assert a[idx].get().tolist() == [3, 1, 3]
    assert a[a > 7].get().tolist() == [8, 9]
    assert a[[0, 2]].get().tolist() == [0, 2]
    a[idx] = cp.array([-1.0, -2.0, -3.0])
    assert a.get()[1] == -2.0
    with pytest.raises(TypeError, match="as an index"):
        a[np.array([0, 1])]
    with pytest.raises(TypeError, match="as a value"):
        a[:3] = np.ones(3)
    with pytest.raises(TypeError, match="as a value"):
        a[idx] = np.ones(3)
    with pytest.raises(TypeError):
        np.arange(10)[cp.array([0])]  # a device index into a host array


# -- to and from the host ----------------------------------------------------------------------


def test_asnumpy_asarray_array_round_trip():
    host = np.arange(6, dtype=np.float32).reshape(2, 3)
    a = cp.asarray(host)
    host[0, 0] = 100  # a copy, not a view of the host memory
    assert type(a) is cp.ndarray and a.dtype == np.float32 and a.get()[0, 0] == 0
    back = cp.asnumpy(a)
    assert type(back) is np.ndarray and back.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert cp.asarray(a) is a and cp.asarray(a, dtype=cp.float64) is not a
    assert cp.array(a) is not a and cp.array(a, copy=False) is a
    assert cp.asnumpy([1, 2]).tolist() == [1, 2]
    assert cp.array([cp.ones(2), cp.zeros(2)]).shape == (2, 2)
    out = np.empty((2, 3), np.float32)
    assert a.get(out=out) is out
    a.set(np.ones((2, 3), np.float32))
    assert a.get().sum() == 6
    assert cp.get_array_module(a) is cp and cp.get_array_module(host) is np


def test_copies_and_pickle():
    a = cp.arange(3)
    for b in (copy.copy(a), copy.deepcopy(a), pickle.loads(pickle.dumps(a))):
        assert type(b) is cp.ndarray and b is not a and b.get().tolist() == [0, 1, 2]


# -- devices -----------------------------------------------------------------------------------


def test_one_device_by_default():
    assert cp.cuda.runtime.getDeviceCount() == 1 and cp.is_available()
    assert cp.cuda.runtime.getDeviceProperties(0)["name"] == b"glasstorch fake CUDA device (NumPy)"
    with pytest.raises(cp.cuda.runtime.CUDARuntimeError, match="invalid device ordinal"):
        cp.cuda.Device(1).use()
    with pytest.raises(cp.cuda.runtime.CUDARuntimeError):
        with cp.cuda.Device(1):
            pass
    assert cp.cuda.Device().id == 0  # a failed switch leaves the current device alone


def test_device_switching(two_devices):
    assert cp.cuda.runtime.getDeviceCount() == 2
    a = cp.ones(2)
    with cp.cuda.Device(1) as d:
        assert cp.cuda.runtime.getDevice() == 1 and d.id == 1 and cp.cuda.Device().id == 1
        b = cp.ones(2)
        assert a.device == cp.cuda.Device(0) and b.device.id == 1 and a[0].device.id == 0
        c = cp.array(a)  # a copy from another device
        assert c.device.id == 1
    assert cp.cuda.runtime.getDevice() == 0
    assert repr(cp.cuda.Device(1)) == "<CUDA Device 1>"
    assert len({cp.cuda.Device(1), cp.cuda.Device(1), cp.cuda.Device(0)}) == 2
    with pytest.raises(ValueError, match=r"resides \(1\) is different from the current device"):
        b + 1  # b is on device 1, device 0 is current
    with pytest.raises(ValueError):
        np.concatenate([a, b])
    with cp.cuda.Device(1):
        assert (b + 1).device.id == 1
    with pytest.raises(cp.cuda.runtime.CUDARuntimeError):
        cp.cuda.Device(2).use()


def test_streams():
    s = cp.cuda.Stream()
    with s:
        assert cp.cuda.get_current_stream() is s
    assert cp.cuda.get_current_stream() is cp.cuda.Stream.null
    s.synchronize()
    cp.cuda.get_current_stream().synchronize()
    cp.cuda.Device().synchronize()


# -- memory ------------------------------------------------------------------------------------


def test_memory_pool_counts_live_arrays():
    pool = cp.get_default_memory_pool()
    before = pool.used_bytes()
    a = cp.zeros(1000, dtype=cp.float32)  # 4000 bytes: 4096 in 512-byte units
    assert pool.used_bytes() == before + 4096
    views = (a[10:], a.reshape(10, 100), a.T)
    assert pool.used_bytes() == before + 4096
    del a
    assert pool.used_bytes() == before + 4096  # the views keep the memory alive
    del views
    assert pool.used_bytes() == before and pool.total_bytes() >= before + 4096  # cached
    pool.free_all_blocks()
    assert pool.total_bytes() == pool.used_bytes()
    b = cp.ones(3).sum()  # 0-d results count too
    assert pool.used_bytes() == before + 512
    del b


def test_memory_limit_raises_out_of_memory():
    pool = cp.get_default_memory_pool()
    pool.set_limit(size=pool.used_bytes() + 1024)
    try:
        keep = cp.zeros(128)  # 1024 bytes
        with pytest.raises(cp.cuda.memory.OutOfMemoryError, match="Out of memory allocating"):
            cp.zeros(1)
        assert pool.get_limit() > 0 and keep.size == 128
    finally:
        pool.set_limit(size=0)
    assert cp.get_default_pinned_memory_pool().n_free_blocks() == 0


# -- ufunc methods and scatter_add -------------------------------------------------------------


def test_scatter_add_adds_repeated_indices():
    a = cp.zeros(4, dtype=cp.float32)
    fake_cupyx.scatter_add(a, cp.array([0, 0, 2]), cp.array([1.0, 2.0, 3.0], dtype=cp.float32))
    assert a.get().tolist() == [3, 0, 3, 0]
    m = cp.zeros((2, 3))
    fake_cupyx.scatter_add(m, (cp.array([1, 1]), cp.array([0, 0])), 1.0)
    assert m.get()[1, 0] == 2
    np.add.at(a, cp.array([1, 1]), 1.0)
    assert a.get()[1] == 2
    with pytest.raises(TypeError, match="scatter_add only supports"):
        fake_cupyx.scatter_add(cp.zeros(3, dtype=cp.int64), cp.array([0]), 1)  # no int64 atomics
    fake_cupyx.scatter_add(cp.zeros(3, dtype=cp.int64), slice(0, 2), 1)  # a slice needs none
    with pytest.raises(TypeError):
        fake_cupyx.scatter_add(a, np.array([0]), 1.0)
    with pytest.raises(TypeError):
        np.add.at(a, (cp.array([0]),), 1.0)  # CuPy's __array_ufunc__ refuses a tuple


def test_ufunc_methods_cupy_has_and_lacks():
    a = cp.arange(1.0, 5.0)
    assert np.add.reduce(a).item() == 10 and cp.multiply.reduce(a).item() == 24
    assert np.add.accumulate(a).get().tolist() == [1, 3, 6, 10]
    assert np.add.reduceat(a, cp.array([0, 2])).get().tolist() == [3, 7]
    assert cp.maximum.outer(a, a).shape == (4, 4)
    for call in (lambda: np.maximum.reduce(a), lambda: np.maximum.accumulate(a),
                 lambda: np.logaddexp.accumulate(a), lambda: np.multiply.at(a, 0, 2)):
        with pytest.raises(NotImplementedError, match="is not supported yet"):
            call()
    with pytest.raises(TypeError):
        np.add.reduce(a, initial=1.0)


# -- module namespace --------------------------------------------------------------------------


def test_numpy_names_in_the_namespace():
    assert cp.float32 is np.float32 and cp.newaxis is None and cp.pi == np.pi
    for r in (cp.zeros((2, 2)), cp.ones_like(cp.zeros(2)), cp.arange(3), cp.linspace(0, 1, 5),
              cp.eye(2), cp.where(cp.arange(3) > 0, 1.0, 0.0), cp.fft.fft(cp.ones(4)),
              cp.linalg.inv(cp.eye(2)), cp.lib.stride_tricks.as_strided(cp.ones(4), (2,), (8,)),
              cp.mgrid[0:2, 0:2], cp.matmul(cp.eye(2), cp.ones((2, 1)))):
        assert type(r) is cp.ndarray
    assert cp.ascontiguousarray(cp.eye(3).T).flags.c_contiguous
    assert cp.result_type(cp.ones(1, cp.float32), 1.0) == np.float32
    assert cp.__version__ == "14.2.0-fake"
    with pytest.raises(AttributeError):
        cp.object_  # noqa: B018


def test_install_registers_cupy_and_cupyx(monkeypatch):
    cp.install(monkeypatch)
    import cupy
    import cupyx
    from cupy.cuda import runtime

    assert cupy is cp and cupyx is fake_cupyx and runtime is cp.cuda.runtime


# -- random ------------------------------------------------------------------------------------


def test_generator_dtypes_and_shapes():
    rng = cp.random.default_rng(0)
    for r, shape, dtype in ((rng.random((2, 3), dtype=cp.float32), (2, 3), np.float32),
                            (rng.random(), (), np.float64),
                            (rng.standard_normal(5, dtype=cp.float32), (5,), np.float32),
                            (rng.integers(0, 10, size=(4,)), (4,), np.int64),
                            (rng.integers(3, size=2, dtype=cp.int32), (2,), np.int32),
                            (rng.exponential(2.0, size=3), (3,), np.float64)):
        assert type(r) is cp.ndarray and r.shape == shape and r.dtype == dtype
    assert ((rng.random(100) >= 0) & (rng.random(100) < 1)).all()
    with pytest.raises(TypeError):
        rng.standard_normal(2, dtype=cp.int32)
    assert not hasattr(rng, "uniform")  # CuPy's Generator has no uniform, normal, permutation
    out = cp.empty(3)
    assert rng.random(3, out=out) is out
    assert cp.random.default_rng(7).random(3).get().tolist() == \
        cp.random.default_rng(7).random(3).get().tolist()


def test_legacy_random_functions():
    cp.random.seed(0)
    first = cp.random.rand(3).get()
    cp.random.seed(0)
    assert cp.random.rand(3).get().tolist() == first.tolist()
    for r, shape, dtype in ((cp.random.rand(2, 3), (2, 3), np.float64),
                            (cp.random.randn(4, dtype=cp.float32), (4,), np.float32),
                            (cp.random.randint(0, 5, size=(3,)), (3,), np.int64),
                            (cp.random.uniform(-1, 1, size=2), (2,), np.float64),
                            (cp.random.normal(0, 1, size=(2, 2), dtype=cp.float32), (2, 2),
                             np.float32),
                            (cp.random.permutation(5), (5,), np.int64),
                            (cp.random.rand(), (), np.float64)):
        assert type(r) is cp.ndarray and r.shape == shape and r.dtype == dtype
    assert sorted(cp.random.permutation(cp.arange(4)).get().tolist()) == [0, 1, 2, 3]
    with pytest.raises(TypeError):
        cp.random.rand(2, dtype=cp.int32)
