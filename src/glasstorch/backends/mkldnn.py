"""``torch.backends.mkldnn``: oneDNN kernels. glasstorch has none (its kernels are NumPy)."""

enabled = True


def is_available() -> bool:
    return False
