"""autograd.Function: write an op's forward and backward yourself, as in torch.

    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    y = Exp.apply(x)

``forward`` runs with grad mode off; ``apply`` then links each output to one graph node whose
``backward`` calls yours. ``ctx.needs_input_grad`` says which inputs want a gradient.
"""

from __future__ import annotations

from . import grad_mode
from .graph import Node, set_history


class FunctionCtx:
    """The ``ctx`` passed to ``forward`` and ``backward``."""

    def save_for_backward(self, *tensors) -> None:
        self._to_save = tensors

    def mark_dirty(self, *tensors) -> None:
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_diff = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = value


class BackwardCFunction(Node, FunctionCtx):
    """The graph node of one ``Function.apply`` call (named ``<YourFunction>Backward``)."""

    def __init__(self, fn_cls, inputs, tensor_idx):
        from .._tensor import Tensor

        super().__init__(*[inputs[i] for i in tensor_idx])
        self._fn_cls = fn_cls
        self._tensor_idx = tensor_idx
        self._n_inputs = len(inputs)
        self._is_tensor = [isinstance(x, Tensor) for x in inputs]
        self.needs_input_grad = tuple(isinstance(x, Tensor) and x.requires_grad for x in inputs)

    needs_input_grad = None  # set per instance (shadows Node's computed property)

    def name(self) -> str:
        return self._fn_cls.__name__ + "Backward"

    @property
    def saved_tensors(self):
        return Node.saved_tensors.fget(self)

    def backward(self, grad):
        res = self._fn_cls.backward(self, grad)
        if not isinstance(res, tuple):
            res = (res,)
        if len(res) != self._n_inputs:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{self._n_inputs}, got {len(res)})"
            )
        return tuple(res[i] for i in self._tensor_idx)


class Function:
    """Base class of custom autograd ops: define static ``forward(ctx, ...)`` and
    ``backward(ctx, *grads)``, call ``YourFunction.apply(...)``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor

        tensor_idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        needs = grad_mode.state.enabled and any(args[i].requires_grad for i in tensor_idx)
        node_cls = cls.__dict__.get("_backward_cls")
        if node_cls is None:  # made once per Function subclass, named as torch names it
            node_cls = type(cls.__name__ + "Backward", (BackwardCFunction,), {})
            cls._backward_cls = node_cls
        node = node_cls(cls, args, tensor_idx)
        prev = grad_mode.state.enabled
        grad_mode.state.enabled = False
        try:
            out = cls.forward(node, *args, **kwargs)
        finally:
            grad_mode.state.enabled = prev
        node.save(*getattr(node, "_to_save", ()))
        if not needs:
            return out
        non_diff = getattr(node, "_non_diff", set())
        outs = out if isinstance(out, tuple) else (out,)
        for o in outs:  # every output shares the one node (torch's multi-output Function)
            if isinstance(o, Tensor) and id(o) not in non_diff and o.is_floating_point():
                set_history(o, node)
        return out
