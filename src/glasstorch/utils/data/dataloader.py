"""DataLoader: an iterable over batches of a dataset.

``for X, y in DataLoader(dataset, batch_size=256, shuffle=True): ...``

Three pieces do the work, each replaceable:

1. the *sampler* decides the order of indices (``shuffle=True`` → ``RandomSampler``);
2. the *batch sampler* groups them (``BatchSampler(sampler, batch_size, drop_last)``);
3. ``collate_fn`` merges the samples of one batch (``default_collate`` stacks them).

``batch_size=None`` turns batching off: each sample is yielded alone (through ``default_convert``).

With ``num_workers=0`` (the default) batches are fetched in this process, when asked for. With
``num_workers > 0`` worker processes fetch them ahead of time (see ``_multiprocess.py``).
"""

from __future__ import annotations

import os
import warnings

from ... import _array
from ._collate import default_collate, default_convert
from ._iterators import _SingleProcessIter
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader"]


def _warn_if_too_many_workers(num_workers: int) -> None:
    """Warn (as torch does) when asking for more workers than this process may use CPUs."""
    if not num_workers:
        return
    affinity = hasattr(os, "sched_getaffinity")
    cpus = len(os.sched_getaffinity(0)) if affinity else os.cpu_count()
    if cpus is not None and num_workers <= cpus:
        return
    if cpus is None:
        suggestion = (
            "DataLoader is not able to compute a suggested max number of worker in current system."
        )
    else:
        suggestion = (
            f"Our suggested max number of worker in current system is {cpus}"
            f"{'' if affinity else ' (`cpuset` is not taken into account)'}, which is smaller "
            "than what this DataLoader is going to create."
        )
    warnings.warn(
        f"This DataLoader will create {num_workers} worker processes in total. {suggestion} "
        "Please be aware that excessive worker creation might get DataLoader running slow or even "
        "freeze, lower the worker number to avoid potential slowness/freeze if necessary.",
        UserWarning,
        stacklevel=3,
    )


class _InfiniteConstantSampler(Sampler):
    """The "sampler" of an IterableDataset: ``None`` forever (the dataset decides the order)."""

    def __iter__(self):
        while True:
            yield None


# Attributes that decide which samples and batches exist: fixed once the loader is built.
_FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


class DataLoader:
    """Iterate over ``dataset`` in batches.

    Arguments (torch's, same defaults): ``batch_size=1`` (``None``: no batching), ``shuffle``
    (a new random order each epoch), ``sampler`` / ``batch_sampler`` (custom order, exclusive
    with ``shuffle`` / with the batching options), ``num_workers`` (worker processes; 0 = in
    this process), ``collate_fn`` (default ``default_collate``), ``drop_last`` (drop the short
    last batch), ``timeout`` (seconds to wait for a worker's batch; 0 = forever),
    ``worker_init_fn(worker_id)``, ``generator`` (the randomness of shuffling and of the workers'
    base seed), ``prefetch_factor`` (batches in flight per worker, default 2),
    ``persistent_workers`` (keep workers alive across epochs), ``in_order`` (False: yield
    batches as workers finish them). ``pin_memory``: where a GPU is available, each batch's
    tensors go through ``Tensor.pin_memory()`` (as torch does) before they are yielded; without
    one torch's warning says it is ignored.
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler=None, batch_sampler=None, num_workers: int = 0, collate_fn=None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing.let "
                "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.in_order = in_order
        self._is_iterable = isinstance(dataset, IterableDataset)

        if self._is_iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler),
                                ("batch_sampler", batch_sampler)):
                if value not in (None, False) if name == "shuffle" else value is not None:
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {name} option, "
                        f"but got {name}={value}"
                    )
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if sampler is None:
            if self._is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.multiprocessing_context = multiprocessing_context
        self._iterator = None
        self._iterable_len = None
        self.__initialized = True
        _warn_if_too_many_workers(num_workers)

    def __setattr__(self, name, value):
        if name in _FROZEN and self.__dict__.get("_DataLoader__initialized"):
            raise ValueError(
                f"{name} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(name, value)

    @property
    def multiprocessing_context(self):
        """The ``multiprocessing`` context the workers start from (None: 'fork' where possible)."""
        return self.__mp_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context) -> None:
        if context is not None:
            import multiprocessing  # only worker loading needs it: kept out of `import glasstorch`

            if self.num_workers == 0:
                raise ValueError(
                    "multiprocessing_context can only be used with multi-process loading "
                    f"(num_workers > 0), but got num_workers={self.num_workers}"
                )
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError(
                        "multiprocessing_context option should specify a valid start method in "
                        f"{methods!r}, but got multiprocessing_context={context!r}"
                    )
                context = multiprocessing.get_context(context)
            elif not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError(
                    "multiprocessing_context option should be a valid context object or a string "
                    f"specifying the start method, but got multiprocessing_context={context}"
                )
        self.__mp_context = context

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        """What one step of iteration draws: a list of indices (batching) or one index."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        """Batches per epoch (an IterableDataset must define ``__len__`` for this to work)."""
        if self._is_iterable:
            n = len(self.dataset)
            # Iterators warn when the stream turns out longer (compared, as torch does, with the
            # dataset's length even when counting batches).
            self._iterable_len = n
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)

    def __iter__(self):
        if self.pin_memory and not _array.cuda(required=False):
            warnings.warn(
                "'pin_memory' argument is set as true but no accelerator is found, then device "
                "pinned memory won't be used.",
                UserWarning,
                stacklevel=2,
            )
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        from ._multiprocess import _MultiProcessIter

        if not self.persistent_workers:
            _warn_if_too_many_workers(self.num_workers)
            return _MultiProcessIter(self)
        if self._iterator is None or self._iterator._shutdown:  # first epoch, or after an error
            _warn_if_too_many_workers(self.num_workers)
            self._iterator = _MultiProcessIter(self)
        else:
            self._iterator._reset(self)
        return self._iterator
