"""Catalogue entries for the pointwise family (ops/pointwise.py and ops/comparison.py).

Each op is checked on a 2-d tensor, a 0-d tensor and an empty ``(0, 3)`` tensor, binary ops also on
broadcasting shapes, and integer / bool inputs wherever torch accepts them (with torch's result
dtype: ``exp`` of int64 is float32, ``abs`` of int64 stays int64, comparisons give bool).
"""

import operator

import numpy as np

from .spec import ErrorSpec, OpSpec

nan, inf = float("nan"), float("inf")


def _f32(*rows):
    return np.array(rows if len(rows) > 1 else rows[0], dtype=np.float32)


# name -> domain of the one-input float ops (int and bool inputs become the default float)
FLOAT_UNARY = {
    "exp": (-2, 2), "exp2": (-2, 2), "expm1": (-2, 2), "log": (0.1, 3), "log2": (0.1, 3),
    "log10": (0.1, 3), "log1p": (-0.5, 2), "sqrt": (0.1, 3), "rsqrt": (0.2, 3),
    "sin": (-3, 3), "cos": (-3, 3), "tan": (-1.2, 1.2), "asin": (-0.9, 0.9),
    "acos": (-0.9, 0.9), "atan": (-3, 3), "sinh": (-2, 2), "cosh": (-2, 2), "tanh": (-3, 3),
    "sigmoid": (-4, 4), "reciprocal": (0.2, 2), "erf": (-2, 2),
}
# one-input ops that keep integer dtypes
INT_UNARY = {"abs": (-3, 3), "sign": (-3, 3), "relu": (-3, 3), "floor": (-3, 3),
             "ceil": (-3, 3), "round": (-3, 3), "trunc": (-3, 3), "square": (-3, 3),
             "nan_to_num": (-3, 3)}

OPS = []


def _unary(name, domain, int_ok):
    fn = lambda lib, x, _n=name: getattr(lib, _n)(x)  # noqa: E731
    method = lambda lib, x, _n=name: getattr(x, _n)()  # noqa: E731
    OPS.extend([
        OpSpec(f"{name}", fn, [(3, 4)], domain=domain),
        OpSpec(f"{name}/0d", fn, [()], domain=domain),
        OpSpec(f"{name}/empty", fn, [(0, 3)], domain=domain),
        OpSpec(f"{name}/method", method, [(2, 3)], domain=domain),
        OpSpec(f"{name}/float64", fn, [(5,)], dtype="float64", domain=domain),
        OpSpec(f"{name}/int64", fn, [(3, 4)], dtype="int64", domain=(1, 3), grad=False),
    ])
    if int_ok != "no-bool":
        OPS.append(OpSpec(f"{name}/bool", fn, [(4,)], dtype="bool", grad=False))


for _name, _dom in FLOAT_UNARY.items():
    _unary(_name, _dom, True)
for _name, _dom in INT_UNARY.items():
    _unary(_name, _dom, "no-bool" if _name in ("abs", "relu", "floor", "ceil", "round",
                                                "trunc") else True)

