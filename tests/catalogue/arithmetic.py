"""Catalogue entries for ops/arithmetic.py: + - * / // % ** and neg, in function, method and
operator form, with Python numbers on either side and torch's promotion rules (int tensor + 2.5
is float32, int / int is float32, float32 tensor * float64 0-d tensor stays float32)."""

import operator

import numpy as np

from .spec import ErrorSpec, OpSpec

OPS = []

_BINARY = {  # op name: (the Python operator, the domain of random inputs)
    "add": (operator.add, (-2, 2)), "sub": (operator.sub, (-2, 2)), "mul": (operator.mul, (-2, 2)),
    "div": (operator.truediv, (0.5, 2)), "pow": (operator.pow, (0.5, 2)),
    "remainder": (operator.mod, (0.5, 3)),
}
for _name, (_sym, _dom) in _BINARY.items():
    _fn = lambda lib, a, b, _n=_name: getattr(lib, _n)(a, b)  # noqa: E731
    _op = lambda lib, a, b, _o=_sym: _o(a, b)  # noqa: E731
    OPS += [
        OpSpec(_name, _fn, [(3, 4), (3, 4)], domain=_dom),
        OpSpec(f"{_name}/method", lambda lib, a, b, _n=_name: getattr(a, _n)(b), [(3, 4), (4,)],
               domain=_dom),
        OpSpec(f"{_name}/operator-broadcast", _op, [(2, 1, 4), (3, 1)], domain=_dom),
        OpSpec(f"{_name}/0d", _op, [(), (3,)], domain=_dom),
        OpSpec(f"{_name}/0d-0d", _op, [(), ()], domain=_dom),
        OpSpec(f"{_name}/empty", _op, [(0, 3), (3,)], domain=_dom),
        OpSpec(f"{_name}/scalar-right", lambda lib, a, _o=_sym: _o(a, 1.5), [(3, 4)],
               domain=_dom),
        OpSpec(f"{_name}/scalar-left", lambda lib, a, _o=_sym: _o(1.5, a), [(3, 4)],
               domain=_dom, grad=_name != "remainder",
               note="torch has no derivative for number % tensor"),
        OpSpec(f"{_name}/int-scalar", lambda lib, a, _o=_sym: _o(a, 2), [(3, 4)], domain=_dom),
        OpSpec(f"{_name}/float64", _op, [(3,), (3,)], dtype="float64", domain=_dom),
        OpSpec(f"{_name}/f32-f64-0d", _op, [(3,), ()], dtypes=("float32", "float64"),
               domain=_dom, gradcheck=False, note="float32 input: no float64 gradcheck"),
        OpSpec(f"{_name}/f32-f64", _op, [(3,), (3,)], dtypes=("float32", "float64"),
               domain=_dom, gradcheck=False, note="float32 input: no float64 gradcheck"),
        OpSpec(f"{_name}/int-float", _op, [(3,), (3,)], dtypes=("int64", "float32"),
               domain=(1, 3), gradcheck=False, note="float32 input: no float64 gradcheck"),
        OpSpec(f"{_name}/int-int", _op, [(3, 4), (3, 4)], dtype="int64", domain=(1, 3),
               grad=False),
        OpSpec(f"{_name}/int-2.5", lambda lib, a, _o=_sym: _o(a, 2.5), [(3,)], dtype="int64",
               domain=(1, 3), grad=False),
        OpSpec(f"{_name}/int32-int64", _op, [(3,), (3,)], dtypes=("int32", "int64"),
               domain=(1, 3), grad=False),
        OpSpec(f"{_name}/int32-scalar", lambda lib, a, _o=_sym: _o(a, 2), [(3,)],
               dtype="int32", domain=(1, 3), grad=False),
    ]
    if _name != "sub":  # torch refuses any subtraction with a bool tensor
        OPS += [
            OpSpec(f"{_name}/bool-int", _op, [(4,), (4,)], dtypes=("bool", "int64"),
                   domain=(1, 3), grad=False),
            OpSpec(f"{_name}/bool-float", _op, [(4,), (4,)], dtypes=("bool", "float32"),
                   domain=_dom, grad_inputs=(1,), gradcheck=False,
                   note="float32 input: no float64 gradcheck"),
        ]

