"""torch.distributions: log_prob / entropy / moments against torch on the same parameters,
sample shapes, dtypes and statistics, reparameterised gradients, validation errors, import paths."""

from __future__ import annotations

import numpy as np
import pytest

import glasstorch as gt
from glasstorch.distributions import Bernoulli, Categorical, Multinomial, Normal, Uniform
from oracle import assert_same, needs_torch, torch


def _t(lib, v):
    return lib.tensor(v) if isinstance(v, (list, np.ndarray)) else v


# name -> (constructor(lib) -> distribution, values to score)
CASES = {
    "normal-scalars": (lambda L: L.distributions.Normal(0.0, 1.0), [[-1.0, 0.0, 2.5]]),
    "normal-batch": (lambda L: L.distributions.Normal(L.tensor([0.0, 1.0, -2.0]),
                                                      L.tensor([1.0, 0.5, 3.0])),
                     [[0.3, 1.0, -5.0], [[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]]]),
    "normal-broadcast": (lambda L: L.distributions.Normal(L.zeros(2, 1), L.tensor([1.0, 2.0])),
                         [[0.5, -0.5]]),
    "normal-float64": (lambda L: L.distributions.Normal(L.zeros(2, dtype=L.float64), 2),
                       [np.array([0.1, 0.2])]),
    "bernoulli-probs": (lambda L: L.distributions.Bernoulli(L.tensor([0.3, 0.6, 0.99])),
                        [[0.0, 1.0, 1.0]]),
    "bernoulli-logits": (lambda L: L.distributions.Bernoulli(logits=L.tensor([-2.0, 0.0, 3.0])),
                         [[1.0, 0.0, 1.0]]),
    "bernoulli-scalar": (lambda L: L.distributions.Bernoulli(0.25), [[0.0, 1.0]]),
    "bernoulli-extremes": (lambda L: L.distributions.Bernoulli(L.tensor([0.0, 1.0])),
                           [[0.0, 1.0]]),
    "categorical-probs": (lambda L: L.distributions.Categorical(L.tensor([1.0, 3.0, 0.0])),
                          [[0, 1, 1, 2]]),
    "categorical-batch": (lambda L: L.distributions.Categorical(L.tensor([[0.2, 0.8], [0.5, 0.5],
                                                                          [1.0, 0.0]])),
                          [[1, 0, 0], [[0], [1]]]),
    "categorical-logits": (lambda L: L.distributions.Categorical(logits=L.tensor([0.5, -1.0, 2.0])),
                           [[2, 0]]),
    "multinomial-1": (lambda L: L.distributions.Multinomial(1, L.ones(6) / 6),
                      [[0.0, 0.0, 1.0, 0.0, 0.0, 0.0]]),
    "multinomial-10": (lambda L: L.distributions.Multinomial(10, L.tensor([0.2, 0.3, 0.5])),
                       [[3.0, 3.0, 4.0], [[10.0, 0.0, 0.0], [2.0, 2.0, 6.0]]]),
    "multinomial-batch": (lambda L: L.distributions.Multinomial(
        4, L.tensor([[0.1, 0.0, 0.9], [0.3, 0.3, 0.4]])), [[[1.0, 0.0, 3.0], [2.0, 1.0, 1.0]]]),
    "multinomial-logits": (lambda L: L.distributions.Multinomial(3, logits=L.tensor([0.0, 1.0])),
                           [[1.0, 2.0]]),
    "uniform": (lambda L: L.distributions.Uniform(L.tensor([0.0, -1.0]), L.tensor([2.0, 3.0])),
                [[1.0, 2.5], [[0.0, -1.0]]]),
    "uniform-scalars": (lambda L: L.distributions.Uniform(1.0, 5.0), [[1.0, 4.9]]),
    "exponential": (lambda L: L.distributions.Exponential(L.tensor([0.5, 2.0])),
                    [[0.0, 3.0], [[1.0, 1.0]]]),
    "exponential-scalar": (lambda L: L.distributions.Exponential(3.0), [[0.25]]),
}