OPS += [
    OpSpec("frac", lambda lib, x: lib.frac(x), [(3, 4)], domain=(-3, 3)),
    OpSpec("frac/0d", lambda lib, x: x.frac(), [()], domain=(-3, 3)),
    OpSpec("round/decimals", lambda lib, x: lib.round(x, decimals=2), [(3, 4)]),
    OpSpec("round/decimals-neg", lambda lib, x: lib.round(x * 1000, decimals=-2), [(3, 4)]),
    OpSpec("round/half-even", lambda lib, x: lib.round(x), values=[_f32([0.5, 1.5, 2.5, -0.5])],
           gradcheck=False, note="values on the jumps"),
    OpSpec("sign/nan-zero", lambda lib, x: lib.sign(x), values=[_f32([nan, -0.0, 0.0, -2.0])],
           grad=False),
    OpSpec("nan_to_num/special", lambda lib, x: lib.nan_to_num(x),
           values=[_f32([nan, inf, -inf, 1.5])], gradcheck=False),
    OpSpec("nan_to_num/args", lambda lib, x: lib.nan_to_num(x, nan=1.0, posinf=9.0, neginf=-9.0),
           values=[_f32([nan, inf, -inf, 1.5])], gradcheck=False),
    OpSpec("nan_to_num/float64", lambda lib, x: x.nan_to_num(),
           values=[np.array([nan, inf, -inf], dtype=np.float64)], grad=False),
    OpSpec("frac-round/special", lambda lib, x: (lib.frac(x), lib.round(x, decimals=3), x.trunc()),
           values=[_f32([inf, -inf, nan, 3e38, -2.5])], grad=False),
    OpSpec("exp/int32", lambda lib, x: lib.exp(x), [(4,)], dtype="int32", grad=False),
    OpSpec("sqrt/negative-nan", lambda lib, x: lib.sqrt(x), values=[_f32([-1.0, 0.0, 4.0])],
           grad=False),
    OpSpec("log/zero-neg", lambda lib, x: lib.log(x), values=[_f32([0.0, -1.0, 1.0])], grad=False),
    OpSpec("exp/overflow", lambda lib, x: lib.exp(x), values=[_f32([100.0, -100.0])], grad=False),
    OpSpec("abs/operator", lambda lib, x: abs(x), [(3,)]),
    OpSpec("abs/int32", lambda lib, x: lib.abs(x), [(4,)], dtype="int32", domain=(-3, 3),
           grad=False),
    OpSpec("sigmoid/extreme", lambda lib, x: lib.sigmoid(x),
           values=[_f32([-100.0, 100.0, 0.0])], gradcheck=False),
    OpSpec("chain/exp-log", lambda lib, x: lib.log(lib.exp(x).sqrt() + 1).tanh(), [(3, 4)]),
    # two-input math
    OpSpec("atan2", lambda lib, a, b: lib.atan2(a, b), [(3, 4), (3, 4)]),
    OpSpec("atan2/broadcast", lambda lib, a, b: lib.atan2(a, b), [(3, 1), (4,)]),
    OpSpec("atan2/int", lambda lib, a, b: lib.atan2(a, b), [(3,), (3,)], dtype="int64",
           domain=(1, 3), grad=False),
    OpSpec("atan2/method-0d", lambda lib, a, b: a.atan2(b), [(), (2,)]),
    OpSpec("arctan2", lambda lib, a, b: lib.arctan2(a, b), [(2, 3), (2, 3)]),
    OpSpec("xlogy", lambda lib, a, b: lib.xlogy(a, b), [(3, 4), (3, 4)], domain=(0.1, 3)),
    OpSpec("xlogy/broadcast", lambda lib, a, b: lib.xlogy(a, b), [(2, 1, 3), (4, 1)],
           domain=(0.1, 3)),
    OpSpec("xlogy/scalar-other", lambda lib, a: lib.xlogy(a, 2.0), [(3,)], domain=(0.1, 3)),
    OpSpec("xlogy/scalar-self", lambda lib, b: lib.xlogy(2.0, b), [(3,)], domain=(0.1, 3)),
    OpSpec("xlogy/zeros", lambda lib, a, b: lib.xlogy(a, b),
           values=[_f32([0.0, 0.0, 1.0, 0.0]), _f32([0.0, 2.0, 3.0, nan])], gradcheck=False),
    OpSpec("xlogy/int", lambda lib, a, b: lib.xlogy(a, b), [(3,), (3,)], dtype="int64",
           domain=(0, 3), grad=False),
    OpSpec("lerp/scalar", lambda lib, a, b: lib.lerp(a, b, 0.3), [(3, 4), (3, 4)]),
    OpSpec("lerp/scalar-high", lambda lib, a, b: a.lerp(b, 0.8), [(3, 4), (4,)]),
    OpSpec("lerp/tensor", lambda lib, a, b, w: lib.lerp(a, b, w), [(3, 4), (3, 4), (3, 4)],
           domain=(0, 1)),
    OpSpec("lerp/tensor-broadcast", lambda lib, a, b, w: lib.lerp(a, b, w), [(3, 1), (4,), ()],
           domain=(0, 1)),
    OpSpec("lerp/empty", lambda lib, a, b: lib.lerp(a, b, 0.5), [(0, 3), (0, 3)]),
]

# ---- clamp ---------------------------------------------------------------------------------------
OPS += [
    OpSpec("clamp/both", lambda lib, x: lib.clamp(x, -0.5, 0.5), [(3, 4)]),
    OpSpec("clamp/min", lambda lib, x: lib.clamp(x, min=0.0), [(3, 4)]),
    OpSpec("clamp/max", lambda lib, x: x.clamp(max=0.2), [(3, 4)]),
    OpSpec("clamp/min-gt-max", lambda lib, x: lib.clamp(x, 1.0, -1.0), [(3, 4)]),
    OpSpec("clamp/0d", lambda lib, x: lib.clamp(x, -0.5, 0.5), [()]),
    OpSpec("clamp/empty", lambda lib, x: lib.clamp(x, -0.5, 0.5), [(0, 3)]),
    OpSpec("clamp/int", lambda lib, x: lib.clamp(x, 0, 2), [(3, 4)], dtype="int64",
           domain=(-3, 3), grad=False),
    OpSpec("clamp/int-float-bound", lambda lib, x: lib.clamp(x, 0.5), [(3, 4)], dtype="int64",
           domain=(-3, 3), grad=False),
    OpSpec("clamp/bool", lambda lib, x: lib.clamp(x, 0, 1), [(4,)], dtype="bool", grad=False),
    OpSpec("clamp/nan", lambda lib, x: lib.clamp(x, 0.0, 1.0), values=[_f32([nan, 2.0, -1.0])],
           grad=False),
    OpSpec("clamp/tensors", lambda lib, x, lo, hi: lib.clamp(x, lo, hi - 1.5),
           [(3, 4), (3, 4), (3, 4)]),
    OpSpec("clamp/tensors-broadcast", lambda lib, x, lo, hi: lib.clamp(x, lo, hi),
           [(3, 4), (4,), (3, 1)]),
    OpSpec("clamp/tensor-min", lambda lib, x, lo: lib.clamp(x, min=lo), [(3, 4), (4,)]),
    OpSpec("clamp/tensor-max", lambda lib, x, hi: x.clamp(max=hi), [(3, 4), (3, 1)]),
    OpSpec("clamp/0d-tensor-number", lambda lib, x, lo: lib.clamp(x, lo, 1.0), [(3,), ()],
           grad_inputs=(0,)),
    OpSpec("clip", lambda lib, x: lib.clip(x, -0.5, 0.5), [(3, 4)]),
    OpSpec("clip/method", lambda lib, x: x.clip(min=-0.5), [(3, 4)]),
    OpSpec("clamp_min", lambda lib, x: lib.clamp_min(x, 0.1), [(3, 4)]),
    OpSpec("clamp_min/tensor", lambda lib, x, lo: lib.clamp_min(x, lo), [(3, 4), (4,)]),
    OpSpec("clamp_max", lambda lib, x: x.clamp_max(0.1), [(3, 4)]),
    OpSpec("clamp_max/tensor", lambda lib, x, hi: lib.clamp_max(x, hi), [(3, 4), (3, 1)]),
]

