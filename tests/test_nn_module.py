"""nn.Module and nn.Parameter against torch: registration, traversal, state_dict, modes,
conversion and printed forms."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import glasstorch as gt
from oracle import both, needs_torch, raised, same_error, torch


def copy_weights(ours, theirs):
    """Load torch module ``theirs``'s parameters and buffers into glasstorch module ``ours``."""
    sd = {k: gt.tensor(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()}
    ours.load_state_dict(sd)


def mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(6, 4), nn.Linear(4, 2))


class _Net:
    """A custom module defined the same way for both libraries."""

    @staticmethod
    def make(lib):
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin1 = nn.Linear(3, 5)
                self.blocks = nn.ModuleList([nn.Linear(5, 5), nn.Linear(5, 5, bias=False)])
                self.register_buffer("steps", lib.zeros(1))
                self.register_buffer("scratch", lib.ones(2), persistent=False)
                self.scale = nn.Parameter(lib.ones(1))
                self.head = nn.Sequential(nn.Linear(5, 2))

            def forward(self, x):
                x = self.lin1(x)
                for b in self.blocks:
                    x = b(x)
                return self.head(x) * self.scale

        return Net()


# ---- Parameter ------------------------------------------------------------------------------
def test_parameter_wraps_a_computed_tensor_as_a_leaf_sharing_memory():
    base = gt.ones(3, requires_grad=True)
    computed = base * 2
    p = gt.nn.Parameter(computed)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    assert isinstance(p, gt.Tensor) and type(p) is gt.nn.Parameter
    with gt.no_grad():
        p.mul_(2)
    assert computed.detach().numpy().tolist() == [4.0, 4.0, 4.0], "shares memory"
    (p * 3).sum().backward()
    assert p.grad.tolist() == [3.0, 3.0, 3.0] and base.grad is None


@needs_torch
@pytest.mark.parametrize("rg", [True, False])
def test_parameter_repr_matches_torch(rg):
    ours, theirs = both(lambda lib: lib.nn.Parameter(lib.tensor([1.5, -2.0]), requires_grad=rg))
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    ours, theirs = both(lambda lib: lib.nn.Parameter())
    assert repr(ours) == repr(theirs)


@needs_torch
def test_parameter_of_integers_must_not_require_grad():
    same_error(lambda lib: lib.nn.Parameter(lib.zeros(2, dtype=lib.int64)))
    p = gt.nn.Parameter(gt.zeros(2, dtype=gt.int64), requires_grad=False)
    assert not p.requires_grad


def test_parameter_deepcopy_and_pickle_keep_type_and_values():
    p = gt.nn.Parameter(gt.tensor([1.0, 2.0]))
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is gt.nn.Parameter and q.requires_grad
        assert q.tolist() == [1.0, 2.0]
        with gt.no_grad():
            q.zero_()
        assert p.tolist() == [1.0, 2.0]


def test_buffer_marker_registers_a_buffer():
    m = gt.nn.Module()
    m.stats = gt.nn.Buffer(gt.zeros(2), persistent=False)
    m.count = gt.nn.Buffer(gt.zeros(1))
    assert [n for n, _ in m.named_buffers()] == ["stats", "count"]
    assert list(m.state_dict()) == ["count"]
    assert isinstance(m.count, gt.nn.Buffer) and not isinstance(gt.zeros(1), gt.nn.Buffer)


# ---- registration -----------------------------------------------------------------------------
@needs_torch
def test_named_parameters_buffers_children_modules_match_torch():
    ours, theirs = both(_Net.make)
    for method in ("named_parameters", "named_buffers", "named_children", "named_modules"):
        names = [n for n, _ in getattr(ours, method)()]
        assert names == [n for n, _ in getattr(theirs, method)()], method
    shapes = [tuple(p.shape) for p in ours.parameters()]
    assert shapes == [tuple(p.shape) for p in theirs.parameters()]
    assert [n for n, _ in ours.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in ours.named_parameters(prefix="net")][0] == "net.scale"
    assert len(list(ours.children())) == 3 and len(list(ours.modules())) == 7


