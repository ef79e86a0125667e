"""Making tensors on the CUDA device: every factory with ``device='cuda'``, the ``*_like`` and
``new_*`` factories on a cuda tensor, ``set_default_device('cuda')`` (and the factories torch
leaves on the CPU under it), GPU numbers, seeded draws, and index tensors from either device.

Each result is checked against the same factory on the CPU: same values (draws included, as the
GPU's come from the CPU generator), dtype and shape, and it must live on the GPU asked for."""

from __future__ import annotations

import numpy as np
import pytest

import glasstorch as gt

CUDA0 = gt.device("cuda", 0)


def _same(cuda, cpu, device=CUDA0):
    assert cuda.device == device, f"on {cuda.device}, expected {device}"
    assert cpu.device.type == "cpu"
    assert cuda.dtype == cpu.dtype and cuda.shape == cpu.shape
    np.testing.assert_array_equal(cuda.cpu().numpy(), cpu.numpy())


@pytest.fixture
def two_gpus(monkeypatch):
    monkeypatch.setenv("GLASSTORCH_FAKE_CUDA_DEVICES", "2")
    if gt.cuda.device_count() < 2:
        pytest.skip("needs two GPUs (or the double of CuPy)")


@pytest.fixture
def one_gpu(monkeypatch):
    monkeypatch.setenv("GLASSTORCH_FAKE_CUDA_DEVICES", "1")
    if gt.cuda.device_count() != 1:
        pytest.skip("needs exactly one GPU (or the double of CuPy)")


# -- factories with device='cuda' ----------------------------------------------------------------

FACTORIES = {
    "zeros": lambda d: gt.zeros(2, 3, device=d),
    "zeros-int": lambda d: gt.zeros((2,), dtype=gt.int64, device=d),
    "ones": lambda d: gt.ones(4, device=d),
    "full": lambda d: gt.full((2, 2), 7.5, device=d),
    "full-bool": lambda d: gt.full((3,), True, device=d),
    "full-0d-tensor": lambda d: gt.full((2,), gt.tensor(1.5, device=d), device=d),
    "empty-shape": lambda d: gt.empty(2, 5, device=d).fill_(0),
    "arange": lambda d: gt.arange(5, device=d),
    "arange-float": lambda d: gt.arange(0, 1, 0.25, device=d),
    "linspace": lambda d: gt.linspace(-1, 1, 5, device=d),
    "logspace": lambda d: gt.logspace(0, 2, 3, device=d),
    "eye": lambda d: gt.eye(3, 2, device=d),
    "tensor": lambda d: gt.tensor([[1, 2], [3, 4]], device=d),
    "tensor-float64": lambda d: gt.tensor([0.1, 0.2], dtype=gt.float64, device=d),
    "tensor-0d": lambda d: gt.tensor(3.5, device=d),
    "tensor-ndarray": lambda d: gt.tensor(np.arange(6, dtype=np.int32).reshape(2, 3), device=d),
    "as_tensor": lambda d: gt.as_tensor([1.0, 2.0], device=d),
    "as_tensor-ndarray": lambda d: gt.as_tensor(np.ones(3), device=d),
    "asarray": lambda d: gt.asarray([1, 2], device=d),
    "asarray-ndarray": lambda d: gt.asarray(np.ones((2, 2), np.float32), device=d),
    "scalar_tensor": lambda d: gt.scalar_tensor(2, device=d),
    "FloatTensor-device": lambda d: gt.FloatTensor([1, 2], device=d),
    "Tensor-sizes-device": lambda d: gt.Tensor(2, 3, device=d).zero_(),
}


@pytest.mark.parametrize("name", FACTORIES)
def test_factory_with_device_cuda(name):
    make = FACTORIES[name]
    _same(make("cuda"), make("cpu"))
    _same(make(CUDA0), make(None))


