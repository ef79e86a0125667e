"""Module hooks against torch: forward (pre-)hooks, full backward (pre-)hooks, and the
state_dict / load_state_dict hooks."""

from __future__ import annotations

import pytest

import glasstorch as gt
from oracle import both, needs_torch, same_error


# ---- forward hooks ------------------------------------------------------------------------------
def test_forward_hooks_modify_inputs_and_outputs_and_can_be_removed():
    m = gt.nn.Identity()
    calls = []
    pre = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    post = m.register_forward_hook(lambda mod, args, out: calls.append(args) or out + 1)
    assert m(gt.tensor(1.0)).item() == 3.0
    assert calls[0][0].item() == 2.0
    pre.remove()
    assert m(gt.tensor(1.0)).item() == 2.0
    post.remove()
    assert m(gt.tensor(1.0)).item() == 1.0
    assert not m._forward_hooks and not m._forward_pre_hooks


def test_hooks_with_kwargs_prepend_and_context_manager():
    class Scale(gt.nn.Module):
        def forward(self, x, *, k=1.0):
            return x * k

    m = Scale()
    order = []
    m.register_forward_hook(lambda mod, a, out: order.append("second"))
    m.register_forward_hook(lambda mod, a, out: order.append("first"), prepend=True)
    with m.register_forward_pre_hook(lambda mod, a, kw: (a, {"k": 10.0}), with_kwargs=True):
        assert m(gt.tensor(2.0)).item() == 20.0
    assert m(gt.tensor(2.0), k=3.0).item() == 6.0
    assert order == ["first", "second"] * 2
    h = m.register_forward_hook(lambda mod, a, kw, out: out * 0, with_kwargs=True)
    assert m(gt.tensor(2.0)).item() == 0.0
    h.remove()
    bad = m.register_forward_pre_hook(lambda mod, a, kw: 5, with_kwargs=True)
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
        m(gt.tensor(1.0))
    bad.remove()