def test_shared_module_and_parameter_are_yielded_once():
    lin = gt.nn.Linear(2, 2)
    seq = gt.nn.Sequential(lin, gt.nn.Identity(), lin)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(seq.parameters())) == 2
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    tied = gt.nn.Module()
    tied.a = gt.nn.Linear(2, 2, bias=False)
    tied.b = gt.nn.Linear(2, 2, bias=False)
    tied.b.weight = tied.a.weight
    assert [n for n, _ in tied.named_parameters()] == ["a.weight"]


@needs_torch
@pytest.mark.parametrize("case", [
    lambda lib: setattr(lib.nn.Linear(2, 3), "weight", lib.zeros(3, 2)),
    lambda lib: setattr(lib.nn.Linear(2, 3), "weight", 3),
    lambda lib: lib.nn.Linear(2, 3).register_buffer("weight", lib.zeros(1)),
    lambda lib: lib.nn.Linear(2, 3).register_buffer("a.b", lib.zeros(1)),
    lambda lib: lib.nn.Linear(2, 3).register_buffer("", lib.zeros(1)),
    lambda lib: lib.nn.Linear(2, 3).register_buffer("x", 3),
    lambda lib: lib.nn.Linear(2, 3).register_buffer(3, None),
    lambda lib: lib.nn.Linear(2, 3).register_parameter("x", lib.zeros(1)),
    lambda lib: lib.nn.Linear(2, 3).register_parameter(3, None),
    lambda lib: lib.nn.Linear(2, 3).register_parameter("y", lib.nn.Parameter(lib.ones(1)) * 2),
    lambda lib: lib.nn.Linear(2, 3).add_module("x", 3),
    lambda lib: lib.nn.Linear(2, 3).add_module("a.b", lib.nn.Identity()),
    lambda lib: lib.nn.Linear(2, 3).add_module("weight", lib.nn.Identity()),
    lambda lib: lib.nn.Linear(2, 3).add_module(3, lib.nn.Identity()),
    lambda lib: lib.nn.Linear(2, 3).foo,
    lambda lib: lib.nn.Module(3),
    lambda lib: lib.nn.Module(x=3),
    lambda lib: lib.nn.Module()(lib.zeros(1)),
    lambda lib: lib.nn.Linear(2, 3).train(1),
    lambda lib: lib.nn.Linear(2, 3).get_submodule("a.b"),
    lambda lib: lib.nn.Linear(2, 3).get_parameter("foo"),
    lambda lib: lib.nn.Sequential(lib.nn.Linear(2, 3)).get_parameter("0.in_features"),
])
def test_registration_errors_match_torch(case):
    same_error(case)


@needs_torch
def test_assignment_type_errors_match_torch():
    def buffer_int(lib):
        m = lib.nn.Linear(1, 1)
        m.register_buffer("rb", lib.ones(1))
        m.rb = 3

    def child_int(lib):
        m = lib.nn.Linear(1, 1)
        m.sub = lib.nn.Identity()
        m.sub = 3

    def early(kind):
        def make(lib):
            class M(lib.nn.Module):
                def __init__(self):
                    if kind == "module":
                        self.l = lib.nn.Identity()
                    elif kind == "param":
                        self.p = lib.nn.Parameter(lib.zeros(1))
                    else:
                        self.register_buffer("b", lib.zeros(1))
            M()
        return make

    for case in (buffer_int, child_int, early("module"), early("param"), early("buffer")):
        same_error(case)