@needs_torch
@pytest.mark.parametrize("name", list(CASES))
def test_log_prob_entropy_moments_match_torch(name):
    make, values = CASES[name]
    ours, theirs = make(gt), make(torch)
    assert repr(ours) == repr(theirs)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)
    for v in values:
        assert_same(ours.log_prob(_t(gt, v)), theirs.log_prob(_t(torch, v)), rtol=1e-5,
                    atol=1e-5, msg=f"{name} log_prob {v}")
    assert_same(ours.entropy(), theirs.entropy(), rtol=1e-5, atol=1e-5, msg=f"{name} entropy")
    for attr in ("mean", "variance", "stddev"):
        assert_same(getattr(ours, attr), getattr(theirs, attr), rtol=1e-5, atol=1e-6,
                    msg=f"{name} {attr}")


@needs_torch
@pytest.mark.parametrize("name", list(CASES))
def test_sample_shape_and_dtype_match_torch(name):
    make = CASES[name][0]
    for shape in [(), (5,), (2, 3)]:
        ours, theirs = make(gt).sample(shape), make(torch).sample(shape)
        assert tuple(ours.shape) == tuple(theirs.shape), f"{name} {shape}"
        assert str(ours.dtype) == str(theirs.dtype), f"{name} {shape}"
        assert not ours.requires_grad


@needs_torch
@pytest.mark.parametrize("name", ["bernoulli-probs", "categorical-batch", "multinomial-10"])
def test_lazy_parameters_match_torch(name):
    ours, theirs = CASES[name][0](gt), CASES[name][0](torch)
    assert_same(ours.probs, theirs.probs, msg="probs")
    assert_same(ours.logits, theirs.logits, rtol=1e-5, atol=1e-5, msg="logits")
    if name != "multinomial-10":
        assert repr(ours) == repr(theirs)  # the computed parameter now shows in the repr


@needs_torch
def test_normal_cdf_and_perplexity_match_torch():
    for L in (gt, torch):
        d = L.distributions.Normal(L.tensor([0.0, 1.0]), L.tensor([1.0, 2.0]))
        out = (d.cdf(L.tensor([0.5, -1.0])), d.perplexity())
        if L is gt:
            ours = out
    assert_same(ours, out, rtol=1e-5, atol=1e-6)


# ---- statistics of samples --------------------------------------------------------------
def test_normal_sample_moments():
    d = Normal(gt.tensor([1.0, -3.0]), gt.tensor([0.5, 2.0]))
    s = d.sample((50_000,)).numpy()
    np.testing.assert_allclose(s.mean(0), [1.0, -3.0], atol=0.05)
    np.testing.assert_allclose(s.std(0), [0.5, 2.0], rtol=0.03)


def test_bernoulli_and_categorical_frequencies():
    b = Bernoulli(gt.tensor([0.1, 0.7])).sample((50_000,)).numpy()
    np.testing.assert_allclose(b.mean(0), [0.1, 0.7], atol=0.01)
    c = Categorical(gt.tensor([1.0, 2.0, 7.0])).sample((50_000,))
    assert c.dtype is gt.int64
    np.testing.assert_allclose(np.bincount(c.numpy(), minlength=3) / 50_000, [0.1, 0.2, 0.7],
                               atol=0.01)


def test_multinomial_d2l_usage():
    fair_probs = gt.ones(6) / 6
    rolls = gt.distributions.multinomial.Multinomial(1, fair_probs).sample((500,))
    assert rolls.shape == (500, 6) and rolls.dtype is gt.float32
    assert rolls.sum(1).tolist() == [1.0] * 500
    counts = Multinomial(1000, fair_probs).sample()
    assert counts.sum().item() == 1000
    assert (abs(counts.numpy() / 1000 - 1 / 6) < 0.06).all()
    batch = Multinomial(10, fair_probs).sample((3, 2))
    assert batch.shape == (3, 2, 6) and (batch.sum(-1).numpy() == 10).all()


def test_uniform_samples_in_range():
    s = Uniform(gt.tensor([0.0, 5.0]), gt.tensor([1.0, 6.0])).sample((10_000,)).numpy()
    assert (s[:, 0] >= 0).all() and (s[:, 0] < 1).all() and (s[:, 1] >= 5).all()