# ---- maximum / minimum / fmax / fmin ------------------------------------------------------------
for _name in ("maximum", "minimum", "fmax", "fmin"):
    _f = lambda lib, a, b, _n=_name: getattr(lib, _n)(a, b)  # noqa: E731
    OPS += [
        OpSpec(_name, _f, [(3, 4), (3, 4)]),
        OpSpec(f"{_name}/broadcast", _f, [(3, 1), (4,)]),
        OpSpec(f"{_name}/0d", _f, [(), (3,)]),
        OpSpec(f"{_name}/empty", _f, [(0, 3), (3,)]),
        OpSpec(f"{_name}/ties-nan", _f, values=[_f32([1.0, 2.0, 3.0, nan, 1.0, nan]),
                                               _f32([1.0, 1.0, 4.0, 1.0, nan, nan])],
               gradcheck=False),
        OpSpec(f"{_name}/int", _f, [(3, 4), (3, 4)], dtype="int64", domain=(-3, 3), grad=False),
        OpSpec(f"{_name}/int-float", _f, [(3,), (3,)], dtypes=("int64", "float32"),
               domain=(-3, 3), gradcheck=False, note="float32 input: no float64 gradcheck"),
        OpSpec(f"{_name}/f32-f64", _f, [(3,), (3,)], dtypes=("float32", "float64"),
               gradcheck=False, note="float32 input: no float64 gradcheck"),
        OpSpec(f"{_name}/bool", _f, [(4,), (4,)], dtype="bool", grad=False),
    ]

# ---- where ---------------------------------------------------------------------------------------
OPS += [
    OpSpec("where", lambda lib, c, x, y: lib.where(c > 0, x, y), [(3, 4), (3, 4), (3, 4)],
           grad_inputs=(1, 2)),
    OpSpec("where/broadcast", lambda lib, c, x, y: lib.where(c > 0, x, y), [(3, 1), (4,), ()],
           grad_inputs=(1, 2)),
    OpSpec("where/scalar-other", lambda lib, c, x: lib.where(c > 0, x, 0.0), [(3, 4), (3, 4)],
           grad_inputs=(1,)),
    OpSpec("where/scalar-input", lambda lib, c, y: lib.where(c > 0, 1.5, y), [(3, 4), (4,)],
           grad_inputs=(1,)),
    OpSpec("where/scalars-int", lambda lib, c: lib.where(c > 0, 1, 0), [(3, 4)], grad=False),
    OpSpec("where/scalars-float", lambda lib, c: lib.where(c > 0, 1.0, 0), [(3, 4)], grad=False),
    OpSpec("where/int-and-float", lambda lib, c, x: lib.where(c > 0, x, 0.5), [(3,), (3,)],
           dtypes=("float32", "int64"), grad=False),
    OpSpec("where/method", lambda lib, c, x, y: x.where(c > 0, y), [(3,), (3,), (3,)],
           grad_inputs=(1, 2)),
    OpSpec("where/empty", lambda lib, c, x, y: lib.where(c > 0, x, y), [(0, 3), (0, 3), (3,)],
           grad_inputs=(1, 2)),
    OpSpec("where/one-arg", lambda lib, c: lib.where(c > 0), [(3, 4)], grad=False),
    OpSpec("where/one-arg-0d", lambda lib, c: lib.where(c > -5), [()], grad=False),
]

# ---- comparisons, logical, bitwise, NaN tests ----------------------------------------------------
_CMP = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
        "gt": operator.gt, "ge": operator.ge}
