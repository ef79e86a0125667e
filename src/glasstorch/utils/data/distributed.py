"""``DistributedSampler``: each rank of a distributed job reads its own share of a dataset.

The dataset's indices (shuffled anew each epoch, or in order) are padded so that they split
evenly, then dealt out like cards: rank ``r`` of ``R`` takes positions ``r, r + R, r + 2R, ...``.
With ``drop_last=True`` the tail that does not split evenly is dropped instead of padded.

The shuffle is PyTorch's own: for the same ``seed`` and epoch, the indices equal those of
``torch.utils.data.DistributedSampler``, so a job can move between the two and still read the same
samples (glasstorch's ``Generator`` is not torch's Mersenne Twister, so the permutation is drawn
here by ``torch_randperm``).
"""

from __future__ import annotations

import math

import numpy as np

from .sampler import Sampler


def _mt19937(seed: int) -> np.random.MT19937:
    """A Mersenne Twister seeded as torch's CPU generator is (the low 32 bits of ``seed``)."""
    key = np.empty(624, dtype=np.uint64)
    key[0] = seed & 0xFFFFFFFF
    for i in range(1, 624):
        prev = int(key[i - 1])
        key[i] = (1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF
    bits = np.random.MT19937()
    bits.state = {"bit_generator": "MT19937",
                  "state": {"key": key.astype(np.uint32), "pos": 624}}
    return bits


def torch_randperm(n: int, seed: int) -> list:
    """``torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()``, exactly.

    torch shuffles ``0 … n-1`` front to back: at step ``i`` it swaps position ``i`` with
    ``i + (r % (n - i))``, ``r`` the next 32-bit draw of its Mersenne Twister.
    """
    seed = int(seed) % (1 << 64)
    draws = _mt19937(seed).random_raw(max(n - 1, 0)).astype(np.int64)
    picks = (draws % np.arange(n, 1, -1, dtype=np.int64)).tolist()
    perm = list(range(n))
    for i, r in enumerate(picks):
        j = i + r
        perm[i], perm[j] = perm[j], perm[i]
    return perm


class DistributedSampler(Sampler):
    """Rank ``rank``'s share of ``dataset`` (``torch.utils.data.DistributedSampler``).

    Args:
        dataset: anything with ``len()``.
        num_replicas: how many ranks share it (default: the process group's world size).
        rank: this rank (default: the process group's rank).
        shuffle: a new permutation every epoch (``set_epoch``), the same on every rank.
        seed: the shuffle's seed; must be the same on every rank.
        drop_last: drop the tail that does not split evenly (else repeat the first indices).

    Call ``set_epoch(epoch)`` at the start of every epoch, or every epoch reads the same order.
    """

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False):
        if num_replicas is None or rank is None:
            # Before init_process_group, get_world_size/get_rank say to call it, with or without
            # mpi4py (torch's CPU wheels always have the package, so its users read that message;
            # glasstorch's init_process_group then says what to install when mpi4py is missing)
            from ... import distributed as dist

            if num_replicas is None:
                num_replicas = dist.get_world_size()
            if rank is None:
                rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        order = torch_randperm(n, self.seed + self.epoch) if self.shuffle else list(range(n))
        if self.drop_last:
            order = order[: self.total_size]
        else:
            missing = self.total_size - n
            if missing > 0:
                repeats = math.ceil(missing / n)
                order += (order * repeats)[:missing]
        mine = order[self.rank : self.total_size : self.num_replicas]
        return iter(mine)

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the shuffle of ``epoch`` (the same on every rank) from the next iteration on."""
        self.epoch = epoch


__all__ = ["DistributedSampler", "torch_randperm"]
