"""The ``Optimizer`` base class: parameter groups, per-parameter state, and checkpoints.

An optimizer owns a list of *parameter groups*. Each group is a dict holding the tensors it updates
(``group['params']``) and its own options (``lr``, ``momentum``, ...); options a group does not set
come from the optimizer's ``defaults``. Two groups with different learning rates is the usual way to
fine-tune one part of a model faster than another::

    opt = SGD([{'params': body.parameters()},
               {'params': head.parameters(), 'lr': 1e-2}], lr=1e-3, momentum=0.9)

``opt.state[p]`` is a dict of whatever the algorithm remembers about parameter ``p`` between steps
(a momentum buffer, Adam's moving averages, a step count). ``state_dict()`` replaces every tensor
``p`` by its position (0, 1, 2, ... across the groups in order) so a checkpoint does not hold the
parameters themselves; ``load_state_dict()`` pairs the positions back with this optimizer's
parameters.

Subclasses write only the arithmetic: ``_update(p, grad, group)`` changes ``p._data`` in place
(NumPy ``out=``, no copy of the parameter), given the gradient as an ndarray, and keeps what it
needs in ``self.state[p]``. ``step`` walks the groups, skips parameters whose ``.grad`` is None, and
bumps each updated parameter's version counter, as an in-place op would.
"""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from .. import _array, _device, _dtype
from .._printing import _typename
from .._tensor import Tensor, _wrap, reset_grad
from ..autograd.grad_mode import enable_grad
from ..utils.hooks import RemovableHandle


def _scalar_dtype() -> np.dtype:
    """The dtype of a step counter: float64 when that is the default dtype, float32 otherwise."""
    return np.dtype(np.float64 if _dtype.get_default_dtype() is _dtype.float64 else np.float32)


def _step_tensor() -> Tensor:
    """A new 0-d step counter, ``tensor(0.)``."""
    return _wrap(np.zeros((), dtype=_scalar_dtype()))


