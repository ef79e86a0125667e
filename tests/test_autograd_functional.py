"""glasstorch.autograd.functional against torch.autograd.functional.

One catalogue of functions (each written once, for either library) drives every comparison:
values (float64), the tensor-or-tuple structure of every result, requires_grad, and for
``create_graph=True`` the derivatives of the results themselves.
"""

import numpy as np
import pytest

import glasstorch as gt

RTOL, ATOL = 1e-10, 1e-12  # float64 throughout; the math is the same, only rounding differs


def AF(lib):
    return lib.autograd.functional


def _arrays(shapes, seed):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1.5, 1.5, s) for s in shapes]


def _tensors(lib, arrays, as_tuple, requires_grad=False):
    ts = tuple(lib.tensor(a.copy(), requires_grad=requires_grad) for a in arrays)
    return ts if as_tuple else ts[0]


W = np.random.default_rng(99).standard_normal((4, 3))

# name -> (function of lib returning func, input shapes, returns a tuple?)
FUNCS = {
    "elementwise": (lambda lib: lambda a: lib.sin(a) * a**2, [(3,)]),
    "matmul_tanh": (lambda lib: lambda a: lib.tanh(lib.tensor(W) @ a), [(3,)]),
    "matrix_in": (lambda lib: lambda A: A @ A.t(), [(2, 3)]),
    "zero_dim": (lambda lib: lambda a: lib.exp(a) * a, [()]),
    "two_inputs": (lambda lib: lambda a, b: a * b.sum() + lib.exp(b[:1]), [(3,), (2,)]),
    "two_outputs": (lambda lib: lambda a: (a**2, a.sum().exp()), [(3,)]),
    "two_in_two_out": (
        lambda lib: lambda a, B: (a @ B, (a**2).sum() * B[0]), [(3,), (3, 2)]
    ),
    "one_tuple_out": (lambda lib: lambda a: (a.cos(),), [(2,)]),
}

SCALAR_FUNCS = {
    "cubic": (lambda lib: lambda a: (a**3).sum() + a[0] * a[1], [(3,)]),
    "exp_mix": (lambda lib: lambda a: (lib.exp(a) * a).sum(), [(4,)]),
    "matrix": (lambda lib: lambda A: ((A @ A.t()) ** 2).sum(), [(2, 3)]),
    "two_inputs": (lambda lib: lambda a, b: (a.sin() * b.sum()).sum() + (b**3).sum(),
                   [(3,), (2,)]),
    "zero_dim": (lambda lib: lambda a: a.exp() * a**2, [()]),
    "one_element": (lambda lib: lambda a: (a**2).sum().reshape(1, 1), [(3,)]),
}


def assert_same(ours, theirs, torch, what="", check_requires_grad=True):
    """Same structure (tuple vs tensor, nesting, lengths), shapes, dtypes, requires_grad, values."""
    if isinstance(theirs, tuple):
        assert type(ours) is tuple, f"{what}: expected a tuple, got {type(ours).__name__}"
        assert len(ours) == len(theirs), what
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, torch, f"{what}[{i}]", check_requires_grad)
        return
    assert isinstance(theirs, torch.Tensor)
    assert isinstance(ours, gt.Tensor), f"{what}: expected a Tensor, got {type(ours).__name__}"
    assert tuple(ours.shape) == tuple(theirs.shape), what
    assert str(ours.dtype) == str(theirs.dtype), what
    if check_requires_grad:
        assert ours.requires_grad == theirs.requires_grad, f"{what}: requires_grad"
    np.testing.assert_allclose(
        ours.detach().numpy(), theirs.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg=what
    )


def _inputs_for(shapes, seed, as_tuple):
    arrays = _arrays(shapes, seed)
    if len(shapes) > 1:
        as_tuple = True
    return arrays, as_tuple


def _like_outputs(lib, func, arrays, seed):
    """A random v shaped like func's output (tuple if it returns one)."""
    out = func(*[lib.tensor(a) for a in arrays])
    rng = np.random.default_rng(seed + 1000)
    if isinstance(out, tuple):
        return tuple(lib.tensor(rng.standard_normal(tuple(o.shape))) for o in out)
    return lib.tensor(rng.standard_normal(tuple(out.shape)))


def _like_inputs(lib, arrays, as_tuple, seed):
    rng = np.random.default_rng(seed + 2000)
    vs = tuple(lib.tensor(rng.standard_normal(a.shape)) for a in arrays)
    return vs if as_tuple else vs[0]


