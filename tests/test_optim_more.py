"""Adadelta, Adamax, NAdam, RAdam and Rprop against torch.optim: trajectories, state dicts, errors.

Every case trains the same three float64 tensors (from the same NumPy arrays) for 20 steps in
both libraries, with a gradient that depends on the weights (so the paths feed back), and
compares the weights (rtol 1e-10) and the state dicts key by key.
"""

import numpy as np
import pytest

import glasstorch as gt

CASES = [
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    ("Adadelta", dict(maximize=True, weight_decay=0.05)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.99), momentum_decay=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.01, maximize=True, eps=1e-6)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.1)),  # ρₜ > 5 from step 3 on
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.8), maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))),
    ("Rprop", dict(lr=0.01, maximize=True)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw in CASES]
NAMES = ["Adadelta", "Adamax", "NAdam", "RAdam", "Rprop"]
STEPS = 20


def _starts(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in [(3, 4), (4,), ()]]


def _grad(w: np.ndarray, t: int, i: int) -> np.ndarray:
    """A gradient that depends on the current weights, so trajectories feed back."""
    return (np.cos(w * (1 + 0.1 * i)) * np.sin(0.3 * t + i) + 0.1 * w).astype(w.dtype)


def _run(lib, name, kw, starts, steps=STEPS, groups=False):
    """``steps`` steps on ``starts``; the last tensor gets no grad every third step."""
    params = [lib.tensor(w.copy(), requires_grad=True) for w in starts]
    spec = [{"params": params[:1]}, {"params": params[1:], "lr": 0.3}] if groups else params
    opt = getattr(lib.optim, name)(spec, **kw)
    for t in range(steps):
        opt.zero_grad()
        for i, p in enumerate(params):
            if i == len(params) - 1 and t % 3 == 1:
                continue
            p.grad = lib.tensor(_grad(p.detach().numpy(), t, i))
        opt.step()
    return params, opt


def _assert_state_close(ours, theirs, rtol, atol):
    assert set(ours["state"]) == set(theirs["state"])
    for k, st in theirs["state"].items():
        assert list(ours["state"][k]) == list(st), f"state keys of param {k}"
        for name, v in st.items():
            o = ours["state"][k][name]
            assert str(o.dtype) == str(v.dtype) and tuple(o.shape) == tuple(v.shape), name
            np.testing.assert_allclose(o.numpy(), v.numpy(), rtol=rtol, atol=atol, err_msg=name)
    assert ours["param_groups"] == theirs["param_groups"]


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_float64_trajectory_and_state_match_torch(torch, name, kw):
    starts = _starts()
    ours, gopt = _run(gt, name, kw, starts)
    theirs, topt = _run(torch, name, kw, starts)
    for a, b in zip(ours, theirs):
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=0)
        assert a._version == b._version  # NAdam writes twice per step, decoupled decay once more
    _assert_state_close(gopt.state_dict(), topt.state_dict(), 1e-10, 1e-14)


@pytest.mark.parametrize("name,kw", CASES[::2], ids=IDS[::2])
def test_float32_trajectory_matches_torch(torch, name, kw):
    # float32: torch fuses some multiply-adds, so the last bits differ and grow a little
    starts = _starts(np.float32, seed=1)
    ours, gopt = _run(gt, name, kw, starts)
    theirs, topt = _run(torch, name, kw, starts)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-4, atol=1e-6)
    _assert_state_close(gopt.state_dict(), topt.state_dict(), 1e-4, 1e-6)


@pytest.mark.parametrize("name,kw", CASES[1::3], ids=IDS[1::3])
def test_param_groups_and_repr_match_torch(torch, name, kw):
    starts = _starts(seed=2)
    ours, gopt = _run(gt, name, kw, starts, groups=True)
    theirs, topt = _run(torch, name, kw, starts, groups=True)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10)
    _assert_state_close(gopt.state_dict(), topt.state_dict(), 1e-10, 1e-14)
    assert repr(gopt) == repr(topt)


@pytest.mark.parametrize("name", NAMES)
def test_defaults_repr_and_empty_state_dict_match_torch(torch, name):
    ours = getattr(gt.optim, name)([gt.ones(2, requires_grad=True)])
    theirs = getattr(torch.optim, name)([torch.ones(2, requires_grad=True)])
    assert ours.defaults == theirs.defaults
    assert list(ours.defaults) == list(theirs.defaults)
    assert repr(ours) == repr(theirs)
    assert ours.state_dict() == theirs.state_dict()


@pytest.mark.parametrize("name,kw", CASES[::3], ids=IDS[::3])
def test_state_dict_resumes_training_and_loads_into_torch(torch, name, kw):
    """Stop after 10 steps, rebuild from the state dict, go on: the same as one 20-step run; the
    saved dict also loads into a torch optimizer, which then continues identically."""
    starts = _starts(seed=3)
    whole, _ = _run(gt, name, kw, starts)
    first, opt1 = _run(gt, name, kw, starts, steps=10)
    sd = opt1.state_dict()
    tparams = [torch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in first]
    topt = getattr(torch.optim, name)(tparams, **kw)
    topt.load_state_dict(
        {"state": {k: {n: torch.from_numpy(v.numpy().copy()) for n, v in s.items()}
                   for k, s in sd["state"].items()},
         "param_groups": sd["param_groups"]}
    )
    opt2 = getattr(gt.optim, name)(first, **kw)
    opt2.load_state_dict(sd)
    for lib, params, opt in ((gt, first, opt2), (torch, tparams, topt)):
        for t in range(10, STEPS):
            for i, p in enumerate(params):
                if i == len(params) - 1 and t % 3 == 1:
                    p.grad = None
                    continue
                p.grad = lib.tensor(_grad(p.detach().numpy(), t, i))
            opt.step()
    for k, st in topt.state_dict()["state"].items():  # loading casts to the params' dtype,
        ours = opt2.state_dict()["state"][k]  # NAdam's mu_product too (torch does the same)
        assert {n: str(v.dtype) for n, v in ours.items()} == {
            n: str(v.dtype) for n, v in st.items()
        }
    for a, b, c in zip(first, whole, tparams):
        # NAdam's float32 mu_product comes back float64, so it rounds differently from then on
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10)
        np.testing.assert_allclose(a.detach().numpy(), c.detach().numpy(), rtol=1e-10)