OPS += [
    OpSpec("add/alpha", lambda lib, a, b: lib.add(a, b, alpha=2.5), [(3, 4), (4,)]),
    OpSpec("sub/alpha", lambda lib, a, b: a.sub(b, alpha=-2), [(3, 4), (3, 4)]),
    OpSpec("add/alpha-int", lambda lib, a, b: lib.add(a, b, alpha=3), [(3,), (3,)],
           dtype="int64", grad=False),
    OpSpec("add/bool-bool", lambda lib, a, b: a + b, [(4,), (4,)], dtype="bool", grad=False),
    OpSpec("mul/bool-bool", lambda lib, a, b: a * b, [(4,), (4,)], dtype="bool", grad=False),
    OpSpec("add/bool-scalar", lambda lib, a: a + 1, [(4,)], dtype="bool", grad=False),
    OpSpec("add/bool-true", lambda lib, a: a + True, [(4,)], grad=False),
    OpSpec("div/int-int-true", lambda lib, a, b: a / b, [(5,), (5,)], dtype="int64",
           domain=(1, 4), grad=False),
    OpSpec("div/int-scalar-int", lambda lib, a: a / 2, [(5,)], dtype="int64", domain=(1, 4),
           grad=False),
    OpSpec("div/trunc", lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"), [(3, 4), (3, 4)],
           domain=(-3, 3), grad=False),
    OpSpec("div/floor", lambda lib, a, b: lib.div(a, b, rounding_mode="floor"), [(3, 4), (3, 4)],
           domain=(-3, 3), grad=False),
    OpSpec("div/int-trunc", lambda lib, a, b: a.div(b, rounding_mode="trunc"), [(5,), (5,)],
           values=[np.array([7, -7, 7, -7, 0]), np.array([2, 2, -2, -2, 3])], grad=False),
    OpSpec("div/by-zero", lambda lib, a, b: a / b,
           values=[np.array([1.0, -1.0, 0.0], np.float32), np.zeros(3, np.float32)], grad=False),
    OpSpec("true_divide", lambda lib, a, b: lib.true_divide(a, b), [(3,), (3,)], domain=(0.5, 2)),
    OpSpec("floor_divide", lambda lib, a, b: lib.floor_divide(a, b), [(3, 4), (3, 4)],
           domain=(0.5, 3), grad=False),
    OpSpec("floor_divide/operator-int", lambda lib, a: a // 3, [(6,)], dtype="int64",
           domain=(-9, 9), grad=False),
    OpSpec("floor_divide/negative-float", lambda lib, a, b: a // b,
           values=[np.array([7.0, -7.0, 7.5, -7.5], np.float32),
                   np.array([2.0, 2.0, -2.0, -2.0], np.float32)], grad=False),
    OpSpec("floor_divide/scalar-left", lambda lib, a: 7 // a, [(4,)], dtype="int64", domain=(1, 4),
           grad=False),
    OpSpec("remainder/negative", lambda lib, a, b: a % b,
           values=[np.array([7.0, -7.0, 7.0, -7.0], np.float32),
                   np.array([3.0, 3.0, -3.0, -3.0], np.float32)], gradcheck=False,
           note="fixed float32 values: no float64 gradcheck"),
    OpSpec("remainder/int", lambda lib, a: a % 3, [(6,)], dtype="int64", domain=(-9, 9),
           grad=False),
    OpSpec("fmod", lambda lib, a, b: lib.fmod(a, b),
           values=[np.array([7.0, -7.0, 7.0, -7.0], np.float32),
                   np.array([3.0, 3.0, -3.0, -3.0], np.float32)], grad=False),
    OpSpec("pow/tensor-tensor", lambda lib, a, b: a ** b, [(3, 4), (3, 4)], domain=(0.5, 2)),
    OpSpec("pow/square", lambda lib, a: a ** 2, [(3, 4)]),
    OpSpec("pow/zero-exponent", lambda lib, a: a ** 0, [(3, 4)]),
    OpSpec("pow/half", lambda lib, a: lib.pow(a, 0.5), [(3, 4)], domain=(0.5, 2)),
    OpSpec("pow/negative", lambda lib, a: a.pow(-1.5), [(3, 4)], domain=(0.5, 2)),
    OpSpec("pow/number-base", lambda lib, a: 2 ** a, [(3, 4)]),
    OpSpec("pow/int-int", lambda lib, a: a ** 2, [(5,)], dtype="int64", domain=(-3, 3),
           grad=False),
    OpSpec("pow/int-float", lambda lib, a: a ** 0.5, [(5,)], dtype="int64", domain=(0, 4),
           grad=False),
    OpSpec("pow/zero-base-tensor-exp", lambda lib, a, b: a ** b,
           values=[np.array([0.0, 0.0, 2.0], np.float32), np.array([2.0, 0.5, 3.0], np.float32)],
           gradcheck=False, note="0 ** b is not differentiable in a at 0"),
    OpSpec("neg", lambda lib, a: lib.neg(a), [(3, 4)]),
    OpSpec("neg/operator-0d", lambda lib, a: -a, [()]),
    OpSpec("neg/empty", lambda lib, a: -a, [(0, 3)]),
    OpSpec("neg/int", lambda lib, a: -a, [(4,)], dtype="int64", grad=False),
    OpSpec("negative", lambda lib, a: lib.negative(a), [(3,)]),
    OpSpec("rsub/number", lambda lib, a: 1 - a, [(3, 4)]),
    OpSpec("chain/mixed", lambda lib, a, b: ((a * b + 1) / (b * b + 1) - a) ** 2, [(3, 4), (4,)]),
    OpSpec("chain/reused", lambda lib, a: a * a + a / (a * a + 1), [(3,)]),
    # in place
    OpSpec("iadd", lambda lib, a, b: _iop(a * 1, b, "__iadd__"), [(3, 4), (4,)]),
    OpSpec("isub", lambda lib, a, b: _iop(a * 1, b, "__isub__"), [(3, 4), (3, 4)]),
    OpSpec("imul", lambda lib, a, b: _iop(a * 1, b, "__imul__"), [(3, 4), ()]),
    OpSpec("itruediv", lambda lib, a, b: _iop(a * 1, b, "__itruediv__"), [(3, 4), (4,)],
           domain=(0.5, 2)),
    OpSpec("add_/alpha", lambda lib, a, b: (a * 1).add_(b, alpha=2), [(3, 4), (4,)]),
    OpSpec("mul_/scalar", lambda lib, a: (a * 1).mul_(2.5), [(3, 4)]),
    OpSpec("div_/int-tensor-float-result", lambda lib, a: (a * 1.0).div_(2), [(3,)],
           dtype="int64", grad=False),
    OpSpec("iadd/int-int", lambda lib, a, b: _iop(a * 1, b, "__iadd__"), [(3,), (3,)],
           dtype="int64", grad=False),
    OpSpec("iadd/float-int", lambda lib, a, b: _iop(a * 1, b, "__iadd__"), [(3,), (3,)],
           dtypes=("float32", "int64"), grad=False),
    OpSpec("ipow", lambda lib, a: _iop(a * 1, 2, "__ipow__"), [(3, 4)]),
    OpSpec("neg_", lambda lib, a: (a * 1).neg_(), [(3, 4)]),
]