def test_reassignment_moves_between_registries_and_delattr():
    m = gt.nn.Module()
    m.x = gt.nn.Identity()
    m.x = gt.nn.Parameter(gt.zeros(1))
    assert "x" in m._parameters and "x" not in m._modules
    with pytest.raises(TypeError, match="cannot assign .* as parameter 'x'"):
        m.x = gt.nn.Identity()
    m.register_buffer("b", gt.ones(1))
    m.b = None
    assert m.b is None and "b" in m._buffers and list(m.buffers()) == []
    del m.b, m.x
    assert not m._buffers and not m._modules
    m.w = gt.nn.Parameter(gt.zeros(1))
    m.w = None
    assert m.w is None and list(m.parameters()) == []
    m.plain = 5
    del m.plain
    with pytest.raises(AttributeError):
        assert m.plain is None, "deleted attribute must not be found"


def test_dir_lists_registered_names_but_not_numbers():
    net = gt.nn.Sequential(gt.nn.Linear(1, 1))
    assert "0" not in dir(net) and "forward" in dir(net)
    lin = gt.nn.Linear(1, 1)
    assert {"weight", "bias", "in_features"} <= set(dir(lin))


def test_apply_visits_children_first_then_self():
    seen = []
    net = gt.nn.Sequential(gt.nn.Linear(1, 1), gt.nn.Sequential(gt.nn.Identity()))
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "Identity", "Sequential", "Sequential"]


# ---- state_dict -------------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("make", [mlp, _Net.make, lambda lib: lib.nn.Embedding(5, 3)])
def test_state_dict_keys_and_shapes_match_torch(make):
    ours, theirs = both(make)
    sd_o, sd_t = ours.state_dict(), theirs.state_dict()
    assert type(sd_o).__name__ == "OrderedDict"
    assert [(k, tuple(v.shape)) for k, v in sd_o.items()] == [
        (k, tuple(v.shape)) for k, v in sd_t.items()
    ]
    assert all(not v.requires_grad for v in sd_o.values())
    assert list(sd_o._metadata) == list(sd_t._metadata)
    kept = ours.state_dict(keep_vars=True)
    assert all(kept[n] is p for n, p in ours.named_parameters())


