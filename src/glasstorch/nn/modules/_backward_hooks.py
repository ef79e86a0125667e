"""Module backward hooks: see the gradients of a module's inputs and outputs during backward.

``module.register_full_backward_pre_hook(hook)`` calls ``hook(module, grad_output)`` when the
gradients of the module's outputs are known (it may return replacements);
``module.register_full_backward_hook(hook)`` calls ``hook(module, grad_input, grad_output)`` when
the gradients of its positional inputs are known (it may return replacements for ``grad_input``).

How: when such hooks exist, a call routes the floating point tensor inputs, and then the outputs,
through one extra graph node each side (``BackwardHookFunctionBackward``, as torch names it). The
node is the identity going forward; going backward it receives the gradients of all the tensors it
routed at once and hands them to the hooks. Several tensors are routed through one node by packing
them into one flat tensor and taking each back as a slice, so their gradients meet in the node.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..._tensor import Tensor, _wrap
from ...autograd.graph import Node, attach

_NO_INPUT_GRAD_WARNING = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See "
    "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
    "#torch.nn.Module.register_full_backward_hook for more details."
)


class BackwardHookFunctionBackward(Node):
    """Identity node whose backward hands the gradients of the routed tensors to ``on_grads``."""

    def __init__(self, *tensors, on_grads):
        super().__init__(*tensors)
        self.on_grads = on_grads
        self.layout = [(t._data.size, t._data.shape, t.dtype) for t in tensors]

    def backward(self, grad):
        if len(self.layout) == 1:
            grads = (grad,)
        else:
            grads, offset = [], 0
            for size, shape, dtype in self.layout:
                piece = grad[offset:offset + size].reshape(shape)
                grads.append(piece if piece.dtype is dtype else piece.to(dtype))
                offset += size
        return tuple(self.on_grads(tuple(grads)))


def _route(tensors: list, on_grads) -> list:
    """The same values as ``tensors``, but their gradients meet in one hook node."""
    if len(tensors) == 1:
        t = tensors[0]
        out = _wrap(t._data)
        out._vc = t._vc
    else:
        dtype = np.result_type(*[t._data.dtype for t in tensors])
        out = _wrap(np.concatenate([t._data.astype(dtype, copy=False).ravel() for t in tensors]))
    attach(out, BackwardHookFunctionBackward, *tensors, on_grads=on_grads)
    if len(tensors) == 1:
        return [out]
    pieces, offset = [], 0
    for t in tensors:
        piece = out[offset:offset + t._data.size].reshape(t._data.shape)
        pieces.append(piece if piece.dtype is t.dtype else piece.to(t.dtype))
        offset += t._data.size
    return pieces


def _checked(result, expected: int, what: str, hook_kind: str) -> list:
    result = list(result) if isinstance(result, (tuple, list)) else [result]
    if len(result) != expected:
        raise RuntimeError(
            f"{hook_kind} returned an invalid number of {what}, got {len(result)}, but expected "
            f"{expected}"
        )
    return result


class BackwardHookState:
    """One call's bookkeeping: which inputs and outputs were routed, and the grad_output."""

    def __init__(self, module, n_args: int):
        self.module = module
        self.n_args = n_args
        self.input_positions = None
        self.output_positions = None
        self.n_outputs = 0
        self.grad_output = ()

    def setup_inputs(self, args: tuple) -> tuple:
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)
                     and a._data.dtype.kind in "fc"]
        if not any(args[i]._rg for i in positions):
            return args
        self.input_positions = positions
        self.input_requires_grad = [args[i]._rg for i in positions]
        routed = _route([args[i] for i in positions], self._on_input_grads)
        args = list(args)
        for i, t in zip(positions, routed):
            args[i] = t
        return tuple(args)

    def setup_outputs(self, result):
        single = isinstance(result, Tensor)
        outs = [result] if single else list(result) if isinstance(result, tuple) else None
        if outs is None:
            return result
        positions = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o._rg]
        if not positions:
            return result
        self.output_positions, self.n_outputs = positions, len(outs)
        for i, t in zip(positions, _route([outs[i] for i in positions], self._on_output_grads)):
            outs[i] = t
        return outs[0] if single else tuple(outs)

    def _on_output_grads(self, grads: tuple) -> list:
        module = self.module
        grad_output = [None] * self.n_outputs
        for i, g in zip(self.output_positions, grads):
            grad_output[i] = g
        for hook in list(module._backward_pre_hooks.values()):
            res = hook(module, tuple(grad_output))
            if res is not None:
                grad_output = _checked(res, self.n_outputs, "grad_output", "Backward pre hook")
        self.grad_output = tuple(grad_output)
        if self.input_positions is None and module._backward_hooks:
            warnings.warn(_NO_INPUT_GRAD_WARNING, UserWarning, stacklevel=2)
            for hook in list(module._backward_hooks.values()):
                res = hook(module, (None,) * self.n_args, self.grad_output)
                if res is not None and any(r is not None for r in _as_list(res)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients."
                    )
        return [grad_output[i] for i in self.output_positions]

    def _on_input_grads(self, grads: tuple) -> list:
        module = self.module
        grad_input = [None] * self.n_args
        for i, g, rg in zip(self.input_positions, grads, self.input_requires_grad):
            # an input that does not require grad shows a zero gradient, as in torch
            grad_input[i] = g if rg or g is None else g * 0
        for hook in list(module._backward_hooks.values()):
            res = hook(module, tuple(grad_input), self.grad_output)
            if res is not None:
                grad_input = _checked(res, self.n_args, "grad_input", "Backward hook")
        return [grad_input[i] for i in self.input_positions]


def _as_list(res) -> list:
    return list(res) if isinstance(res, (tuple, list)) else [res]