for _name, _sym in _CMP.items():
    _f = lambda lib, a, b, _n=_name: getattr(lib, _n)(a, b)  # noqa: E731
    _op = lambda lib, a, b, _o=_sym: _o(a, b)  # noqa: E731  (the operator form, e.g. a < b)
    _rop = lambda lib, a, _o=_sym: _o(0.5, a)  # noqa: E731  (a number on the left)
    OPS += [
        OpSpec(_name, _f, [(3, 4), (3, 4)], grad=False),
        OpSpec(f"{_name}/operator-broadcast", _op, [(3, 1), (4,)], grad=False),
        OpSpec(f"{_name}/scalar", lambda lib, a, _n=_name: getattr(a, _n)(0.5), [(3, 4)],
               grad=False),
        OpSpec(f"{_name}/scalar-left", _rop, [(3,)], grad=False),
        OpSpec(f"{_name}/int-float-scalar", lambda lib, a, _o=_sym: _o(a, 1.5), [(5,)],
               dtype="int64", domain=(0, 3), grad=False),
        OpSpec(f"{_name}/int-float", _op, [(4,), (4,)], dtypes=("int64", "float32"),
               domain=(-1, 1), grad=False),
        OpSpec(f"{_name}/bool", _op, [(4,), (4,)], dtype="bool", grad=False),
        OpSpec(f"{_name}/0d-empty", _op, [(), (0, 3)], grad=False),
        OpSpec(f"{_name}/nan", _op, values=[_f32([nan, 1.0, nan]), _f32([nan, nan, 1.0])],
               grad=False),
    ]

OPS += [
    OpSpec("eq/self-int", lambda lib, a: a == a, [(3, 4)], dtype="int64", grad=False),
    OpSpec("eq/none", lambda lib, a: (a == None, a != None), [(3,)], grad=False),  # noqa: E711
    OpSpec("eq/list", lambda lib, a: a == [1, 2, 3], [(3,)], grad=False),
    OpSpec("greater/alias", lambda lib, a, b: (lib.greater(a, b), lib.less_equal(a, b),
                                               lib.not_equal(a, b)), [(3,), (3,)], grad=False),
    OpSpec("isnan", lambda lib, x: lib.isnan(x), values=[_f32([nan, inf, -inf, 1.0])],
           grad=False),
    OpSpec("isinf", lambda lib, x: lib.isinf(x), values=[_f32([nan, inf, -inf, 1.0])],
           grad=False),
    OpSpec("isfinite", lambda lib, x: x.isfinite(), values=[_f32([nan, inf, -inf, 1.0])],
           grad=False),
    OpSpec("isposinf-isneginf", lambda lib, x: (lib.isposinf(x), lib.isneginf(x)),
           values=[_f32([nan, inf, -inf, 1.0])], grad=False),
    OpSpec("isnan/int", lambda lib, x: (lib.isnan(x), lib.isinf(x), lib.isfinite(x)), [(3,)],
           dtype="int64", grad=False),
    OpSpec("isnan/empty-0d", lambda lib, x, y: (lib.isnan(x), y.isnan()), [(0, 3), ()],
           grad=False),
    OpSpec("isclose", lambda lib, a, b: lib.isclose(a, a + b * 1e-6), [(3, 4), (3, 4)],
           grad=False),
    OpSpec("isclose/args", lambda lib, a, b: lib.isclose(a, b, rtol=0.5, atol=0.1), [(3, 4), (4,)],
           grad=False),
    OpSpec("isclose/nan-inf", lambda lib, a, b: (lib.isclose(a, b), lib.isclose(a, b,
                                                                               equal_nan=True)),
           values=[_f32([nan, inf, -inf, 1.0]), _f32([nan, inf, inf, 1.0 + 1e-6])], grad=False),
    OpSpec("isclose/int", lambda lib, a: lib.isclose(a, a + 1, atol=1), [(3,)], dtype="int64",
           grad=False),
    OpSpec("allclose", lambda lib, a, b: (lib.allclose(a, a + b * 1e-7), lib.allclose(a, b),
                                          a.allclose(a)), [(3, 4), (3, 4)], grad=False),
    OpSpec("equal", lambda lib, a, b: (lib.equal(a, a), lib.equal(a, b), a.equal(a + 0),
                                       lib.equal(a, a[:1])), [(3, 4), (3, 4)], grad=False),
    OpSpec("equal/dtypes", lambda lib, a: lib.equal(a, a.double()), [(3,)], dtype="int64",
           grad=False),
    OpSpec("equal/nan", lambda lib, a: lib.equal(a, a), values=[_f32([nan, 1.0])], grad=False),
]