SEEDED = {
    "rand": lambda d: gt.rand(2, 3, device=d),
    "rand-float64": lambda d: gt.rand(4, dtype=gt.float64, device=d),
    "randn": lambda d: gt.randn(3, device=d),
    "randn-float16": lambda d: gt.randn(3, dtype=gt.float16, device=d),
    "randint": lambda d: gt.randint(0, 10, (5,), device=d),
    "randint-int32": lambda d: gt.randint(3, (2, 2), dtype=gt.int32, device=d),
    "randperm": lambda d: gt.randperm(6, device=d),
    "normal-numbers": lambda d: gt.normal(1.0, 2.0, (3,), device=d),
    "normal-tensors": lambda d: gt.normal(gt.zeros(3, device=d), gt.ones(3, device=d)),
    "normal-tensor-mean": lambda d: gt.normal(gt.arange(3.0, device=d), 0.5),
    "bernoulli": lambda d: gt.bernoulli(gt.full((4,), 0.5, device=d)),
    "bernoulli-p": lambda d: gt.zeros(5, device=d).bernoulli(0.3),
    "multinomial": lambda d: gt.multinomial(gt.tensor([1.0, 2.0, 3.0], device=d), 4, True),
    "multinomial-rows": lambda d: gt.multinomial(gt.ones(2, 4, device=d), 3),
    "poisson": lambda d: gt.poisson(gt.full((3,), 2.0, device=d)),
    "uniform_": lambda d: gt.empty(3, device=d).uniform_(-1, 1),
    "normal_": lambda d: gt.zeros(2, 2, device=d).normal_(),
    "bernoulli_": lambda d: gt.zeros(4, device=d).bernoulli_(0.5),
    "bernoulli_-tensor": lambda d: gt.zeros(3, device=d).bernoulli_(gt.full((3,), 0.5, device=d)),
    "random_": lambda d: gt.zeros(3, dtype=gt.int64, device=d).random_(0, 9),
    "exponential_": lambda d: gt.ones(3, device=d).exponential_(),
    "rand_like": lambda d: gt.rand_like(gt.zeros(2, device=d)),
    "randn_like": lambda d: gt.randn_like(gt.zeros(2, device=d)),
    "randint_like": lambda d: gt.randint_like(gt.zeros(2, device=d), 5),
}


@pytest.mark.parametrize("name", SEEDED)
def test_seeded_draws_are_the_same_on_cpu_and_cuda(name):
    """The GPU's draws come from the CPU generator (glasstorch.cuda says why): one seed, one
    stream of numbers, whichever device they land on."""
    make = SEEDED[name]
    gt.manual_seed(0)
    cpu = make("cpu")
    gt.manual_seed(0)
    _same(make("cuda"), cpu)


def test_draws_from_a_generator_land_on_the_device():
    g = gt.Generator().manual_seed(3)
    a = gt.randn(4, generator=g, device="cuda")
    g.manual_seed(3)
    _same(a, gt.randn(4, generator=g))


# -- *_like and new_* on a cuda tensor -----------------------------------------------------------

LIKE = {
    "zeros_like": lambda x: gt.zeros_like(x),
    "ones_like": lambda x: gt.ones_like(x, dtype=gt.int32),
    "empty_like": lambda x: gt.empty_like(x).fill_(1),
    "full_like": lambda x: gt.full_like(x, 2.5),
    "full_like-0d-tensor": lambda x: gt.full_like(x, gt.tensor(4.0)),
    "new_zeros": lambda x: x.new_zeros(2, 2),
    "new_ones": lambda x: x.new_ones((3,)),
    "new_empty": lambda x: x.new_empty(2).fill_(0),
    "new_full": lambda x: x.new_full((2,), -1.0),
    "new_tensor": lambda x: x.new_tensor([1, 2, 3]),
    "new_tensor-of-tensor": lambda x: x.new_tensor(gt.arange(3)),
}


@pytest.mark.parametrize("name", LIKE)
def test_like_and_new_factories_follow_their_tensor(name):
    x = gt.arange(6.0).reshape(2, 3)
    with pytest.warns(UserWarning) if name == "new_tensor-of-tensor" else _nothing():
        cpu = LIKE[name](x)
    with pytest.warns(UserWarning) if name == "new_tensor-of-tensor" else _nothing():
        _same(LIKE[name](x.cuda()), cpu)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_like_factories_keep_a_cpu_tensor_on_the_cpu_under_a_cuda_default(on_cuda):
    x = gt.ones(2, device="cpu")
    for made in (gt.zeros_like(x), gt.full_like(x, 3), gt.rand_like(x), x.new_zeros(3),
                 x.new_full((2,), 1.0), x.new_tensor([1.0])):
        assert made.device.type == "cpu"
    assert gt.zeros_like(x, device="cuda").device == CUDA0


# -- set_default_device('cuda') ------------------------------------------------------------------

