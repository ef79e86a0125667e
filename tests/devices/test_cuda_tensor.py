"""The Tensor-level API of the CUDA device (on the double of CuPy, or a real GPU): moving tensors
and their gradients between devices, asking where a tensor lives, printing, the ways back to
Python and NumPy, torch's errors for mixed devices, in-place ops and backward on the device, and
``torch.cuda``'s questions. Each expectation is what PyTorch does on a GPU."""

from __future__ import annotations

import math
import sys
import types

import numpy as np
import pytest

import glasstorch as gt
from glasstorch import _array

MIXED = ("Expected all tensors to be on the same device, but found at least two devices, "
         "cuda:0 and cpu!")


def _cuda(values, **kw):
    return gt.tensor(values, device="cuda", **kw)


# ---- moving -------------------------------------------------------------------------------------
def test_to_cuda_cpu_and_back_keep_values_and_dtype():
    x = gt.tensor([[1.5, -2.0], [3.0, 4.25]], dtype=gt.float64)
    for y in (x.to("cuda"), x.cuda(), x.to(gt.device("cuda", 0)), x.to("cuda:0")):
        assert y.device == gt.device("cuda", 0) and y.dtype == gt.float64
        back = y.cpu()
        assert back.device.type == "cpu"
        np.testing.assert_array_equal(back.numpy(), x.numpy())


def test_to_a_device_a_tensor_is_on_returns_it_and_a_move_copies():
    y = _cuda([1.0, 2.0])
    assert y.to("cuda") is y and y.cuda() is y
    x = gt.tensor([1.0, 2.0])
    assert x.cpu() is x
    z = x.to("cuda")
    z.add_(1)  # the copy owns its memory: the CPU tensor is unchanged
    assert x.tolist() == [1.0, 2.0]


def test_to_device_and_dtype_at_once():
    y = gt.tensor([1, 2]).to("cuda", gt.float64)
    assert y.is_cuda and y.dtype == gt.float64
    z = y.to(device="cpu", dtype=gt.int32)
    assert not z.is_cuda and z.dtype == gt.int32


def test_gradients_flow_back_across_devices():
    a = gt.tensor([1.0, 2.0], requires_grad=True)
    b = a.to("cuda")
    assert b.grad_fn is not None and type(b.grad_fn).__name__ == "ToCopyBackward0"
    (b * b).backward(gt.ones(2, device="cuda"))
    assert a.grad.device.type == "cpu" and a.grad.tolist() == [2.0, 4.0]

    c = _cuda([1.0, 2.0], requires_grad=True)
    (c.cpu() * 3).backward(gt.ones(2))
    assert c.grad.is_cuda and c.grad.tolist() == [3.0, 3.0]


def test_copy_between_devices_and_its_gradient():
    src = gt.tensor([5.0, 6.0], requires_grad=True)
    dst = gt.zeros(2, device="cuda")
    dst.copy_(src)
    assert dst.is_cuda and dst.tolist() == [5.0, 6.0]
    dst.backward(gt.tensor([1.0, 2.0], device="cuda"))
    assert src.grad.device.type == "cpu" and src.grad.tolist() == [1.0, 2.0]
    host = gt.zeros(2).copy_(_cuda([7.0, 8.0]))
    assert host.device.type == "cpu" and host.tolist() == [7.0, 8.0]


# ---- where a tensor lives -----------------------------------------------------------------------
def test_device_is_cuda_get_device():
    y = _cuda([1.0])
    assert y.device == gt.device("cuda:0") and str(y.device) == "cuda:0"
    assert y.is_cuda and y.get_device() == 0
    x = gt.tensor([1.0])
    assert not x.is_cuda and x.get_device() == -1 and x.device == gt.device("cpu")
    assert y.type() == "torch.cuda.FloatTensor" and x.type() == "torch.FloatTensor"
    assert y.type("torch.cuda.LongTensor").dtype == gt.int64
    assert not y.type("torch.DoubleTensor").is_cuda


