"""Random numbers: one default generator, reseeded by ``manual_seed``, and ``Generator`` objects.

Every random function (``rand``, ``randn``, ``normal``, ``randperm``, dropout, init, shuffling)
draws from a ``Generator``: the one passed as ``generator=``, else the default. Each wraps a NumPy
``PCG64`` bit generator, so a seed gives the same stream on every run and machine. The streams
are not PyTorch's (torch's Mersenne Twister transforms are its own), so seeded values differ from
torch's.
"""

from __future__ import annotations

import os

import numpy as np

from ._device import check_device
from ._device import device as _device
from ._tensor import _wrap

_DEFAULT_SEED = 67280421310721


class Generator:
    """A source of random numbers with its own state (``torch.Generator``)."""

    def __init__(self, device="cpu"):
        check_device(device)
        self.device = _device(device)
        self._seed = _DEFAULT_SEED
        self._rng = None

    @property
    def _np(self) -> np.random.Generator:
        """The NumPy generator, made on the first draw (so ``import glasstorch`` need not load
        ``numpy.random``)."""
        if self._rng is None:
            self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self._rng

    def manual_seed(self, seed: int) -> Generator:
        """Reset the generator to the stream of ``seed``; returns the generator."""
        seed = int(seed)
        if not -(1 << 63) <= seed < 1 << 64:
            raise ValueError(
                f"Overflow when unpacking long long: seed {seed} must lie in [-2**63, 2**64)"
            )
        if seed < 0:
            seed += 1 << 64
        self._seed = seed
        self._rng = None
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the new seed."""
        s = int.from_bytes(os.urandom(8), "little") % (1 << 63)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        state = self._np.bit_generator.state
        words = [state["state"]["state"], state["state"]["inc"], state["has_uint32"],
                 state["uinteger"], self._seed]
        raw = b"".join(int(w).to_bytes(16, "little") for w in words)
        return _wrap(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state) -> Generator:
        raw = bytes(new_state.tolist())
        if len(raw) != 80:
            raise RuntimeError("Expected a state of 80 bytes from Generator.get_state()")
        w = [int.from_bytes(raw[i : i + 16], "little") for i in range(0, 80, 16)]
        self._np.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": w[0], "inc": w[1]},
            "has_uint32": w[2],
            "uinteger": w[3],
        }
        self._seed = w[4]
        return self


# Like torch, the default generator starts from a fresh random seed in every process (a new
# ``Generator()`` starts from the fixed _DEFAULT_SEED); ``manual_seed`` makes runs repeat.
default_generator = Generator()
default_generator.seed()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator: every later random call repeats from here."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system; returns the seed used."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


def numpy_rng(generator: Generator | None) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (or the default one)."""
    if generator is None:
        return default_generator._np
    if not isinstance(generator, Generator):
        raise TypeError(
            f"expected a torch.Generator as generator=, but got {type(generator).__name__}: "
            "make one with glasstorch.Generator().manual_seed(seed), or leave generator out to "
            "use the default generator"
        )
    return generator._np
