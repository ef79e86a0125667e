"""Module: the base class of every layer and model.

A module keeps three registries, filled by plain attribute assignment in ``__init__``:

- ``_parameters``: name → ``Parameter`` (learned tensors: ``self.weight = nn.Parameter(...)``);
- ``_buffers``: name → tensor (saved, non-learned state: ``self.register_buffer("mean", t)``);
- ``_modules``: name → child ``Module`` (``self.fc = nn.Linear(3, 4)``).

Everything else builds on walking these: ``parameters()`` and ``named_parameters()`` (what the
optimizer updates, with dotted names like ``fc.weight``), ``state_dict()`` / ``load_state_dict()``
(saving and restoring), ``to()`` / ``float()`` (converting every tensor), ``train()`` / ``eval()``
and the printed form. Calling ``module(x)`` runs the forward pre-hooks, ``forward(x)`` and the
forward hooks.

Two parts live beside this file, each a concept of its own: saving and restoring
(``_state_dict.py``, a base class of ``Module``) and the machinery that lets backward hooks see a
module's gradients (``_backward_hooks.py``).
"""

from __future__ import annotations

from collections import OrderedDict

from ... import _creation, _dtype
from ..._device import check_device
from ..._printing import _typename
from ..._tensor import Tensor, reset_grad
from ...autograd import grad_mode
from ...autograd.grad_mode import no_grad
from ...utils.hooks import RemovableHandle
from ..parameter import Buffer, Parameter, is_lazy
from ._backward_hooks import BackwardHookState
from ._state_dict import _IncompatibleKeys, _StateDictMixin


def _forward_unimplemented(self, *input):
    raise NotImplementedError(
        f'Module [{type(self).__name__}] is missing the required "forward" function'
    )


def _addindent(text: str, spaces: int) -> str:
    """Indent every line of ``text`` but the first (a child's repr inside its parent's)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])



def _retarget(placeholder, fn) -> None:
    """A lazy placeholder given the device and dtype that ``fn`` (the conversion ``_apply``
    runs: ``to``, ``cuda``, ``half``...) gives an empty tensor of its dtype: ``materialize`` then
    makes its values there, as torch's lazy modules do after ``.cuda()``."""
    probe = fn(_creation.empty(0, dtype=placeholder.dtype, device=placeholder.device))
    placeholder.__dict__["_gt_device"] = probe.device
    placeholder.__dict__["_gt_dtype"] = probe.dtype

