"""glasstorch.optim against torch.optim: same trajectories, same state dicts, same errors."""

import warnings

import numpy as np
import pytest

import glasstorch as gt
from oracle import needs_torch, torch

# (optimizer, options): every option of every optimizer appears at least once
CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, maximize=True, weight_decay=0.05)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=0.01, betas=(0.5, 0.9), maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6, maximize=True)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw in CASES]
STEPS = 40


def _start(dtype, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), ()]
    return [rng.standard_normal(s).astype(dtype) for s in shapes], rng


def _grad(w: np.ndarray, t: int, i: int) -> np.ndarray:
    """A gradient that depends on the current weights, so trajectories feed back."""
    return (np.cos(w * (1 + 0.1 * i)) * np.sin(0.3 * t + i) + 0.1 * w).astype(w.dtype)


def _run(lib, name, kw, starts, groups=False, steps=STEPS, skip_last=True):
    """Train the tensors in ``starts`` for ``steps`` steps; the last one gets no grad every
    third step (a skipped update)."""
    params = [lib.tensor(w.copy(), requires_grad=True) for w in starts]
    if groups:
        spec = [{"params": params[:1]}, {"params": params[1:], "lr": kw["lr"] / 2}]
        opt = getattr(lib.optim, name)(spec, **kw)
    else:
        opt = getattr(lib.optim, name)(params, **kw)
    for t in range(steps):
        opt.zero_grad()
        for i, p in enumerate(params):
            if skip_last and i == len(params) - 1 and t % 3 == 1:
                continue
            p.grad = lib.tensor(_grad(p.detach().numpy(), t, i))
        opt.step()
    return params, opt


def _np(x):
    return x.detach().numpy()


def _assert_state_close(ours, theirs, rtol, atol):
    assert set(ours["state"]) == set(theirs["state"])
    for k, st in theirs["state"].items():
        assert list(ours["state"][k]) == list(st), f"state keys of param {k}"
        for name, v in st.items():
            o = ours["state"][k][name]
            assert str(o.dtype) == str(v.dtype) and tuple(o.shape) == tuple(v.shape), name
            # float32 rounding (torch fuses multiply-adds) shows most where values cancel:
            # compare against the buffer's scale
            scale = atol + rtol * float(np.abs(v.numpy()).max(initial=0))
            np.testing.assert_allclose(_np(o), v.numpy(), rtol=rtol, atol=scale, err_msg=name)
    assert ours["param_groups"] == theirs["param_groups"]


@needs_torch
@pytest.mark.parametrize("dtype,rtol,atol", [(np.float32, 1e-4, 1e-6), (np.float64, 1e-10, 1e-12)])
@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_trajectory_matches_torch(name, kw, dtype, rtol, atol):
    starts, _ = _start(dtype)
    ours, gopt = _run(gt, name, kw, starts)
    theirs, topt = _run(torch, name, kw, starts)
    for a, b in zip(ours, theirs):
        assert a.dtype == getattr(gt, str(b.dtype).split(".")[1])
        np.testing.assert_allclose(_np(a), _np(b), rtol=rtol, atol=atol)
    _assert_state_close(gopt.state_dict(), topt.state_dict(), rtol, atol)


@needs_torch
@pytest.mark.parametrize("name,kw", CASES[1::3], ids=IDS[1::3])
def test_param_groups_match_torch(name, kw):
    starts, _ = _start(np.float32, seed=1)
    ours, gopt = _run(gt, name, kw, starts, groups=True)
    theirs, topt = _run(torch, name, kw, starts, groups=True)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-4, atol=1e-6)
    _assert_state_close(gopt.state_dict(), topt.state_dict(), 1e-4, 1e-6)
    assert repr(gopt) == repr(topt)


@needs_torch
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_repr_and_defaults_match_torch(name):
    ours = getattr(gt.optim, name)([gt.ones(2, requires_grad=True)])
    theirs = getattr(torch.optim, name)([torch.ones(2, requires_grad=True)])
    assert repr(ours) == repr(theirs)
    assert ours.defaults == theirs.defaults
    assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]