# the tensor input as itself and as a 1-tuple: both structures must come back as torch's
STRUCTURES = [False, True]


# ---- values and structure ----------------------------------------------------------------------
@pytest.mark.parametrize("as_tuple", STRUCTURES, ids=["tensor", "tuple"])
@pytest.mark.parametrize("name", list(FUNCS))
def test_vjp_matches_torch(torch, name, as_tuple):
    make, shapes = FUNCS[name]
    arrays, as_tuple = _inputs_for(shapes, 0, as_tuple)
    results = []
    for lib in (gt, torch):
        func = make(lib)
        v = _like_outputs(lib, func, arrays, 0)
        results.append(AF(lib).vjp(func, _tensors(lib, arrays, as_tuple), v))
    assert_same(*results, torch, f"vjp {name}")


@pytest.mark.parametrize("as_tuple", STRUCTURES, ids=["tensor", "tuple"])
@pytest.mark.parametrize("name", list(FUNCS))
def test_jvp_matches_torch(torch, name, as_tuple):
    make, shapes = FUNCS[name]
    arrays, as_tuple = _inputs_for(shapes, 1, as_tuple)
    results = []
    for lib in (gt, torch):
        v = _like_inputs(lib, arrays, as_tuple, 1)
        results.append(AF(lib).jvp(make(lib), _tensors(lib, arrays, as_tuple), v))
    assert_same(*results, torch, f"jvp {name}")


@pytest.mark.parametrize(
    "options", [{}, {"vectorize": True}, {"vectorize": True, "strategy": "forward-mode"}],
    ids=["loop", "vectorize", "forward-mode"],
)
@pytest.mark.parametrize("as_tuple", STRUCTURES, ids=["tensor", "tuple"])
@pytest.mark.parametrize("name", list(FUNCS))
def test_jacobian_matches_torch(torch, name, as_tuple, options):
    make, shapes = FUNCS[name]
    arrays, as_tuple = _inputs_for(shapes, 2, as_tuple)
    ours, theirs = (
        AF(lib).jacobian(make(lib), _tensors(lib, arrays, as_tuple), **options)
        for lib in (gt, torch)
    )
    # torch's vectorized forward mode returns lists where every other path returns tuples;
    # glasstorch returns tuples on every path (a deliberate difference)
    assert_same(ours, _lists_to_tuples(theirs), torch, f"jacobian {name}")


def _lists_to_tuples(value):
    if isinstance(value, (list, tuple)):
        return tuple(_lists_to_tuples(v) for v in value)
    return value


@pytest.mark.parametrize("as_tuple", STRUCTURES, ids=["tensor", "tuple"])
@pytest.mark.parametrize("name", list(SCALAR_FUNCS))
def test_hessian_vhp_hvp_match_torch(torch, name, as_tuple):
    make, shapes = SCALAR_FUNCS[name]
    arrays, as_tuple = _inputs_for(shapes, 3, as_tuple)
    for fn in ("hessian", "vhp", "hvp"):
        results = []
        for lib in (gt, torch):
            args = (make(lib), _tensors(lib, arrays, as_tuple))
            if fn != "hessian":
                args += (_like_inputs(lib, arrays, as_tuple, 3),)
            results.append(getattr(AF(lib), fn)(*args))
        assert_same(*results, torch, f"{fn} {name}")


def test_v_none_for_one_element_matches_torch(torch):
    one = np.array([0.7])
    calls = [
        lambda lib: AF(lib).vjp(lambda a: (a**2).sum(), lib.tensor(np.arange(3.0))),
        lambda lib: AF(lib).vjp(lambda a: (a**2).sum().reshape(1, 1), lib.tensor(np.ones(2))),
        lambda lib: AF(lib).jvp(lambda a: a**3, lib.tensor(one)),
        lambda lib: AF(lib).jvp(lambda a: (a**3, a.exp()), (lib.tensor(one),)),
        lambda lib: AF(lib).vhp(lambda a: (a**3).sum(), lib.tensor(one)),
        lambda lib: AF(lib).hvp(lambda a: (a**4).sum(), (lib.tensor(one),)),
    ]
    for i, call in enumerate(calls):
        assert_same(call(gt), call(torch), torch, f"call {i}")


