"""``torch.nn.parallel``: ``DistributedDataParallel`` (one model copy per process, gradients
averaged over the processes). Loaded on first use, so ``import glasstorch`` does not load
``glasstorch.distributed``."""

__all__ = ["DistributedDataParallel"]


def __getattr__(name: str):
    if name == "DistributedDataParallel":
        from .distributed import DistributedDataParallel

        return DistributedDataParallel
    if name == "distributed":
        import importlib

        return importlib.import_module(f"{__name__}.distributed")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