@needs_torch
def test_load_state_dict_from_torch_weights_gives_torch_outputs():
    ours, theirs = both(_Net.make)
    copy_weights(ours, theirs)
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(
        ours(gt.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
        rtol=1e-5, atol=1e-6,
    )


@needs_torch
@pytest.mark.parametrize("entries", [
    {"weight": ((3, 3),), "foo": ((1,),)},
    {"bias": ((2,),), "foo": ((1,),), "bar": ((1,),)},
    {"weight": ((3, 3),), "bias": ((3,),)},
    {"weight": 3, "bias": ((3,),)},
])
def test_load_state_dict_error_messages_match_torch(entries):
    def load(lib):
        sd = {k: (v if isinstance(v, int) else lib.zeros(*v)) for k, v in entries.items()}
        lib.nn.Linear(2, 3).load_state_dict(sd)
    same_error(load)


@needs_torch
def test_load_state_dict_nested_unexpected_keys_and_non_mapping():
    keys = {"0.weight": (2, 2), "0.bias": (2,), "0.x": (1,), "1.y": (1,), "q": (1,)}
    same_error(lambda lib: lib.nn.Sequential(lib.nn.Linear(2, 2)).load_state_dict(
        {k: lib.zeros(*s) for k, s in keys.items()}))
    same_error(lambda lib: lib.nn.Linear(2, 3).load_state_dict([1]))


@needs_torch
def test_load_state_dict_non_strict_returns_incompatible_keys():
    def load(lib):
        return lib.nn.Linear(2, 3).load_state_dict(
            {"bias": lib.zeros(3), "foo": lib.zeros(1)}, strict=False
        )
    ours, theirs = both(load)
    assert repr(ours) == repr(theirs)
    assert ours.missing_keys == ["weight"] and ours.unexpected_keys == ["foo"]
    ours, theirs = both(lambda lib: (m := lib.nn.Linear(2, 3)).load_state_dict(m.state_dict()))
    assert repr(ours) == repr(theirs) == "<All keys matched successfully>"
    assert tuple(ours) == ([], [])


def test_load_state_dict_copies_in_place_and_assign_replaces():
    src, dst = gt.nn.Linear(2, 3), gt.nn.Linear(2, 3)
    weight = dst.weight
    dst.load_state_dict(src.state_dict())
    assert dst.weight is weight
    assert np.array_equal(dst.weight.detach().numpy(), src.weight.detach().numpy())
    dst.load_state_dict(src.state_dict(), assign=True)
    assert dst.weight is not weight and isinstance(dst.weight, gt.nn.Parameter)
    assert dst.weight.requires_grad


# ---- modes, gradients, conversion ------------------------------------------------------------
def test_train_eval_flags_propagate():
    net = gt.nn.Sequential(gt.nn.Linear(1, 1), gt.nn.Sequential(gt.nn.Identity()))
    assert net.training and net.eval() is net
    assert all(not m.training for m in net.modules())
    net[1].train()
    assert net[1][0].training and not net.training
    assert net.train() is net and all(m.training for m in net.modules())


def test_zero_grad_and_requires_grad():
    net = mlp(gt)
    net(gt.ones(2, 6)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0.0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())


@needs_torch
def test_to_double_float_keep_parameter_identity():
    net = _Net.make(gt)
    params = list(net.parameters())
    net(gt.ones(1, 3)).sum().backward()
    assert net.to(gt.float64) is net
    assert [p is q for p, q in zip(net.parameters(), params)] == [True] * len(params)
    assert all(p.dtype == gt.float64 and p.grad.dtype == gt.float64 for p in params)
    assert net.steps.dtype == gt.float64
    assert net.float() is net and all(p.dtype == gt.float32 for p in params)
    assert net.double().lin1.weight.dtype == gt.float64
    assert net.to("cpu") is net and net.cpu() is net
    assert net.to(gt.zeros(1)).lin1.weight.dtype == gt.float32
    same_error(lambda lib: lib.nn.Linear(2, 3).to(lib.int64))


def test_deepcopy_of_a_module_is_independent():
    net = mlp(gt)
    twin = copy.deepcopy(net)
    with gt.no_grad():
        twin[1].weight.fill_(0.0)
    assert float(net[1].weight.detach().abs().sum()) > 0
    assert type(twin[1].weight) is gt.nn.Parameter and twin[1].weight.requires_grad


# ---- printing ---------------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("make", [
    mlp,
    _Net.make,
    lambda lib: lib.nn.Module(),
    lambda lib: lib.nn.Sequential(),
    lambda lib: lib.nn.ModuleList(),
    lambda lib: lib.nn.Sequential(lib.nn.Sequential(lib.nn.Sequential(lib.nn.Identity()))),
    lambda lib: lib.nn.ModuleList([lib.nn.Linear(1, 1) for _ in range(3)] + [lib.nn.Identity()]),
    lambda lib: lib.nn.ModuleList([lib.nn.Sequential(lib.nn.Linear(1, 1)) for _ in range(2)]),
    lambda lib: lib.nn.ModuleDict({"a": lib.nn.Identity(), "b": lib.nn.Linear(2, 2)}),
])
def test_printed_form_matches_torch(make):
    ours, theirs = both(make)
    assert repr(ours) == repr(theirs)


@needs_torch
def test_printed_form_with_multiline_extra_repr_matches_torch():
    def make(lib):
        class Layer(lib.nn.Module):
            def __init__(self, lines):
                super().__init__()
                self.lines = lines
                if lines > 1:
                    self.inner = lib.nn.Linear(1, 2)

            def extra_repr(self):
                return "\n".join(f"setting{i}=True" for i in range(self.lines))

        return lib.nn.Sequential(Layer(1), Layer(2), Layer(3))

    ours, theirs = both(make)
    assert repr(ours) == repr(theirs)