def test_complex_param_matches_torch(torch):
    rng = np.random.default_rng(4)
    w = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
    for name in NAMES:
        out = []
        for lib in (gt, torch):
            p = lib.tensor(w.copy(), requires_grad=True)
            opt = getattr(lib.optim, name)([p], lr=0.01)
            for t in range(10):
                p.grad = lib.tensor(np.conj(p.detach().numpy()) * np.sin(t) + 0.5j)
                opt.step()
            out.append(p.detach().numpy().copy())
        np.testing.assert_allclose(out[0], out[1], rtol=1e-10, err_msg=name)


def _error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


BAD = [
    ("Adadelta", dict(lr=-1.0)),
    ("Adadelta", dict(rho=1.5)),
    ("Adadelta", dict(rho=-0.1, eps=-1.0)),
    ("Adadelta", dict(eps=-1.0, weight_decay=-1.0)),
    ("Adadelta", dict(weight_decay=-1.0)),
    ("Adamax", dict(lr=-1.0, eps=-1.0)),
    ("Adamax", dict(eps=-1.0, betas=(2.0, 0.9))),
    ("Adamax", dict(betas=(1.0, 0.9))),
    ("Adamax", dict(betas=(0.9, 1.0), weight_decay=-1.0)),
    ("Adamax", dict(weight_decay=-1.0)),
    ("NAdam", dict(lr=-1.0)),
    ("NAdam", dict(eps=-1.0)),
    ("NAdam", dict(betas=(-0.1, 0.9))),
    ("NAdam", dict(betas=(0.9, 2.0))),
    ("NAdam", dict(weight_decay=-1.0, momentum_decay=-1.0)),
    ("NAdam", dict(momentum_decay=-1.0)),
    ("RAdam", dict(lr=-1.0)),
    ("RAdam", dict(eps=-1.0)),
    ("RAdam", dict(betas=(1.0, 0.9))),
    ("RAdam", dict(betas=(0.9, 1.0))),
    ("RAdam", dict(weight_decay=-1.0)),
    ("Rprop", dict(lr=-1.0)),
    ("Rprop", dict(etas=(1.0, 1.2))),
    ("Rprop", dict(etas=(0.5, 0.9))),
]


@pytest.mark.parametrize("name,kw", BAD, ids=[f"{n}-{kw}" for n, kw in BAD])
def test_errors_match_torch(torch, name, kw):
    ours = _error(lambda: getattr(gt.optim, name)([gt.ones(2, requires_grad=True)], **kw))
    theirs = _error(lambda: getattr(torch.optim, name)([torch.ones(2, requires_grad=True)], **kw))
    assert ours == theirs


@pytest.mark.parametrize("name", NAMES)
def test_shared_errors_match_torch(torch, name):
    def outcome(lib, make):
        return _error(lambda: getattr(lib.optim, name)(make(lib)))

    for make in (lambda lib: [], lambda lib: lib.ones(2, requires_grad=True),
                 lambda lib: [lib.ones(2, requires_grad=True) * 2]):
        assert outcome(gt, make) == outcome(torch, make)


@pytest.mark.parametrize("name", NAMES)
def test_capturable_and_differentiable_are_refused(name):
    p = gt.ones(2, requires_grad=True)
    for flag in ("capturable", "differentiable"):
        with pytest.raises(NotImplementedError, match=flag):
            getattr(gt.optim, name)([p], **{flag: True})


def test_hand_computed_first_steps():
    """One step of each rule, worked out by hand for θ = 1, g = 0.5."""
    def one_step(name, **kw):
        p = gt.tensor([1.0], dtype=gt.float64, requires_grad=True)
        opt = getattr(gt.optim, name)([p], **kw)
        p.grad = gt.tensor([0.5], dtype=gt.float64)
        opt.step()
        return p.item(), opt.state[p]

    # Adadelta: v = 0.1·0.25, Δ = √1e-6 / √(v + 1e-6) · 0.5
    theta, _ = one_step("Adadelta")
    assert theta == pytest.approx(1 - 1e-3 / np.sqrt(0.025 + 1e-6) * 0.5, rel=1e-12)
    # Adamax: m = 0.05, u = 0.5 + ε, step lr / 0.1 · m / u
    theta, state = one_step("Adamax", lr=0.1, eps=0.0)
    assert theta == pytest.approx(1 - 0.1, rel=1e-12)
    assert state["exp_inf"].item() == 0.5
    # RAdam at step 1 (ρ₁ = 1 ≤ 5): plain momentum, θ − lr · m̂ = θ − lr · g
    theta, _ = one_step("RAdam", lr=0.1)
    assert theta == pytest.approx(1 - 0.05, rel=1e-12)
    # NAdam keeps the product of its momenta
    _, state = one_step("NAdam")
    assert state["mu_product"].item() == pytest.approx(0.9 * (1 - 0.5 * 0.96**0.004), rel=1e-6)