DEFAULTED = {
    "zeros": lambda: gt.zeros(2),
    "ones": lambda: gt.ones(2, dtype=gt.int64),
    "full": lambda: gt.full((2,), 3),
    "empty": lambda: gt.empty(0),
    "arange": lambda: gt.arange(4),
    "linspace": lambda: gt.linspace(0, 1, 3),
    "eye": lambda: gt.eye(2),
    "tensor": lambda: gt.tensor([1.5, 2.5]),
    "tensor-of-cpu-tensor": lambda: gt.tensor(gt.ones(2, device="cpu")),
    "as_tensor": lambda: gt.as_tensor([1, 2]),
    "as_tensor-ndarray": lambda: gt.as_tensor(np.zeros(2)),
    "as_tensor-cpu-tensor": lambda: gt.as_tensor(gt.ones(2, device="cpu")),
    "asarray": lambda: gt.asarray([1, 2.0]),
    "asarray-ndarray": lambda: gt.asarray(np.zeros(2)),
    "scalar_tensor": lambda: gt.scalar_tensor(1.0),
    "rand": lambda: gt.rand(3),
    "randn": lambda: gt.randn(3),
    "randint": lambda: gt.randint(5, (3,)),
    "randperm": lambda: gt.randperm(4),
}


@pytest.mark.parametrize("name", DEFAULTED)
def test_set_default_device_makes_factories_use_cuda(name):
    gt.manual_seed(1)
    cpu = DEFAULTED[name]()
    gt.set_default_device("cuda")
    try:
        gt.manual_seed(1)
        cuda = DEFAULTED[name]()
    finally:
        gt.set_default_device(None)
    if name.endswith("cpu-tensor"):
        cpu = cpu.cpu()
    _same(cuda, cpu)


def test_factories_torch_leaves_on_the_cpu_under_a_cuda_default(on_cuda):
    """torch's default device reaches the factories its device mode lists: not the legacy typed
    constructors, not from_numpy, not normal(number, number, size)."""
    for made in (gt.FloatTensor([1, 2]), gt.LongTensor(2), gt.Tensor([1.0]), gt.Tensor(),
                 gt.from_numpy(np.zeros(2)), gt.normal(0.0, 1.0, (2,))):
        assert made.device.type == "cpu"
    assert gt.zeros(1, device="cpu").device.type == "cpu"
    assert gt.get_default_device() == CUDA0


# -- GPU numbers ---------------------------------------------------------------------------------

def test_a_gpu_that_is_not_there_is_torchs_error(one_gpu):
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        gt.zeros(2, device="cuda:1")
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        gt.tensor([1.0], device=gt.device("cuda", 1))
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        gt.rand(2, device="cuda:1")
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        gt.ones(2).to("cuda:1")


def test_a_second_gpu_takes_factories_and_keeps_its_tensors(two_gpus):
    cuda1 = gt.device("cuda", 1)
    _same(gt.zeros(2, 3, device="cuda:1"), gt.zeros(2, 3), cuda1)
    _same(gt.arange(4, device=cuda1), gt.arange(4), cuda1)
    _same(gt.tensor([1, 2], device="cuda:1"), gt.tensor([1, 2]), cuda1)
    gt.manual_seed(5)
    cpu = gt.rand(3)
    gt.manual_seed(5)
    _same(gt.rand(3, device="cuda:1"), cpu, cuda1)
    x = gt.ones(2, 2, device="cuda:1")
    _same(gt.zeros_like(x), gt.zeros(2, 2), cuda1)
    _same(x.new_tensor([5.0]), gt.tensor([5.0]), cuda1)
    _same(x.new_full((2,), 3.0), gt.full((2,), 3.0), cuda1)
    with pytest.raises(RuntimeError, match="same device as the indexed tensor \\(cuda:1\\)"):
        x[gt.tensor([0], device="cuda:0")]
    gt.set_default_device("cuda:1")
    try:
        _same(gt.ones(2), gt.ones(2, device="cpu"), cuda1)
    finally:
        gt.set_default_device(None)


# -- index tensors from either device ------------------------------------------------------------

def _on_cpu(key):
    if isinstance(key, tuple):
        return tuple(_on_cpu(k) for k in key)
    return key.cpu() if isinstance(key, gt.Tensor) else key


def test_a_cuda_tensor_takes_cpu_and_cuda_index_tensors_and_lists():
    x = gt.arange(12.0).reshape(3, 4)
    xc = x.cuda()
    for key in (gt.tensor([2, 0]), [2, 0], gt.tensor([2, 0], device="cuda"), range(2),
                x > 5, (x > 5).cuda(), (slice(None), gt.tensor([1, 3])),
                (gt.tensor([0, 2]), [1, 1]), (1, gt.tensor([3, 0], device="cuda"))):
        _same(xc[key], x[_on_cpu(key)])
        yc, y = xc.clone(), x.clone()
        yc[key] = -1.0
        y[_on_cpu(key)] = -1.0
        _same(yc, y)
        yc[key] = gt.tensor(-2.0)  # a 0-d CPU value goes along with a cuda tensor
        y[_on_cpu(key)] = gt.tensor(-2.0)
        _same(yc, y)


