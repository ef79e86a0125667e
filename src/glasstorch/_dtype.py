"""dtypes: torch's names over NumPy's types, and torch's rules for promoting them.

A `dtype` object names a NumPy type (``float32`` holds ``np.float32``). Promotion follows torch, not
NumPy: categories bool < integer < floating, and three priorities of operand — tensors with
dimensions, then zero-dimensional tensors, then Python scalars. A lower-priority operand changes the
result only when it is of a higher category (``int64 tensor + 2.5`` is float32, the default float;
``float32 tensor + float64 0-d tensor`` stays float32).
"""

from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type, printed as torch prints it (``torch.float32``)."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed", "_cat",
                 "scalar_name", "c_name")

    def __init__(self, name: str, np_type, category: int, scalar_name: str, c_name: str):
        self.name = name
        self.scalar_name = scalar_name  # torch's ScalarType in messages: "Float", "Long"
        self.c_name = c_name  # the C++ type torch's kernels name: "float", "long int"
        self.np = np.dtype(np_type)
        self.itemsize = self.np.itemsize
        self.is_floating_point = category == 2
        self.is_complex = category == 3
        self.is_signed = self.np.kind in "fic"
        self._cat = category  # 0 bool, 1 integer, 2 floating, 3 complex

    def __repr__(self) -> str:
        return "torch." + self.name

    @property
    def tensor_type(self) -> str:
        """The legacy tensor type a tensor of this dtype names itself by: ``"FloatTensor"``."""
        return self.scalar_name + "Tensor"

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_complex(self) -> dtype:
        return complex128 if self is float64 else complex64

    def to_real(self) -> dtype:
        return float64 if self is complex128 else float32 if self is complex64 else self


bool_ = dtype("bool", np.bool_, 0, "Bool", "bool")
uint8 = dtype("uint8", np.uint8, 1, "Byte", "unsigned char")
int8 = dtype("int8", np.int8, 1, "Char", "signed char")
int16 = dtype("int16", np.int16, 1, "Short", "short int")
int32 = dtype("int32", np.int32, 1, "Int", "int")
int64 = dtype("int64", np.int64, 1, "Long", "long int")
float16 = dtype("float16", np.float16, 2, "Half", "c10::Half")
float32 = dtype("float32", np.float32, 2, "Float", "float")
float64 = dtype("float64", np.float64, 2, "Double", "double")
complex64 = dtype("complex64", np.complex64, 3, "ComplexFloat", "c10::complex<float>")
complex128 = dtype("complex128", np.complex128, 3, "ComplexDouble", "c10::complex<double>")

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
_from_np = {d.np: d for d in ALL}
_names = {d.name: d for d in ALL}


def _by_name(name: str) -> dtype:
    return _names[name]


def scalar_name(v) -> str:
    """torch's word for the dtype of ``v`` (a dtype, NumPy dtype, array or tensor): "Float"."""
    d = of(v)
    return d.scalar_name if d is not None else str(v)


def c_name(v) -> str:
    """The C++ type torch's kernels name for the dtype of ``v``: "float", "long int"."""
    d = of(v)
    return d.c_name if d is not None else str(v)


def of(v) -> dtype | None:
    """The glasstorch dtype of ``v``: a dtype, a NumPy dtype or type, an array or a tensor."""
    if isinstance(v, dtype):
        return v
    npd = getattr(v, "_data", v)  # a Tensor's array
    if not isinstance(npd, (type, np.dtype)):
        npd = getattr(npd, "dtype", npd)
    try:
        return _from_np.get(np.dtype(npd))
    except TypeError:
        return None


class _DefaultDtype:
    float = float32


_default = _DefaultDtype()


def get_default_dtype() -> dtype:
    """The dtype of Python floats and float factories (``zeros``, ``rand``): float32 unless set."""
    return _default.float


def set_default_dtype(d: dtype) -> None:
    """Make ``d`` (float32 or float64) the default floating dtype (``torch.set_default_dtype``)."""
    if not isinstance(d, dtype) or not d.is_floating_point or d is float16:
        raise TypeError(f"only floating-point types are supported as the default type, got {d!r}")
    _default.float = d


def from_numpy_dtype(npd) -> dtype:
    """The torch dtype of a NumPy dtype; TypeError naming the type when torch has no such dtype."""
    try:
        return _from_np[npd]
    except KeyError:
        try:
            return _from_np[np.dtype(npd)]
        except (KeyError, TypeError):
            raise TypeError(
                f"can't convert np.ndarray of type {np.dtype(npd)}. The only supported types are: "
                "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
                "uint8, and bool."
            ) from None


def to_dtype(d) -> dtype:
    """Accept a torch dtype, a NumPy dtype or type, or a Python type (``float`` → default float)."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return _default.float
    if d is int:
        return int64
    if d is bool:
        return bool_
    if d is complex:
        return complex64
    return from_numpy_dtype(d)


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the higher category wins; within one category, the wider type."""
    if a is b:
        return a
    if a._cat != b._cat:
        hi, lo = (a, b) if a._cat > b._cat else (b, a)
        if hi.is_complex and lo is float64:
            return complex128
        return hi
    return _from_np[np.promote_types(a.np, b.np)]


def scalar_dtype(value) -> dtype:
    """The dtype torch gives a Python scalar: bool, int64, the default float, or complex."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _default.float
    if isinstance(value, complex):
        return complex64 if _default.float is float32 else complex128
    if isinstance(value, np.generic):
        return from_numpy_dtype(value.dtype)
    raise TypeError(f"expected a Tensor or a Python number, got {type(value).__name__}")


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """Merge the result of a higher-priority group with a lower one (torch's combine_categories)."""
    if higher is None:
        return lower
    if lower is None or higher._cat >= 2 and higher._cat >= lower._cat:
        return higher
    if lower._cat > higher._cat:
        return promote_types(higher, lower)
    return higher


def result_type(*operands) -> dtype:
    """torch.result_type for any mix of tensors and Python scalars."""
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is not None and hasattr(x, "_data"):
            if x._data.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            s = scalar_dtype(x)
            if s.is_floating_point:
                s = _default.float
            wrapped = s if wrapped is None else promote_types(wrapped, s)
    return _combine(dim, _combine(zero, wrapped))