for _name in ("logical_and", "logical_or", "logical_xor"):
    _f = lambda lib, a, b, _n=_name: getattr(lib, _n)(a, b)  # noqa: E731
    OPS += [
        OpSpec(_name, _f, [(4,), (4,)], dtype="bool", grad=False),
        OpSpec(f"{_name}/broadcast", _f, [(3, 1), (4,)], dtype="bool", grad=False),
        OpSpec(f"{_name}/float-int", _f, [(3,), (3,)], dtypes=("float32", "int64"),
               domain=(-1, 1), grad=False),
        OpSpec(f"{_name}/method", lambda lib, a, b, _n=_name: getattr(a, _n)(b), [(1,), (3,)],
               dtype="bool", grad=False),
    ]
OPS += [
    OpSpec("logical_not", lambda lib, a: lib.logical_not(a), [(3, 4)], grad=False),
    OpSpec("logical_not/int", lambda lib, a: a.logical_not(), [(3,)], dtype="int64",
           domain=(-1, 1), grad=False),
    OpSpec("invert/bool", lambda lib, a: ~a, [(3, 4)], dtype="bool", grad=False),
    OpSpec("invert/int", lambda lib, a: ~a, [(3, 4)], dtype="int64", domain=(-5, 5), grad=False),
    OpSpec("bitwise_not", lambda lib, a: lib.bitwise_not(a), [(3,)], dtype="int32",
           domain=(-5, 5), grad=False),
]
for _sym, _name in ((operator.and_, "and"), (operator.or_, "or"), (operator.xor, "xor")):
    OPS += [
        OpSpec(f"bitwise_{_name}/bool", lambda lib, a, b, _o=_sym: _o(a, b), [(3, 4), (4,)],
               dtype="bool", grad=False),
        OpSpec(f"bitwise_{_name}/int", lambda lib, a, b, _o=_sym: _o(a, b), [(3,), (3,)],
               dtype="int64", domain=(0, 7), grad=False),
        OpSpec(f"bitwise_{_name}/bool-int", lambda lib, a, _o=_sym: _o(a, 1), [(3,)],
               dtype="bool", grad=False),
        OpSpec(f"bitwise_{_name}/reflected", lambda lib, a, _o=_sym: _o(True, a), [(3,)],
               dtype="bool", grad=False),
        OpSpec(f"bitwise_{_name}/int-reflected", lambda lib, a, _o=_sym: _o(3, a), [(3,)],
               dtype="int64", domain=(0, 7), grad=False),
        OpSpec(f"bitwise_{_name}/fn", lambda lib, a, b, _n=_name: getattr(lib, f"bitwise_{_n}")(
            a, b), [(3,), (3,)], dtypes=("int32", "int64"), domain=(0, 7), grad=False),
    ]


# ---- in place (values and dtypes; identity and version are in tests/test_pointwise.py) ---------
def _inplace(name, *args):
    def fn(lib, x):
        return getattr(x * 1, name)(*args)  # on a copy: x itself may be a leaf requiring grad

    return fn


for _name, _args, _dom in [
    ("abs_", (), (-2, 2)), ("exp_", (), (-2, 2)), ("log_", (), (0.1, 3)), ("sqrt_", (), (0.1, 3)),
    ("sigmoid_", (), (-3, 3)), ("tanh_", (), (-3, 3)), ("relu_", (), (-3, 3)),
    ("floor_", (), (-3, 3)), ("round_", (), (-3, 3)), ("clamp_", (-0.5, 0.5), (-2, 2)),
    ("clip_", (None, 0.5), (-2, 2)), ("clamp_min_", (0.1,), (-2, 2)), ("sin_", (), (-2, 2)),
    ("reciprocal_", (), (0.2, 2)), ("square_", (), (-2, 2)), ("nan_to_num_", (), (-2, 2)),
    ("sign_", (), (-2, 2)), ("trunc_", (), (-3, 3)), ("ceil_", (), (-3, 3)), ("erf_", (), (-2, 2)),
]:
    OPS.append(OpSpec(f"inplace/{_name}", _inplace(_name, *_args), [(3, 4)], domain=_dom))
OPS += [
    OpSpec("inplace/clamp_-int", _inplace("clamp_", 0, 1), [(3, 4)], dtype="int64",
           domain=(-3, 3), grad=False),
    OpSpec("inplace/clamp_-tensor", lambda lib, x, lo: (x * 1).clamp_(lo, lo + 1), [(3, 4), (4,)]),
    OpSpec("inplace/lerp_", lambda lib, x, e: (x * 1).lerp_(e, 0.25), [(3, 4), (3, 4)]),
    OpSpec("inplace/logical_and_", lambda lib, a, b: a.logical_and_(b), [(4,), (4,)],
           dtype="bool", grad=False),
    OpSpec("inplace/iand-ior-ixor", lambda lib, a, b: ((a.__iand__(b)).__ior__(b)).__ixor__(b),
           [(4,), (4,)], dtype="bool", grad=False),
    OpSpec("inplace/lt_", lambda lib, a, b: (a * 1).lt_(b), [(4,), (4,)], grad=False),
    OpSpec("inplace/relu_-int", lambda lib, x: x.relu_(), [(4,)], dtype="int64",
           domain=(-3, 3), grad=False),
]

