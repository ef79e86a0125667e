"""Flatten a model's parameters into one vector and back (for optimisers that work on vectors)."""

from __future__ import annotations

from collections.abc import Iterable

from ..._tensor import Tensor
from ...ops.join import cat


def _check_param_device(param: Tensor, old: int | None) -> int:
    """The GPU number of ``param`` (-1 for the CPU), refused as torch refuses it when it differs
    from the previous parameter's."""
    here = param.get_device()
    if old is not None and here != old:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")
    return here


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All ``parameters`` flattened and concatenated into one 1-D tensor (in the graph); they
    must all be on one device."""
    where = None
    pieces = []
    for p in parameters:
        where = _check_param_device(p, where)
        pieces.append(p.reshape(-1))
    return cat(pieces)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Replace the values of ``parameters`` by consecutive slices of the 1-D ``vec``."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    offset = 0
    where = None
    for param in parameters:
        where = _check_param_device(param, where)
        n = param.numel()
        param.data = vec[offset:offset + n].view_as(param).data
        offset += n


__all__ = ["parameters_to_vector", "vector_to_parameters"]