def test_outputs_that_ignore_an_input_give_zeros_like_torch(torch):
    """Not strict: an input an output does not use gets a zero block, not None."""
    def run(lib):
        x, y = lib.tensor(np.array([1.0, 2.0])), lib.tensor(np.array([3.0]))
        af = AF(lib)
        return (
            af.vjp(lambda a, b: a * 2, (x, y), lib.ones(2, dtype=lib.float64)),
            af.jvp(lambda a: lib.ones(2, dtype=lib.float64), x, x),
            af.jacobian(lambda a, b: (a * 2, lib.zeros(1, dtype=lib.float64)), (x, y)),
            af.hessian(lambda a, b: (a**3).sum() + b.sum(), (x, y)),
            af.vhp(lambda a: a.sum(), x, x),
        )

    assert_same(run(gt), run(torch), torch)


def test_user_inputs_are_left_alone():
    x = gt.tensor([1.0, 2.0], dtype=gt.float64, requires_grad=True)
    out, j = gt.autograd.functional.vjp(lambda a: a**2, x, gt.ones(2, dtype=gt.float64))
    assert x.grad is None and not out.requires_grad and not j.requires_grad
    assert j.tolist() == [2.0, 4.0]


# ---- create_graph: the results can be differentiated again -------------------------------------
def _again(lib, result, wrt):
    """d(sum of every tensor in result, weighted)/d(wrt): a derivative of the derivative."""
    flat = []

    def walk(r):
        if isinstance(r, tuple):
            for item in r:
                walk(item)
        else:
            flat.append(r)

    walk(result)
    total = sum(((t * (i + 1)) ** 2).sum() for i, t in enumerate(flat) if t.requires_grad)
    return lib.autograd.grad(total, wrt, allow_unused=True, materialize_grads=True)


CREATE_GRAPH_CASES = [
    ("vjp", "elementwise", FUNCS), ("vjp", "two_in_two_out", FUNCS),
    ("jvp", "matmul_tanh", FUNCS), ("jvp", "two_inputs", FUNCS),
    ("jacobian", "elementwise", FUNCS), ("jacobian", "two_in_two_out", FUNCS),
    ("hessian", "cubic", SCALAR_FUNCS), ("hessian", "two_inputs", SCALAR_FUNCS),
    ("vhp", "exp_mix", SCALAR_FUNCS), ("hvp", "matrix", SCALAR_FUNCS),
    ("hvp", "two_inputs", SCALAR_FUNCS),
]


@pytest.mark.parametrize("fn,name,table", CREATE_GRAPH_CASES,
                         ids=[f"{fn}-{name}" for fn, name, _ in CREATE_GRAPH_CASES])
def test_create_graph_results_differentiate_again_like_torch(torch, fn, name, table):
    make, shapes = table[name]
    arrays = _arrays(shapes, 5)
    as_tuple = len(shapes) > 1
    results, seconds = [], []
    for lib in (gt, torch):
        inputs = _tensors(lib, arrays, as_tuple, requires_grad=True)
        func = make(lib)
        args = (func, inputs)
        if fn in ("vjp",):
            args += (_like_outputs(lib, func, arrays, 5),)
        elif fn in ("jvp", "vhp", "hvp"):
            args += (_like_inputs(lib, arrays, as_tuple, 5),)
        result = getattr(AF(lib), fn)(*args, create_graph=True)
        results.append(result)
        seconds.append(_again(lib, result, inputs))
        assert all(p.grad is None for p in (inputs if as_tuple else (inputs,)))
    assert_same(*results, torch, f"{fn} {name}")
    assert_same(*seconds, torch, f"d/dx {fn} {name}", check_requires_grad=False)


def test_create_graph_reaches_v_like_torch(torch):
    """With create_graph, a v that requires grad stays in the graph: d(vᵀJ)/dv = J."""
    def run(lib):
        x = lib.tensor(np.array([0.5, -1.0, 2.0]))
        v = lib.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
        _, j = AF(lib).vjp(lambda a: a.sin() * a, x, v, create_graph=True)
        _, h = AF(lib).hvp(lambda a: (a**3).sum(), x, v, create_graph=True)
        return lib.autograd.grad((j**2).sum() + (h**2).sum(), v)

    assert_same(run(gt), run(torch), torch, check_requires_grad=False)


# ---- errors ------------------------------------------------------------------------------------
def _x(lib):
    return lib.tensor(np.array([1.0, 2.0, 3.0]))


def _y(lib):
    return lib.tensor(np.array([0.5, -0.5]))


def _ones(lib, n):
    return lib.ones(n, dtype=lib.float64)


def _closure(lib):
    return lib.ones(3, dtype=lib.float64, requires_grad=True)


