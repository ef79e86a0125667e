"""glasstorch.optim.lr_scheduler against torch's: the same learning rates, step by step."""

import math
import warnings

import pytest

import glasstorch as gt
from oracle import needs_torch, torch

SCHEDULES = [
    ("StepLR", dict(step_size=3)),
    ("StepLR", dict(step_size=4, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9])),
    ("MultiStepLR", dict(milestones=[3, 1], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
    ("ConstantLR", dict()),
    ("ConstantLR", dict(factor=0.5, total_iters=4)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.25, end_factor=0.75, total_iters=6)),
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95**e)),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1 / (e + 1), lambda e: 0.5 * (e % 3)])),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.97)),
    ("MultiplicativeLR", dict(lr_lambda=[lambda e: 0.9 if e % 2 else 1.0, lambda e: 1.01])),
    ("PolynomialLR", dict()),
    ("PolynomialLR", dict(total_iters=12, power=2.0)),
    ("CosineAnnealingWarmRestarts", dict(T_0=5)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2, eta_min=0.01)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=41)),
    ("OneCycleLR", dict(max_lr=[0.5, 0.2], epochs=4, steps_per_epoch=11, pct_start=0.25,
                        anneal_strategy="linear", three_phase=True)),
    ("OneCycleLR", dict(max_lr=0.3, total_steps=50, cycle_momentum=False)),
]
IDS = [f"{name}{i}" for i, (name, _) in enumerate(SCHEDULES)]
STEPS = 40


def _optimizer(lib, opt="SGD"):
    a = lib.zeros(2, requires_grad=True)
    b = lib.zeros(1, requires_grad=True)
    return getattr(lib.optim, opt)([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1)


def _lrs(lib, name, kw, steps=STEPS):
    opt = _optimizer(lib)
    sched = getattr(lib.optim.lr_scheduler, name)(opt, **kw)
    seen = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()
        sched.step()
        seen.append(sched.get_last_lr())
        assert seen[-1] == [g["lr"] for g in opt.param_groups]
    return seen, sched, opt


@needs_torch
@pytest.mark.parametrize("name,kw", SCHEDULES, ids=IDS)
def test_lr_sequence_matches_torch(name, kw):
    ours, gs, gopt = _lrs(gt, name, kw)
    theirs, ts, topt = _lrs(torch, name, kw)
    assert ours == theirs  # exactly: same float operations in the same order
    assert gs.last_epoch == ts.last_epoch == STEPS
    assert gopt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]
    ours_sd, theirs_sd = gs.state_dict(), ts.state_dict()
    if name in ("LambdaLR", "MultiplicativeLR"):
        assert ours_sd["lr_lambdas"] == theirs_sd["lr_lambdas"]
        del ours_sd["lr_lambdas"], theirs_sd["lr_lambdas"]
    assert ours_sd == theirs_sd
    assert list(ours_sd) == list(theirs_sd)


@needs_torch
@pytest.mark.parametrize(
    "name,kw",
    [s for s in SCHEDULES if s[0] not in ("LambdaLR", "MultiplicativeLR", "OneCycleLR")],
    ids=str,
)
def test_closed_form_with_explicit_epoch_matches_torch(name, kw):
    out = []
    for lib in (gt, torch):
        opt = _optimizer(lib)
        sched = getattr(lib.optim.lr_scheduler, name)(opt, **kw)
        seq = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for epoch in (3, 7, 1, 12, 25, 4):
                opt.step()
                sched.step(epoch)
                seq.append(sched.get_last_lr())
        messages = [str(w.message) for w in caught]
        # fractional epochs are normal for warm restarts: no deprecation there
        deprecated = name != "CosineAnnealingWarmRestarts"
        assert any("epoch parameter in `scheduler.step()`" in m for m in messages) == deprecated
        out.append((seq, messages))
    assert out[0] == out[1]


@needs_torch
def test_chained_schedulers_match_torch():
    out = []
    for lib in (gt, torch):
        opt = _optimizer(lib, "Adam")
        warm = lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5)
        decay = lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
        cos = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=8)
        seq = []
        for _ in range(30):
            opt.step()
            for s in (warm, decay, cos):
                s.step()
            seq.append([g["lr"] for g in opt.param_groups])
        out.append(seq)
    assert out[0] == out[1]