class Module(_StateDictMixin):
    """Base class for all neural network modules; subclass it and define ``forward``.

    Assign parameters and submodules as attributes in ``__init__`` (after
    ``super().__init__()``); they are then found by ``parameters()``, ``state_dict()``, ``to()``
    and the printed form. Call the module (``model(x)``), not ``forward``, so hooks run.

    Example::

        >>> class MLP(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nn.Linear(4, 8)
        ...         self.out = nn.Linear(8, 1)
        ...     def forward(self, x):
        ...         return self.out(torch.relu(self.hidden(x)))
        >>> [name for name, _ in MLP().named_parameters()]
        ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    """

    dump_patches = False
    _version = 1
    training: bool
    call_super_init = False

    def __init__(self, *args, **kwargs) -> None:
        if not self.call_super_init and kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                f"'{next(iter(kwargs))}'"
            )
        if not self.call_super_init and args:
            raise TypeError(
                f"{type(self).__name__}.__init__() takes 1 positional argument but "
                f"{len(args) + 1} were given"
            )
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_forward_hooks"] = OrderedDict()
        d["_forward_hooks_with_kwargs"] = OrderedDict()
        d["_forward_hooks_always_called"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_pre_hooks_with_kwargs"] = OrderedDict()
        d["_backward_hooks"] = OrderedDict()
        d["_backward_pre_hooks"] = OrderedDict()
        d["_modules"] = {}
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    forward = _forward_unimplemented

    # ---- calling ----------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        # The common case (no hooks at all) goes straight to forward.
        if (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks):
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    _call_impl = __call__

    def _call_with_hooks(self, args: tuple, kwargs: dict):
        pre_with_kwargs = self._forward_pre_hooks_with_kwargs
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in pre_with_kwargs:
                res = hook(self, args, kwargs)
                if res is not None:
                    if not (isinstance(res, tuple) and len(res) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {res}."
                        )
                    args, kwargs = res
            else:
                res = hook(self, args)
                if res is not None:
                    args = res if isinstance(res, tuple) else (res,)
        backward_state = None
        if (self._backward_hooks or self._backward_pre_hooks) and grad_mode.state.enabled:
            backward_state = BackwardHookState(self, len(args))
            args = backward_state.setup_inputs(args)
        try:
            result = self.forward(*args, **kwargs)
        except BaseException:
            for hook_id, hook in list(self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called:
                    self._run_forward_hook(hook_id, hook, args, kwargs, None)
            raise
        for hook_id, hook in list(self._forward_hooks.items()):
            res = self._run_forward_hook(hook_id, hook, args, kwargs, result)
            if res is not None:
                result = res
        if backward_state is not None:
            result = backward_state.setup_outputs(result)
        return result

    def _run_forward_hook(self, hook_id, hook, args, kwargs, result):
        if hook_id in self._forward_hooks_with_kwargs:
            return hook(self, args, kwargs, result)
        return hook(self, args, result)

    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Run ``hook(module, args)`` before every ``forward``; a non-None result replaces the
        positional inputs. With ``with_kwargs=True`` it is ``hook(module, args, kwargs)`` and may
        return a new ``(args, kwargs)`` pair. Returns a handle; ``handle.remove()`` unregisters it.
        """
        handle = RemovableHandle(
            self._forward_pre_hooks, extra_dict=[self._forward_pre_hooks_with_kwargs]
        )
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """Run ``hook(module, args, output)`` after every ``forward``; a non-None result replaces
        the output. With ``with_kwargs=True`` it is ``hook(module, args, kwargs, output)``;
        ``always_call=True`` runs it even when ``forward`` raises. Returns a removable handle.
        """
        handle = RemovableHandle(
            self._forward_hooks,
            extra_dict=[self._forward_hooks_with_kwargs, self._forward_hooks_always_called],
        )
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_pre_hook(self, hook, prepend: bool = False):
        """Call ``hook(module, grad_output)`` during backward, when the gradients of this
        module's outputs are known; a non-None result (a tuple, one entry per output) replaces
        ``grad_output``. Returns a handle; ``handle.remove()`` unregisters the hook.
        """
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook, prepend: bool = False):
        """Call ``hook(module, grad_input, grad_output)`` during backward, when the gradients of
        this module's positional inputs are known (``None`` for non-tensor arguments); a
        non-None result replaces ``grad_input``. If no input requires grad, the hook fires with
        all-None ``grad_input`` as soon as ``grad_output`` is known (with a warning, as torch).

        Example::

            >>> lin = nn.Linear(3, 1)
            >>> h = lin.register_full_backward_hook(lambda m, gin, gout: print(gout[0].shape))
            >>> lin(torch.ones(2, 3, requires_grad=True)).sum().backward()
            torch.Size([2, 1])
        """
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    # ---- registering parameters, buffers and submodules -----------------------------------
    def _check_name(self, name, kind: str, registry: str) -> None:
        if registry not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f"{kind} name can't contain \".\"")
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in self.__dict__[registry]:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add ``param`` as the parameter ``name`` (same as ``self.name = param``); ``None``
        registers the name without a tensor (it is then skipped by ``parameters()``)."""
        self._check_name(name, "parameter", "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                "(torch.nn.Parameter or None required)"
            )
        if param is not None and param._grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                f"created explicitly. To express '{name}' as a function of another Tensor, compute "
                "the value in the forward() method."
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add ``tensor`` as the buffer ``name``: module state that is not learned (saved in
        ``state_dict()`` unless ``persistent=False``, converted by ``to()``)."""
        self._check_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                "(torch Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add ``module`` as the child ``name`` (same as ``self.name = module``)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f"module name can't contain \".\", got: {name}")
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, "_buffers", "_modules")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as parameter '{name}' "
                    "(torch.nn.Parameter or None expected)"
                )
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if d.get("_modules") is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, "_parameters", "_buffers")
            d["_modules"][name] = value
        elif name in d.get("_modules", ()):
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as child module '{name}' "
                    "(torch.nn.Module or None expected)"
                )
            d["_modules"][name] = value
        elif isinstance(value, Buffer) or name in d.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as buffer '{name}' "
                    "(torch.nn.Buffer, torch.Tensor or None expected)"
                )
            if "_buffers" not in d:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            if isinstance(value, Buffer):
                persistent = value.__dict__.get("persistent", True)
                self._forget(name, "_parameters", "_modules")
            else:
                persistent = name not in self._non_persistent_buffers_set
            self.register_buffer(name, value, persistent)
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, *registries: str) -> None:
        """Remove ``name`` from the plain attributes and the given registries (on re-assignment)."""
        d = self.__dict__
        d.pop(name, None)
        for reg in registries:
            d[reg].pop(name, None)
        if "_buffers" in registries:
            d["_non_persistent_buffers_set"].discard(name)

    def __getattr__(self, name: str):
        # Called only when normal lookup fails: look in the three registries.
        d = self.__dict__
        for reg in ("_parameters", "_buffers", "_modules"):
            members = d.get(reg)
            if members is not None and name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        names = (
            dir(type(self)) + list(self.__dict__) + list(self._parameters) + list(self._modules)
            + list(self._buffers)
        )
        return sorted({n for n in names if not n[0].isdigit()})

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

    # ---- finding members by dotted path ----------------------------------------------------
    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``"encoder.0"``); ``""`` is this module."""
        mod = self
        for item in target.split(".") if target else ():
            if not hasattr(mod, item):
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return mod

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Put ``module`` at the dotted path ``target`` (``"encoder.0"``), replacing what is
        there; with ``strict=True`` the last name must already exist."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        if not hasattr(parent, name):
            if strict:
                raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        elif not isinstance(getattr(parent, name), Module):
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

    # ---- modes and gradients --------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on this module and all
        submodules; layers such as Dropout behave differently. Returns this module."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: same as ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Turn gradient recording on or off for every parameter (freezing layers)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to ``None`` (default) or to zeros."""
        for p in self.parameters():
            reset_grad(p, set_to_none)

    # ---- converting dtype and device ------------------------------------------------------
    def _apply(self, fn):
        """Convert every parameter, gradient and buffer with ``fn``, in place: a parameter keeps
        its identity (its ``.data`` is replaced), so optimizers holding it stay valid."""
        for module in self.children():
            module._apply(fn)
        with no_grad():
            for param in self._parameters.values():
                if param is None:
                    continue
                if is_lazy(param):  # no values: it only learns where (and in what) to be made
                    _retarget(param, fn)
                    continue
                param._data = fn(param)._data
                if param._grad is not None:
                    param._grad._data = fn(param._grad)._data
            for name, buf in self._buffers.items():
                if buf is not None and is_lazy(buf):
                    _retarget(buf, fn)
                elif buf is not None:
                    self._buffers[name] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """Convert the floating point parameters and buffers to a dtype
        (``model.to(torch.float64)``) and/or move every parameter and buffer to a device
        (``model.to('cuda')``). Converts in place, keeping each parameter's identity (so an
        optimizer made before still holds them); returns the module."""
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
                dtype, device = arg.dtype, arg.device
            elif isinstance(arg, bool):
                continue
            else:
                device = arg
        check_device(device)
        if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError(
                "nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={dtype}"
            )
        if dtype is None and device is None:
            return self

        def convert(t):
            change = {} if device is None else {"device": device}
            if dtype is not None and t._data.dtype.kind in "fc" and t.dtype is not dtype:
                change["dtype"] = dtype
            return t.to(**change) if change else t

        return self._apply(convert)

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
        shape and dtype on ``device``; follow with ``reset_parameters()``."""
        check_device(device)
        return self._apply(lambda t: _creation.empty_like(t, device=device))

    def cpu(self):
        """Move every parameter and buffer to the CPU; returns the module."""
        return self.to("cpu")

    def cuda(self, device=None):
        """Move every parameter and buffer to a GPU (``device``: an index or ``'cuda:N'``; by
        default the current one); returns the module."""
        if isinstance(device, int) and not isinstance(device, bool):
            device = f"cuda:{device}"
        return self.to("cuda" if device is None else device)

    # ---- printing ---------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's printed form (override it to show
        the layer's settings, as ``Linear`` shows ``in_features=...``)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        body = ""
        if len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        elif lines:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"


__all__ = ["Module", "RemovableHandle", "_IncompatibleKeys"]
