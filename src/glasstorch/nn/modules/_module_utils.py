"""Small helpers of ``Module``: torch's type names, hook handles, indentation of printed forms,
the index check of the list-like containers."""

from __future__ import annotations

import operator
from collections import namedtuple

from ..._tensor import Tensor

_TENSOR_TYPE_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
    "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
    "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}


def _typename(obj) -> str:
    """``torch.typename``: 'torch.FloatTensor' for a float32 tensor, else the object's type name."""
    if isinstance(obj, Tensor):
        return f"torch.{_TENSOR_TYPE_NAMES.get(obj._data.dtype.name, 'Float')}Tensor"
    cls = obj if isinstance(obj, type) else type(obj)
    module = cls.__module__ or ""
    return cls.__qualname__ if module in ("", "builtins") else f"{module}.{cls.__qualname__}"


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    pass


class _IncompatibleKeys(IncompatibleKeys):
    """What ``load_state_dict`` returns: the keys it did not find and those it did not use."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(text: str, spaces: int) -> str:
    """Indent every line of ``text`` but the first (a child's repr inside its parent's)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


def _checked_index(idx, size: int) -> int:
    """``idx`` (negative allowed) as a position in ``range(size)``, or torch's IndexError."""
    idx = operator.index(idx)
    if not -size <= idx < size:
        raise IndexError(f"index {idx} is out of range")
    return idx % size
