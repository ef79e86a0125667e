"""ASGD and LBFGS against torch.optim, step by step: parameters, state (keys, dtypes, values),
closure-call counts, version counters, state-dict round trips and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glasstorch as gt
from test_optim_more import _assert_state_close, _grad, _starts

# ---- ASGD -----------------------------------------------------------------------------------
ASGD_CASES = [
    dict(),
    dict(lr=0.1, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.1),  # averaging from step 6 on
    dict(lr=0.05, t0=0, maximize=True),
]


def _run_asgd(lib, kw, starts, steps=20):
    """``steps`` ASGD steps; the last tensor gets no gradient every third step."""
    params = [lib.tensor(w.copy(), requires_grad=True) for w in starts]
    opt = lib.optim.ASGD(params, **kw)
    for t in range(steps):
        opt.zero_grad()
        for i, p in enumerate(params):
            if i == len(params) - 1 and t % 3 == 1:
                continue
            p.grad = lib.tensor(_grad(p.detach().numpy(), t, i))
        opt.step()
    return params, opt


@pytest.mark.parametrize("kw", ASGD_CASES, ids=[str(kw) for kw in ASGD_CASES])
def test_asgd_float64_trajectory_and_state_match_torch(torch, kw):
    starts = _starts()
    ours, gopt = _run_asgd(gt, kw, starts)
    theirs, topt = _run_asgd(torch, kw, starts)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=0)
        assert a._version == b._version  # two writes per step: the decay, then the step
    _assert_state_close(gopt.state_dict(), topt.state_dict(), 1e-12, 1e-15)


@pytest.mark.parametrize("kw", ASGD_CASES, ids=[str(kw) for kw in ASGD_CASES])
def test_asgd_float32_trajectory_matches_torch(torch, kw):
    starts = _starts(np.float32, seed=1)
    ours, gopt = _run_asgd(gt, kw, starts)
    theirs, topt = _run_asgd(torch, kw, starts)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
    _assert_state_close(gopt.state_dict(), topt.state_dict(), 1e-5, 1e-6)


def test_asgd_state_dict_resumes_and_loads_into_torch(torch):
    kw = ASGD_CASES[1]
    starts = _starts(seed=3)
    whole, _ = _run_asgd(gt, kw, starts, steps=12)
    first, opt1 = _run_asgd(gt, kw, starts, steps=6)
    sd = opt1.state_dict()
    tparams = [torch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in first]
    topt = torch.optim.ASGD(tparams, **kw)
    topt.load_state_dict({"state": {k: {n: torch.from_numpy(v.numpy().copy())
                                        for n, v in s.items()} for k, s in sd["state"].items()},
                          "param_groups": sd["param_groups"]})
    opt2 = gt.optim.ASGD(first, **kw)
    opt2.load_state_dict(sd)
    for lib, params, opt in ((gt, first, opt2), (torch, tparams, topt)):
        for t in range(6, 12):
            for i, p in enumerate(params):
                p.grad = None if i == len(params) - 1 and t % 3 == 1 else lib.tensor(
                    _grad(p.detach().numpy(), t, i))
            opt.step()
    for a, b, c in zip(first, whole, tparams):
        # loading casts the float32 eta and mu to the parameters' float64 (torch does the same),
        # so the resumed run rounds them differently from the uninterrupted one
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-8)
        np.testing.assert_allclose(a.detach().numpy(), c.detach().numpy(), rtol=1e-12)


def test_asgd_hand_computed_first_steps():
    """θ = 1, g = 0.5, lr = 0.1, λ = 0.01: θ₁ = θ (1 − λ η) − η g with η = lr."""
    p = gt.tensor([1.0], dtype=gt.float64, requires_grad=True)
    opt = gt.optim.ASGD([p], lr=0.1, lambd=0.01, alpha=0.5, t0=0)
    p.grad = gt.tensor([0.5], dtype=gt.float64)
    opt.step()
    # (η is kept as a float32 0-d tensor, as in torch: 0.1 to float32 precision)
    assert p.item() == pytest.approx(1 * (1 - 0.001) - 0.05, rel=1e-8)
    state = opt.state[p]
    assert state["ax"].item() == p.item()  # μ = 1 on the first step: ax is a copy of θ
    assert state["eta"].item() == pytest.approx(0.1 / (1 + 0.01 * 0.1) ** 0.5, rel=1e-6)
    assert state["mu"].item() == 1.0  # 1 / max(1, 1 - 0)
    opt.step()  # μ = 1 still (set after step 1); step 3 uses μ = 1 / (2 − 0): ax averages
    theta2 = p.item()
    opt.step()
    assert state["ax"].item() == pytest.approx((theta2 + p.item()) / 2, rel=1e-12)


# ---- LBFGS ----------------------------------------------------------------------------------
def _least_squares(lib, dtype):
    """A ridge least-squares problem: weights W (5, 3), b (3,), and its closure maker."""
    rng = np.random.default_rng(0)
    X = lib.tensor(rng.standard_normal((20, 5)).astype(dtype))
    Y = lib.tensor(rng.standard_normal((20, 3)).astype(dtype))
    W = lib.tensor(rng.standard_normal((5, 3)).astype(dtype), requires_grad=True)
    b = lib.tensor(np.zeros(3, dtype), requires_grad=True)

    def loss():
        return ((X @ W + b - Y) ** 2).mean() + 0.01 * (W ** 2).sum()

    return [W, b], loss


def _rosenbrock(lib, dtype):
    p = lib.tensor(np.array([-1.5, 2.0], dtype), requires_grad=True)

    def loss():
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

    return [p], loss


def _run_lbfgs(lib, problem, dtype, steps, **kw):
    """``steps`` calls of ``step(closure)``: per call the loss it returned, the parameters, and
    the closure-call and iteration counts."""
    params, loss_fn = problem(lib, dtype)
    opt = lib.optim.LBFGS(params, **kw)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    history = []
    for _ in range(steps):
        loss = opt.step(closure)
        state = opt.state[params[0]]
        history.append((loss.item(), [p.detach().numpy().copy() for p in params],
                        state["func_evals"], state["n_iter"]))
    return history, opt


LBFGS_CASES = [
    (_least_squares, dict()),
    (_least_squares, dict(line_search_fn="strong_wolfe")),
    (_least_squares, dict(lr=0.5, max_iter=5, history_size=3)),  # the history overflows
    (_least_squares, dict(lr=0.1, max_iter=4, history_size=2, line_search_fn="strong_wolfe")),
    (_least_squares, dict(max_iter=50, tolerance_change=1e-5)),  # stops on the loss change
    (_rosenbrock, dict(line_search_fn="strong_wolfe")),
    (_rosenbrock, dict(lr=0.5, max_iter=5, history_size=3)),
    (_rosenbrock, dict(max_iter=7, max_eval=9, line_search_fn="strong_wolfe")),
]
LBFGS_IDS = [f"{p.__name__[1:]}-{kw}" for p, kw in LBFGS_CASES]


@pytest.mark.parametrize("problem,kw", LBFGS_CASES, ids=LBFGS_IDS)
def test_lbfgs_float64_steps_match_torch(torch, problem, kw):
    ours, gopt = _run_lbfgs(gt, problem, "float64", 6, **kw)
    theirs, topt = _run_lbfgs(torch, problem, "float64", 6, **kw)
    for (loss, params, evals, iters), (t_loss, t_params, t_evals, t_iters) in zip(ours, theirs):
        assert (evals, iters) == (t_evals, t_iters)
        assert loss == pytest.approx(t_loss, rel=1e-8, abs=1e-15)
        for a, b in zip(params, t_params):
            np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-12)
    ours_sd, theirs_sd = gopt.state_dict(), topt.state_dict()
    assert ours_sd["param_groups"] == theirs_sd["param_groups"]
    state, t_state = ours_sd["state"][0], theirs_sd["state"][0]
    assert list(state) == list(t_state)
    for key in ("d", "prev_flat_grad"):
        np.testing.assert_allclose(state[key].numpy(), t_state[key].numpy(), rtol=1e-6,
                                   atol=1e-10)
    assert len(state["old_dirs"]) == len(t_state["old_dirs"])


@pytest.mark.parametrize("problem,kw", LBFGS_CASES[:4], ids=LBFGS_IDS[:4])
def test_lbfgs_float32_first_step_matches_torch(torch, problem, kw):
    # float32: torch's sums and dot products round differently in the last bits, and the
    # tolerance tests (tolerance_grad 1e-7) then stop at different iterations in later steps
    (ours,), _ = _run_lbfgs(gt, problem, "float32", 1, **kw)
    (theirs,), _ = _run_lbfgs(torch, problem, "float32", 1, **kw)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-6)
    for a, b in zip(ours[1], theirs[1]):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)


def test_lbfgs_minimises_rosenbrock_with_line_search():
    history, _ = _run_lbfgs(gt, _rosenbrock, "float64", 5, line_search_fn="strong_wolfe")
    assert history[0][0] == 12.5  # f(-1.5, 2) = 2.5² + 100 · 0.25²
    np.testing.assert_allclose(history[-1][1][0], [1.0, 1.0], atol=1e-5)


def test_lbfgs_counts_closure_calls_and_returns_first_loss():
    params, loss_fn = _least_squares(gt, "float64")
    opt = gt.optim.LBFGS(params, max_iter=4)
    calls = []

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        calls.append(loss.item())
        return loss

    first = opt.step(closure)
    assert first.item() == calls[0]
    assert len(calls) == opt.state[params[0]]["func_evals"] == 4  # max_iter: last not re-run
    assert opt.state[params[0]]["n_iter"] == 4
    assert calls[-1] < calls[0]


def test_lbfgs_stops_at_once_when_the_gradient_is_zero():
    p = gt.zeros(3, requires_grad=True)
    opt = gt.optim.LBFGS([p])

    def closure():
        opt.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert opt.state[p]["func_evals"] == 1 and "d" not in opt.state[p]


def test_lbfgs_state_dict_resumes_training():
    whole, _ = _run_lbfgs(gt, _least_squares, "float64", 4, max_iter=3, history_size=4)
    params, loss_fn = _least_squares(gt, "float64")
    first = gt.optim.LBFGS(params, max_iter=3, history_size=4)

    def closure_for(opt):
        def closure():
            opt.zero_grad()
            loss = loss_fn()
            loss.backward()
            return loss
        return closure

    for _ in range(2):
        first.step(closure_for(first))
    second = gt.optim.LBFGS(params, max_iter=3, history_size=4)
    second.load_state_dict(first.state_dict())
    for _ in range(2):
        second.step(closure_for(second))
    for a, b in zip(params, whole[-1][1]):
        np.testing.assert_allclose(a.detach().numpy(), b, rtol=1e-12)


def test_lbfgs_refuses_an_unknown_line_search():
    params, loss_fn = _least_squares(gt, "float64")
    opt = gt.optim.LBFGS(params, line_search_fn="armijo")

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


def test_lbfgs_closure_loss_read_without_requires_grad_warning():
    params, loss_fn = _least_squares(gt, "float64")
    opt = gt.optim.LBFGS(params, max_iter=3)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step(closure)


# ---- construction: defaults, printed form, errors -------------------------------------------
@pytest.mark.parametrize("name", ["ASGD", "LBFGS"])
def test_defaults_repr_and_empty_state_dict_match_torch(torch, name):
    ours = getattr(gt.optim, name)([gt.ones(2, requires_grad=True)])
    theirs = getattr(torch.optim, name)([torch.ones(2, requires_grad=True)])
    assert list(ours.defaults.items()) == list(theirs.defaults.items())
    assert repr(ours) == repr(theirs)
    assert ours.state_dict() == theirs.state_dict()


def _error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


BAD = [
    ("ASGD", lambda lib: [lib.ones(2, requires_grad=True)], dict(lr=-1.0)),
    ("ASGD", lambda lib: [lib.ones(2, requires_grad=True)], dict(weight_decay=-1.0)),
    ("LBFGS", lambda lib: [lib.ones(2, requires_grad=True)], dict(lr=-1.0)),
    ("LBFGS", lambda lib: [{"params": [lib.ones(2, requires_grad=True)]},
                           {"params": [lib.ones(2, requires_grad=True)]}], dict()),
    ("LBFGS", lambda lib: [], dict()),
]


@pytest.mark.parametrize("name,params,kw", BAD)
def test_errors_match_torch(torch, name, params, kw):
    ours = _error(lambda: getattr(gt.optim, name)(params(gt), **kw))
    theirs = _error(lambda: getattr(torch.optim, name)(params(torch), **kw))
    assert ours == theirs


def test_lbfgs_step_needs_a_closure(torch):
    ours = _error(lambda: gt.optim.LBFGS([gt.ones(2, requires_grad=True)]).step())
    theirs = _error(lambda: torch.optim.LBFGS([torch.ones(2, requires_grad=True)]).step())
    assert ours == theirs


# ---- the schedulers of d2l 11.11 ------------------------------------------------------------
SCHEDULES = [
    ("MultiStepLR", dict(milestones=[15, 30], gamma=0.5)),
    ("StepLR", dict(step_size=7, gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=20, eta_min=0.01)),
    ("LambdaLR", dict(lr_lambda=lambda epoch: (epoch + 1.0) ** -0.5)),
    ("PolynomialLR", dict(total_iters=20, power=2.0)),
    ("LinearLR", dict(start_factor=0.1, total_iters=5)),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=40)),
    ("CosineAnnealingWarmRestarts", dict(T_0=10, T_mult=2, eta_min=0.01)),
]


@pytest.mark.parametrize("name,kw", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_d2l_get_lr_sequence_matches_torch(torch, name, kw):
    """d2l 11.11's ``get_lr``: read ``get_last_lr()``, step the optimizer, step the schedule."""
    def sequence(lib):
        trainer = lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=0.5)
        scheduler = getattr(lib.optim.lr_scheduler, name)(trainer, **kw)
        out = []
        for _ in range(35):
            out.append(scheduler.get_last_lr()[0])
            trainer.step()
            scheduler.step()
        return out

    np.testing.assert_allclose(sequence(gt), sequence(torch), rtol=1e-12)


def test_builtin_schedulers_say_they_come_from_lr_scheduler():
    """d2l 11.11 tells torch's schedulers from its own by their module."""
    from glasstorch.optim import lr_scheduler

    trainer = gt.optim.SGD([gt.zeros(2, requires_grad=True)], lr=0.5)
    scheduler = lr_scheduler.MultiStepLR(trainer, milestones=[15, 30], gamma=0.5)
    assert scheduler.__module__ == lr_scheduler.__name__
    for name in lr_scheduler.__all__:
        assert getattr(lr_scheduler, name).__module__ == "glasstorch.optim.lr_scheduler"
