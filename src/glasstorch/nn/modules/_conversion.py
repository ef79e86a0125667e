"""Converting a module's tensors: ``to()``, ``float()``, ``double()``, ``half()``, ``type()``.

Every conversion goes through ``_apply(fn)``, which walks the module tree and replaces each
parameter's values by ``fn(param)`` *in place* (the ``Parameter`` object stays the same, so an
optimizer built before ``model.double()`` still updates the model's parameters) and each buffer
by ``fn(buffer)``.
"""

from __future__ import annotations

from ... import _dtype
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..parameter import is_lazy


class _ConversionMixin:
    """The dtype/device half of ``Module`` (kept in its own file to keep ``module.py`` short)."""

    # ---- conversion -----------------------------------------------------------------------
    def _apply(self, fn):
        """Convert every parameter, gradient and buffer with ``fn``, in place: a parameter keeps
        its identity (its ``.data`` is replaced), so optimizers holding it stay valid."""
        for module in self.children():
            module._apply(fn)
        with no_grad():
            for param in self._parameters.values():
                if param is None or is_lazy(param):  # placeholders have nothing to convert
                    continue
                param._data = fn(param)._data
                if param._grad is not None:
                    param._grad._data = fn(param._grad)._data
            for name, buf in self._buffers.items():
                if buf is not None:
                    self._buffers[name] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """Convert the floating point parameters and buffers to a dtype
        (``model.to(torch.float64)``) or move them to a device (only the CPU exists here).
        Converts in place, keeping each parameter's identity; returns the module."""
        from ..._device import check_device

        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(
                f"to() received an invalid combination of arguments - got unexpected keyword "
                f"argument '{next(iter(kwargs))}'"
            )
        for arg in args:
            if isinstance(arg, _dtype.dtype):
                dtype = arg
            elif isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, bool):
                continue
            else:
                device = arg
        check_device(device)
        if dtype is None:
            return self
        if not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError(
                "nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={dtype}"
            )
        return self._apply(
            lambda t: t.to(dtype) if t._data.dtype.kind in "fc" and t.dtype is not dtype else t
        )

    def _to_float_dtype(self, dtype):
        return self._apply(
            lambda t: t.to(dtype) if t._data.dtype.kind == "f" and t.dtype is not dtype else t
        )

    def float(self):
        """Convert floating point parameters and buffers to float32."""
        return self._to_float_dtype(_dtype.float32)

    def double(self):
        """Convert floating point parameters and buffers to float64."""
        return self._to_float_dtype(_dtype.float64)

    def half(self):
        """Convert floating point parameters and buffers to float16."""
        return self._to_float_dtype(_dtype.float16)

    def type(self, dst_type):
        """Convert every parameter and buffer to ``dst_type``."""
        return self._apply(lambda t: t.type(dst_type))

    def to_empty(self, *, device=None, recurse: bool = True):
        """Replace every parameter's and buffer's values by uninitialised memory of the same
        shape and dtype on ``device`` (the CPU); follow with ``reset_parameters()``."""
        from ... import _creation
        from ..._device import check_device

        check_device(device)
        return self._apply(lambda t: _creation.empty_like(t))

    def cpu(self):
        """Move to the CPU: everything already lives there, so this returns the module."""
        return self

    def cuda(self, device=None):
        """Move to a CUDA device: raises, glasstorch computes on the CPU only."""
        from ..._device import _no_cuda

        _no_cuda()
