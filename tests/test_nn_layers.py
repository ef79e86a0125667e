"""nn layers and containers against torch: Linear, Bilinear, LazyLinear, Flatten/Unflatten,
Embedding, Sequential/ModuleList/ModuleDict/ParameterList/ParameterDict, gradient clipping and a
small training loop."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glasstorch as gt
from oracle import assert_same, both, needs_torch, raised, same_error, torch


def load_from_torch(ours, theirs):
    ours.load_state_dict(
        {k: gt.tensor(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()}
    )


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def run_both(ours, theirs, *arrays, grad=True):
    """Forward (and backward of the sum) through both modules; compare outputs and grads."""
    xs_o = [gt.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    xs_t = [torch.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    out_o, out_t = ours(*xs_o), theirs(*xs_t)
    assert_same(out_o, out_t, rtol=1e-5, atol=1e-5)
    if grad:
        out_o.sum().backward()
        out_t.sum().backward()
        for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
            assert_same(p.grad, q.grad, rtol=1e-5, atol=1e-5, msg=name)
        for a, b in zip(xs_o, xs_t):
            if b.grad is not None:
                assert_same(a.grad, b.grad, rtol=1e-5, atol=1e-5)
    return out_o


# ---- Linear ----------------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 5, 3)])
def test_linear_forward_backward_match_torch(bias, shape):
    ours, theirs = both(lambda lib: lib.nn.Linear(3, 2, bias=bias))
    load_from_torch(ours, theirs)
    out = run_both(ours, theirs, rand(*shape))
    assert out.grad_fn is not None


@needs_torch
def test_linear_attributes_repr_and_default_init():
    ours, theirs = both(lambda lib: lib.nn.Linear(400, 30))
    assert repr(ours) == repr(theirs)
    assert ours.weight.shape == theirs.weight.shape and ours.bias.shape == theirs.bias.shape
    assert (ours.in_features, ours.out_features) == (400, 30)
    bound = 1 / np.sqrt(400)
    for p in (ours.weight, ours.bias):
        values = p.detach().numpy()
        assert p.dtype == gt.float32 and np.abs(values).max() <= bound
    w = ours.weight.detach().numpy()
    assert np.abs(w).max() > 0.9 * bound and abs(w.std() - bound / np.sqrt(3)) < 0.1 * bound
    assert repr(gt.nn.Linear(2, 3, bias=False)) == repr(torch.nn.Linear(2, 3, bias=False))
    assert gt.nn.Linear(2, 3, bias=False).bias is None
    assert gt.nn.Linear(2, 3, dtype=gt.float64).weight.dtype == gt.float64


@needs_torch
def test_linear_wrong_in_features_message():
    same_error(lambda lib: lib.nn.Linear(10, 5)(lib.zeros(64, 20)))


def test_linear_reset_parameters_is_reproducible_with_manual_seed():
    gt.manual_seed(3)
    a = gt.nn.Linear(4, 4)
    gt.manual_seed(3)
    b = gt.nn.Linear(4, 4)
    assert np.array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    assert np.array_equal(a.bias.detach().numpy(), b.bias.detach().numpy())


@needs_torch
def test_identity_and_bilinear_match_torch():
    ours, theirs = both(lambda lib: lib.nn.Identity(3, unused=True))
    assert repr(ours) == repr(theirs)
    x = gt.ones(2)
    assert ours(x) is x
    ours, theirs = both(lambda lib: lib.nn.Bilinear(3, 4, 2))
    assert repr(ours) == repr(theirs)
    load_from_torch(ours, theirs)
    run_both(ours, theirs, rand(5, 3), rand(5, 4, seed=1))
    bound = 1 / np.sqrt(3)
    assert np.abs(ours.weight.detach().numpy()).max() <= bound
    run_both(ours, theirs, rand(3), rand(4, seed=1))
    run_both(ours, theirs, rand(2, 5, 3), rand(2, 5, 4, seed=1))


@needs_torch
@pytest.mark.parametrize("shapes", [((5, 2), (5, 2)), ((5, 3), (5, 3)), ((5, 2), (4, 3)),
                                    ((6, 5, 2), (5, 3)), ((), ())])
def test_bilinear_shape_errors_match_torch(shapes):
    same_error(lambda lib: lib.nn.Bilinear(2, 3, 4)(lib.ones(shapes[0]), lib.ones(shapes[1])))
    same_error(lambda lib: lib.nn.Bilinear(2, 3, 4)(lib.ones(5, 2),
                                                    lib.ones(5, 3, dtype=lib.float64)))


@needs_torch
def test_lazy_linear_infers_in_features_and_becomes_linear():
    ours, theirs = both(lambda lib: lib.nn.LazyLinear(3))
    assert repr(ours) == repr(theirs)
    assert repr(ours.weight) == repr(theirs.weight) == "<UninitializedParameter>"
    assert ours.has_uninitialized_params()
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        ours.weight.shape  # noqa: B018 - the access itself must raise
    with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter in add"):
        ours.weight.add(1)
    assert str(ours.weight.dtype) == str(theirs.weight.dtype)
    assert ours.to(gt.float32) is ours
    out = ours(gt.ones(2, 7))
    theirs(torch.ones(2, 7))
    assert type(ours) is gt.nn.Linear and repr(ours) == repr(theirs)
    assert tuple(out.shape) == (2, 3) and type(ours.weight) is gt.nn.Parameter
    assert np.abs(ours.weight.detach().numpy()).max() <= 1 / np.sqrt(7)
    assert list(ours._forward_pre_hooks) == []
    lazy = gt.nn.LazyLinear(3)
    lazy.load_state_dict(ours.state_dict())
    assert tuple(lazy.weight.shape) == (3, 7)
    assert np.array_equal(lazy.weight.detach().numpy(), ours.weight.detach().numpy())
    lazy(gt.ones(1, 7))
    assert repr(lazy) == repr(ours)


# ---- Flatten / Unflatten / Embedding ---------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("args", [(), (0,), (1, 2), (0, -2)])
def test_flatten_matches_torch(args):
    ours, theirs = both(lambda lib: lib.nn.Flatten(*args))
    assert repr(ours) == repr(theirs)
    run_both(ours, theirs, rand(2, 3, 4, 5))


@needs_torch
def test_unflatten_matches_torch():
    ours, theirs = both(lambda lib: lib.nn.Unflatten(1, (2, 5)))
    assert repr(ours) == repr(theirs)
    run_both(ours, theirs, rand(3, 10))
    ours, theirs = both(lambda lib: lib.nn.Unflatten(-1, [2, -1]))
    run_both(ours, theirs, rand(3, 10))
    same_error(lambda lib: lib.nn.Unflatten(1, 5))
    same_error(lambda lib: lib.nn.Unflatten(1, (2, 2.5)))


@needs_torch
@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 0}, {"padding_idx": -1},
                                    {"max_norm": 1.5, "norm_type": 1.0},
                                    {"scale_grad_by_freq": True}])
def test_embedding_matches_torch(kwargs):
    ours, theirs = both(lambda lib: lib.nn.Embedding(6, 3, **kwargs))
    assert repr(ours) == repr(theirs)
    if "padding_idx" in kwargs:
        assert float(ours.weight.detach()[ours.padding_idx].abs().sum()) == 0.0
    load_from_torch(ours, theirs)
    ids = np.array([[1, 2, 0], [5, 2, 2]], dtype=np.int64)
    run_both(ours, theirs, ids)


def test_embedding_init_is_standard_normal():
    gt.manual_seed(0)
    w = gt.nn.Embedding(4000, 8).weight.detach().numpy()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02


@needs_torch
def test_embedding_from_pretrained_and_errors():
    def make(lib):
        return lib.nn.Embedding.from_pretrained(lib.tensor([[1.0, 2.3], [4.0, 5.1]]))
    ours, theirs = both(make)
    assert repr(ours) == repr(theirs) and not ours.weight.requires_grad
    assert_same(ours(gt.tensor([1])), theirs(torch.tensor([1])))
    table = gt.zeros(3, 2)
    shared = gt.nn.Embedding.from_pretrained(table, freeze=False)
    assert shared.weight.requires_grad
    with gt.no_grad():
        shared.weight.fill_(1.0)
    assert float(table.sum()) == 6.0
    same_error(lambda lib: lib.nn.Embedding(3, 2, padding_idx=5))
    same_error(lambda lib: lib.nn.Embedding.from_pretrained(lib.zeros(3)))


# ---- containers ------------------------------------------------------------------------------
@needs_torch
def test_sequential_indexing_slicing_and_editing_match_torch():
    def ops(lib):
        nn = lib.nn
        s = nn.Sequential(nn.Linear(1, 2), nn.Identity(), nn.Linear(2, 3))
        out = [repr(s[-1]), repr(s[0:2]), type(s[1:]).__name__, len(s), [repr(m) for m in s]]
        s.append(nn.Flatten())
        s.insert(1, nn.Linear(2, 2, bias=False))
        s.insert(-1, nn.Identity())
        out.append(repr(s))
        out.append(repr(s.pop(1)))
        del s[0]
        s[0] = nn.Linear(5, 5)
        out.append(repr(s))
        del s[1:3]
        s.extend(nn.Sequential(nn.Identity()))
        out.append(repr(s + nn.Sequential(nn.Linear(1, 1))))
        out.append([k for k, _ in s.named_children()])
        return out

    ours, theirs = both(ops)
    assert ours == theirs
    for bad in (lambda lib: lib.nn.Sequential(lib.nn.Identity())[3],
                lambda lib: lib.nn.Sequential(lib.nn.Identity())[-2],
                lambda lib: lib.nn.Sequential(lib.nn.Identity())["a"],
                lambda lib: lib.nn.Sequential() + 3):
        same_error(bad)


@needs_torch
def test_sequential_from_ordered_dict_and_forward():
    from collections import OrderedDict

    def make(lib):
        nn = lib.nn
        return nn.Sequential(OrderedDict([("flat", nn.Flatten()), ("fc", nn.Linear(6, 2))]))

    ours, theirs = both(make)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["fc.weight", "fc.bias"]
    load_from_torch(ours, theirs)
    run_both(ours, theirs, rand(4, 2, 3))


@needs_torch
def test_module_list_and_dict_match_torch():
    def ops(lib):
        nn = lib.nn
        ml = nn.ModuleList([nn.Linear(1, 1), nn.Identity()])
        ml.append(nn.Linear(2, 2))
        ml.extend([nn.Identity()])
        ml.insert(1, nn.Flatten())
        ml += [nn.Identity()]
        out = [repr(ml), repr(ml[-1]), repr(ml[1:3]), len(ml)]
        del ml[0]
        ml[0] = nn.Linear(3, 3)
        out.append(repr(ml.pop(-1)))
        out.append([n for n, _ in ml.named_parameters()])
        md = nn.ModuleDict({"b": nn.Linear(1, 1), "a": nn.Identity()})
        md.update([("c", nn.Flatten())])
        md["d"] = nn.Linear(2, 1)
        out += [repr(md), list(md), list(md.keys()), "a" in md, len(md)]
        out.append(repr(md.pop("a")))
        out.append([n for n, _ in md.named_parameters()])
        return out

    ours, theirs = both(ops)
    assert ours == theirs
    for bad in (lambda lib: lib.nn.ModuleList([lib.nn.Identity()])[5],
                lambda lib: lib.nn.ModuleList().extend(3),
                lambda lib: lib.nn.ModuleList()["a"],
                lambda lib: lib.nn.ModuleDict()["b"],
                lambda lib: lib.nn.ModuleDict([("a", lib.nn.Identity(), 1)]),
                lambda lib: lib.nn.ModuleList()(1)):
        same_error(bad)


@needs_torch
def test_parameter_list_and_dict_match_torch():
    def ops(lib):
        nn = lib.nn
        pl = nn.ParameterList([nn.Parameter(lib.zeros(2, 3)), lib.ones(4)])
        out = [repr(pl), repr(nn.ParameterList([nn.Parameter(lib.zeros(1))])), len(pl)]
        pl.append(nn.Parameter(lib.zeros(1, dtype=lib.float64)))
        out += [repr(pl), [n for n, _ in pl.named_parameters()], type(pl[1]).__name__]
        pd = nn.ParameterDict({"w": nn.Parameter(lib.zeros(2, 3)), "b": lib.ones(2)})
        pd["c"] = lib.zeros(1)
        out += [repr(pd), list(pd), [n for n, _ in pd.named_parameters()], "w" in pd]
        out.append(repr(pd.pop("b")))
        out.append(list(pd.keys()))
        return out

    ours, theirs = both(ops)
    assert ours == theirs
    same_error(lambda lib: lib.nn.ParameterList()(1))
    same_error(lambda lib: lib.nn.ParameterDict()[1])


# ---- nn.utils --------------------------------------------------------------------------------
def _grads(lib, values):
    params = []
    for v in values:
        p = lib.nn.Parameter(lib.zeros(len(v)))
        p.grad = lib.tensor(v)
        params.append(p)
    return params


@needs_torch
@pytest.mark.parametrize("norm_type", [2.0, 1, float("inf"), 3.0])
@pytest.mark.parametrize("max_norm", [1.0, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    values = [[3.0, -4.0, 1.0], [0.5, 2.0]]

    def clip(lib):
        params = _grads(lib, values)
        total = lib.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
        return total, [p.grad for p in params]

    (total_o, grads_o), (total_t, grads_t) = both(clip)
    assert_same(total_o, total_t)
    assert_same(grads_o, grads_t)


@needs_torch
def test_clip_grad_norm_edge_cases_match_torch():
    ours, theirs = both(lambda lib: lib.nn.utils.clip_grad_norm_([], 1.0))
    assert_same(ours, theirs)
    ours, theirs = both(
        lambda lib: lib.nn.utils.clip_grad_norm_(lib.nn.Parameter(lib.ones(2)), 1.0)
    )
    assert_same(ours, theirs)
    same_error(lambda lib: lib.nn.utils.clip_grad_norm_(
        _grads(lib, [[1.0, float("inf")]]), 1.0, error_if_nonfinite=True))
    single = _grads(gt, [[3.0, 4.0]])[0]
    assert float(gt.nn.utils.clip_grad_norm_(single, 1.0)) == 5.0
    np.testing.assert_allclose(single.grad.numpy(), [0.6, 0.8], rtol=1e-5)


@needs_torch
def test_clip_grad_value_and_vector_conversion_match_torch():
    def clip(lib):
        params = _grads(lib, [[3.0, -4.0, 0.05]])
        assert lib.nn.utils.clip_grad_value_(params, 0.1) is None
        return params[0].grad

    assert_same(*both(clip))

    def vec(lib):
        a, b = lib.nn.Parameter(lib.ones(2, 2)), lib.nn.Parameter(lib.zeros(3))
        v = lib.nn.utils.parameters_to_vector([a, b])
        lib.nn.utils.vector_to_parameters(lib.arange(7.0), [a, b])
        return v, a, b

    assert_same(*both(vec))
    same_error(lambda lib: lib.nn.utils.vector_to_parameters([1], []))


# ---- training --------------------------------------------------------------------------------
@needs_torch
def test_two_layer_mlp_training_matches_torch():
    def make(lib):
        nn = lib.nn
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))

    ours, theirs = both(make)
    load_from_torch(ours, theirs)
    x = rand(16, 4)
    y = np.random.default_rng(1).integers(0, 3, 16)
    for lib, net in ((gt, ours), (torch, theirs)):
        xs, ys = lib.tensor(x), lib.tensor(y)
        loss_fn = lib.nn.CrossEntropyLoss()
        for _ in range(5):
            net.zero_grad()
            loss = loss_fn(net(xs), ys)
            loss.backward()
            with lib.no_grad():
                for p in net.parameters():
                    p -= 0.1 * p.grad
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        assert_same(p, q, rtol=1e-5, atol=1e-6, msg=name)


@needs_torch
def test_parameter_dict_mapping_methods_match_torch():
    def run(lib):
        pd = lib.nn.ParameterDict({"a": lib.nn.Parameter(lib.ones(1))})
        out = [repr(pd.setdefault("b", lib.zeros(2))), repr(pd.setdefault("a", None))]
        out += [repr(pd.popitem()), list(pd), repr(pd.copy()), pd.copy()["a"] is pd["a"]]
        out += [repr(pd.fromkeys(["q", "r"], lib.ones(1))), repr(pd.fromkeys(["q"]))]
        out.append(raised(lambda _: lib.nn.ParameterDict().popitem(), lib))
        return out

    ours, theirs = both(run)
    assert ours == theirs


def test_to_empty_keeps_shapes_and_identity():
    lin = gt.nn.Linear(3, 2)
    weight = lin.weight
    assert lin.to_empty(device="cpu") is lin and lin.weight is weight
    assert tuple(lin.weight.shape) == (2, 3) and lin.weight.dtype == gt.float32


_EDITS = st.lists(st.tuples(st.sampled_from(["append", "insert", "del", "set", "pop"]),
                            st.integers(-6, 6)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(edits=_EDITS)
def test_sequential_and_module_list_edit_like_python_lists(edits):
    """Random edits applied to a Sequential, a ModuleList and a plain list agree: same modules in
    the same order, children named '0', '1', ... and the same IndexErrors."""
    pool = [gt.nn.Identity() for _ in range(20)]
    fresh = iter(pool)
    start = [next(fresh) for _ in range(3)]
    seq, mlist, ref = gt.nn.Sequential(*start), gt.nn.ModuleList(start), list(start)
    for op, i in edits:
        if op in ("append", "insert"):
            m = next(fresh, None) or gt.nn.Identity()
            if op == "append":
                for container in (seq, mlist, ref):
                    container.append(m)
            elif -len(ref) <= i <= len(ref):
                for container in (seq, mlist, ref):
                    container.insert(i, m)
            continue
        if not -len(ref) <= i < len(ref):
            for container in (seq, mlist):
                with pytest.raises(IndexError, match=f"index {i} is out of range"):
                    container[i]
            continue
        if op == "del":
            del seq[i], mlist[i], ref[i]
        elif op == "set":
            m = gt.nn.Identity()
            seq[i], mlist[i], ref[i] = m, m, m
        else:
            assert seq.pop(i) is mlist.pop(i) is ref.pop(i)
    for container in (seq, mlist):
        assert list(container) == ref and len(container) == len(ref)
        assert list(container._modules) == [str(k) for k in range(len(ref))]


@needs_torch
def test_uninitialized_buffer_and_parameter_materialize_like_torch():
    def run(lib):
        buf = lib.nn.UninitializedBuffer()
        param = lib.nn.UninitializedParameter(dtype=lib.float64)
        out = [repr(buf), str(buf.dtype), repr(param), str(param.dtype)]
        holder = lib.nn.Module()
        holder.register_buffer("running", buf)
        out.append(raised(lambda _: holder.state_dict(), lib)[0])
        buf.materialize((2, 3))
        param.materialize(3)
        out += [type(buf).__name__, tuple(buf.shape), type(param).__name__, str(param.dtype),
                param.requires_grad, list(holder.state_dict())]
        return out

    ours, theirs = both(run)
    assert ours == theirs