# ---- printing -----------------------------------------------------------------------------------
@pytest.mark.parametrize("make, text", [
    (lambda: _cuda([1.0, 2.0]), "tensor([1., 2.], device='cuda:0')"),
    (lambda: _cuda([1.0, 2.0], requires_grad=True),
     "tensor([1., 2.], device='cuda:0', requires_grad=True)"),
    (lambda: _cuda([1.0, 2.0], dtype=gt.float64),
     "tensor([1., 2.], device='cuda:0', dtype=torch.float64)"),
    (lambda: _cuda([1.0, 2.0], dtype=gt.float64, requires_grad=True),
     "tensor([1., 2.], device='cuda:0', dtype=torch.float64, requires_grad=True)"),
    (lambda: _cuda([1.0, 2.0], requires_grad=True) * 2,
     "tensor([2., 4.], device='cuda:0', grad_fn=<MulBackward0>)"),
    (lambda: _cuda([1, 2]), "tensor([1, 2], device='cuda:0')"),
    (lambda: _cuda(3.0), "tensor(3., device='cuda:0')"),
    (lambda: _cuda([]), "tensor([], device='cuda:0')"),
], ids=["plain", "requires_grad", "dtype", "dtype-requires_grad", "grad_fn", "int", "0-d",
        "empty"])
def test_printing_names_the_device_first(make, text):
    t = make()
    assert repr(t) == text and str(t) == text


# ---- back to Python and NumPy -------------------------------------------------------------------
def test_numpy_of_a_cuda_tensor_is_torchs_type_error():
    with pytest.raises(TypeError, match=r"^can't convert cuda:0 device type tensor to numpy\. Use "
                       r"Tensor\.cpu\(\) to copy the tensor to host memory first\.$"):
        _cuda([1.0, 2.0]).numpy()
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        np.asarray(_cuda([1.0, 2.0]))


def test_item_tolist_and_python_numbers():
    y = _cuda([[1.5, 2.0], [3.0, 4.0]])
    assert y.tolist() == [[1.5, 2.0], [3.0, 4.0]]
    one = _cuda([2.5])
    assert one.item() == 2.5 and float(one) == 2.5 and int(_cuda(7)) == 7
    assert bool(_cuda(True)) and _cuda(3.0).tolist() == 3.0
    assert f"{_cuda(1.0):.2f}" == "1.00"


# ---- mixing devices -----------------------------------------------------------------------------
@pytest.mark.parametrize("op", [
    lambda a, b: a + b, lambda a, b: b + a, lambda a, b: a * b, lambda a, b: gt.mul(b, a),
    lambda a, b: a - b, lambda a, b: a / b, lambda a, b: a < b, lambda a, b: gt.maximum(a, b),
    lambda a, b: gt.where(a > 0, a, b), lambda a, b: a.clone().add_(b),
], ids=["add", "radd", "mul", "mul-fn", "sub", "div", "lt", "maximum", "where", "add_"])
def test_a_cuda_and_a_cpu_tensor_in_one_op_is_torchs_error(op):
    with pytest.raises(RuntimeError, match=MIXED.replace("!", r"\!")):
        op(_cuda([1.0, 2.0]), gt.tensor([1.0, 2.0]))


def test_matmul_of_a_cuda_and_a_cpu_tensor_is_torchs_error():
    with pytest.raises(RuntimeError, match=MIXED.replace("!", r"\!")):
        _cuda([1.0, 2.0]) @ gt.tensor([1.0, 2.0])


def test_an_out_tensor_on_another_device_is_torchs_error():
    x = _cuda([1.0, 2.0])
    with pytest.raises(RuntimeError, match=MIXED.replace("!", r"\!")):
        gt.add(x, x, out=gt.zeros(2))
    out = gt.zeros(2, device="cuda")
    assert gt.exp(x, out=out) is out and out.is_cuda


def test_a_0d_cpu_tensor_joins_a_cuda_tensor():
    y = _cuda([1.0, 2.0])
    for res in (y + gt.tensor(1.0), gt.tensor(2.0) * y, y ** gt.tensor(2.0),
                gt.where(y > 1, y, gt.tensor(0.0)), y.clone().add_(gt.tensor(1.0)),
                y.clone().fill_(gt.tensor(3.0))):
        assert res.is_cuda
    assert (y + gt.tensor(1.0)).tolist() == [2.0, 3.0]
    assert (y * gt.tensor(2, dtype=gt.int64)).dtype == gt.float32


