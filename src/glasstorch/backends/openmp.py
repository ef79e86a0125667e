"""``torch.backends.openmp``: glasstorch itself starts no OpenMP threads (NumPy's BLAS may)."""


def is_available() -> bool:
    return False
