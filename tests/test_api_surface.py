"""Every name API_TARGET.md lists for the torch namespace and Tensor exists in glasstorch, and,
with torch installed, exists there too (so the list itself stays honest)."""

from __future__ import annotations

import pytest

import glasstorch as gt
from oracle import torch

FUNCTIONS = """
float32 float64 float16 int64 int32 int16 int8 uint8 bool float double long int
get_default_dtype set_default_dtype
tensor as_tensor from_numpy FloatTensor LongTensor zeros ones full empty eye arange linspace
zeros_like ones_like full_like rand randn randint randperm normal bernoulli multinomial
manual_seed seed initial_seed Generator
add sub mul div neg abs exp log log1p sqrt rsqrt sin cos tanh sigmoid relu clamp clip maximum
minimum max min pow sign floor ceil round where isnan isinf isfinite logical_and logical_or
logical_not all any allclose equal
sum mean prod argmax argmin cumsum cumprod std var norm logsumexp
dot mv mm matmul bmm outer t
reshape flatten unflatten squeeze unsqueeze permute transpose cat stack split chunk narrow numel
gather scatter index_select masked_fill
no_grad enable_grad set_grad_enabled inference_mode is_grad_enabled
device save load
""".split()

MODULE_ATTRS = {
    "autograd": "grad backward Function gradcheck set_detect_anomaly detect_anomaly".split(),
    "cuda": "is_available device_count".split(),
    "linalg": ["norm"],
    "distributions": "Multinomial Categorical Normal Bernoulli".split(),
}

METHODS = """
add sub mul div neg abs exp log log1p sqrt rsqrt sin cos tanh sigmoid relu clamp clip pow sign
floor ceil round isnan isinf isfinite logical_and logical_or logical_not all any
sum mean prod max min argmax argmin cumsum cumprod std var norm logsumexp
dot mv mm matmul bmm outer t T mT
reshape view flatten unflatten squeeze unsqueeze permute transpose expand expand_as repeat split
chunk narrow contiguous numel size shape ndim dim
gather scatter index_select masked_fill
item tolist numpy float double long int bool type to cpu
add_ sub_ mul_ div_ zero_ fill_ normal_ uniform_ copy_ clamp_ data
requires_grad requires_grad_ is_leaf grad grad_fn backward retain_grad detach detach_
register_hook device clone
__add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ __truediv__ __rtruediv__ __floordiv__
__mod__ __pow__ __rpow__ __matmul__ __neg__ __iadd__ __isub__ __imul__ __itruediv__
__eq__ __ne__ __lt__ __le__ __gt__ __ge__ __getitem__ __setitem__
__array__ __format__ __len__ __iter__ __bool__ __float__ __int__ __repr__
""".split()


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_exists(name):
    assert hasattr(gt, name), f"glasstorch.{name} is missing"
    if torch is not None:
        assert hasattr(torch, name), f"torch.{name} does not exist: fix the list"


@pytest.mark.parametrize("module,name", [(m, n) for m, ns in MODULE_ATTRS.items() for n in ns])
def test_module_attribute_exists(module, name):
    assert hasattr(getattr(gt, module), name), f"glasstorch.{module}.{name} is missing"


@pytest.mark.parametrize("name", METHODS)
def test_tensor_method_exists(name):
    assert hasattr(gt.Tensor, name), f"Tensor.{name} is missing"
    if torch is not None:
        assert hasattr(torch.Tensor, name), f"torch.Tensor.{name} does not exist: fix the list"
