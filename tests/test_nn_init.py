"""nn.init against torch: gains, fans, errors, and the distributions each initialiser draws from
(glasstorch's random stream differs from torch's, so bounds and moments are compared, not
values)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import glasstorch as gt
from oracle import needs_torch, same_error, torch

init = gt.nn.init






def values(t):
    return t.detach().numpy().astype(np.float64)


@needs_torch
@pytest.mark.parametrize("args", [
    ("linear",), ("conv1d",), ("conv2d",), ("conv3d",), ("conv_transpose1d",),
    ("conv_transpose2d",), ("conv_transpose3d",), ("sigmoid",), ("tanh",), ("relu",),
    ("leaky_relu",), ("leaky_relu", 0.2), ("leaky_relu", 1), ("selu",),
])
def test_calculate_gain_matches_torch(args):
    ours, theirs = init.calculate_gain(*args), torch.nn.init.calculate_gain(*args)
    assert ours == theirs and type(ours) is type(theirs)


@needs_torch
@pytest.mark.parametrize("case", [
    lambda lib: lib.nn.init.calculate_gain("softmax"),
    lambda lib: lib.nn.init.calculate_gain("leaky_relu", True),
    lambda lib: lib.nn.init.calculate_gain("leaky_relu", "0.1"),
    lambda lib: lib.nn.init.xavier_uniform_(lib.empty(3)),
    lambda lib: lib.nn.init.kaiming_normal_(lib.empty(3)),
    lambda lib: lib.nn.init.kaiming_uniform_(lib.empty(3, 4), mode="fan_avg"),
    lambda lib: lib.nn.init.eye_(lib.empty(2, 2, 2)),
    lambda lib: lib.nn.init.dirac_(lib.empty(2, 2)),
    lambda lib: lib.nn.init.orthogonal_(lib.empty(4)),
])
def test_errors_match_torch(case):
    same_error(case)


@needs_torch
@pytest.mark.parametrize("shape", [(3, 4), (8, 3, 5), (6, 2, 3, 3), (2, 2, 1, 1, 4)])
def test_fan_in_and_fan_out_match_torch(shape):
    ours = init._calculate_fan_in_and_fan_out(gt.empty(*shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def test_uniform_normal_constant_fill_in_place_under_no_grad():
    w = gt.nn.Parameter(gt.empty(200, 300))
    assert init.uniform_(w, -0.5, 0.25) is w
    v = values(w)
    assert v.min() >= -0.5 and v.max() < 0.25 and abs(v.mean() + 0.125) < 0.01
    assert w.is_leaf and w.grad_fn is None and w.requires_grad
    init.normal_(w, 2.0, 0.5)
    v = values(w)
    assert abs(v.mean() - 2.0) < 0.01 and abs(v.std() - 0.5) < 0.01
    assert values(init.constant_(w, 0.3)).tolist() == values(gt.full((200, 300), 0.3)).tolist()
    assert values(init.ones_(w)).sum() == w.numel() and values(init.zeros_(w)).sum() == 0.0


@pytest.mark.parametrize("fn, gain", [
    (lambda w: init.xavier_uniform_(w), 1.0),
    (lambda w: init.xavier_uniform_(w, gain=init.calculate_gain("tanh")), 5 / 3),
])
def test_xavier_uniform_bound(fn, gain):
    w = fn(gt.empty(300, 200))
    bound = gain * math.sqrt(6.0 / 500)
    v = values(w)
    assert np.abs(v).max() <= bound and np.abs(v).max() > 0.99 * bound
    assert abs(v.std() - bound / math.sqrt(3)) < 0.02 * bound


def test_xavier_normal_std():
    v = values(init.xavier_normal_(gt.empty(400, 100, 3), gain=2.0))
    std = 2.0 * math.sqrt(2.0 / (100 * 3 + 400 * 3))
    assert abs(v.std() - std) < 0.02 * std and abs(v.mean()) < 0.02 * std


@pytest.mark.parametrize("kwargs, fan", [
    ({}, 200), ({"mode": "fan_out"}, 300), ({"a": math.sqrt(5)}, 200),
    ({"nonlinearity": "relu"}, 200), ({"mode": "FAN_OUT", "nonlinearity": "tanh"}, 300),
])
def test_kaiming_uniform_and_normal_spread(kwargs, fan):
    gain = init.calculate_gain(kwargs.get("nonlinearity", "leaky_relu"), kwargs.get("a", 0))
    std = gain / math.sqrt(fan)
    v = values(init.kaiming_uniform_(gt.empty(300, 200), **kwargs))
    assert np.abs(v).max() <= math.sqrt(3) * std and abs(v.std() - std) < 0.02 * std
    v = values(init.kaiming_normal_(gt.empty(300, 200), **kwargs))
    assert abs(v.std() - std) < 0.02 * std and abs(v.mean()) < 0.02 * std


def _truncated_moments(mean, std, a, b):
    """Mean and std of N(mean, std²) restricted to [a, b] (the textbook formulas)."""
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: (1 + math.erf(z / math.sqrt(2))) / 2  # noqa: E731
    lo, hi = (a - mean) / std, (b - mean) / std
    mass = cdf(hi) - cdf(lo)
    shift = (pdf(lo) - pdf(hi)) / mass
    var = 1 + (lo * pdf(lo) - hi * pdf(hi)) / mass - shift**2
    return mean + std * shift, std * math.sqrt(var)


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (1.0, 2.0, 0.0, 3.0),
                                             (1.0, 2.0, -1.0, 3.0)])
def test_trunc_normal_stays_in_bounds_with_the_truncated_moments(mean, std, a, b):
    v = values(init.trunc_normal_(gt.empty(200_000), mean=mean, std=std, a=a, b=b))
    assert v.min() >= a and v.max() <= b
    want_mean, want_std = _truncated_moments(mean, std, a, b)
    assert abs(v.mean() - want_mean) < 0.01 * std and abs(v.std() - want_std) < 0.01 * std


@needs_torch
def test_eye_and_dirac_match_torch_exactly():
    for shape in ((3, 5), (4, 2)):
        assert np.array_equal(values(init.eye_(gt.empty(*shape))),
                              torch.nn.init.eye_(torch.empty(*shape)).numpy())
    for shape, groups in (((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((2, 4, 1, 3, 3), 1)):
        ours = values(init.dirac_(gt.empty(*shape), groups))
        assert np.array_equal(ours, torch.nn.init.dirac_(torch.empty(*shape), groups).numpy())


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 2, 2)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    q = values(init.orthogonal_(gt.empty(*shape), gain=2.0)).reshape(shape[0], -1)
    small = q @ q.T if q.shape[0] <= q.shape[1] else q.T @ q
    np.testing.assert_allclose(small, 4.0 * np.eye(small.shape[0]), atol=1e-5)


def test_manual_seed_makes_initialisation_reproducible():
    def draw():
        gt.manual_seed(7)
        return [values(f(gt.empty(20, 10))) for f in (
            init.uniform_, init.normal_, init.xavier_uniform_, init.xavier_normal_,
            init.kaiming_uniform_, init.kaiming_normal_, init.trunc_normal_, init.orthogonal_,
        )]

    first, second = draw(), draw()
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    gen = gt.Generator().manual_seed(1)
    a = values(init.uniform_(gt.empty(5), generator=gen))
    b = values(init.uniform_(gt.empty(5), generator=gt.Generator().manual_seed(1)))
    assert np.array_equal(a, b)


def test_zero_element_tensor_is_a_warned_no_op():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = init.kaiming_uniform_(gt.empty(0, 3))
    assert tuple(t.shape) == (0, 3)
    assert any("zero-element tensors is a no-op" in str(w.message) for w in caught)


def test_init_keeps_dtype_and_works_on_float64():
    w = init.xavier_uniform_(gt.empty(4, 4, dtype=gt.float64))
    assert w.dtype == gt.float64
    assert init.trunc_normal_(gt.empty(3, dtype=gt.float64)).dtype == gt.float64
    assert init.orthogonal_(gt.empty(3, 3)).dtype == gt.float32


def test_sparse_zeroes_a_fraction_of_each_column():
    v = values(init.sparse_(gt.empty(10, 400), sparsity=0.3, std=0.5))
    assert ((v == 0).sum(axis=0) == 3).all()
    nonzero = v[v != 0]
    assert abs(nonzero.std() - 0.5) < 0.03


@needs_torch
def test_sparse_errors_and_deprecated_aliases_match_torch():
    same_error(lambda lib: lib.nn.init.sparse_(lib.empty(3), 0.1))
    for name in ("uniform", "normal", "xavier_uniform", "xavier_normal", "kaiming_uniform",
                 "kaiming_normal", "orthogonal"):
        caught = []
        for lib in (gt, torch):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                getattr(lib.nn.init, name)(lib.empty(3, 3))
            caught.append([(x.category, str(x.message)) for x in w])
        assert caught[0] == caught[1] and caught[0], name
    with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated"):
        gt.nn.utils.clip_grad_norm([], 1.0)
