"""Datasets: what a ``DataLoader`` reads samples from.

Two kinds, as in torch:

- a *map-style* ``Dataset`` answers ``dataset[i]`` for ``0 <= i < len(dataset)``;
- an ``IterableDataset`` is a stream: the loader only calls ``iter(dataset)``.

The ready-made ones here wrap other data: ``TensorDataset`` (rows of tensors), ``Subset`` (some
indices of another dataset), ``ConcatDataset`` / ``ChainDataset`` (one after another), and
``random_split`` cuts a dataset into random non-overlapping ``Subset`` s.

Batch fetching. ``DataLoader`` normally asks for one sample at a time and lets ``collate_fn`` stack
them. A dataset can do better by offering a whole batch:

- ``__getitems__(indices)`` (torch's protocol): returns the list of samples for those indices, which
  then goes through ``collate_fn`` as usual;
- ``__getbatch__(indices)`` (glasstorch's): returns the *already collated* batch, exactly what
  ``default_collate([dataset[i] for i in indices])`` would give. The loader uses it only when the
  collate function is ``default_collate``. ``TensorDataset`` implements it with one fancy index
  per tensor, which is what makes batching a 60000-row dataset cheap.
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

import numpy as np

from ... import _array
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset", "ChainDataset",
    "Subset", "random_split",
]

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """A map-style dataset: subclasses define ``__getitem__(index)`` and usually ``__len__``.

    ``a + b`` is ``ConcatDataset([a, b])``: the samples of ``a`` followed by those of ``b``.
    Generic in the sample type, so ``class Pairs(Dataset[tuple[Tensor, int]])`` type-checks.
    """

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co], Iterable[T_co]):
    """A dataset that is a stream of samples: subclasses define ``__iter__``.

    With ``num_workers > 0`` every worker process iterates its own copy of the dataset; use
    ``get_worker_info()`` inside ``__iter__`` to give each worker its own share of the stream.
    ``a + b`` chains two streams (``ChainDataset``).
    """

    def __add__(self, other: Dataset) -> ChainDataset:
        return ChainDataset([self, other])


def _index_error(err: IndexError, size: int) -> IndexError:
    """NumPy's out-of-bounds message reworded as torch's."""
    msg = str(err).replace("for axis 0", "for dimension 0")
    return IndexError(msg if "out of bounds" in msg else f"{msg} (size {size})")


def _row(t: Tensor, index) -> Tensor:
    """``t[index]`` for one sample: a view of a row, without going through the general indexer.

    An integer index on a tensor that does not need a gradient is a plain NumPy view, wrapped to
    share the version counter (as torch's ``t[i]`` does). Anything else (a slice, a list, a tensor
    that requires grad) goes to the real ``Tensor.__getitem__``.
    """
    if isinstance(index, (int, np.integer)) and not (t._rg and grad_mode.state.enabled):
        try:
            arr = t._data[index, ...]
        except IndexError as e:
            raise _index_error(e, t._data.shape[0]) from None
        row = _wrap(arr)  # a view: shares the data and the version counter
        row._vc = t._vc
        row._base = t if t._base is None else t._base
        return row
    return t[index]


class TensorDataset(Dataset):
    """Sample ``i`` is ``(t[i] for t in tensors)``: rows of tensors sharing their first dimension.

    >>> ds = TensorDataset(features, labels)        # features: (N, D), labels: (N,)
    >>> x, y = ds[0]                                # x: (D,), y: ()
    """

    def __init__(self, *tensors: Tensor) -> None:
        if any(t.size(0) != tensors[0].size(0) for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(_row(t, index) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)

    def __getbatch__(self, indices) -> list:
        """The collated batch for ``indices``: one fancy index per tensor (shape ``(B, ...)``)."""
        if grad_mode.state.enabled and any(t._rg for t in self.tensors):
            from ._collate import default_collate

            return default_collate([self[i] for i in indices])
        idx = np.asarray(indices, dtype=np.int64)
        try:  # (the index goes to each tensor's device: a GPU dataset gives GPU batches)
            return [_wrap(t._data[_array.like(t._data, idx)]) for t in self.tensors]
        except IndexError as e:
            raise _index_error(e, len(self)) from None


class StackDataset(Dataset):
    """Zip datasets of equal length: sample ``i`` is a tuple (positional) or dict (keywords)."""

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args and kwargs:
            raise ValueError(
                "Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like "
                "input/output, but both types are given."
            )
        parts = list(args) or list(kwargs.values())
        if not parts:
            raise ValueError("At least one dataset should be passed")
        self._length = len(parts[0])
        if any(len(d) != self._length for d in parts):
            raise ValueError("Size mismatch between datasets")
        self.datasets = args if args else kwargs

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self) -> int:
        return self._length


class ConcatDataset(Dataset):
    """The samples of several map-style datasets one after another.

    ``cumulative_sizes[k]`` is the total length of the first ``k + 1`` datasets; a global index is
    located with a binary search over it.
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][idx - start]


class ChainDataset(IterableDataset):
    """Several iterable datasets streamed one after another (built by ``a + b``)."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, renumbered ``0 .. len(indices) - 1``."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list:
        inner = [self.indices[i] for i in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(inner)
        return [self.dataset[i] for i in inner]

    def __len__(self) -> int:
        return len(self.indices)

    def __getattr__(self, name):
        # ``__getbatch__`` exists exactly when the wrapped dataset offers it. (Read ``dataset``
        # through ``__dict__``: during unpickling it is not set yet.)
        inner = getattr(self.__dict__.get("dataset"), "__getbatch__", None)
        if name == "__getbatch__" and callable(inner):
            return lambda indices: inner([self.indices[i] for i in indices])
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


def _split_lengths(n: int, fractions: Sequence[float]) -> list[int]:
    """Turn fractions summing to 1 into lengths summing to ``n`` (remainder dealt round-robin)."""
    for i, frac in enumerate(fractions):
        if frac < 0 or frac > 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
    lengths = [int(math.floor(n * frac)) for frac in fractions]
    for i in range(n - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(
                f"Length of split at index {i} is 0. This might result in an empty dataset.",
                UserWarning,
                stacklevel=3,
            )
    return lengths


def random_split(dataset: Dataset, lengths: Sequence[int | float], generator=None) -> list[Subset]:
    """Split ``dataset`` into random non-overlapping ``Subset`` s of the given lengths.

    ``lengths`` are sizes summing to ``len(dataset)``, or fractions summing to 1
    (``[0.8, 0.2]``): ``floor(n * frac)`` each, the leftover items dealt one by one from the first
    split on. The shuffle draws from ``generator`` (default: the global generator), so
    ``random_split(ds, [0.8, 0.2], generator=Generator().manual_seed(42))`` is reproducible.
    """
    from ..._sampling import randperm

    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _split_lengths(n, lengths)
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = randperm(n, generator=generator).tolist()
    return [
        Subset(dataset, order[end - length : end])
        for end, length in zip(itertools.accumulate(lengths), lengths)
    ]