ERRORS = {
    # argument types
    "inputs list": lambda lib: AF(lib).vjp(lambda a: a, [_x(lib)], _ones(lib, 3)),
    "inputs int": lambda lib: AF(lib).jacobian(lambda a: a, 3),
    "inputs tuple with int": lambda lib: AF(lib).jvp(lambda a, b: a, (_x(lib), 3), _ones(lib, 3)),
    "outputs list": lambda lib: AF(lib).vjp(lambda a: [a * 2], _x(lib), _ones(lib, 3)),
    "outputs int": lambda lib: AF(lib).jacobian(lambda a: 3, _x(lib)),
    "outputs tuple with int": lambda lib: AF(lib).vjp(lambda a: (a, 3), _x(lib)),
    "v int": lambda lib: AF(lib).vjp(lambda a: a * 2, _x(lib), 3),
    # v of the wrong shape or count
    "vjp v None": lambda lib: AF(lib).vjp(lambda a: a * 2, _x(lib)),
    "jvp v None": lambda lib: AF(lib).jvp(lambda a: a * 2, _x(lib)),
    "hvp v None": lambda lib: AF(lib).hvp(lambda a: (a**2).sum(), _x(lib)),
    "v size": lambda lib: AF(lib).vjp(lambda a: a * 2, _x(lib), _ones(lib, 2)),
    "v 0-d for (1,)": lambda lib: AF(lib).jvp(lambda a: a, _ones(lib, 1), lib.tensor(1.0)),
    "v entry size": lambda lib: AF(lib).vjp(
        lambda a, b: (a, b), (_x(lib), _y(lib)), (_ones(lib, 3), _ones(lib, 3))
    ),
    "v tuple length": lambda lib: AF(lib).jvp(lambda a, b: a, (_x(lib), _y(lib)), (_x(lib),)),
    "v two for one": lambda lib: AF(lib).vhp(
        lambda a: (a**2).sum(), _x(lib), (_x(lib), _x(lib))
    ),
    # a Hessian needs one scalar output
    "hessian non-scalar": lambda lib: AF(lib).hessian(lambda a: a**2, _x(lib)),
    "hessian tuple out": lambda lib: AF(lib).hessian(lambda a: ((a**2).sum(),), _x(lib)),
    "vhp non-scalar": lambda lib: AF(lib).vhp(lambda a: a**2, _x(lib), _x(lib)),
    "hvp tuple out": lambda lib: AF(lib).hvp(lambda a: ((a**2).sum(),), _x(lib), _x(lib)),
    # strict: an output that is not computed from the inputs
    "strict vjp constant": lambda lib: AF(lib).vjp(
        lambda a: _ones(lib, 3), _x(lib), _ones(lib, 3), strict=True
    ),
    "strict vjp unused input": lambda lib: AF(lib).vjp(
        lambda a, b: a * 2, (_x(lib), _y(lib)), _ones(lib, 3), strict=True
    ),
    "strict jvp unused input": lambda lib: AF(lib).jvp(
        lambda a, b: a * 2, (_x(lib), _y(lib)), (_x(lib), _y(lib)), strict=True
    ),
    "strict jvp output of a closure": lambda lib: AF(lib).jvp(
        lambda a: (a * 2, _closure(lib) * 3), _x(lib), _x(lib), strict=True
    ),
    "strict jacobian unused input": lambda lib: AF(lib).jacobian(
        lambda a, b: a * 2, (_x(lib), _y(lib)), strict=True
    ),
    "strict jacobian output of a closure": lambda lib: AF(lib).jacobian(
        lambda a: (a * 2, _closure(lib) * 3), _x(lib), strict=True
    ),
    "strict hessian linear": lambda lib: AF(lib).hessian(lambda a: a.sum(), _x(lib), strict=True),
    "strict hessian constant": lambda lib: AF(lib).hessian(
        lambda a: lib.tensor(1.0), _x(lib), strict=True
    ),
    "strict hessian separable": lambda lib: AF(lib).hessian(
        lambda a, b: (a**2).sum() + (b**2).sum(), (_x(lib), _y(lib)), strict=True
    ),
    "strict vhp linear in one": lambda lib: AF(lib).vhp(
        lambda a, b: (a**2).sum() + b.sum(), (_x(lib), _y(lib)), (_x(lib), _y(lib)), strict=True
    ),
    "strict hvp linear": lambda lib: AF(lib).hvp(lambda a: a.sum(), _x(lib), _x(lib), strict=True),
    "strict vhp gradient from a closure": lambda lib: AF(lib).vhp(
        lambda a: (a * _closure(lib)).sum(), _x(lib), _x(lib), strict=True
    ),
    "strict hvp gradient from a closure": lambda lib: AF(lib).hvp(
        lambda a: (a * _closure(lib)).sum(), _x(lib), _x(lib), strict=True
    ),
    # strict with create_graph: a constant derivative cannot be differentiated again
    "strict create vjp linear": lambda lib: AF(lib).vjp(
        lambda a: a.sum(), _x(lib), strict=True, create_graph=True
    ),
    "strict create jvp linear": lambda lib: AF(lib).jvp(
        lambda a: a * 2, _x(lib), _x(lib), strict=True, create_graph=True
    ),
    "strict create jacobian": lambda lib: AF(lib).jacobian(
        lambda a, b: b * 2 + a.sum() ** 2, (_x(lib), _y(lib)), strict=True, create_graph=True
    ),
    # strategy and vectorize
    "bad strategy": lambda lib: AF(lib).jacobian(lambda a: a, _x(lib), strategy="forward"),
    "bad outer strategy": lambda lib: AF(lib).hessian(
        lambda a: a.sum(), _x(lib), outer_jacobian_strategy="backward"
    ),
    "forward-mode without vectorize": lambda lib: AF(lib).jacobian(
        lambda a: a, _x(lib), strategy="forward-mode"
    ),
    "forward-mode with create_graph": lambda lib: AF(lib).jacobian(
        lambda a: a, _x(lib), strategy="forward-mode", vectorize=True, create_graph=True
    ),
    "forward-mode with strict": lambda lib: AF(lib).jacobian(
        lambda a: a, _x(lib), strategy="forward-mode", vectorize=True, strict=True
    ),
    "strict with vectorize": lambda lib: AF(lib).hessian(
        lambda a: (a**2).sum(), _x(lib), strict=True, vectorize=True
    ),
}


