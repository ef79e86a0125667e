"""Lazy modules: layers that learn their input size from the first input they see.

A lazy module (``nn.LazyLinear(10)``) holds ``UninitializedParameter`` placeholders. A forward
pre-hook runs ``initialize_parameters(input)`` on the first call: it reads the missing size from the
input, materializes the parameters and initialises them. The hook then removes itself and the
module changes its class to ``cls_to_become`` (``LazyLinear`` becomes ``Linear``), so from then on
it is an ordinary layer. Loading a ``state_dict`` into a lazy module materializes the parameters
with the saved shapes.
"""

from __future__ import annotations

from ..parameter import is_lazy


class LazyModuleMixin:
    """Mixin for modules whose parameter shapes are inferred on the first call.

    A subclass defines ``initialize_parameters(*args, **kwargs)`` (which receives the first
    call's arguments and materializes every ``UninitializedParameter``) and may set
    ``cls_to_become`` to the class the module turns into once initialised.

    Example::

        >>> m = nn.LazyLinear(3)
        >>> m.has_uninitialized_params()
        True
        >>> _ = m(torch.zeros(2, 5)); type(m).__name__
        'Linear'
    """

    cls_to_become = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(
            LazyModuleMixin._infer_parameters, with_kwargs=True
        )

    def has_uninitialized_params(self) -> bool:
        """Whether some parameter or buffer is still a placeholder."""
        tensors = list(self._parameters.values()) + list(self._buffers.values())
        return any(is_lazy(t) for t in tensors)

    def initialize_parameters(self, *args, **kwargs) -> None:
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {type(self).__name__}"
        )

    @staticmethod
    def _infer_parameters(module, args, kwargs=None):
        """The forward pre-hook: initialise from the first inputs, then become ``cls_to_become``."""
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        del module._initialize_hook
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _save_to_state_dict(self, destination, prefix: str, keep_vars: bool) -> None:
        # Placeholders are saved as they are (they have no values to detach).
        for name, param in self._parameters.items():
            if param is not None:
                lazy = is_lazy(param)
                destination[prefix + name] = param if keep_vars or lazy else param.detach()
        skip = self._non_persistent_buffers_set
        for name, buf in self._buffers.items():
            if buf is not None and name not in skip:
                destination[prefix + name] = buf if keep_vars or is_lazy(buf) else buf.detach()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign: bool = False) -> None:
        # A placeholder takes the shape of the saved tensor before the values are copied in.
        for registry in (self._parameters, self._buffers):
            for name, value in registry.items():
                key = prefix + name
                if is_lazy(value) and key in state_dict and not is_lazy(state_dict[key]):
                    value.materialize(state_dict[key]._data.shape)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs, assign)


__all__ = ["LazyModuleMixin"]
