"""``torch.backends.cudnn``: NVIDIA's cuDNN, which glasstorch does not use, on the CPU or on a GPU
(its convolutions and normalisations on CUDA are CuPy kernels: CuPy has no cuDNN module). The
flags exist (code sets them before training) and are kept, with PyTorch's defaults, but nothing
reads them; ``is_available()`` says False even where ``torch.cuda.is_available()``."""

from contextlib import contextmanager

enabled = True  # PyTorch's defaults
benchmark = False
deterministic = False
allow_tf32 = True
benchmark_limit = 10


def is_available() -> bool:
    """False: glasstorch never calls cuDNN (a CPU-only PyTorch answers the same)."""
    return False


def version():
    """None: no cuDNN library is loaded."""
    return None


@contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False,
          allow_tf32=True):
    """Set the flags for the ``with`` block, restoring them after it."""
    names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
    module = globals()
    before = {name: module[name] for name in names}
    module.update(enabled=enabled, benchmark=benchmark, benchmark_limit=benchmark_limit,
                  deterministic=deterministic, allow_tf32=allow_tf32)
    try:
        yield
    finally:
        module.update(before)