def test_pickle_round_trip_keeps_structure_sharing_and_hooks():
    lin = gt.nn.Linear(2, 2)
    net = gt.nn.Sequential(lin, gt.nn.Identity(), lin)
    twin = pickle.loads(pickle.dumps(net))
    assert twin[0] is twin[2] and type(twin[0].weight) is gt.nn.Parameter
    x = gt.ones(1, 2)
    assert np.array_equal(twin(x).detach().numpy(), net(x).detach().numpy())
    lazy = pickle.loads(pickle.dumps(gt.nn.LazyLinear(3)))
    assert tuple(lazy(gt.ones(2, 4)).shape) == (2, 3) and type(lazy) is gt.nn.Linear
    assert not lazy._forward_pre_hooks
    lazy = copy.deepcopy(gt.nn.LazyLinear(3))
    assert lazy(gt.ones(2, 5)).shape == (2, 3) and lazy.in_features == 5


def test_writes_through_data_reach_shared_parameters():
    shared = gt.nn.Linear(8, 8)
    net = gt.nn.Sequential(gt.nn.Linear(4, 8), shared, gt.nn.Identity(), shared)
    net[1].weight.data[0, 0] = 100.0
    assert net[3].weight.detach()[0, 0].item() == 100.0
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    assert float(net[0].bias.detach().abs().sum()) == 0.0
    assert net.to(device=gt.device("cpu")) is net
    assert [p.shape for p in net.parameters()] == [(8, 4), (8,), (8, 8), (8,)]


@needs_torch
def test_extra_state_is_saved_and_restored_like_torch():
    def make(lib):
        class Counter(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = lib.nn.Linear(1, 1)
                self.count = 0

            def get_extra_state(self):
                return {"count": self.count}

            def set_extra_state(self, state):
                self.count = state["count"]

        return lib.nn.Sequential(Counter())

    def run(lib):
        src, dst = make(lib), make(lib)
        src[0].count = 7
        sd = src.state_dict()
        dst.load_state_dict(sd)
        del sd["0._extra_state"]
        missing = raised(lambda _: dst.load_state_dict(sd), lib)
        plain = lib.nn.Sequential(lib.nn.Linear(1, 1))
        extra = {"0.weight": lib.zeros(1, 1), "0.bias": lib.zeros(1), "0._extra_state": 1}
        unexpected = raised(lambda _: plain.load_state_dict(extra), lib)
        return list(src.state_dict()), dst[0].count, missing, unexpected

    ours, theirs = both(run)
    assert ours == theirs


@needs_torch
def test_get_and_set_submodule_match_torch():
    def run(lib):
        nn = lib.nn
        s = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.Identity()))
        s.set_submodule("1.0", nn.Flatten())
        s.set_submodule("2", nn.Identity())
        out = [repr(s), repr(s.get_submodule("1.0")), repr(s.get_parameter("0.bias").shape)]
        for target, module, strict in (("", nn.Identity(), False), ("3", nn.Identity(), True),
                                       ("5.x", nn.Identity(), False),
                                       ("0.weight", nn.Identity(), False),
                                       ("0.in_features.x", nn.Identity(), False),
                                       ("1.0", 3, False)):
            out.append(raised(lambda _, t=target, m=module, k=strict: s.set_submodule(t, m, k),
                              lib))
        out.append(raised(lambda lib: s.get_submodule("0.in_features"), lib))
        out.append(raised(lambda lib: s.get_buffer("0.weight"), lib))
        return out

    ours, theirs = both(run)
    assert ours == theirs


@needs_torch
def test_positional_state_dict_arguments_warn_as_torch():
    def run(lib):
        import warnings as w

        with w.catch_warnings(record=True) as caught:
            w.simplefilter("always")
            sd = lib.nn.Linear(1, 1).state_dict(None, "x.")
        return list(sd), [(c.category, str(c.message)) for c in caught]

    ours, theirs = both(run)
    assert ours == theirs
    net = _Net.make(gt)
    assert len(list(net.modules(remove_duplicate=False))) == len(list(net.modules()))
