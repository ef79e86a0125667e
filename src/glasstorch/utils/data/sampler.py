"""Samplers: the order in which a ``DataLoader`` visits a map-style dataset.

A sampler is an iterable of dataset indices (plain Python ints). ``DataLoader(shuffle=True)``
uses a ``RandomSampler``, otherwise a ``SequentialSampler``; a ``BatchSampler`` groups any
sampler's indices into lists of ``batch_size``, which is what the loader fetches one batch at a
time.

Randomness: every random sampler draws from its ``generator`` (a ``glasstorch.Generator``), or from
the global one seeded by ``glasstorch.manual_seed``. Each ``iter()`` draws afresh, so every epoch
gets a new order, and re-seeding repeats the sequence of orders.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Generic, TypeVar

T_co = TypeVar("T_co", covariant=True)

__all__ = [
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
    "WeightedRandomSampler", "BatchSampler",
]


class Sampler(Generic[T_co]):
    """Base class: subclasses define ``__iter__`` (yielding indices) and usually ``__len__``.

    Any iterable of indices works as a sampler (``DataLoader(ds, sampler=[3, 1, 2])``); the
    class exists to be subclassed and recognised.
    """

    def __iter__(self) -> Iterator:
        raise NotImplementedError


class SequentialSampler(Sampler[int]):
    """``0, 1, …, len(data_source) - 1``, in order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _fresh_generator(generator):
    """The generator to draw an epoch from: ``generator``, or a new one seeded from the global.

    Seeding a private generator from one draw of the global stream (as torch does) keeps the
    global stream's consumption independent of the dataset's size.
    """
    if generator is not None:
        return generator
    from ...random import Generator, numpy_rng

    return Generator().manual_seed(int(numpy_rng(None).integers(0, 1 << 63)))


def _check_generator(generator, op: str, got: str, expected: str) -> None:
    """A ``generator`` that is not a ``Generator`` is refused with the ``TypeError`` torch's
    sampling op ``op`` raises (its arguments ``got``, its signature ``expected``)."""
    from ...random import Generator

    if generator is None or isinstance(generator, Generator):
        return
    kind = type(generator).__name__
    if op == "multinomial":
        raise TypeError(f"multinomial(): argument 'generator' must be torch.Generator, not {kind}")
    raise TypeError(
        f"{op}() received an invalid combination of arguments - got ({got}generator={kind}), "
        f"but expected ({expected}, *, torch.Generator generator, ...)"
    )


class RandomSampler(Sampler[int]):
    """Indices in random order.

    Without ``replacement`` each epoch is a permutation of ``range(len(data_source))``; with
    ``num_samples`` larger than the dataset, whole permutations follow one another (the last one
    cut short). With ``replacement=True``, ``num_samples`` independent uniform draws.
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None, generator=None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={self.replacement}"
            )
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}"
            )

    @property
    def num_samples(self) -> int:
        """How many indices one epoch yields (default: the dataset's length)."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        from ..._sampling import randint, randperm

        n = len(self.data_source)
        if self.replacement:
            _check_generator(self.generator, "randint", "high=int, size=tuple, ",
                             "int high, tuple of ints size")
        else:
            _check_generator(self.generator, "randperm", "int, ", "int n")
        gen = _fresh_generator(self.generator)
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from randint(high=n, size=(32,), generator=gen).tolist()
            yield from randint(high=n, size=(self.num_samples % 32,), generator=gen).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from randperm(n, generator=gen).tolist()
            yield from randperm(n, generator=gen).tolist()[: self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given ``indices`` in a random order (a new order each epoch)."""

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        from ..._sampling import randperm

        _check_generator(self.generator, "randperm", "int, ", "int n")
        for i in randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices in ``range(len(weights))``, index ``i`` with probability ∝
    ``weights[i]`` (weights need not sum to 1); with ``replacement=False`` no index repeats.

    Used to rebalance classes: give each sample the weight ``1 / count(its class)``.
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator=None) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        import numpy as np

        from ..._tensor import Tensor, _wrap

        raw = weights.detach()._data if isinstance(weights, Tensor) else weights
        weights_tensor = _wrap(np.array(raw, dtype=np.float64))
        if weights_tensor.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape "
                f"{tuple(weights_tensor.shape)}"
            )
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        from ..._sampling import multinomial

        _check_generator(self.generator, "multinomial", "", "")
        drawn = multinomial(self.weights, self.num_samples, self.replacement,
                            generator=self.generator)
        yield from drawn.tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Group the indices of ``sampler`` into lists of ``batch_size``.

    The last list is shorter when the length does not divide evenly, unless ``drop_last=True``
    drops it. ``list(BatchSampler(range(5), 2, False))`` is ``[[0, 1], [2, 3], [4]]``.
    """

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        it = iter(self.sampler)
        while True:
            batch = list(itertools.islice(it, self.batch_size))  # C-speed grouping
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