@needs_torch
@pytest.mark.parametrize("name,kw", [c for c in CASES if c[0] in ("Adam", "RMSprop", "SGD")][::2])
def test_complex_params_match_torch(name, kw):
    rng = np.random.default_rng(3)
    w = (rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))).astype(np.complex64)
    out = []
    for lib in (gt, torch):
        p = lib.tensor(w.copy(), requires_grad=True)
        opt = getattr(lib.optim, name)([p], **kw)
        for t in range(10):
            g = p.detach().numpy()
            p.grad = lib.tensor((np.conj(g) * np.sin(t) + 0.5j).astype(np.complex64))
            opt.step()
        out.append(p.detach().numpy().copy())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-4, atol=1e-6)


@needs_torch
@pytest.mark.parametrize("name,kw", CASES[::4], ids=IDS[::4])
def test_state_dict_round_trip_resumes_training(name, kw):
    """Stop after 15 steps, rebuild the optimizer from its state dict, finish: same as one run."""
    starts, _ = _start(np.float32)
    whole, _ = _run(gt, name, kw, starts, steps=30, skip_last=False)
    first, opt1 = _run(gt, name, kw, starts, steps=15, skip_last=False)
    sd = opt1.state_dict()
    opt2 = getattr(gt.optim, name)(first, **kw)
    opt2.load_state_dict(sd)
    assert repr(opt2) == repr(opt1)
    for t in range(15, 30):
        for i, p in enumerate(first):
            p.grad = gt.tensor(_grad(_np(p), t, i))
        opt2.step()
    for a, b in zip(first, whole):
        np.testing.assert_array_equal(_np(a), _np(b))
    # and torch reads the same structure: load it into a torch optimizer and compare
    tparams = [torch.tensor(_np(p).copy(), requires_grad=True) for p in first]
    topt = getattr(torch.optim, name)(tparams, **kw)
    topt.load_state_dict(
        {"state": {k: {n: torch.from_numpy(_np(v).copy()) for n, v in s.items()}
                   for k, s in sd["state"].items()},
         "param_groups": sd["param_groups"]}
    )
    assert repr(topt) == repr(opt1)


def test_updates_in_place_and_bumps_version():
    p = gt.tensor([1.0, 2.0], requires_grad=True)
    q = gt.tensor([3.0], requires_grad=True)
    arr, v = p._data, p._version
    opt = gt.optim.Adam([p, q], lr=0.1)
    p.grad = gt.tensor([0.5, -0.5])
    opt.step()
    assert p._data is arr and p._version == v + 1
    assert q._version == 0 and q not in opt.state  # no grad: skipped, no state
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert float(opt.state[p]["step"]) == 1.0 and opt.state[p]["step"].dtype == gt.float32


def test_float64_default_dtype_gives_float64_step():
    gt.set_default_dtype(gt.float64)
    try:
        p = gt.tensor([1.0], requires_grad=True)
        opt = gt.optim.Adagrad([p])
        assert opt.state[p]["step"].dtype == gt.float64
    finally:
        gt.set_default_dtype(gt.float32)


def test_zero_grad():
    p = gt.tensor([1.0, 2.0], requires_grad=True)
    opt = gt.optim.SGD([p], lr=0.1)
    p.grad = gt.tensor([3.0, 4.0])
    g = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and p.grad.tolist() == [0.0, 0.0] and g._version == 1
    opt.zero_grad()
    assert p.grad is None


def test_step_with_closure_returns_loss_and_enables_grad():
    p = gt.tensor([2.0], requires_grad=True)
    opt = gt.optim.SGD([p], lr=0.25)
    seen = []

    def closure():
        seen.append(gt.is_grad_enabled())
        opt.zero_grad()
        loss = p * p
        loss.backward(gt.ones(1))
        return loss

    with gt.no_grad():
        loss = opt.step(closure)
    assert seen == [True] and loss.tolist() == [4.0]
    assert p.tolist() == [1.0]  # 2 - 0.25 * (2 * 2)