# ---- errors --------------------------------------------------------------------------------------
ERRORS = [
    ErrorSpec("maximum/shape-mismatch", lambda lib, a, b: lib.maximum(a, b), [(3,), (2,)],
              contains=("The size of tensor a (3) must match the size of tensor b (2)",
                        "non-singleton dimension 0")),
    ErrorSpec("maximum/number", lambda lib, a: lib.maximum(a, 1), [(3,)], exc=TypeError,
              contains=("maximum()", "must be Tensor, not int")),
    ErrorSpec("eq/shape-mismatch", lambda lib, a, b: a == b, [(2, 3), (3, 2)],
              contains=("The size of tensor a (3) must match the size of tensor b (2)",
                        "non-singleton dimension 1")),
    ErrorSpec("lt/none", lambda lib, a: a < None, [(3,)], exc=TypeError,
              contains=("'<' not supported",)),
    ErrorSpec("where/shape-mismatch", lambda lib, a, b: lib.where(a > 0, a, b), [(3,), (2,)],
              contains=("The size of tensor a (3) must match the size of tensor b (2)",)),
    ErrorSpec("where/float-condition", lambda lib, a: lib.where(a, a, a), [(3,)],
              contains=("where expected condition to be a boolean tensor", "Float")),
    ErrorSpec("where/bool-condition", lambda lib, a: lib.where(True, a, a), [(3,)], exc=TypeError,
              contains=("where(): argument 'condition' (position 1) must be Tensor, not bool",)),
    ErrorSpec("isnan/number", lambda lib: lib.isnan(1.0), [], exc=TypeError,
              contains=("isnan(): argument 'input' (position 1) must be Tensor, not float",)),
    ErrorSpec("clamp/no-bounds", lambda lib, a: lib.clamp(a), [(3,)],
              contains=("torch.clamp: At least one of 'min' or 'max' must not be None",)),
    ErrorSpec("clamp/no-bounds-method", lambda lib, a: a.clamp(None, None), [(3,)],
              contains=("At least one of 'min' or 'max'",)),
    ErrorSpec("clamp/mixed-bounds", lambda lib, a, b: lib.clamp(a, min=b, max=2), [(3,), (3,)],
              exc=TypeError, contains=("clamp() received an invalid combination of arguments",)),
    ErrorSpec("clamp/shape-mismatch", lambda lib, a, b: lib.clamp(a, b, b), [(3,), (2,)],
              contains=("The size of tensor a (3) must match the size of tensor b (2)",)),
    ErrorSpec("clamp_/int-float", lambda lib, a: a.clamp_(0.5), [(3,)], dtype="int64",
              contains=("result type Float can't be cast to the desired output type",)),
    ErrorSpec("exp_/int", lambda lib, a: a.exp_(), [(3,)], dtype="int64",
              contains=("result type Float can't be cast to the desired output type Long",)),
    ErrorSpec("exp/python-float", lambda lib: lib.exp(2.0), [], exc=TypeError,
              contains=("exp(): argument 'input' (position 1) must be Tensor, not float",)),
    ErrorSpec("log/python-int", lambda lib: lib.log(2), [], exc=TypeError,
              contains=("log(): argument 'input' (position 1) must be Tensor, not int",)),
    ErrorSpec("abs/bool", lambda lib, a: lib.abs(a), [(3,)], dtype="bool",
              exc=NotImplementedError, contains=("\"abs_cpu\" not implemented for 'Bool'",)),
    ErrorSpec("floor/bool", lambda lib, a: a.floor(), [(3,)], dtype="bool",
              exc=NotImplementedError, contains=("not implemented for 'Bool'",)),
    ErrorSpec("frac/int", lambda lib, a: lib.frac(a), [(3,)], dtype="int64",
              exc=NotImplementedError, contains=("\"frac_cpu\" not implemented for 'Long'",)),
    ErrorSpec("round-decimals/int", lambda lib, a: lib.round(a, decimals=1), [(3,)],
              dtype="int64", exc=NotImplementedError, contains=("not implemented for 'Long'",)),
    ErrorSpec("relu/bool", lambda lib, a: lib.relu(a), [(3,)], dtype="bool",
              contains=("Boolean inputs not supported for relu",)),
    ErrorSpec("invert/float", lambda lib, a: ~a, [(3,)], exc=TypeError,
              contains=("~ (operator.invert) is only implemented on integer and Boolean-type",)),
    ErrorSpec("bitwise_and/float", lambda lib, a: a & a, [(3,)], exc=NotImplementedError,
              contains=("\"bitwise_and_cpu\" not implemented for 'Float'",)),
    ErrorSpec("bitwise_or/float-int", lambda lib, a: a | 1, [(3,)], exc=NotImplementedError,
              contains=("not implemented for 'Float'",)),
    ErrorSpec("logical_and/number", lambda lib, a: lib.logical_and(a, 1), [(3,)], exc=TypeError,
              contains=("logical_and()", "must be Tensor, not int")),
    ErrorSpec("isclose/dtypes", lambda lib, a, b: lib.isclose(a, b),
              values=[_f32([1.0, 2.0]), np.array([1, 2])], contains=("Float did not match Long",)),
    ErrorSpec("allclose/dtypes", lambda lib, a: lib.allclose(a, a.double()), [(3,)],
              contains=("Float did not match Double",)),
    ErrorSpec("lerp/int", lambda lib, a: lib.lerp(a, a, 0.5), [(3,)], dtype="int64",
              exc=NotImplementedError, contains=("not implemented for 'Long'",)),
    ErrorSpec("lerp/dtype-mismatch", lambda lib, a: lib.lerp(a, a.double(), 0.5), [(3,)],
              contains=("expected dtype float for `end` but got dtype double",)),
    ErrorSpec("clamp/bool-bounds", lambda lib, a: lib.clamp(a, True, False), [(3,)],
              dtype="bool", exc=NotImplementedError,
              contains=("\"clamp_scalar_cpu\" not implemented for 'Bool'",)),
    ErrorSpec("clamp_min/bool", lambda lib, a: lib.clamp_min(a, True), [(3,)], dtype="bool",
              exc=NotImplementedError, contains=("not implemented for 'Bool'",)),
    ErrorSpec("lerp/weight-dtype", lambda lib, a, w: lib.lerp(a, a, w), [(3,), (3,)],
              dtypes=("float32", "float64"),
              contains=("expected dtype float for `weight` but got dtype double",)),
    ErrorSpec("lerp/int-tensor-weight", lambda lib, a: lib.lerp(a, a, a), [(3,)], dtype="int64",
              exc=NotImplementedError, contains=("\"lerp_kernel_tensor\" not implemented",)),
    ErrorSpec("lerp/shape-mismatch", lambda lib, a, b: lib.lerp(a, b, 0.5), [(3,), (2,)],
              contains=("The size of tensor a (3) must match the size of tensor b (2)",)),
    ErrorSpec("atan2/number", lambda lib, a: lib.atan2(a, 2.0), [(3,)], exc=TypeError,
              contains=("atan2()", "must be Tensor, not float")),
    ErrorSpec("atan2/shape-mismatch", lambda lib, a, b: lib.atan2(a, b), [(4, 3), (4,)],
              contains=("The size of tensor a (3) must match the size of tensor b (4)",
                        "non-singleton dimension 1")),
]

