"""``torch.cuda``: the GPUs CuPy sees, and their memory.

Without CuPy (``pip install 'glasstorch[cuda]'``) or without a GPU, ``is_available()`` is False,
``device_count()`` is 0, and whatever needs a GPU raises torch's "Torch not compiled with CUDA
enabled".

Random numbers for CUDA tensors are drawn by the same generator as the CPU's and copied over,
so ``torch.manual_seed`` makes a GPU run repeatable; ``torch.cuda.manual_seed`` is accepted and,
as in a torch build without a GPU, changes nothing.

Several GPUs: a tensor can live on any ``cuda:N``, but an op makes its result on the current GPU
(CuPy allocates there): do the work of GPU N inside ``with torch.cuda.device(N):``. PyTorch
follows the operands' GPU by itself; glasstorch does not yet.
"""

from __future__ import annotations

from . import _array
from ._device import _current, gpu_index
from ._device import device as _device_type

__all__ = ["is_available", "device_count", "current_device", "set_device", "get_device_name",
           "get_device_capability", "get_device_properties", "synchronize", "manual_seed",
           "manual_seed_all", "seed", "seed_all", "initial_seed", "empty_cache",
           "memory_allocated", "max_memory_allocated", "memory_reserved", "max_memory_reserved",
           "reset_peak_memory_stats", "is_initialized", "init", "device", "is_bf16_supported"]

_peak = {}  # GPU index -> the most bytes memory_allocated has reported


def is_available() -> bool:
    """Whether a GPU can be used: CuPy imports and sees at least one."""
    return _array.cuda(required=False) is not None


def device_count() -> int:
    """How many GPUs CuPy sees (0 without CuPy)."""
    lib = _array.cuda(required=False)
    return 0 if lib is None else lib.device_count()


def is_initialized() -> bool:
    return is_available()


def init() -> None:
    """Load CuPy and check a GPU is there (torch's error if not)."""
    _array.cuda()


def _index(dev) -> int:
    """A GPU number from ``None`` (the current one), an int, ``'cuda:N'`` or a ``torch.device``."""
    if dev is None:
        _array.cuda()
        return _current[0]
    if isinstance(dev, int) and not isinstance(dev, bool):
        dev = _device_type("cuda", dev)
    index = gpu_index(dev)
    if index is None:
        raise ValueError(f"Expected a cuda device, but got: {dev}")
    return index


def current_device() -> int:
    """The GPU that ``'cuda'`` without a number means (0 unless ``set_device`` changed it)."""
    _array.cuda()
    return _current[0]


def set_device(device) -> None:
    """Make ``device`` the current GPU."""
    index = _index(device)
    _current[0] = index
    _array.cuda().xp.cuda.Device(index).use()


class device:
    """``with torch.cuda.device(1): ...``: another current GPU inside the block."""

    def __init__(self, device):
        self.index = _index(device)
        self.previous = None

    def __enter__(self):
        self.previous = _current[0]
        set_device(self.index)
        return self

    def __exit__(self, *exc):
        set_device(self.previous)
        return False


def _properties(dev) -> dict:
    index = _index(dev)
    return _array.cuda().xp.cuda.runtime.getDeviceProperties(index)


def get_device_name(device=None) -> str:
    """The GPU's name, as its driver reports it."""
    name = _properties(device)["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def get_device_capability(device=None) -> tuple[int, int]:
    """The GPU's compute capability ``(major, minor)``."""
    props = _properties(device)
    return int(props.get("major", 0)), int(props.get("minor", 0))


class _DeviceProperties:
    def __init__(self, props: dict):
        name = props["name"]
        self.name = name.decode() if isinstance(name, bytes) else str(name)
        self.total_memory = int(props.get("totalGlobalMem", 0))
        self.major, self.minor = int(props.get("major", 0)), int(props.get("minor", 0))
        self.multi_processor_count = int(props.get("multiProcessorCount", 0))

    def __repr__(self) -> str:
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
                f"minor={self.minor}, total_memory={self.total_memory >> 20}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def get_device_properties(device=None) -> _DeviceProperties:
    """The GPU's name, memory and capability."""
    return _DeviceProperties(_properties(device))


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False  # glasstorch has no bfloat16 dtype


def synchronize(device=None) -> None:
    """Wait until the GPU has finished all work queued on it (timings need this)."""
    lib = _array.cuda(required=False)
    if lib is None:
        return
    with lib.xp.cuda.Device(_index(device)):
        lib.xp.cuda.get_current_stream().synchronize()


def manual_seed(seed: int) -> None:
    """Accepted; GPU draws come from the CPU generator (``torch.manual_seed``), see above."""


def manual_seed_all(seed: int) -> None:
    """Accepted; GPU draws come from the CPU generator (``torch.manual_seed``), see above."""


def seed() -> None:
    """Accepted; GPU draws come from the CPU generator."""


def seed_all() -> None:
    """Accepted; GPU draws come from the CPU generator."""


def initial_seed() -> int:
    from .random import initial_seed as cpu_initial_seed

    return cpu_initial_seed()


def _pool():
    lib = _array.cuda(required=False)
    return None if lib is None else lib.xp.get_default_memory_pool()


def memory_allocated(device=None) -> int:
    """Bytes held by tensors on the GPU now (CuPy's memory pool: the blocks in use)."""
    pool = _pool()
    if pool is None:
        return 0
    used = int(pool.used_bytes())
    index = _index(device)
    _peak[index] = max(_peak.get(index, 0), used)
    return used


def max_memory_allocated(device=None) -> int:
    """The most bytes ``memory_allocated`` has reported since the start or the last
    ``reset_peak_memory_stats`` (glasstorch samples the pool when asked, so a peak between two
    calls is not seen)."""
    current = memory_allocated(device)
    return max(current, _peak.get(_index(device) if _pool() is not None else 0, 0))


def memory_reserved(device=None) -> int:
    """Bytes CuPy's pool holds from the driver (in use plus cached for reuse)."""
    pool = _pool()
    return 0 if pool is None else int(pool.total_bytes())


def max_memory_reserved(device=None) -> int:
    return memory_reserved(device)


def reset_peak_memory_stats(device=None) -> None:
    """Start the peak of ``max_memory_allocated`` again from the memory in use now."""
    if _pool() is not None:
        _peak[_index(device)] = int(_pool().used_bytes())


def empty_cache() -> None:
    """Give the blocks CuPy's pool keeps for reuse back to the driver."""
    pool = _pool()
    if pool is not None:
        pool.free_all_blocks()