def test_params_from_generator_named_and_bare_tensor_group():
    a, b = gt.ones(1, requires_grad=True), gt.ones(2, requires_grad=True)
    opt = gt.optim.SGD((p for p in [a, b]), lr=0.1)
    assert opt.param_groups[0]["params"] == [a, b]
    opt = gt.optim.SGD([{"params": a}, {"params": [b], "momentum": 0.5}], lr=0.1)
    assert opt.param_groups[0]["params"] == [a] and opt.param_groups[0]["momentum"] == 0
    assert opt.param_groups[1]["momentum"] == 0.5 and opt.param_groups[1]["lr"] == 0.1
    named = gt.optim.Adam([("w", a), ("b", b)])
    assert named.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]
    c = gt.zeros(3, requires_grad=True)
    opt.add_param_group({"params": c, "lr": 1.0})
    assert opt.param_groups[2]["params"] == [c] and opt.param_groups[2]["dampening"] == 0
    assert opt.state_dict()["param_groups"][2]["params"] == [2]


def test_subclass_with_custom_step_uses_the_base():
    class Sign(gt.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self.state[p]["n"] = self.state[p].get("n", 0) + 1
                        p._data -= group["lr"] * np.sign(p.grad._data)

    p = gt.tensor([1.0, -1.0], requires_grad=True)
    opt = Sign([p])
    p.grad = gt.tensor([2.0, -3.0])
    opt.step()
    assert p.tolist() == pytest.approx([0.9, -0.9])
    expected = {"state": {0: {"n": 1}}, "param_groups": [{"lr": 0.1, "params": [0]}]}
    assert opt.state_dict() == expected


def _error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


ERRORS = [
    lambda lib, p: lib.optim.SGD([]),
    lambda lib, p: lib.optim.SGD(p),
    lambda lib, p: lib.optim.SGD([p, 1]),
    lambda lib, p: lib.optim.SGD([p, "w"]),
    lambda lib, p: lib.optim.SGD([p * 2]),
    lambda lib, p: lib.optim.SGD([{"params": p}, {"params": [p]}]),
    lambda lib, p: lib.optim.SGD([{"params": {p}}]),
    lambda lib, p: lib.optim.SGD([p]).add_param_group([p]),
    lambda lib, p: lib.optim.SGD([p], lr=-0.1),
    lambda lib, p: lib.optim.SGD([p], momentum=-1),
    lambda lib, p: lib.optim.SGD([p], weight_decay=-1e-3),
    lambda lib, p: lib.optim.SGD([p], nesterov=True),
    lambda lib, p: lib.optim.SGD([p], momentum=0.9, dampening=0.1, nesterov=True),
    lambda lib, p: lib.optim.Adam([p], lr=-1.0),
    lambda lib, p: lib.optim.Adam([p], eps=-1.0),
    lambda lib, p: lib.optim.Adam([p], betas=(1.0, 0.9)),
    lambda lib, p: lib.optim.Adam([p], betas=(0.9, -0.1)),
    lambda lib, p: lib.optim.Adam([p], betas=(0, 0.9)),
    lambda lib, p: lib.optim.AdamW([p], weight_decay=-1.0),
    lambda lib, p: lib.optim.RMSprop([p], alpha=-0.5),
    lambda lib, p: lib.optim.RMSprop([p], momentum=-0.5),
    lambda lib, p: lib.optim.RMSprop([p], eps=-0.5),
    lambda lib, p: lib.optim.Adagrad([p], lr_decay=-0.5),
    lambda lib, p: lib.optim.Adagrad([p], initial_accumulator_value=-0.5),
    lambda lib, p: lib.optim.Adagrad([p], eps=-1e-3),
    lambda lib, p: lib.optim.SGD([("a", p), p * 1 + 0]),
    lambda lib, p: lib.optim.SGD([p]).load_state_dict({"state": {}, "param_groups": []}),
    lambda lib, p: lib.optim.SGD([p]).load_state_dict(
        {"state": {}, "param_groups": [{"lr": 0.1, "params": [0, 1]}]}
    ),
]


@needs_torch
@pytest.mark.parametrize("make", ERRORS, ids=[f"error{i}" for i in range(len(ERRORS))])
def test_errors_match_torch(make):
    ours = _error(lambda: make(gt, gt.ones(2, requires_grad=True)))
    theirs = _error(lambda: make(torch, torch.ones(2, requires_grad=True)))
    assert ours == theirs


def test_errors_without_torch():
    p = gt.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="^optimizer got an empty parameter list$"):
        gt.optim.Adam([])
    with pytest.raises(ValueError, match="^Invalid learning rate: -0.1$"):
        gt.optim.SGD([p], lr=-0.1)
    with pytest.raises(TypeError, match="but one of the params is int$"):
        gt.optim.SGD([p, 1])
    with pytest.raises(ValueError, match="^can't optimize a non-leaf Tensor$"):
        gt.optim.SGD([p * 2])
    with pytest.raises(ValueError, match="more than one parameter group"):
        gt.optim.SGD([p]).add_param_group({"params": [p]})


