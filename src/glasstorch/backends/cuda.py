"""``torch.backends.cuda``: whether this build can use CUDA, and the matmul flags (kept, ignored:
CuPy's matmul does not read them)."""

from types import SimpleNamespace

from .. import _array

# PyTorch's defaults for the knobs code sets before training on a GPU
matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                         allow_bf16_reduced_precision_reduction=True)


def is_built() -> bool:
    """Whether CUDA can be used: True where ``torch.cuda.is_available()`` (CuPy imports and sees a
    GPU), False otherwise, as a CPU-only PyTorch answers. (A CUDA build of PyTorch says True even
    on a machine without a GPU; glasstorch's CUDA is CuPy, which it loads only with a GPU.)"""
    return _array.cuda(required=False) is not None
