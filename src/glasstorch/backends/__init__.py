"""``torch.backends``: which compute back ends this build has, answered as PyTorch answers on a
CPU-only machine (glasstorch computes with NumPy on the CPU; there is no GPU back end).

The tutorials ask ``torch.backends.mps.is_available()`` (Apple GPUs: no) and set
``torch.backends.cudnn.benchmark`` (NVIDIA's cuDNN: a flag kept and ignored, as in a CPU-only
PyTorch); ``torch.backends.cpu.get_cpu_capability()`` names the widest SIMD instructions the CPU
offers.
"""

from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp"]