def test_a_gradient_on_another_device_is_torchs_error():
    y = _cuda([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="invalid gradient at index 0 - expected device cuda:0 "
                       "but got cpu"):
        y.backward(gt.ones(2))


def test_a_grad_assigned_from_another_device_is_torchs_error():
    x = _cuda([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="attempting to assign a gradient with device type 'cpu' "
                       "to a tensor with device type 'cuda'"):
        x.grad = gt.zeros(2)
    x.grad = gt.ones(2, device="cuda")
    assert x.grad.is_cuda


# ---- in place and backward on the device --------------------------------------------------------
def test_in_place_ops_on_cuda_keep_the_tensor_and_its_device():
    y = _cuda([1.0, 4.0])
    ident = id(y)
    y.add_(1).mul_(2).sqrt_()
    y += 1
    y.clamp_(max=3.5)
    assert id(y) == ident and y.is_cuda and y._version > 0
    np.testing.assert_allclose(y.cpu().numpy(), [3.0, 3.5])
    z = _cuda([1, 2])
    z *= 3
    assert z.tolist() == [3, 6] and z.is_cuda


def test_backward_on_cuda_leaves_grad_on_cuda():
    s = _cuda(2.0, requires_grad=True)
    (s * s).backward()  # the root gradient of a scalar loss: ones on its device
    assert s.grad.is_cuda and s.grad.item() == 4.0
    x = _cuda([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sigmoid()
    y.backward(gt.ones(2, device="cuda"))
    assert x.grad.is_cuda and x.grad.dtype == gt.float32
    xc = gt.tensor([1.0, 2.0], requires_grad=True)
    (xc.exp() * xc).sigmoid().backward(gt.ones(2))
    np.testing.assert_allclose(x.grad.cpu().numpy(), xc.grad.numpy(), rtol=1e-6)
    x.grad.zero_()
    assert x.grad.is_cuda and x.grad.tolist() == [0.0, 0.0]


def test_in_place_through_a_view_on_cuda_matches_the_cpu():
    grads = []
    for device in ("cpu", "cuda"):
        g = gt.tensor([[1.0, 2.0], [3.0, 4.0]], device=device, requires_grad=True)
        h = g * 1
        h.t().mul_(g)  # the base h takes a CopySlices node over the transposed region
        h.backward(gt.ones(2, 2, device=device))
        assert g.grad.device.type == device
        grads.append(g.grad.cpu().numpy())
    np.testing.assert_array_equal(*grads)


def test_autograd_grad_and_gradcheck_on_cuda():
    x = _cuda([0.5, 1.5], dtype=gt.float64, requires_grad=True)
    (g,) = gt.autograd.grad(x * x, x, gt.ones(2, device="cuda", dtype=gt.float64),
                            create_graph=True)
    assert g.is_cuda and g.requires_grad and g.tolist() == [1.0, 3.0]
    assert gt.autograd.gradcheck(lambda z: (z * z).sin(), (x,))
    assert gt.autograd.gradgradcheck(lambda z: (z * z).sin(), (x,))


# ---- torch.cuda ---------------------------------------------------------------------------------
def test_torch_cuda_questions():
    assert gt.cuda.is_available()
    assert gt.cuda.device_count() >= 1
    assert isinstance(gt.cuda.get_device_name(), str) and gt.cuda.get_device_name()
    before = gt.cuda.memory_allocated()
    y = gt.zeros(1024, device="cuda")
    assert gt.cuda.memory_allocated() >= before + 4096
    del y


# ---- ops that CuPy computes with cupyx.scipy.special ---------------------------------------------
def test_erf_and_erfinv_use_the_device_librarys_special_functions(monkeypatch):
    """On a GPU erf and erfinv run CuPy's kernels (``cupyx.scipy.special``); the double has none,
    so a stand-in module is put there and must be called, on device arrays, float16 in float32."""
    xpx = _array.cuda().xpx
    if xpx.__name__ == "cupyx":
        pytest.skip("real CuPy: its own cupyx.scipy.special runs")
    xp, calls = _array.cuda().xp, []

    def special(fn):
        def run(x):
            assert not _array.on_host(x) and x.dtype != np.float16
            calls.append(x.dtype)
            return xp.asarray(np.vectorize(fn, otypes=[x.dtype])(_array.to_host(x)))
        return run

    inverse = {v: k for k, v in ((k, math.erf(k)) for k in (0.0, 0.5))}
    module = types.ModuleType(xpx.__name__ + ".scipy.special")
    module.erf, module.erfinv = special(math.erf), special(lambda y: inverse[y])
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for dtype in (gt.float64, gt.float32, gt.float16):
        y = gt.erf(_cuda([0.0, 0.5], dtype=dtype))
        assert y.is_cuda and y.dtype == dtype
        np.testing.assert_allclose(y.cpu().numpy(), [0.0, math.erf(0.5)], rtol=1e-3)
    back = gt.erfinv(_cuda([0.0, math.erf(0.5)], dtype=gt.float64))
    np.testing.assert_allclose(back.cpu().numpy(), [0.0, 0.5])
    assert calls == [np.float64, np.float32, np.float32, np.float64]
