"""Parameter and Buffer: how a tensor tells a ``Module`` what it is.

A ``Parameter`` is a tensor that a module learns: assigning one to a module attribute
(``self.weight = nn.Parameter(...)``) registers it, so it shows up in ``module.parameters()`` (what
an optimizer updates) and in ``state_dict()``. A ``Buffer`` is state that is saved and moved with
the module but not learned (running statistics, for example).

``UninitializedParameter`` is the placeholder a lazy module (``nn.LazyLinear``) holds until its
first call tells it the shape; ``materialize(shape)`` then turns it into an ordinary ``Parameter``.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from .. import _dtype
from .._tensor import Tensor


def _new_leaf(cls, arr: np.ndarray, version: list, requires_grad: bool):
    """A new instance of the Tensor subclass ``cls`` over ``arr``: a leaf (no history, no grad),
    sharing the version counter ``version`` with the tensor that gave its memory."""
    t = object.__new__(cls)
    t._data, t._vc, t._rg, t._grad_fn, t._grad, t._base, t._acc = (
        arr, version, requires_grad, None, None, None, None
    )
    return t


class Parameter(Tensor):
    """A tensor that is a learnable weight of a module.

    ``Parameter(data)`` shares ``data``'s memory but is a new leaf of the graph, even when ``data``
    was computed (``nn.Parameter(torch.randn(3) * 0.01)``), so gradients accumulate into its
    ``.grad``.

    Args:
        data (Tensor): the initial values (default: an empty tensor).
        requires_grad (bool): whether autograd records operations on it (default: ``True``).

    Example::

        >>> w = nn.Parameter(torch.zeros(2))
        >>> w
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            data = Tensor(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}"
            )
        if requires_grad and data._data.dtype.kind not in "fc":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        return _new_leaf(cls, data._data, data._vc, bool(requires_grad))

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        pass  # everything happens in __new__

    def __repr__(self) -> str:
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (type(self), (self.detach(), self._rg))


_DATA_SLOT = Tensor._data  # the slot that holds a tensor's ndarray
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _calling_op() -> str:
    """The name of the outermost glasstorch function on the stack (the op the user called)."""
    frame = sys._getframe(2)
    name = "<unknown>"
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        name = frame.f_code.co_name
        frame = frame.f_back
    return name


class UninitializedTensorMixin:
    """What lazy placeholders share: no values until ``materialize(shape)``.

    Until then any op on the placeholder raises (its values are reached through a property that
    refuses) and so does asking for its shape; ``materialize`` allocates uninitialised values and
    turns the object into ``cls_to_become`` (a ``Parameter`` or a plain tensor), keeping its
    identity so that optimizers and modules holding it see the real tensor.
    """

    __slots__ = ()
    cls_to_become = Tensor

    @property
    def _data(self):
        raise ValueError(
            f"Attempted to use an uninitialized parameter in {_calling_op()}. This error happens "
            "when you are using a `LazyModule` or explicitly manipulating "
            "`torch.nn.parameter.UninitializedParameter` objects. When using LazyModules Call "
            "`forward` with a dummy batch to initialize the parameters before calling torch "
            "functions"
        )

    @_data.setter
    def _data(self, value) -> None:
        _DATA_SLOT.__set__(self, value)

    @property
    def dtype(self):
        return self.__dict__.get("_gt_dtype") or _dtype.get_default_dtype()

    @property
    def device(self):
        """Where ``materialize`` will put the values: given at construction, or by moving the
        module (``lazy.cuda()``) before its first call."""
        from .._device import device

        return self.__dict__.get("_gt_device") or device("cpu")

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
            "initialized one. Call `forward` to initialize the parameters before accessing their "
            "attributes."
        )

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Allocate the values with ``shape`` and become ``cls_to_become``."""
        if dtype is None:
            dtype = self.dtype
        if device is None:
            device = self.device
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        from .._device import place

        self._data = place(np.empty(shape, dtype=_dtype.to_dtype(dtype).np), device)
        self._vc = [0]
        self.__dict__.pop("_gt_dtype", None)
        self.__dict__.pop("_gt_device", None)
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    __str__ = __repr__

    def __deepcopy__(self, memo):
        new = type(self)(self._rg, self.__dict__.get("_gt_device"), self.__dict__.get("_gt_dtype"))
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, proto):
        return (type(self), (self._rg, self.__dict__.get("_gt_device"),
                             self.__dict__.get("_gt_dtype")))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is not known yet (held by lazy modules until their first call);
    ``materialize(shape)`` turns it into a ``Parameter``."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        p = Parameter.__new__(cls, Tensor(0), requires_grad)
        p.__dict__["_gt_dtype"] = _dtype.to_dtype(dtype) if dtype is not None else None
        p.__dict__["_gt_device"] = _placeholder_device(device)
        return p

    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        pass


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet; ``materialize(shape)`` turns it into a tensor."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None, persistent=True):
        t = _new_leaf(cls, Tensor(0)._data, [0], bool(requires_grad))
        t.__dict__["_gt_dtype"] = _dtype.to_dtype(dtype) if dtype is not None else None
        t.__dict__["_gt_device"] = _placeholder_device(device)
        t.__dict__["persistent"] = persistent
        return t

    def __init__(self, requires_grad: bool = False, device=None, dtype=None, persistent=True):
        pass


def _placeholder_device(dev):
    """The device a placeholder is made for (None: the CPU), checked as the factories check it."""
    if dev is None:
        return None
    from .._device import check_device, device

    check_device(dev)
    return device(dev)


def is_lazy(param) -> bool:
    """Whether ``param`` is still an uninitialized placeholder."""
    return isinstance(param, UninitializedTensorMixin)


class _BufferMeta(type):
    # ``Buffer(t)`` returns a plain tensor flagged as a buffer; isinstance checks that flag.
    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor) and instance.__dict__.get("_is_buffer", False)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Marks a tensor as a module buffer: ``self.running_mean = nn.Buffer(torch.zeros(3))``.

    A buffer is saved in ``state_dict()`` (unless ``persistent=False``) and converted by
    ``module.to()``, but it is not a parameter: optimizers do not see it.

    Args:
        data (Tensor): the buffer's values (shared, detached from the graph).
        persistent (bool): whether ``state_dict()`` includes it (default: ``True``).
    """

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        t = Tensor(0) if data is None else data.detach()
        t.__dict__["_is_buffer"] = True
        t.__dict__["persistent"] = persistent
        return t


__all__ = [
    "Parameter", "UninitializedParameter", "UninitializedBuffer", "UninitializedTensorMixin",
    "Buffer", "is_lazy",
]