# ---- hypot, logaddexp(2), copysign, heaviside, nextafter, signbit, erfinv, logit, angles --------
for _name, _dom in (("hypot", (-2, 2)), ("logaddexp", (-3, 3)), ("logaddexp2", (-3, 3))):
    _f = lambda lib, a, b, _n=_name: getattr(lib, _n)(a, b)  # noqa: E731
    OPS += [
        OpSpec(_name, _f, [(3, 4), (3, 4)], domain=_dom),
        OpSpec(f"{_name}/broadcast", _f, [(3, 1), (4,)], domain=_dom),
        OpSpec(f"{_name}/0d-method", lambda lib, a, b, _n=_name: getattr(a, _n)(b), [(), (3,)],
               domain=_dom),
        OpSpec(f"{_name}/empty", _f, [(0, 3), (3,)], domain=_dom),
        OpSpec(f"{_name}/int-float", _f, [(3,), (3,)], dtypes=("int64", "float64"),
               domain=(1, 3), grad_inputs=(1,)),
    ]
    ERRORS.append(ErrorSpec(f"{_name}/int", _f, [(3,), (3,)], dtype="int64",
                            exc=NotImplementedError,
                            contains=(f"\"{_name}_cpu\" not implemented for 'Long'",)))
    ERRORS.append(ErrorSpec(f"{_name}/number", lambda lib, a, _n=_name: getattr(lib, _n)(a, 2.0),
                            [(3,)], exc=TypeError, contains=(f"{_name}()", "must be Tensor")))
