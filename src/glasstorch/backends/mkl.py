"""``torch.backends.mkl``: Intel's MKL. glasstorch calls NumPy's BLAS, not MKL directly."""


def is_available() -> bool:
    return False
