"""Determinism: one seed, bit-identical results (in one process and across fresh processes), and
grad mode that belongs to one thread.

``glasstorch.manual_seed(s)`` fixes every random draw that follows: layer initialisation,
``rand``/``randn``/``randint``/``randperm``, DataLoader shuffling (also with worker processes),
dropout masks, and so a whole training run. Seeded streams are glasstorch's own (NumPy PCG64),
not torch's, so they are compared with themselves, byte for byte, not with torch.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import glasstorch as gt
from glasstorch.utils import data as gdata

SEED = 20240607


def seeded_run(seed: int = SEED) -> dict[str, bytes]:
    """Everything random a d2l chapter does, after one manual_seed: name -> raw bytes."""
    gt.manual_seed(seed)
    out = {}
    net = gt.nn.Sequential(gt.nn.Linear(4, 8), gt.nn.ReLU(), gt.nn.Dropout(0.5),
                           gt.nn.Linear(8, 3))
    for name, p in net.named_parameters():
        out[f"init.{name}"] = p.detach().numpy().tobytes()
    out["rand"] = gt.rand(5).numpy().tobytes()
    out["randn"] = gt.randn(2, 3, dtype=gt.float64).numpy().tobytes()
    out["randint"] = gt.randint(0, 100, (7,)).numpy().tobytes()
    out["randperm"] = gt.randperm(10).numpy().tobytes()
    out["dropout"] = gt.nn.functional.dropout(gt.ones(16), 0.5).numpy().tobytes()
    X, y = gt.randn(32, 4), gt.randint(0, 3, (32,))
    loader = gdata.DataLoader(gdata.TensorDataset(X, y), batch_size=8, shuffle=True)
    order = []
    opt = gt.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(2):
        for xb, yb in loader:
            order.append(yb.numpy().tobytes())
            loss = gt.nn.functional.cross_entropy(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    out["shuffle"] = b"".join(order)
    out["trained"] = b"".join(p.detach().numpy().tobytes() for p in net.parameters())
    return out


def digest(run: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for key in sorted(run):
        h.update(key.encode() + run[key])
    return h.hexdigest()


def test_same_seed_same_bits_in_one_process():
    first, second = seeded_run(), seeded_run()
    assert first.keys() == second.keys()
    for key in first:
        assert first[key] == second[key], key


def test_another_seed_changes_every_draw():
    first, other = seeded_run(), seeded_run(SEED + 1)
    for key in first:
        assert first[key] != other[key], key


def test_two_fresh_processes_agree_bit_for_bit():
    """Two new interpreters (each with a fresh random default seed, and their own hash seed)
    produce the same digest as this process after manual_seed."""
    script = textwrap.dedent("""
        from test_determinism import digest, seeded_run
        print(digest(seeded_run()))
    """)
    here = digest(seeded_run())
    tests_dir = os.path.dirname(__file__)
    answers = [
        subprocess.run([sys.executable, "-c", script], cwd=tests_dir, capture_output=True,
                       text=True, timeout=120, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(k)}).stdout.strip()
        for k in (1, 2)
    ]
    assert answers == [here, here]


class _Noisy(gdata.Dataset):
    """Each sample draws from glasstorch's RNG inside the worker (augmentation-style)."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        return gt.rand(2) + i


def test_shuffling_and_worker_randomness_repeat_with_workers():
    def epoch():
        gt.manual_seed(SEED)
        loader = gdata.DataLoader(_Noisy(), batch_size=3, shuffle=True, num_workers=2)
        return b"".join(b.numpy().tobytes() for b in loader)

    assert epoch() == epoch()


def test_a_generator_keeps_shuffling_independent_of_the_global_seed():
    def order(global_seed):
        gt.manual_seed(global_seed)
        g = gt.Generator().manual_seed(7)
        return list(gdata.RandomSampler(range(10), generator=g))

    assert order(1) == order(2)


def test_rng_state_restores_the_exact_stream():
    gt.manual_seed(SEED)
    state = gt.get_rng_state()
    a = gt.randn(4).numpy().tobytes()
    gt.set_rng_state(state)
    assert gt.randn(4).numpy().tobytes() == a


# ---- grad mode is per thread --------------------------------------------------------------------
def _two_threads(lib):
    """Thread A sits inside no_grad while thread B computes: what B records, and A's view."""
    inside = threading.Event()
    done = threading.Event()
    seen = {}

    def a():
        with lib.no_grad():
            inside.set()
            done.wait(10)
            seen["a_enabled"] = lib.is_grad_enabled()

    def b():
        inside.wait(10)
        x = lib.ones(2, requires_grad=True)
        seen["b_enabled"] = lib.is_grad_enabled()
        seen["b_records"] = (x * 2).requires_grad
        done.set()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    return seen


def test_no_grad_in_one_thread_does_not_touch_another():
    assert _two_threads(gt) == {"a_enabled": False, "b_enabled": True, "b_records": True}


def test_grad_mode_threads_as_torch(torch):
    assert _two_threads(gt) == _two_threads(torch)

    def new_thread_under_no_grad(lib):
        seen = []
        with lib.no_grad():
            t = threading.Thread(target=lambda: seen.append(lib.is_grad_enabled()))
            t.start()
            t.join(10)
        return seen

    assert new_thread_under_no_grad(gt) == new_thread_under_no_grad(torch) == [True]


@pytest.mark.parametrize("mode", ["set_grad_enabled", "inference_mode"])
def test_other_grad_modes_are_per_thread(mode):
    seen = []
    ctx = gt.set_grad_enabled(False) if mode == "set_grad_enabled" else gt.inference_mode()
    with ctx:
        t = threading.Thread(target=lambda: seen.append((gt.ones(1, requires_grad=True) * 2)
                                                        .requires_grad))
        t.start()
        t.join(10)
        here = (gt.ones(1, requires_grad=True) * 2).requires_grad
    assert seen == [True] and here is False


def test_training_is_bit_identical_with_bigger_float64_model():
    def train():
        gt.manual_seed(3)
        net = gt.nn.Sequential(gt.nn.Linear(6, 16), gt.nn.Tanh(), gt.nn.Linear(16, 1)).double()
        opt = gt.optim.Adam(net.parameters(), lr=0.01)
        X = gt.randn(64, 6, dtype=gt.float64)
        y = X.sum(1, keepdim=True).sin()
        for _ in range(20):
            opt.zero_grad()
            loss = gt.nn.functional.mse_loss(net(X), y)
            loss.backward()
            opt.step()
        return np.concatenate([p.detach().numpy().ravel() for p in net.parameters()])

    assert train().tobytes() == train().tobytes()