@needs_torch
@pytest.mark.parametrize(
    "kw",
    [dict(), dict(mode="max", factor=0.5, patience=2, cooldown=1),
     dict(threshold_mode="abs", threshold=0.05, patience=1, min_lr=[0.02, 0.001]),
     dict(mode="max", threshold_mode="abs", patience=0, eps=0.01)],
    ids=str,
)
def test_reduce_on_plateau_matches_torch(kw):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.89, 0.9, 0.9, 0.9, 0.91, 0.7] * 4
    out = []
    for lib in (gt, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
        seq = []
        for m in metrics:
            opt.step()
            sched.step(lib.tensor(m) if m < 0.8 else m)
            seq.append((sched.get_last_lr(), sched.num_bad_epochs, sched.cooldown_counter))
        out.append((seq, sched.state_dict()))
    assert out[0] == out[1]


@needs_torch
def test_resume_from_state_dict_matches_uninterrupted():
    for lib in (gt, torch):
        full, _, _ = _lrs(lib, "CosineAnnealingLR", dict(T_max=6), steps=20)
        first, sched, opt = _lrs(lib, "CosineAnnealingLR", dict(T_max=6), steps=8)
        opt2 = _optimizer(lib)
        opt2.load_state_dict(opt.state_dict())
        sched2 = lib.optim.lr_scheduler.CosineAnnealingLR(opt2, T_max=6, last_epoch=7)
        sched2.load_state_dict(sched.state_dict())
        rest = []
        for _ in range(12):
            opt2.step()
            sched2.step()
            rest.append(sched2.get_last_lr())
        assert [[pytest.approx(v) for v in lr] for lr in full] == first + rest


def _error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


ERRORS = [
    lambda lib, opt: lib.optim.lr_scheduler.StepLR("not an optimizer", 2),
    lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, 2, last_epoch=3),
    lambda lib, opt: lib.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0]),
    lambda lib, opt: lib.optim.lr_scheduler.ConstantLR(opt, factor=1.5),
    lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, start_factor=0),
    lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, end_factor=2),
    lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=1.0),
    lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="up"),
    lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="pct"),
    lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1]),
    lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(None),
    lambda lib, opt: lib.optim.lr_scheduler.MultiplicativeLR(opt, 0.9),
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0),
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 2, T_mult=1.5),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, 0.1),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10, pct_start=1),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, [0.1], total_steps=10),
    lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(
        lib.optim.Adagrad([lib.ones(1, requires_grad=True)]), 0.1, total_steps=10),
    lambda lib, opt: (lambda s: [s.step() for _ in range(3)])(
        lib.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=2)),
    lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(opt, [], []),
    lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(
        opt, [lib.optim.lr_scheduler.StepLR(opt, 2)], [3]),
    lambda lib, opt: lib.optim.lr_scheduler.ChainedScheduler(
        [lib.optim.lr_scheduler.StepLR(opt, 2), lib.optim.lr_scheduler.ReduceLROnPlateau(opt)]),
]


@needs_torch
@pytest.mark.parametrize("make", ERRORS, ids=[f"error{i}" for i in range(len(ERRORS))])
def test_errors_match_torch(make):
    ours = _error(lambda: make(gt, _optimizer(gt)))
    assert ours == _error(lambda: make(torch, _optimizer(torch)))


def _warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [str(w.message) for w in caught]


@needs_torch
def test_call_order_and_get_lr_warnings_match_torch():
    def early(lib):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        sched.step()  # before any optimizer.step()
        sched.get_lr()  # outside step(): use get_last_lr()

    def good(lib):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        opt.step()
        sched.step()

    assert _warnings(lambda: early(gt)) == _warnings(lambda: early(torch))
    assert len(_warnings(lambda: early(gt))) == 2
    assert _warnings(lambda: good(gt)) == _warnings(lambda: good(torch)) == []


def test_initial_lr_and_base_lrs_without_torch():
    opt = _optimizer(gt)
    sched = gt.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
    assert sched.base_lrs == [0.1, 0.05] and sched.last_epoch == 0
    lrs = []
    for _ in range(5):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs == [0.1, 0.05, 0.05, 0.025, 0.025]
    cos = gt.optim.lr_scheduler.CosineAnnealingLR(_optimizer(gt), T_max=4)
    for epoch in range(1, 9):
        cos.optimizer.step()
        cos.step()
        closed = 0.1 * (1 + math.cos(math.pi * epoch / 4)) / 2
        assert cos.get_last_lr()[0] == pytest.approx(closed, abs=1e-12)


@needs_torch
def test_sequential_and_chained_match_torch():
    out = []
    for lib in (gt, torch):
        sched_mod = lib.optim.lr_scheduler
        opt = _optimizer(lib)
        seq = sched_mod.SequentialLR(
            opt,
            [sched_mod.LinearLR(opt, start_factor=0.2, total_iters=4),
             sched_mod.ExponentialLR(opt, gamma=0.9),
             sched_mod.CosineAnnealingLR(opt, T_max=5)],
            milestones=[4, 10],
        )
        lrs = [seq.get_last_lr()]
        for _ in range(25):
            opt.step()
            seq.step()
            lrs.append(seq.get_last_lr())
        opt2 = _optimizer(lib, "Adam")
        chain = sched_mod.ChainedScheduler(
            [sched_mod.ConstantLR(opt2, factor=0.5, total_iters=3),
             sched_mod.ExponentialLR(opt2, gamma=0.8)]
        )
        for _ in range(10):
            opt2.step()
            chain.step()
            lrs.append(chain.get_last_lr())
        sd = seq.state_dict()
        out.append((lrs, sd["last_epoch"], [s["last_epoch"] for s in sd["_schedulers"]]))
    assert out[0] == out[1]


@needs_torch
def test_one_cycle_sets_momentum_and_betas_as_torch():
    out = []
    for lib in (gt, torch):
        groups = []
        for opt_name in ("SGD", "Adam"):
            opt = getattr(lib.optim, opt_name)([lib.ones(1, requires_grad=True)], lr=0.1,
                                               **({"momentum": 0.9} if opt_name == "SGD" else {}))
            sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=20)
            for _ in range(15):
                opt.step()
                sched.step()
                g = opt.param_groups[0]
                groups.append((g["lr"], g.get("momentum"), g.get("betas")))
        out.append(groups)
    assert out[0] == out[1]