def test_a_cpu_tensor_refuses_a_cuda_index_tensor():
    with pytest.raises(RuntimeError, match="indices should be either on cpu or on the same "
                                           "device as the indexed tensor \\(cpu\\)"):
        gt.arange(3)[gt.tensor([0], device="cuda")]


def test_index_ops_move_a_cpu_index_and_refuse_one_on_another_device():
    """torch wants the index of gather, index_select, masked_fill... on the tensor's device;
    glasstorch moves a CPU one there (as ``x[index]`` does), and refuses a GPU one for a CPU
    tensor with torch's error."""
    x = gt.arange(6.0).reshape(2, 3)
    xc = x.cuda()
    idx, mask = gt.tensor([[0], [2]]), x > 2
    for i in (idx, idx.cuda()):
        _same(xc.gather(1, i), x.gather(1, idx))
        _same(xc.scatter(1, i, -1.0), x.scatter(1, idx, -1.0))
        _same(xc.index_select(1, i.reshape(-1)), x.index_select(1, idx.reshape(-1)))
        _same(xc.take(i), x.take(idx))
        _same(xc.index_fill(1, i.reshape(-1), 9.0), x.index_fill(1, idx.reshape(-1), 9.0))
    for m in (mask, mask.cuda()):
        _same(xc.masked_fill(m, gt.tensor(-1.0)), x.masked_fill(mask, -1.0))
        _same(xc.masked_select(m), x.masked_select(mask))
    for wrong in (lambda: x.gather(1, idx.cuda()), lambda: x.index_select(0, gt.tensor(
            [1], device="cuda")), lambda: x.masked_fill(mask.cuda(), 0.0),
            lambda: xc.index_add(0, gt.tensor([1]), gt.ones(1, 3)),
            lambda: xc.scatter(1, idx, gt.ones(2, 1))):
        with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
            wrong()


@pytest.mark.parametrize("op", [
    lambda x, d: x[gt.tensor([1, 1, 0])],
    lambda x, d: x[:, [0, 0, 2]],
    lambda x, d: x[gt.tensor([[True, False, True], [False, False, True]], device=d)],
    lambda x, d: x.gather(1, gt.tensor([[2, 2], [0, 1]], device=d)),
    lambda x, d: x.index_select(1, gt.tensor([0, 0], device=d)),
    lambda x, d: x.take(gt.tensor([5, 5, 0], device=d)),
    lambda x, d: x.narrow(1, 1, 2),
    lambda x, d: x.unfold(1, 2, 1),
], ids=["list-key", "slice-list", "mask", "gather", "index_select", "take", "narrow", "unfold"])
def test_backward_through_indexing_lands_on_the_device(op):
    """Repeated positions add their gradients up on the GPU too."""
    grads = []
    for d in ("cuda", "cpu"):
        x = gt.arange(6.0, device=d).reshape(2, 3).requires_grad_()
        y = op(x, d)
        y.backward(gt.ones_like(y))
        grads.append(x.grad)
    _same(*grads)


@pytest.mark.parametrize("op", [
    lambda x, d: gt.zeros(5, dtype=x.dtype, device=d).scatter_add(0, gt.tensor([1, 1, 4, 1]),
                                                                  x[:4]),
    lambda x, d: gt.ones(5, dtype=x.dtype, device=d).scatter(
        0, gt.tensor([1, 1, 4, 1]), x[:4], reduce="multiply"),
    lambda x, d: gt.zeros(5, dtype=x.dtype, device=d).index_add(0, gt.tensor([0, 0, 3]), x[:3]),
    lambda x, d: gt.zeros(5, dtype=x.dtype, device=d).index_put(
        (gt.tensor([2, 2, 2]),), x[:3], accumulate=True),
    lambda x, d: gt.zeros(5, dtype=x.dtype, device=d).put(gt.tensor([3, 3]), x[:2], True),
    lambda x, d: x.repeat_interleave(gt.tensor([0, 2, 1, 3, 1, 0], device=d)),
    lambda x, d: gt.repeat_interleave(gt.tensor([2, 0, 3], device=d)),
], ids=["scatter_add", "scatter-multiply", "index_add", "index_put-accumulate", "put-accumulate",
        "repeat_interleave", "repeat_interleave-counts"])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_repeated_positions_add_up_on_the_device(op, dtype):
    """Writes that meet at one position combine there (sort + reduceat on either library; CuPy's
    atomic scatter_add has no int64)."""
    x = gt.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).to(getattr(gt, dtype))
    _same(op(x.cuda(), "cuda"), op(x, "cpu"))
