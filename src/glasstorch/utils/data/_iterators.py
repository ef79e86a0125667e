"""The iterators a ``DataLoader`` hands out, one per epoch (``iter(loader)``).

``_BaseIter`` holds what every one has: the index iterator, the count of batches yielded, and
the epoch's base seed (the workers' seeds derive from it). ``_SingleProcessIter`` fetches each
batch in this process when ``next`` asks for it; ``_multiprocess._MultiProcessIter`` has worker
processes fetch them ahead of time.
"""

from __future__ import annotations

import warnings

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

    def _reset(self, loader) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._iterable_len = loader._iterable_len

    def __next__(self):
        data = self._next_data()
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


class _SingleProcessIter(_BaseIter):
    """Fetch each batch in this process, when ``next`` asks for it."""

    def __init__(self, loader) -> None:
        super().__init__(loader)
        self._fetcher = make_fetcher(self._is_iterable, loader.dataset, self._auto_collation,
                                     self._collate_fn, self._drop_last)

    def _next_data(self):
        return self._fetcher.fetch(self._next_index())