def _raised(call, lib):
    with pytest.raises(Exception) as info:
        call(lib)
    return type(info.value).__name__, str(info.value)


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_torch(torch, case):
    assert _raised(ERRORS[case], gt) == _raised(ERRORS[case], torch)


def test_strict_passes_when_every_output_depends_on_every_input(torch):
    for lib in (gt, torch):
        af = AF(lib)
        af.vjp(lambda a, b: a * b.sum(), (_x(lib), _y(lib)), _ones(lib, 3), strict=True)
        af.jacobian(lambda a: a * 2, _x(lib), strict=True)
        af.hessian(lambda a: (a**3).sum(), _x(lib), strict=True, create_graph=True)


# ---- without torch: worked examples ------------------------------------------------------------
def test_worked_examples():
    af = gt.autograd.functional
    x = gt.tensor([1.0, 2.0, 3.0], dtype=gt.float64)
    cube = lambda a: a**3  # J = diag(3x²), and for sum(x³): H = diag(6x)
    assert af.jacobian(cube, x).tolist() == np.diag([3.0, 12.0, 27.0]).tolist()
    out, j = af.jvp(cube, x, gt.ones(3, dtype=gt.float64))
    assert out.tolist() == [1.0, 8.0, 27.0] and j.tolist() == [3.0, 12.0, 27.0]
    out, j = af.vjp(cube, (x,), gt.tensor([1.0, 0.0, 0.0], dtype=gt.float64))
    assert isinstance(j, tuple) and j[0].tolist() == [3.0, 0.0, 0.0]
    scalar = lambda a: (a**3).sum()
    assert af.hessian(scalar, x).tolist() == np.diag([6.0, 12.0, 18.0]).tolist()
    out, h = af.hvp(scalar, x, gt.ones(3, dtype=gt.float64))
    assert out.item() == 36.0 and h.tolist() == [6.0, 12.0, 18.0]
    _, h = af.vhp(scalar, x, gt.ones(3, dtype=gt.float64))
    assert h.tolist() == [6.0, 12.0, 18.0]
    # the (output, input) nesting of a Jacobian with tuples on both sides
    jac = af.jacobian(lambda a, b: (a * b, a.sum()), (x, gt.tensor(2.0, dtype=gt.float64)))
    assert [[tuple(block.shape) for block in row] for row in jac] == [[(3, 3), (3,)], [(3,), ()]]
    with pytest.raises(RuntimeError, match="should contain a single element"):
        af.hessian(cube, x)