def test_seeded_sampling_repeats():
    d = Categorical(gt.ones(4))
    gt.manual_seed(3)
    a = d.sample((10,)).tolist()
    gt.manual_seed(3)
    assert d.sample((10,)).tolist() == a


# ---- gradients ----------------------------------------------------------------------------
def test_normal_rsample_is_differentiable_and_sample_is_not():
    loc = gt.zeros(3, requires_grad=True)
    scale = gt.ones(3, requires_grad=True)
    d = Normal(loc, scale)
    assert d.has_rsample
    x = d.rsample((4,))
    assert x.shape == (4, 3) and x.requires_grad
    x.sum().backward()
    assert loc.grad.tolist() == [4.0, 4.0, 4.0]
    assert not d.sample((4,)).requires_grad


@needs_torch
def test_log_prob_gradients_match_torch():
    grads = []
    for L in (gt, torch):
        loc = L.tensor([0.5, -1.0], requires_grad=True)
        scale = L.tensor([1.5, 0.7], requires_grad=True)
        logits = L.tensor([0.2, -0.3, 1.0], requires_grad=True)
        lp = L.distributions.Normal(loc, scale).log_prob(L.tensor([0.0, 1.0])).sum()
        lp = lp + L.distributions.Categorical(logits=logits).log_prob(L.tensor([2, 0])).sum()
        lp = lp + L.distributions.Bernoulli(logits=logits).entropy().sum()
        lp.backward()
        grads.append((loc.grad, scale.grad, logits.grad))
    assert_same(grads[0], grads[1], rtol=1e-5, atol=1e-6)


