"""torch.Size: a tuple of ints that prints as ``torch.Size([2, 3])``."""

from __future__ import annotations


class Size(tuple):
    """The shape of a tensor: a tuple of ints (``x.shape == (2, 3)`` holds)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n