def _real(arr: np.ndarray) -> np.ndarray:
    """A complex array as a real view (each number as two reals); other arrays unchanged.

    Optimizers treat a complex parameter as a real one of twice the length, as torch does with
    ``view_as_real``; without this, ``g * g`` would be the complex square, not ``|re|² , |im|²``.
    """
    if arr.dtype.kind == "c":
        return arr.view(arr.real.dtype)
    return arr


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start += weight * (end - start)`` in place, arranged as torch's ``lerp_`` arranges it.

    For ``weight < 0.5`` it is computed from ``start``, otherwise from ``end`` (which is more
    accurate for weights near 1); ``weight`` is rounded to ``start``'s dtype first.
    """
    w = start.dtype.type(weight)
    diff = np.subtract(end, start)
    if abs(w) < 0.5:
        diff *= w
        start += diff
    else:
        diff *= w - start.dtype.type(1)
        np.add(end, diff, out=start)


class Optimizer:
    """Base class of all optimizers (``torch.optim.Optimizer``).

    ``params``: an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts (parameter groups,
    each with a ``'params'`` entry and optional per-group options). ``defaults``: the options every
    group gets unless it sets its own.
    """

    def __init__(self, params, defaults: dict) -> None:
        self.defaults = defaults
        self._init_hooks()
        _patch_step(type(self))
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                f"but got {_typename(params)}"
            )
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ---- hooks ------------------------------------------------------------------------------
    def _init_hooks(self) -> None:
        for kind in _HOOK_KINDS:
            self.__dict__.setdefault(f"_optimizer_{kind}_hooks", OrderedDict())

    def _register(self, kind: str, hook, prepend: bool = False) -> RemovableHandle:
        hooks = self.__dict__[f"_optimizer_{kind}_hooks"]
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_step_pre_hook(self, hook) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` before each ``step``; it may return new
        ``(args, kwargs)`` (``args`` starts with the optimizer itself)."""
        return self._register("step_pre", hook)

    def register_step_post_hook(self, hook) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` after each ``step``."""
        return self._register("step_post", hook)

    def register_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer)`` before ``state_dict()`` builds its result."""
        return self._register("state_dict_pre", hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer, state_dict)`` on ``state_dict()``'s result; a returned dict
        replaces it."""
        return self._register("state_dict_post", hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer, state_dict)`` before loading; a returned dict is loaded
        instead."""
        return self._register("load_state_dict_pre", hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer)`` after ``load_state_dict`` has loaded."""
        return self._register("load_state_dict_post", hook, prepend)

    # ---- groups ----------------------------------------------------------------------------
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (a dict with ``'params'`` and any per-group options)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        tensors, names = [], []
        for p in params:
            if isinstance(p, tuple):
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names

        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is " + _typename(p)
                )
            if not self.defaults.get("differentiable", None) and not (
                p._grad_fn is None or p.retains_grad
            ):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            param_group.setdefault(name, default)

        if len({id(p) for p in tensors}) != len(tensors):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not seen.isdisjoint(id(p) for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ---- the training-loop API ---------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``.grad = None`` (default), or fill them with zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                reset_grad(p, set_to_none)

    def step(self, closure=None):
        """Update every parameter that has a gradient, once.

        ``closure``: a function that recomputes the loss (zeroing grads, running forward and
        backward) and returns it; it runs with grad enabled and its loss is returned.
        """
        if type(self)._update is Optimizer._update:
            raise NotImplementedError(
                f"{type(self).__name__}.step() is not implemented: Optimizer is a base class; "
                "use an optimizer such as torch.optim.SGD, or write a subclass that defines "
                "step() (or _update())"
            )
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                self._update(p, grad._data, group)
                p._vc[0] += 1
        return loss

    def _update(self, p: Tensor, grad: np.ndarray, group: dict) -> None:
        """Change ``p._data`` in place by one step of the algorithm, given ``p``'s gradient."""
        raise NotImplementedError(
            f"{type(self).__name__} must define step() (or _update()) to be used as an optimizer"
        )

    # ---- checkpoints -------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``.

        Parameters are numbered in order across the groups; the state's tensors are the live ones
        (not copies), as in torch: save them before stepping again if you keep the dict.
        """
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index: dict[int, int] = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {
            (index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()
        }
        state_dict = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore options and state saved by ``state_dict()`` (of an optimizer of the same shape).

        State tensors take the dtype of their parameter (except the ``step`` counter); the groups'
        options replace this optimizer's, and its parameters stay its own.
        """
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = _cast(id_map[k], v)
            else:
                state[k] = v
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    def __getstate__(self) -> dict:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._init_hooks()
        _patch_step(type(self))

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


_HOOK_KINDS = (
    "step_pre", "step_post", "state_dict_pre", "state_dict_post", "load_state_dict_pre",
    "load_state_dict_post",
)


def _patch_step(cls: type) -> None:
    """Make ``cls.step`` (whatever class defines it) run the step hooks around it, once."""
    step = cls.step
    if getattr(step, "_runs_hooks", False):
        return

    @functools.wraps(step)
    def step_with_hooks(*args, **kwargs):
        self = args[0]
        for hook in tuple(self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(
                        f"{step} must return None or a tuple of (new_args, new_kwargs), but got "
                        f"{result}."
                    )
        out = step(*args, **kwargs)
        for hook in tuple(self._optimizer_step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    step_with_hooks._runs_hooks = True
    cls.step = step_with_hooks


def _cast(param: Tensor, value, key=None):
    """A loaded state value made ready for ``param``, as torch's ``load_state_dict`` does:
    tensors move to the param's device, floating ones take a floating param's dtype; ``step``
    counters stay as they are (torch keeps them on the CPU)."""
    if isinstance(value, Tensor):
        if key == "step":
            return value
        data = value._data
        if param._data.dtype.kind in "fc" and data.dtype != param._data.dtype:
            data = data.astype(param._data.dtype)
        if _array.device_index(data) != _array.device_index(param._data):
            data = _device.place(data, _device.of_array(param._data))
        return value if data is value._data else _wrap(data)
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value


def _check_lr(lr) -> float:
    """Validate a learning rate (a number or a one-element tensor) as torch does."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    return lr


def _check_nonneg(value, what: str) -> None:
    """Raise torch's ``Invalid <what> value: <v>`` for a negative option."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {what} value: {value}")


def _check_differentiable(differentiable: bool) -> None:
    if differentiable:
        raise NotImplementedError(
            "differentiable=True (backpropagating through the optimizer step) is not supported "
            "by glasstorch's optimizers; they update parameters outside the autograd graph"
        )


def _number(v) -> float:
    """A group option as a Python float (options may be given as one-element tensors)."""
    return float(v) if isinstance(v, Tensor) else v
