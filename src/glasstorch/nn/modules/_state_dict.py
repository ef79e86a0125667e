"""Saving and restoring a module's tensors: ``state_dict`` and ``load_state_dict``.

``state_dict()`` walks the module tree and collects every parameter and persistent buffer under its
dotted name (``'0.weight'``, ``'encoder.fc.bias'``). ``load_state_dict()`` walks the same tree and
copies each entry into the matching tensor in place, collecting every problem (missing keys,
unexpected keys, shape mismatches) before raising one ``RuntimeError`` that lists them all.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from ... import _array
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...utils.hooks import RemovableHandle
from ..parameter import Parameter


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """The two lists of keys a state dict and a module disagree on (torch has this base too)."""


class _IncompatibleKeys(IncompatibleKeys):
    """What ``load_state_dict`` returns: the keys it did not find and those it did not use."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class _StateDictMixin:
    """Saving and restoring, a base class of ``Module``: every method here works on a module
    through its ``_parameters``, ``_buffers`` and ``_modules`` registries alone."""

    # ---- hooks ---------------------------------------------------------------------------
    def _add_hook(self, registry: str, hook) -> RemovableHandle:
        hooks = self.__dict__.setdefault(registry, OrderedDict())
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def register_state_dict_pre_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, prefix, keep_vars)`` before this module saves its tensors."""
        return self._add_hook("_state_dict_pre_hooks", hook)

    def register_state_dict_post_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata)`` after this module and its
        children saved their tensors; the hook may edit ``state_dict`` in place."""
        return self._add_hook("_state_dict_hooks", hook)

    def register_load_state_dict_pre_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before this module loads its entries (it may rename or
        convert entries of ``state_dict`` in place)."""
        return self._add_hook("_load_state_dict_pre_hooks", hook)

    def register_load_state_dict_post_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, incompatible_keys)`` after this module and its children loaded;
        the hook may edit ``incompatible_keys.missing_keys``/``unexpected_keys`` in place."""
        return self._add_hook("_load_state_dict_post_hooks", hook)

    # ---- extra (non-tensor) state ---------------------------------------------------------
    def get_extra_state(self):
        """Override (with ``set_extra_state``) to save any picklable object in ``state_dict()``
        under the key ``'_extra_state'``."""
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called. "
            "Override get_extra_state() together with set_extra_state() to use extra state."
        )

    def set_extra_state(self, state) -> None:
        """Receive what ``get_extra_state`` saved, when loading a state dict."""
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called. "
            "Override set_extra_state() together with get_extra_state() to use extra state."
        )

    def _has_extra_state(self, method: str) -> bool:
        return getattr(type(self), method) is not getattr(_StateDictMixin, method)

    # ---- saving and loading ---------------------------------------------------------------
    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """An ``OrderedDict`` of every parameter and persistent buffer by dotted name
        (``'0.weight'``), detached from the graph (``keep_vars=True`` keeps the tensors
        themselves). The values share memory with the module."""
        if args:  # the old positional form state_dict(destination, prefix, keep_vars)
            warnings.warn(
                "Positional args are being deprecated, use kwargs instead. Refer to "
                "https://pytorch.org/docs/main/generated/torch.nn.Module.html"
                "#torch.nn.Module.state_dict for details.",
                FutureWarning,
                stacklevel=2,
            )
            destination, prefix, keep_vars = list(args) + [destination, prefix, keep_vars][
                len(args):]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        metadata = getattr(destination, "_metadata", None)
        local_metadata = {"version": self._version}
        if metadata is not None:
            metadata[prefix[:-1]] = local_metadata
        for hook in self.__dict__.get("_state_dict_pre_hooks", {}).values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        for hook in self.__dict__.get("_state_dict_hooks", {}).values():
            hook(self, destination, prefix, local_metadata)
        return destination

    def _save_to_state_dict(self, destination, prefix: str, keep_vars: bool) -> None:
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        skip = self._non_persistent_buffers_set
        for name, buf in self._buffers.items():
            if buf is not None and name not in skip:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        if self._has_extra_state("get_extra_state"):
            destination[prefix + "_extra_state"] = self.get_extra_state()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign: bool = False) -> None:
        """Copy this module's own entries of ``state_dict`` in; record problems in the lists."""
        for hook in self.__dict__.get("_load_state_dict_pre_hooks", {}).values():
            hook(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                 error_msgs)
        skip = self._non_persistent_buffers_set
        local = {k: v for k, v in self._parameters.items() if v is not None}
        local.update(
            (k, v) for k, v in self._buffers.items() if v is not None and k not in skip
        )
        for name, current in local.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                error_msgs.append(
                    f'While copying the parameter named "{key}", expected torch.Tensor or '
                    f"Tensor-like object from checkpoint but received {type(value)}"
                )
                continue
            if value._data.shape != current._data.shape:
                error_msgs.append(
                    f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {current.shape}."
                )
                continue
            try:
                with no_grad():
                    if assign:
                        if isinstance(current, Parameter):
                            value = Parameter(value, requires_grad=current.requires_grad)
                        setattr(self, name, value)
                    else:
                        if _array.device_index(value._data) != _array.device_index(
                                current._data):  # a CPU checkpoint into a cuda model
                            value = value.to(current.device)
                        current.copy_(value)
            except Exception as ex:  # report it with the others, as torch does
                error_msgs.append(
                    f'While copying the parameter named "{key}", whose dimensions in the model '
                    f"are {current.shape} and whose dimensions in the checkpoint are "
                    f"{value.shape}, an exception occurred : {ex.args}."
                )
        extra_key = prefix + "_extra_state"
        if self._has_extra_state("set_extra_state"):
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if not key.startswith(prefix) or key == extra_key:
                    continue
                head, dot, _ = key[len(prefix):].partition(".")
                if (head not in self._modules) if dot else (head not in local):
                    unexpected_keys.append(key)

    def load_state_dict(self, state_dict: Mapping, strict: bool = True, assign: bool = False):
        """Copy the tensors of ``state_dict`` (as made by ``state_dict()``) into this module's
        parameters and buffers. With ``strict=True`` (default) the keys must match exactly.

        Returns ``_IncompatibleKeys(missing_keys, unexpected_keys)``. Raises ``RuntimeError``
        listing every problem (missing or unexpected keys when strict, shape mismatches always).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing: list = []
        unexpected: list = []
        errors: list = []
        metadata = getattr(state_dict, "_metadata", None)

        def load(module, local_state: Mapping, prefix: str = "") -> None:
            meta = {} if metadata is None else metadata.get(prefix[:-1], {})
            module._load_from_state_dict(local_state, prefix, meta, True, missing, unexpected,
                                         errors, assign)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    child_state = {k: v for k, v in local_state.items()
                                   if k.startswith(child_prefix)}
                    load(child, child_state, child_prefix)
            for hook in module.__dict__.get("_load_state_dict_post_hooks", {}).values():
                hook(module, _IncompatibleKeys(missing, unexpected))

        load(self, state_dict)
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError(
                "Error(s) in loading state_dict for {}:\n\t{}".format(
                    self._get_name(), "\n\t".join(errors))
            )
        return _IncompatibleKeys(missing, unexpected)