def test_duplicate_param_warns():
    p = gt.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        gt.optim.SGD([p, p])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gt.optim.SGD([p])


def _mlp(lib, seed=0):
    lib.manual_seed(seed)
    return lib.nn.Sequential(lib.nn.Linear(6, 16), lib.nn.ReLU(), lib.nn.Linear(16, 3))


@needs_torch
@pytest.mark.parametrize(
    "name,kw",
    [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)), ("Adam", dict(lr=0.01)),
     ("AdamW", dict(lr=0.01, amsgrad=True)), ("RMSprop", dict(lr=0.005, centered=True)),
     ("Adagrad", dict(lr=0.05, weight_decay=1e-3))],
)
def test_training_an_mlp_matches_torch(name, kw):
    """The learners' loop (zero_grad, forward, loss, backward, step, scheduler) on the same model,
    weights and batches: the same losses and final weights."""
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((16, 6)).astype(np.float32) for _ in range(30)]
    batches = [(x, x[:, :3].argmax(1)) for x in xs]  # a learnable rule
    tmodel = _mlp(torch)
    results = []
    for lib in (gt, torch):
        model = _mlp(lib)
        with lib.no_grad():
            for p, tp in zip(model.parameters(), tmodel.parameters()):
                p.copy_(lib.tensor(tp.detach().numpy().copy()))
        opt = getattr(lib.optim, name)(model.parameters(), **kw)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
        loss_fn = lib.nn.CrossEntropyLoss()
        losses = []
        for X, y in batches:
            opt.zero_grad()
            loss = loss_fn(model(lib.tensor(X)), lib.tensor(y))
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        results.append((losses, [p.detach().numpy().copy() for p in model.parameters()]))
    (gl, gp), (tl, tp) = results
    np.testing.assert_allclose(gl, tl, rtol=1e-4, atol=1e-5)
    assert np.mean(gl[-5:]) < np.mean(gl[:5])
    for a, b in zip(gp, tp):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def _hook_trace(lib):
    """What the optimizer hooks see, as plain values comparable across libraries."""
    p = lib.tensor([1.0, 2.0], requires_grad=True)
    opt = lib.optim.SGD([p], lr=0.5)
    trace = []
    pre = opt.register_step_pre_hook(
        lambda o, args, kwargs: trace.append(("pre", len(args), args[0] is o, dict(kwargs)))
    )
    opt.register_step_post_hook(lambda o, args, kwargs: trace.append(("post", p.tolist())))
    opt.register_state_dict_pre_hook(lambda o: trace.append("sd-pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    opt.register_load_state_dict_pre_hook(lambda o, sd: trace.append(("load-pre", sorted(sd))))
    opt.register_load_state_dict_post_hook(lambda o: trace.append("load-post"), prepend=True)
    p.grad = lib.tensor([1.0, 1.0])
    opt.step()
    opt.step(closure=None)
    pre.remove()
    opt.step()
    sd = opt.state_dict()
    trace.append(sorted(sd))
    opt.load_state_dict({"state": {}, "param_groups": sd["param_groups"]})
    return trace


@needs_torch
def test_hooks_match_torch():
    assert _hook_trace(gt) == _hook_trace(torch)


def test_step_pre_hook_can_replace_arguments():
    p = gt.tensor([1.0], requires_grad=True)
    opt = gt.optim.SGD([p], lr=1.0)
    p.grad = gt.tensor([1.0])
    calls = []
    opt.register_step_pre_hook(lambda o, args, kwargs: ((o,), {"closure": lambda: calls.append(1)}))
    opt.step()
    assert calls == [1] and p.tolist() == [0.0]
    bad = gt.optim.SGD([p])
    bad.register_step_pre_hook(lambda o, args, kwargs: "nope")
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        bad.step()
