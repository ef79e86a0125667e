"""The iterators a ``DataLoader`` hands out, one per epoch (``iter(loader)``).

``_BaseIter`` holds what every one has: the index iterator, the count of batches yielded, and
the epoch's base seed (the workers' seeds derive from it). ``_SingleProcessIter`` fetches each
batch in this process when ``next`` asks for it; ``_multiprocess._MultiProcessIter`` has worker
processes fetch them ahead of time.
"""

from __future__ import annotations

import collections.abc
import warnings

from ... import _array
from ..._tensor import Tensor
from ...random import numpy_rng
from ._worker import make_fetcher


class _BaseIter:
    """What every loader iterator has: an index iterator and the epoch's base seed."""

    def __init__(self, loader) -> None:
        # No reference to the loader itself: a persistent loader keeps its iterator, and a cycle
        # would delay shutting the workers down until the garbage collector runs.
        self._dataset = loader.dataset
        self._iterable_len = loader._iterable_len
        self._is_iterable = loader._is_iterable
        self._auto_collation = loader._auto_collation
        self._collate_fn = loader.collate_fn
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        # Drawn for every epoch (as torch does), from the loader's generator or the global one:
        # the workers' seeds derive from it.
        self._base_seed = int(numpy_rng(loader.generator).integers(0, 1 << 63))
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        # torch pins batches only where there is a device to copy them to
        self._pin = bool(loader.pin_memory) and _array.cuda(required=False) is not None

    def _reset(self, loader) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._iterable_len = loader._iterable_len

    def __next__(self):
        data = self._next_data()
        if self._pin:
            data = pin_memory(data)
        self._num_yielded += 1
        promised = self._iterable_len
        if self._is_iterable and promised is not None and self._num_yielded > promised:
            msg = (
                f"Length of IterableDataset {self._dataset} was reported to be {promised}"
                f"(when accessing len(dataloader)), but {self._num_yielded} samples have been "
                "fetched. "
            )
            if self._num_workers > 0:
                msg += (
                    "For multiprocessing data-loading, this could be caused by not properly "
                    "configuring the IterableDataset replica at each worker. Please see "
                    "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset "
                    "for examples."
                )
            warnings.warn(msg, UserWarning, stacklevel=2)
        return data

    def _next_index(self):
        return next(self._sampler_iter)

    def __iter__(self):
        return self

    def __len__(self) -> int:
        return len(self._index_sampler)


def pin_memory(data):
    """``data`` (a batch) with every tensor in it pinned, walking containers as torch's
    ``pin_memory`` does; objects with their own ``pin_memory()`` method are asked to pin
    themselves."""
    if isinstance(data, Tensor):
        pin = getattr(type(data), "pin_memory", None)  # Tensor.pin_memory, where it exists
        return data if pin is None else pin(data)
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        pinned = {k: pin_memory(v) for k, v in data.items()}
        try:
            return type(data)(pinned)
        except TypeError:
            return pinned
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # a namedtuple
        return type(data)(*(pin_memory(v) for v in data))
    if isinstance(data, tuple):
        return tuple(pin_memory(v) for v in data)
    if isinstance(data, collections.abc.Sequence):
        pinned = [pin_memory(v) for v in data]
        try:
            return type(data)(pinned)
        except TypeError:
            return pinned
    if hasattr(data, "pin_memory"):
        return data.pin_memory()
    return data


class _SingleProcessIter(_BaseIter):
    """Fetch each batch in this process, when ``next`` asks for it."""

    def __init__(self, loader) -> None:
        super().__init__(loader)
        self._fetcher = make_fetcher(self._is_iterable, loader.dataset, self._auto_collation,
                                     self._collate_fn, self._drop_last)

    def _next_data(self):
        return self._fetcher.fetch(self._next_index())
