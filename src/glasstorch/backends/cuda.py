"""``torch.backends.cuda``: CUDA, absent here; its matmul flags are kept and ignored."""

from types import SimpleNamespace

# PyTorch's defaults for the knobs code sets before training on a GPU
matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                         allow_bf16_reduced_precision_reduction=True)


def is_built() -> bool:
    """False: this build has no CUDA (as a CPU-only PyTorch)."""
    return False