OPS += [
    OpSpec("logaddexp/infinities", lambda lib, a, b: lib.logaddexp(a, b),
           values=[_f32([-inf, inf, inf, 1.0]), _f32([-inf, inf, -inf, -inf])], grad=False),
    OpSpec("inplace/hypot_", lambda lib, a, b: (a * 1).hypot_(b), [(3, 4), (4,)]),
    OpSpec("copysign", lambda lib, a, b: lib.copysign(a, b), [(3, 4), (3, 4)]),
    OpSpec("copysign/number", lambda lib, a: lib.copysign(a, -1.0), [(3, 4)]),
    OpSpec("copysign/zeros", lambda lib, a, b: a.copysign(b),
           values=[_f32([0.0, -0.0, 1.0, -2.0]), _f32([-0.0, 1.0, -0.0, nan])], gradcheck=False,
           note="fixed values at 0"),
    OpSpec("copysign/int-bool", lambda lib, a, b: (lib.copysign(a, a), lib.copysign(b, b),
                                                   lib.copysign(a, b)),
           [(3,), (3,)], dtypes=("int64", "bool"), domain=(-3, 3), grad=False),
    OpSpec("copysign/broadcast-f64", lambda lib, a, b: lib.copysign(a, b), [(3, 1), (4,)],
           dtypes=("float32", "float64"), gradcheck=False, note="float32 input"),
    OpSpec("inplace/copysign_", lambda lib, a, b: (a * 1).copysign_(b), [(3, 4), (4,)]),
    OpSpec("nextafter", lambda lib, a, b: lib.nextafter(a, b), [(3, 4), (4,)]),
    OpSpec("nextafter/float64", lambda lib, a, b: a.nextafter(b), [(3,), (3,)], dtype="float64"),
    OpSpec("heaviside", lambda lib, a, b: lib.heaviside(a, b),
           values=[_f32([nan, 0.0, -0.0, 2.0, -1.0]), _f32([5.0])], grad=False),
    OpSpec("heaviside/int-method", lambda lib, a, b: a.heaviside(b), [(4,), (4,)], dtype="int64",
           domain=(-2, 2), grad=False),
    OpSpec("heaviside/bool", lambda lib, a, b: lib.heaviside(a, b), [(4,), (4,)], dtype="bool",
           grad=False),
    OpSpec("signbit", lambda lib, a: (lib.signbit(a), a.signbit()),
           values=[_f32([-0.0, 0.0, nan, -nan, -inf, 2.0])], grad=False),
    OpSpec("signbit/int-bool", lambda lib, a, b: (lib.signbit(a), lib.signbit(b)), [(4,), (4,)],
           dtypes=("int64", "bool"), domain=(-3, 3), grad=False),
    OpSpec("sgn", lambda lib, a: lib.sgn(a), [(3, 4)], grad=False,
           note="torch's gradient is a ZeroTensor the oracle cannot read: grad_fn in "
                "test_fidelity_pointwise.py"),
    OpSpec("sgn_", lambda lib, a: (a * 1).sgn_(), [(3,)], grad=False),
]
for _name, _dom in (("erfinv", (-0.95, 0.95)), ("deg2rad", (-200, 200)),
                    ("rad2deg", (-3, 3)), ("logit", (0.05, 0.95))):
    _unary(_name, _dom, True)
    OPS.append(OpSpec(f"inplace/{_name}_", _inplace(f"{_name}_"), [(3, 4)], domain=_dom))
OPS += [
    OpSpec("erfinv/special", lambda lib, a: lib.erfinv(a),
           values=[np.array([-1.0, 1.0, 0.999999, 1e-8, -0.3, 1.5, nan])], grad=False),
    OpSpec("erfinv/float32-tails", lambda lib, a: lib.erfinv(a),
           values=[_f32([0.9999, -0.99, 0.5, 1e-30])], grad=False),
    OpSpec("logit/eps", lambda lib, a: lib.logit(a, eps=0.1),
           values=[_f32([0.05, 0.5, 0.97, 1.2, -0.1])], gradcheck=False,
           note="values on both sides of the clamp"),
    OpSpec("logit/eps-grad", lambda lib, a: a.logit(0.2), [(3, 4)], domain=(0.3, 0.7)),
    OpSpec("logit/outside", lambda lib, a: lib.logit(a),
           values=[_f32([0.0, 1.0, 1.2, -0.1, 0.5])], gradcheck=False,
           note="values outside (0, 1): NaN gradients"),
    OpSpec("inplace/logit_-eps", lambda lib, a: (a * 1).logit_(0.2), [(3,)], domain=(0.1, 0.9)),
    OpSpec("deg2rad/float16", lambda lib, a: lib.deg2rad(a), [(3,)], dtype="float16",
           domain=(-90, 90), grad=False),
]
ERRORS += [
    ErrorSpec("heaviside/dtypes", lambda lib, a, b: lib.heaviside(a, b), [(3,), (3,)],
              dtypes=("float32", "int64"),
              contains=("heaviside is not yet implemented for tensors with different dtypes.",)),
    ErrorSpec("heaviside/number", lambda lib, a: lib.heaviside(a, 1.0), [(3,)], exc=TypeError,
              contains=("heaviside(): argument 'values' (position 2) must be Tensor, not float",)),
    ErrorSpec("nextafter/int", lambda lib, a: lib.nextafter(a, a), [(3,)], dtype="int64",
              exc=NotImplementedError, contains=("\"nextafter_cpu\" not implemented for 'Long'",)),
    ErrorSpec("deg2rad_/int", lambda lib, a: a.deg2rad_(), [(3,)], dtype="int64",
              contains=("result type Float can't be cast to the desired output type Long",)),
]
ERRORS.append(ErrorSpec("hypot/shape-before-dtype", lambda lib, a, b: lib.hypot(a, b), [(4,), (3,)],
                        dtypes=("bool", "int32"),
                        contains=("The size of tensor a (4) must match the size of tensor b (3)",)))
