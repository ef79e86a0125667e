"""``torch.backends.mps``: Apple's Metal GPUs. glasstorch has no MPS back end."""


def is_available() -> bool:
    """False: tensors never live on an Apple GPU here (``device("mps")`` is refused)."""
    return False


def is_built() -> bool:
    """False: this build has no MPS support, as PyTorch's Linux and Windows builds."""
    return False