# ---- validation ---------------------------------------------------------------------------
BAD = [
    lambda L: L.distributions.Normal(L.tensor([0.0, 1.0]), L.tensor([1.0, -1.0])),
    lambda L: L.distributions.Normal(0.0, 1.0).log_prob(L.tensor([float("nan")])),
    lambda L: L.distributions.Normal(L.zeros(2), 1.0).log_prob(L.ones(3)),
    lambda L: L.distributions.Normal(L.zeros(2), 1.0).log_prob([1.0, 2.0]),
    lambda L: L.distributions.Bernoulli(probs=L.tensor([0.3, 1.5])),
    lambda L: L.distributions.Bernoulli(0.3, logits=0.1),
    lambda L: L.distributions.Bernoulli(),
    lambda L: L.distributions.Bernoulli(L.tensor([0.3])).log_prob(L.tensor([0.5])),
    lambda L: L.distributions.Categorical(L.tensor([1.0, -3.0])),
    lambda L: L.distributions.Categorical(L.tensor(1.0)),
    lambda L: L.distributions.Categorical(L.tensor([1.0, 3.0])).log_prob(L.tensor([2])),
    lambda L: L.distributions.Multinomial(10, L.ones(3) / 3).log_prob(L.tensor([3.0, 3, 5])),
    lambda L: L.distributions.Multinomial(10, L.ones(3) / 3).log_prob(L.tensor([3.0, 3])),
    lambda L: L.distributions.Multinomial(L.tensor(10), L.ones(3) / 3),
    lambda L: L.distributions.Uniform(1.0, 0.0),
    lambda L: L.distributions.Uniform(0.0, 1.0).log_prob(L.tensor(2.0)),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_validation_errors_match_torch(i):
    with pytest.raises((ValueError, NotImplementedError)) as ours:
        BAD[i](gt)
    if torch is not None:
        with pytest.raises(Exception) as theirs:
            BAD[i](torch)
        assert type(ours.value) is type(theirs.value)
        assert str(ours.value) == str(theirs.value)


def test_validate_args_false_skips_checks():
    d = Normal(gt.tensor([0.0]), gt.tensor([-1.0]), validate_args=False)
    assert d.scale.tolist() == [-1.0]
    try:
        gt.distributions.Distribution.set_default_validate_args(False)
        Bernoulli(gt.tensor([2.0]))
    finally:
        gt.distributions.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        Bernoulli(gt.tensor([2.0]))


def test_submodule_import_paths():
    from glasstorch.distributions import constraints
    from glasstorch.distributions.bernoulli import Bernoulli as B
    from glasstorch.distributions.categorical import Categorical as C
    from glasstorch.distributions.distribution import Distribution
    from glasstorch.distributions.multinomial import Multinomial as M
    from glasstorch.distributions.normal import Normal as N

    assert (B, C, M, N) == (Bernoulli, Categorical, Multinomial, Normal)
    assert issubclass(N, Distribution)
    assert repr(constraints.positive) == "GreaterThan(lower_bound=0.0)"
    assert repr(Categorical.arg_constraints["logits"]) == "IndependentConstraint(Real(), 1)"


def test_enumerate_support():
    assert Bernoulli(gt.tensor([0.2, 0.4])).enumerate_support().tolist() == [[0.0, 0.0],
                                                                              [1.0, 1.0]]
    assert Categorical(gt.ones(3)).enumerate_support().tolist() == [0, 1, 2]


# ---- KL divergence and expand ---------------------------------------------------------------
KL_PAIRS = [
    lambda L: (L.distributions.Normal(L.tensor([0.0, 1.0]), 1.0),
               L.distributions.Normal(1.0, L.tensor([2.0, 0.5]))),
    lambda L: (L.distributions.Bernoulli(L.tensor([0.0, 1.0, 0.5, 0.3])),
               L.distributions.Bernoulli(L.tensor([0.5, 0.0, 1.0, 0.6]))),
    lambda L: (L.distributions.Categorical(L.tensor([[0.0, 1.0], [0.5, 0.5], [0.2, 0.8]])),
               L.distributions.Categorical(L.tensor([[0.5, 0.5], [1.0, 0.0], [0.5, 0.5]]))),
    lambda L: (L.distributions.Uniform(0.0, L.tensor([1.0, 3.0])),
               L.distributions.Uniform(-1.0, 2.0)),
    lambda L: (L.distributions.Uniform(0.0, 1.0), L.distributions.Normal(-1.0, 2.0)),
    lambda L: (L.distributions.Exponential(L.tensor([1.0, 4.0])),
               L.distributions.Exponential(2.0)),
]


@needs_torch
@pytest.mark.parametrize("i", range(len(KL_PAIRS)))
def test_kl_divergence_matches_torch(i):
    ours = gt.distributions.kl_divergence(*KL_PAIRS[i](gt))
    theirs = torch.distributions.kl_divergence(*KL_PAIRS[i](torch))
    assert_same(ours, theirs, rtol=1e-5, atol=1e-6)


def test_kl_of_unrelated_families_raises():
    with pytest.raises(NotImplementedError, match="different exponential families"):
        gt.distributions.kl_divergence(Normal(0.0, 1.0), Bernoulli(0.5))


def test_register_kl_extends_dispatch():
    class Shifted(Normal):
        pass

    @gt.distributions.register_kl(Shifted, Shifted)
    def _kl(p, q):
        return gt.tensor(42.0)

    assert gt.distributions.kl_divergence(Shifted(0.0, 1.0), Shifted(0.0, 1.0)).item() == 42.0
    # a subclass paired with its base falls back to the base pair's closed form
    assert gt.distributions.kl_divergence(Shifted(0.0, 1.0), Normal(0.0, 1.0)).item() == 0.0


@needs_torch
def test_expand_matches_torch():
    for make in (lambda L: L.distributions.Normal(L.zeros(2), 1.0).expand((3, 2)),
                 lambda L: L.distributions.Categorical(L.ones(3)).expand((4,)),
                 lambda L: L.distributions.Bernoulli(L.tensor([0.2])).expand((2, 3)),
                 lambda L: L.distributions.Multinomial(3, L.ones(3)).expand((2,))):
        ours, theirs = make(gt), make(torch)
        assert repr(ours) == repr(theirs)
        assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
        assert tuple(ours.sample((2,)).shape) == tuple(theirs.sample((2,)).shape)
