"""Random functions: distributions (moments, ranges), dtypes and shapes against torch,
seeded reproducibility, generator independence, and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import glasstorch as gt
from oracle import needs_torch, torch

N = 200_000


def _mean_std(t):
    a = t.numpy().astype(np.float64)
    return a.mean(), a.std()


# ---- distributions of the factories -------------------------------------------------------
def test_rand_is_uniform_on_unit_interval():
    x = gt.rand(N)
    assert x.dtype is gt.float32
    a = x.numpy()
    assert a.min() >= 0 and a.max() < 1
    m, s = _mean_std(x)
    assert abs(m - 0.5) < 0.01 and abs(s - (1 / 12) ** 0.5) < 0.01


def test_randn_is_standard_normal():
    m, s = _mean_std(gt.randn(N))
    assert abs(m) < 0.01 and abs(s - 1) < 0.01
    assert gt.randn(2, 3, dtype=gt.float64).dtype is gt.float64


def test_randint_range_dtype_and_coverage():
    x = gt.randint(2, 7, (N,))
    assert x.dtype is gt.int64
    assert set(np.unique(x.numpy()).tolist()) == {2, 3, 4, 5, 6}
    assert gt.randint(5, (3, 2)).shape == (3, 2)
    assert gt.randint(low=1, high=3, size=(4,)).numpy().min() >= 1
    assert gt.randint(5, (2,), dtype=gt.float32).dtype is gt.float32


def test_randperm_is_a_permutation():
    p = gt.randperm(50)
    assert p.dtype is gt.int64 and sorted(p.tolist()) == list(range(50))
    assert gt.randperm(0).shape == (0,)
    assert gt.randperm(4, dtype=gt.float32).dtype is gt.float32


def test_normal_forms_shapes_and_moments():
    x = gt.normal(3.0, 2.0, size=(N,))
    m, s = _mean_std(x)
    assert x.dtype is gt.float32 and abs(m - 3) < 0.03 and abs(s - 2) < 0.03
    mean = gt.tensor([0.0, 10.0, -10.0])
    y = gt.normal(mean.expand(N // 10, 3), 0.5)
    a = y.numpy()
    np.testing.assert_allclose(a.mean(0), [0, 10, -10], atol=0.03)
    z = gt.normal(1.0, gt.tensor([0.1, 3.0]).expand(N // 10, 2))
    np.testing.assert_allclose(z.numpy().std(0), [0.1, 3.0], rtol=0.03)
    b = gt.normal(gt.zeros(4, 1), gt.ones(3))
    assert b.shape == (4, 3)
    assert gt.normal(gt.zeros(2, dtype=gt.float64), gt.ones(2)).dtype is gt.float64


def test_normal_with_tensor_mean_records_zero_gradient_node():
    mean = gt.zeros(3, requires_grad=True)
    out = gt.normal(mean, 1.0)
    assert out.grad_fn.name() == "NormalBackward1"
    out.sum().backward()
    assert mean.grad.tolist() == [0.0, 0.0, 0.0]


def test_bernoulli_mean_and_dtype():
    p = gt.full((N,), 0.3)
    x = gt.bernoulli(p)
    assert x.dtype is gt.float32 and set(np.unique(x.numpy()).tolist()) <= {0.0, 1.0}
    assert abs(x.numpy().mean() - 0.3) < 0.01
    y = gt.bernoulli(gt.zeros(N, dtype=gt.float64), p=0.8)
    assert y.dtype is gt.float64 and abs(y.numpy().mean() - 0.8) < 0.01
    assert gt.bernoulli(gt.ones(5)).tolist() == [1.0] * 5


def test_multinomial_frequencies_and_no_replacement():
    w = gt.tensor([1.0, 0.0, 3.0])
    draws = gt.multinomial(w, N, replacement=True)
    assert draws.dtype is gt.int64 and draws.shape == (N,)
    counts = np.bincount(draws.numpy(), minlength=3) / N
    np.testing.assert_allclose(counts, [0.25, 0.0, 0.75], atol=0.01)
    rows = gt.multinomial(gt.ones(100, 5), 5)
    for r in rows.tolist():
        assert sorted(r) == [0, 1, 2, 3, 4]
    first = gt.multinomial(gt.tensor([[0.0, 1.0], [1.0, 0.0]]), 1)
    assert first.tolist() == [[1], [0]]


def test_multinomial_without_replacement_is_weighted():
    firsts = gt.multinomial(gt.tensor([0.7, 0.2, 0.1]).expand(20000, 3), 2)[:, 0].numpy()
    freq = np.bincount(firsts, minlength=3) / len(firsts)
    np.testing.assert_allclose(freq, [0.7, 0.2, 0.1], atol=0.02)


def test_poisson_mean():
    x = gt.poisson(gt.full((N,), 4.0))
    assert x.dtype is gt.float32 and abs(x.numpy().mean() - 4) < 0.03


def test_like_functions_follow_input():
    x = gt.zeros(2, 3, dtype=gt.float64)
    assert gt.rand_like(x).dtype is gt.float64 and gt.rand_like(x).shape == (2, 3)
    assert gt.randn_like(x).shape == (2, 3)
    r = gt.randint_like(gt.zeros(1000), 2, 5)
    assert r.dtype is gt.float32 and r.numpy().min() >= 2 and r.numpy().max() <= 4
    assert gt.randint_like(gt.zeros(10, dtype=gt.int32), 3).dtype is gt.int32


# ---- in-place fillers ---------------------------------------------------------------------
def test_inplace_fillers_distributions():
    x = gt.empty(N)
    m, s = _mean_std(x.normal_(2.0, 0.5))
    assert abs(m - 2) < 0.01 and abs(s - 0.5) < 0.01
    a = x.uniform_(-3, -1).numpy()
    assert a.min() >= -3 and a.max() < -1 and abs(a.mean() + 2) < 0.01
    assert abs(x.exponential_(2.0).numpy().mean() - 0.5) < 0.01
    assert abs(x.bernoulli_(0.25).numpy().mean() - 0.25) < 0.01
    assert abs(x.geometric_(0.5).numpy().mean() - 2) < 0.02
    assert abs(np.log(x.log_normal_(0.0, 0.5).numpy()).std() - 0.5) < 0.01
    assert np.isfinite(x.cauchy_().numpy()).all()
    v = x.random_(3, 6).numpy()
    assert set(np.unique(v).tolist()) == {3.0, 4.0, 5.0}
    assert set(np.unique(x.random_(2).numpy()).tolist()) == {0.0, 1.0}


def test_random_default_ranges_per_dtype():
    b = gt.zeros(1000, dtype=gt.bool).random_()
    assert b.dtype is gt.bool and set(b.tolist()) == {False, True}
    u = gt.zeros(5000, dtype=gt.uint8).random_()
    assert u.numpy().max() > 200
    f = gt.zeros(1000).random_()
    assert f.numpy().max() > 2**20 and f.numpy().max() <= 2**24


def test_bernoulli_inplace_with_tensor_probabilities():
    x = gt.zeros(N, 2)
    x.bernoulli_(gt.tensor([0.1, 0.9]))
    np.testing.assert_allclose(x.numpy().mean(0), [0.1, 0.9], atol=0.01)


@needs_torch
@pytest.mark.parametrize("op", ["normal_", "uniform_", "exponential_", "bernoulli_",
                                "cauchy_", "log_normal_", "random_", "zero_"])
def test_inplace_grad_fn_names_match_torch(op):
    x, tx = gt.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
    y, ty = x * 1, tx * 1
    getattr(y, op)()
    getattr(ty, op)()
    assert y.grad_fn.name() == type(ty.grad_fn).__name__
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


# ---- seeds and generators -----------------------------------------------------------------
SAMPLERS = {
    "rand": lambda g=None: gt.rand(5, generator=g),
    "randn": lambda g=None: gt.randn(5, generator=g),
    "randint": lambda g=None: gt.randint(0, 100, (5,), generator=g),
    "randperm": lambda g=None: gt.randperm(10, generator=g),
    "normal": lambda g=None: gt.normal(0.0, 1.0, (5,), generator=g),
    "normal-tensor": lambda g=None: gt.normal(gt.zeros(5), gt.ones(5), generator=g),
    "bernoulli": lambda g=None: gt.bernoulli(gt.full((20,), 0.5), generator=g),
    "multinomial": lambda g=None: gt.multinomial(gt.ones(10), 5, generator=g),
    "multinomial-repl": lambda g=None: gt.multinomial(gt.ones(10), 5, True, generator=g),
    "poisson": lambda g=None: gt.poisson(gt.full((5,), 3.0), generator=g),
    "rand_like": lambda g=None: gt.rand_like(gt.zeros(5), generator=g),
    "normal_": lambda g=None: gt.zeros(5).normal_(generator=g),
    "uniform_": lambda g=None: gt.zeros(5).uniform_(generator=g),
    "random_": lambda g=None: gt.zeros(5).random_(0, 1000, generator=g),
    "exponential_": lambda g=None: gt.zeros(5).exponential_(generator=g),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_manual_seed_repeats_every_sampler(name):
    draw = SAMPLERS[name]
    gt.manual_seed(123)
    first = draw().tolist()
    gt.manual_seed(123)
    assert draw().tolist() == first
    gt.manual_seed(124)
    assert draw().tolist() != first or name == "bernoulli" and len(set(first)) == 1


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_generator_is_independent_of_the_default(name):
    draw = SAMPLERS[name]
    g = gt.Generator().manual_seed(7)
    gt.manual_seed(0)
    expected_default = gt.rand(3).tolist()
    gt.manual_seed(0)
    from_g = draw(g).tolist()
    assert gt.rand(3).tolist() == expected_default  # the default stream did not move
    assert draw(gt.Generator().manual_seed(7)).tolist() == from_g


def test_rng_state_round_trip():
    gt.manual_seed(5)
    state = gt.get_rng_state()
    a = gt.randn(4).tolist()
    gt.set_rng_state(state)
    assert gt.randn(4).tolist() == a
    assert gt.initial_seed() == 5


# ---- errors as torch ----------------------------------------------------------------------
ERRORS = [
    ("randint-empty-range", lambda L: L.randint(5, 5, (2,)), RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=5 >= to=5"),
    ("randint-int-size", lambda L: L.randint(5, 2), TypeError,
     "randint(): argument 'size' (position 2) must be tuple of ints, not int"),
    ("randint-no-size", lambda L: L.randint(5), TypeError,
     "randint() received an invalid combination of arguments"),
    ("randint-requires-grad", lambda L: L.randint(5, (2,), requires_grad=True), RuntimeError,
     "Only Tensors of floating point and complex dtype can require gradients"),
    ("randperm-negative", lambda L: L.randperm(-1), RuntimeError,
     "Trying to create tensor with negative dimension -1: [-1]"),
    ("rand-negative", lambda L: L.rand(-1), RuntimeError,
     "Trying to create tensor with negative dimension -1: [-1]"),
    ("rand-int", lambda L: L.rand(2, dtype=L.int64), NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Long'"),
    ("randn-int", lambda L: L.randn(2, dtype=L.int64), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Long'"),
    ("rand_like-int", lambda L: L.rand_like(L.ones(2, dtype=L.int64)), NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Long'"),
    ("normal-negative-std", lambda L: L.normal(0, -1, (2,)), RuntimeError,
     "normal expects std >= 0.0, but found std -1"),
    ("normal-negative-std-tensor", lambda L: L.normal(L.zeros(2), -L.ones(2)), RuntimeError,
     "normal expects all elements of std >= 0.0"),
    ("normal-broadcast", lambda L: L.normal(L.zeros(2), L.ones(3)), RuntimeError,
     "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
    ("normal-int-mean", lambda L: L.normal(L.zeros(2, dtype=L.int64), 1.0), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Long'"),
    ("normal-no-size", lambda L: L.normal(0, 1), TypeError,
     "normal() received an invalid combination of arguments - got (int, int)"),
    ("bernoulli-p-range", lambda L: L.bernoulli(L.full((3,), 1.5)), RuntimeError,
     "Expected p_in >= 0 && p_in <= 1 to be true, but got false."),
    ("bernoulli-int", lambda L: L.bernoulli(L.ones(3, dtype=L.int64)), NotImplementedError,
     "\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'"),
    ("multinomial-too-many", lambda L: L.multinomial(L.tensor([0.2, 0.8]), 3), RuntimeError,
     "cannot sample n_sample > prob_dist.size(-1) samples without replacement"),
    ("multinomial-negative", lambda L: L.multinomial(L.tensor([0.2, -0.8]), 1), RuntimeError,
     "probability tensor contains either `inf`, `nan` or element < 0"),
    ("multinomial-nan", lambda L: L.multinomial(L.tensor([float("nan"), 2.0]), 1), RuntimeError,
     "probability tensor contains either `inf`, `nan` or element < 0"),
    ("multinomial-zero-sum", lambda L: L.multinomial(L.tensor([0.0, 0.0]), 1), RuntimeError,
     "invalid multinomial distribution (sum of probabilities <= 0)"),
    ("multinomial-int", lambda L: L.multinomial(L.tensor([1, 2]), 1), RuntimeError,
     "multinomial only supports floating-point dtypes for input, got: Long"),
    ("multinomial-zero-samples", lambda L: L.multinomial(L.tensor([1.0, 2]), 0), RuntimeError,
     "cannot sample n_sample <= 0 samples"),
    ("multinomial-3d", lambda L: L.multinomial(L.ones(2, 2, 2), 1), RuntimeError,
     "prob_dist must be 1 or 2 dim"),
    ("poisson-negative", lambda L: L.poisson(L.tensor([-1.0, 2])), RuntimeError,
     "invalid Poisson rate, expected rate to be non-negative"),
    ("uniform_-order", lambda L: L.ones(2).uniform_(2, 1), RuntimeError,
     "uniform_ expects to return a [from, to) range, but found from=2 > to=1"),
    ("normal_-std", lambda L: L.ones(2).normal_(0, -1), RuntimeError,
     "normal expects std >= 0.0, but found std -1"),
    ("exponential_-lambda", lambda L: L.ones(2).exponential_(-1), RuntimeError,
     "exponential_ expects lambda > 0.0, but found lambda=-1"),
    ("exponential_-int", lambda L: L.ones(2, dtype=L.int64).exponential_(), RuntimeError,
     "Exponential distribution is a continuous probability distribution. dtype must be a "
     "floating point but you specified Long"),
    ("bernoulli_-p", lambda L: L.ones(2).bernoulli_(2), RuntimeError,
     "bernoulli_ expects p to be in [0, 1], but got p=2"),
    ("geometric_-p", lambda L: L.ones(2).geometric_(2), RuntimeError,
     "geometric_ expects p to be in (0, 1), but got p=2"),
    ("random_-order", lambda L: L.ones(2).random_(5, 2), RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=5 >= to=2"),
    ("random_-zero", lambda L: L.ones(2).random_(0), RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=0 >= to=0"),
    ("random_-uint8-high", lambda L: L.ones(2, dtype=L.uint8).random_(300), RuntimeError,
     "to - 1 is out of bounds for unsigned char"),
    ("random_-uint8-low", lambda L: L.ones(2, dtype=L.uint8).random_(-1, 3), RuntimeError,
     "from is out of bounds for unsigned char"),
    ("uniform_-int", lambda L: L.ones(2, dtype=L.int64).uniform_(), NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Long'"),
    ("normal_-int", lambda L: L.ones(2, dtype=L.int64).normal_(), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Long'"),
]


@pytest.mark.parametrize("name,make,exc,message", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_as_torch(name, make, exc, message):
    with pytest.raises(exc) as ours:
        make(gt)
    assert message in str(ours.value)
    if torch is not None:
        with pytest.raises(exc) as theirs:
            make(torch)
        assert message in str(theirs.value)


@needs_torch
@pytest.mark.parametrize("make", [
    lambda L: L.rand(2, 3), lambda L: L.randn(4, dtype=L.float64), lambda L: L.randint(3, (2,)),
    lambda L: L.randint(3, (2,), dtype=L.int32), lambda L: L.randperm(3),
    lambda L: L.normal(0.0, 1.0, (2,)), lambda L: L.normal(L.zeros(2, 1), L.ones(3)),
    lambda L: L.bernoulli(L.full((2,), 0.5, dtype=L.float64)),
    lambda L: L.multinomial(L.ones(3, 4), 2), lambda L: L.poisson(L.ones(2, dtype=L.float64)),
    lambda L: L.rand(()), lambda L: L.randn(0, 2), lambda L: L.randint_like(L.ones(2), 4),
])
def test_shapes_and_dtypes_match_torch(make):
    ours, theirs = make(gt), make(torch)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype)


def test_generator_device_and_seed_range():
    g = gt.Generator()
    assert g.device == gt.device("cpu") and g.initial_seed() == 67280421310721
    assert gt.Generator().manual_seed(-1).initial_seed() == 2**64 - 1
    for bad in (2**64, -(2**63) - 1):
        with pytest.raises(ValueError, match="Overflow when unpacking long long"):
            gt.manual_seed(bad)
    with pytest.raises((RuntimeError, AssertionError), match="CUDA"):
        gt.Generator(device="cuda")
    gt.manual_seed(0)


def test_default_generator_is_seeded_afresh_in_each_process_as_torch():
    import subprocess
    import sys

    code = "import glasstorch as t; print(t.initial_seed(), t.Generator().initial_seed())"
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=120, check=True).stdout.split() for _ in range(2)]
    assert runs[0][0] != runs[1][0], "each process draws its own default seed"
    assert runs[0][1] == runs[1][1] == "67280421310721", "a new Generator() starts fixed"
