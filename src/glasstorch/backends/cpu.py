"""``torch.backends.cpu``: what the processor offers."""


def get_cpu_capability() -> str:
    """The widest vector instruction set NumPy found on this CPU, named as PyTorch names its
    kernels' levels: ``"AVX512"``, ``"AVX2"``, or ``"DEFAULT"`` (older x86, and ARM CPUs)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_features__ as features
    if all(features.get(f) for f in ("AVX512F", "AVX512BW", "AVX512VL", "AVX512DQ")):
        return "AVX512"
    if features.get("AVX2") and features.get("FMA3"):
        return "AVX2"
    return "DEFAULT"
