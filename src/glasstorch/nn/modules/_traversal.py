"""Walking a module tree: ``named_modules()``, ``children()``, ``parameters()``, ``buffers()``,
``apply()``, and reaching one member by its dotted path (``get_submodule("encoder.0")``).

A module's direct members sit in its ``_modules``, ``_parameters`` and ``_buffers`` registries;
the walks go depth first through ``_modules``, yielding dotted names (``"encoder.0.weight"``) and
each shared module, parameter or buffer once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._tensor import Tensor
from ..parameter import Parameter

if TYPE_CHECKING:
    from .module import Module


class _TraversalMixin:
    """The tree-walking half of ``Module`` (kept in its own file to keep ``module.py`` short).

    Every ``Module`` is a ``_TraversalMixin`` and nothing else is, so ``isinstance(x,
    _TraversalMixin)`` below is the test "is ``x`` a Module"."""

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``"encoder.0"``); ``""`` is this module."""
        mod = self
        for item in target.split(".") if target else ():
            if not hasattr(mod, item):
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            mod = getattr(mod, item)
            if not isinstance(mod, _TraversalMixin):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return mod

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Put ``module`` at the dotted path ``target`` (``"encoder.0"``), replacing what is
        there; with ``strict=True`` the last name must already exist."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        if not isinstance(module, _TraversalMixin):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        if not hasattr(parent, name):
            if strict:
                raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        elif not isinstance(getattr(parent, name), _TraversalMixin):
            raise AttributeError(f"`{name}` is not an nn.Module")
        setattr(parent, name, module)

    def _owner_of(self, target: str) -> tuple[Module, str]:
        """The submodule holding the member at the dotted path ``target``, and the member's name
        (``"encoder.0.weight"`` -> the module ``encoder.0``, ``"weight"``)."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(f"{mod._get_name()} has no attribute `{name}`")
        return mod, name

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (``"encoder.0.weight"``)."""
        mod, name = self._owner_of(target)
        param = getattr(mod, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target``."""
        mod, name = self._owner_of(target)
        if name not in mod._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return mod._buffers[name]

    # ---- walking the tree -----------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True):
        """Yield ``(dotted_name, module)`` for this module (name ``""``) and every descendant,
        depth first, each module once (unless ``remove_duplicate=False``)."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                sub = prefix + "." + name if prefix else name
                yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self, remove_duplicate: bool = True):
        """Yield this module and every descendant, each once."""
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def named_children(self):
        """Yield ``(name, child)`` for the direct submodules, each once."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        """Yield the direct submodules, each once."""
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool):
        seen = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse else [(prefix, self)]
        )
        for module_prefix, module in modules:
            for name, value in module.__dict__[registry].items():
                if value is None or value in seen:
                    continue
                if remove_duplicate:
                    seen.add(value)
                yield (module_prefix + "." + name if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True):
        """Yield ``(dotted_name, parameter)`` in registration order, e.g. ``('0.weight', p)``;
        a parameter shared by several modules is yielded once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True):
        """Yield the parameters of this module and (``recurse=True``) all submodules, each once:
        what you hand to an optimizer."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True):
        """Yield ``(dotted_name, buffer)`` for this module and its submodules."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True):
        """Yield the buffers of this module and (``recurse=True``) all submodules."""
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def apply(self, fn) -> Module:
        """Call ``fn(m)`` on every submodule (children first) and then on this module; returns
        this module. Typical use: ``net.apply(init_weights)``."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