def test_always_call_hook_runs_when_forward_raises():
    class Boom(gt.nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    seen = []
    m = Boom()
    m.register_forward_hook(lambda mod, a, out: seen.append(out), always_call=True)
    with pytest.raises(ValueError, match="boom"):
        m(1)
    assert seen == [None]


# ---- state_dict hooks --------------------------------------------------------------------------
def test_state_dict_and_load_hooks():
    net = gt.nn.Sequential(gt.nn.Linear(2, 2))
    calls = []
    pre = net.register_state_dict_pre_hook(lambda m, prefix, keep: calls.append(("pre", prefix)))
    net[0].register_state_dict_post_hook(lambda m, sd, prefix, meta: sd.pop(prefix + "bias"))
    sd = net.state_dict()
    assert calls == [("pre", "")] and list(sd) == ["0.weight"]
    pre.remove()
    net.state_dict()
    assert len(calls) == 1

    def rename(module, state_dict, prefix, *rest):
        if prefix + "w" in state_dict:
            state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")

    def forgive(module, keys):
        keys.missing_keys.clear()

    lin = gt.nn.Linear(2, 2)
    lin.register_load_state_dict_pre_hook(rename)
    lin.register_load_state_dict_post_hook(forgive)
    result = lin.load_state_dict({"w": gt.ones(2, 2)})
    assert repr(result) == "<All keys matched successfully>"
    assert lin.weight.detach().numpy().tolist() == [[1.0, 1.0], [1.0, 1.0]]


# ---- backward hooks ----------------------------------------------------------------------------
def _backward_hook_scenarios(lib):
    """Backward hooks in the situations torch distinguishes; returns everything they saw."""
    import warnings as w

    nn = lib.nn

    def fmt(gs):
        return [None if g is None else [round(v, 4) for v in g.flatten().tolist()] for g in gs]

    log = []
    lin = nn.Linear(2, 2)
    with lib.no_grad():
        lin.weight.copy_(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
        lin.bias.zero_()
    h = lin.register_full_backward_hook(lambda m, gi, go: log.append(("post", fmt(gi), fmt(go))))
    y = lin(lib.ones(1, 2))
    log.append(type(y.grad_fn).__name__)
    with w.catch_warnings(record=True) as caught:
        w.simplefilter("always")
        y.sum().backward()
    log.append([str(c.message) for c in caught])
    x = lib.ones(1, 2, requires_grad=True)
    lin.register_full_backward_pre_hook(lambda m, go: log.append(("pre", fmt(go))) or (go[0] * 2,))
    lin(x).sum().backward()
    log.append(fmt([x.grad]))
    h.remove()
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0 + 5,))
    x.grad = None
    lin(x).sum().backward()
    log.append(fmt([x.grad]))

    class Two(nn.Module):
        def forward(self, a, b, k=1):
            return a * b * k

    two = Two()
    two.register_full_backward_hook(lambda m, gi, go: log.append((len(gi), fmt(gi), fmt(go))))
    a, b = lib.ones(2, requires_grad=True), lib.full((2,), 2.0)
    two(a, b, k=3).sum().backward()
    two(a, 3.0).sum().backward()
    log.append(fmt([a.grad]))

    class Pair(nn.Module):
        def forward(self, a):
            return a * 2, a * 3

    pair = Pair()
    pair.register_full_backward_hook(lambda m, gi, go: log.append(("pair", fmt(gi), fmt(go))))
    pair.register_full_backward_pre_hook(lambda m, go: log.append(("pairpre", fmt(go))))
    a = lib.ones(2, requires_grad=True)
    o1, o2 = pair(a)
    (o1.sum() + 2 * o2.sum()).backward()
    log.append(fmt([a.grad]))

    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    for i, m in enumerate(net):
        m.register_full_backward_hook(lambda m, gi, go, i=i: log.append(i))
    net.register_full_backward_hook(lambda m, gi, go: log.append("net"))
    with w.catch_warnings():
        w.simplefilter("ignore")
        net(lib.ones(4, 2)).sum().backward()
    with lib.no_grad():
        log.append(lin(x).grad_fn)
    return log


@needs_torch
def test_full_backward_hooks_match_torch():
    ours, theirs = both(_backward_hook_scenarios)
    assert ours == theirs


@needs_torch
@pytest.mark.parametrize("kind", ["post", "pre", "no-input-grad"])
def test_backward_hook_errors_match_torch(kind):
    def run(lib):
        import warnings as w

        lin = lib.nn.Linear(2, 2)
        x = lib.ones(1, 2, requires_grad=kind != "no-input-grad")
        if kind == "pre":
            lin.register_full_backward_pre_hook(lambda m, go: (1, 2))
        elif kind == "post":
            lin.register_full_backward_hook(lambda m, gi, go: (1, 2))
        else:
            lin.register_full_backward_hook(lambda m, gi, go: (lib.ones(1, 2),))
        with w.catch_warnings():
            w.simplefilter("ignore")
            lin(x).sum().backward()

    same_error(run)


def test_backward_hook_can_replace_the_input_gradient_and_be_removed():
    lin = gt.nn.Linear(3, 1)
    x = gt.ones(2, 3, requires_grad=True)
    seen = []
    handle = lin.register_full_backward_hook(
        lambda m, gin, gout: seen.append((tuple(gin[0].shape), tuple(gout[0].shape)))
        or (gin[0] * 0,)
    )
    lin(x).sum().backward()
    assert seen == [((2, 3), (2, 1))] and float(x.grad.abs().sum()) == 0.0
    assert float(lin.weight.grad.abs().sum()) > 0, "parameter gradients are untouched"
    handle.remove()
    x.grad = None
    out = lin(x)
    assert type(out.grad_fn).__name__ == "AddmmBackward0"
    out.sum().backward()
    assert len(seen) == 1 and float(x.grad.abs().sum()) > 0
