"""``torch.backends``: which compute back ends this build has. glasstorch computes with NumPy on
the CPU and with CuPy on NVIDIA GPUs: ``torch.backends.cuda.is_built()`` follows
``torch.cuda.is_available()``; there is no cuDNN, MPS or MKL back end.

The tutorials ask ``torch.backends.mps.is_available()`` (Apple GPUs: no) and set
``torch.backends.cudnn.benchmark`` (NVIDIA's cuDNN: a flag kept and ignored);
``torch.backends.cpu.get_cpu_capability()`` names the widest SIMD instructions the CPU offers.
"""

from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp"]