def _iop(x, y, name):
    return getattr(x, name)(y)


ERRORS = [
    ErrorSpec("sub/bool-bool", lambda lib, a, b: a - b, [(3,), (3,)], dtype="bool",
              contains=("Subtraction, the `-` operator, with two bool tensors is not supported",
                        "logical_xor()")),
    ErrorSpec("neg/bool", lambda lib, a: -a, [(3,)], dtype="bool",
              contains=("Negation, the `-` operator, on a bool tensor is not supported",)),
    ErrorSpec("iadd/broadcast-out", lambda lib, a, b: a.__iadd__(b), [(3,), (2, 3)],
              contains=("output with shape [3] doesn't match the broadcast shape [2, 3]",)),
    ErrorSpec("iadd/int-float", lambda lib, a, b: a.__iadd__(b), [(3,), (3,)],
              dtypes=("int64", "float32"),
              contains=("can't be cast to the desired output type Long",)),
    ErrorSpec("div_/int", lambda lib, a: a.div_(2), [(3,)], dtype="int64",
              contains=("can't be cast to the desired output type Long",)),
    ErrorSpec("pow/int-negative", lambda lib, a: a ** -1, [(3,)], dtype="int64", domain=(1, 3),
              contains=("Integers to negative integer powers are not allowed.",)),
    ErrorSpec("floor_divide/int-zero", lambda lib, a: a // 0, [(3,)], dtype="int64",
              contains=("ZeroDivisionError",)),
    ErrorSpec("remainder/int-zero", lambda lib, a: a % 0, [(3,)], dtype="int64",
              contains=("ZeroDivisionError",)),
    ErrorSpec("div/rounding-mode", lambda lib, a: lib.div(a, a, rounding_mode="round"), [(3,)],
              contains=("div expected rounding_mode to be one of None, 'trunc', or 'floor'",)),
    ErrorSpec("add/string", lambda lib, a: a + "x", [(3,)], exc=TypeError),
    ErrorSpec("add/none", lambda lib, a: lib.add(a, None), [(3,)], exc=TypeError),
]
