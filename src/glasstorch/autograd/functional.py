"""torch.autograd.functional: derivatives of a whole function at a point.

``backward()`` and ``grad()`` differentiate a graph you already built. These helpers take a
Python function ``func`` and the point ``inputs`` instead, build the graph themselves, and return
the derivative as a tensor::

    f = lambda x: x ** 3                   # x: (3,)
    x = glasstorch.tensor([1., 2., 3.])
    jacobian(f, x)                         # (3, 3): diag(3 x²)
    vjp(f, x, v)                           # (f(x), vᵀ J)   v shaped like f(x), result like x
    jvp(f, x, u)                           # (f(x), J u)    u shaped like x, result like f(x)
    hessian(lambda x: (x ** 3).sum(), x)   # (3, 3): diag(6 x)

For a function :math:`f: \\mathbb{R}^n \\to \\mathbb{R}^m` with Jacobian :math:`J` (:math:`m \\times
n`), reverse mode (``grad``) gives :math:`v^\\top J` for one ``v`` per pass: a whole Jacobian is
one pass per output element. Everything here is built on ``grad`` alone:

- ``vjp``: one ``grad`` call with ``grad_outputs=v``.
- ``jvp``: the *double-vjp trick*. :math:`g(u) = u^\\top J` is linear in a dummy ``u``, so
  differentiating :math:`g(u)` with respect to ``u`` against ``v`` gives :math:`(v^\\top
  J^\\top)^\\top = J v`: two reverse passes make one forward-mode product.
- ``jacobian``: one vjp per output element (the rows of :math:`J`), stacked.
- ``hessian``: the Jacobian of the function's gradient (itself a Jacobian).
- ``vhp`` / ``hvp``: :math:`v^\\top H` by differentiating the gradient once more against ``v``;
  :math:`H v` by the double-vjp trick on the gradient (equal when :math:`H` is symmetric).

**Tensors or tuples.** ``inputs`` is one tensor or a tuple of tensors, and ``func`` may return
one tensor or a tuple. Each result keeps the structure of what it is shaped like: a vjp is shaped
like the inputs, a jvp like the outputs, and ``jacobian`` nests ``[output][input]`` (a level is
dropped where that side is a single tensor); the block for output ``i`` and input ``j`` has shape
``outputs[i].shape + inputs[j].shape``.

**Options.** ``create_graph=True`` keeps the graph of the result, so it can be differentiated
again (with respect to the original inputs); otherwise results are detached. ``strict=True``
raises when an output does not depend on an input instead of silently returning zeros.
``vectorize`` is accepted (the result is the same; the computation is the plain loop here), and
``strategy="forward-mode"`` with ``vectorize=True`` computes the same Jacobian by reverse mode.
"""

from __future__ import annotations

import glasstorch as _gt  # the package (still loading when this module is imported)

from .engine import grad as _grad
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]

_STRATEGIES = ("forward-mode", "reverse-mode")


# ---- the tensor-or-tuple convention ---------------------------------------------------------
def _as_tuple(value, what: str, fn: str) -> tuple[bool, tuple]:
    """``(was_a_tuple, value as a tuple of tensors)``, or torch's TypeError naming ``what``."""
    if isinstance(value, _gt.Tensor):
        return False, (value,)
    if not isinstance(value, tuple):
        raise TypeError(
            f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but the "
            f"given {what} has type {type(value)}."
        )
    for i, item in enumerate(value):
        if not isinstance(item, _gt.Tensor):
            raise TypeError(
                f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but the "
                f"value at index {i} has type {type(item)}."
            )
    return True, value


def _outputs_as_tuple(value, fn: str) -> tuple[bool, tuple]:
    return _as_tuple(value, "outputs of the user-provided function", fn)


def _untuple(values: tuple, is_tuple: bool):
    """Undo ``_as_tuple``: a 1-tuple goes back to its tensor unless the user gave a tuple."""
    return values if is_tuple else values[0]


def _prepare(tensors: tuple, create_graph: bool, need_graph: bool = True) -> tuple:
    """Fresh tensors to differentiate with respect to, one per input.

    Normally a detached copy (``requires_grad=need_graph``), so the caller's graph is untouched.
    With ``create_graph`` an input that already requires grad is passed as a view of itself
    instead, so the results stay connected to it and can be differentiated again.
    """
    out = []
    for t in tensors:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(need_graph))
    return tuple(out)


def _finish(tensors: tuple, create_graph: bool) -> tuple:
    """Results leave detached unless the caller asked for their graph."""
    if create_graph:
        return tensors
    return tuple(t.detach() for t in tensors)


def _validate_v(v: tuple, refs: tuple, refs_is_tuple: bool) -> None:
    """``v`` must match ``refs`` (the outputs for a vjp, the inputs otherwise) one to one."""
    if len(v) != len(refs):
        if refs_is_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(refs)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (vi, ref) in enumerate(zip(v, refs)):
        if vi.shape != ref.shape:
            where = f"Entry {i} in v" if refs_is_tuple else "v"
            raise RuntimeError(
                f"{where} has invalid size: should be {ref.shape} but got {vi.shape}."
            )


def _v_or_ones(v, refs: tuple, refs_is_tuple: bool, create_graph: bool, fn: str, about: str):
    """Check and prepare ``v``; ``None`` is allowed only where ``refs`` is one 1-element tensor
    (then the product is with 1)."""
    if v is None:
        if len(refs) != 1 or refs[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if {about}.")
        return None
    _, v = _as_tuple(v, "v", fn)
    v = _prepare(v, create_graph, need_graph=False)
    _validate_v(v, refs, refs_is_tuple)
    return v


_ABOUT_OUTPUT = "the user-provided function returns a single Tensor with a single element"
_ABOUT_INPUT = "the input to the user-provided function is a single Tensor with a single element"


# ---- grad with torch's strict-mode checks ------------------------------------------------------
def _check_requires_grad(tensors: tuple, kind: str, strict: bool) -> None:
    """In strict mode, each of ``tensors`` must be part of a graph (``requires_grad``)."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is not None and t.requires_grad:
            continue
        if kind == "outputs":
            raise RuntimeError(
                f"Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when running "
                "in strict mode."
            )
        if kind == "grad_inputs":
            raise RuntimeError(
                f"The gradient with respect to input {i} is independent of the inputs of the "
                "user-provided function. This is not allowed in strict mode."
            )
        raise RuntimeError(  # kind == "hessian": the gradient does not depend on the input
            "While computing the hessian, found that the jacobian of the user-provided function "
            f"with respect to input {i} is independent of the input. This is not allowed in "
            "strict mode. You should ensure that your function is twice differentiable and that "
            "the jacobian depends on the inputs (this would be violated by a linear function for "
            "example)."
        )


def _grads(outputs: tuple, inputs: tuple, grad_outputs, create_graph: bool,
           retain_graph: bool | None = None) -> tuple:
    """``grad(outputs, inputs, grad_outputs)`` where outputs outside any graph are skipped;
    ``None`` for each input that no remaining output depends on."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, gos = zip(*pairs)
    return tuple(
        _grad(outs, inputs, gos, retain_graph=retain_graph, create_graph=create_graph,
              allow_unused=True)
    )


_MISSING = {
    "back": "The output of the user-provided function is independent of input {i}. This is not "
            "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This "
                   "is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} "
                         "in the grad_jacobian. This is not allowed in strict mode as it prevents "
                         "from using the double backward trick to replace forward mode AD.",
}


def _fill_zeros(grads: tuple, refs: tuple, strict: bool, create_graph: bool, stage: str):
    """Replace each missing gradient by zeros shaped like its ``ref`` (strict: raise instead).

    With ``strict`` and ``create_graph`` a gradient that exists but is a constant (does not
    require grad) is refused too: differentiating it again would silently give zeros.
    """
    out = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_MISSING[stage].format(i=i))
            g = _gt.zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if stage.startswith("double") else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. This is "
                "not allowed in strict mode when create_graph=True."
            )
        out.append(g)
    return tuple(out)


# ---- vector products -------------------------------------------------------------------------
def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    r"""``(func(*inputs), vᵀ J)``: a vector-Jacobian product, by one reverse pass.

    Args:
        func: a function of one tensor per input, returning a tensor or a tuple of tensors.
        inputs: a tensor, or a tuple of tensors (the point where ``J`` is taken).
        v: shaped like ``func``'s output (a tuple if it returns one); may be ``None`` only when
            the output is a single 1-element tensor.
        create_graph: keep the graph of both results (to differentiate them again).
        strict: raise when an output does not depend on an input instead of returning zeros.

    Shape: for ``f: (n,) -> (m,)``, ``v`` is ``(m,)`` and ``vᵀ J`` is ``(n,)``: shaped like the
    inputs (a tuple exactly when ``inputs`` is a tuple). With ``v = eᵢ`` it is row ``i`` of ``J``,
    the gradient of output ``i``.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _outputs_as_tuple(outputs, "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        v = _v_or_ones(v, outputs, is_outputs_tuple, create_graph, "vjp", _ABOUT_OUTPUT)
        grads = _grads(outputs, inputs, v, create_graph)
        result = _fill_zeros(grads, inputs, strict, create_graph, "back")
    return (
        _untuple(_finish(outputs, create_graph), is_outputs_tuple),
        _untuple(_finish(result, create_graph), is_inputs_tuple),
    )


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    r"""``(func(*inputs), J v)``: a Jacobian-vector product (a directional derivative).

    ``J v`` is how fast the output moves when the input moves along ``v``. Forward-mode autograd
    would give it in one pass; here it comes from two reverse passes (the double-vjp trick): with
    a dummy ``u`` shaped like the output, :math:`g(u) = u^\top J` is linear in ``u``, and the vjp
    of ``g`` with ``v`` is :math:`J v`.

    Args:
        func, inputs, create_graph, strict: as in ``vjp``.
        v: shaped like ``inputs`` (a tuple if it is one); may be ``None`` only when the input is
            a single 1-element tensor.

    Shape: for ``f: (n,) -> (m,)``, ``v`` is ``(n,)`` and ``J v`` is ``(m,)``: shaped like the
    outputs (a tuple exactly when ``func`` returns a tuple).
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph)
        v = _v_or_ones(v, inputs, is_inputs_tuple, create_graph, "jvp", _ABOUT_INPUT)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _outputs_as_tuple(outputs, "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        # u: the dummy vector; its value (zeros) never matters, only that uᵀJ depends on it
        dummies = tuple(_gt.zeros_like(out, requires_grad=True) for out in outputs)
        u_j = _grads(outputs, inputs, dummies, create_graph=True)
        u_j = _fill_zeros(u_j, inputs, strict, False, "back")
        _check_requires_grad(u_j, "grad_inputs", strict)
        grads = _grads(u_j, dummies, v, create_graph)
        result = _fill_zeros(grads, outputs, strict, create_graph, "back_trick")
    return (
        _untuple(_finish(outputs, create_graph), is_outputs_tuple),
        _untuple(_finish(result, create_graph), is_outputs_tuple),
    )


# ---- whole Jacobians and Hessians --------------------------------------------------------------
def _check_strategy(strategy: str, create_graph: bool, strict: bool) -> None:
    if strategy not in _STRATEGIES:
        raise AssertionError(  # torch's type for this check
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        for flag, on in (("create_graph", create_graph), ("strict", strict)):
            if on:
                error = NotImplementedError if flag == "create_graph" else RuntimeError
                raise error(
                    f"torch.autograd.functional.jacobian: `{flag}=True` and "
                    f'`strategy="forward-mode"` are not supported together (yet). Please either '
                    f'set `{flag}=False` or `strategy="reverse-mode"`.'
                )


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    r"""The Jacobian of ``func`` at ``inputs``: every partial derivative of every output.

    Built row by row: output element ``k`` (in flattened order) gives one ``grad`` call, whose
    result is row ``k`` (the gradient of that element); the rows are stacked and reshaped.

    Args:
        func: a function of one tensor per input, returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors.
        create_graph: keep the graph of the result (to differentiate it again).
        strict: raise when an output does not depend on an input instead of returning zeros.
        vectorize: accepted; the result is the same (computed by the plain loop).
        strategy: ``"reverse-mode"`` or ``"forward-mode"`` (the latter needs ``vectorize=True``,
            as in torch; computed by reverse mode here, with the same result).

    Shape: for output ``i`` of shape ``O`` and input ``j`` of shape ``I``, the block is ``O + I``
    (``f: (n,) -> (m,)`` gives ``(m, n)``). A single tensor in and out gives one tensor; a tuple
    of outputs gives a tuple over outputs; a tuple of inputs a tuple over inputs; both, a tuple
    (over outputs) of tuples (over inputs).
    """
    _check_strategy(strategy, create_graph, strict)
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                "supported together. Please either set `strict=False` or `vectorize=False`."
            )
        if strategy == "forward-mode" and not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                "only implemented for `vectorize=True`."  # (torch's message lacks the space)
            )
        inputs = _prepare(inputs, create_graph)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _outputs_as_tuple(outputs, "jacobian")
        _check_requires_grad(outputs, "outputs", strict)

        blocks = []
        for i, out in enumerate(outputs):
            rows: list[list] = [[] for _ in inputs]
            flat = out.reshape(-1)
            for k in range(out.numel()):
                row = _grads((flat[k],), inputs, None, create_graph, retain_graph=True)
                for j, (g, inp) in enumerate(zip(row, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {j}. This is not allowed in strict mode."
                            )
                        g = _gt.zeros_like(inp)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(  # torch names the output's index here
                            f"The jacobian of the user-provided function is independent of input "
                            f"{i}. This is not allowed in strict mode when create_graph=True."
                        )
                    rows[j].append(g)
            block = []
            for inp, rows_j in zip(inputs, rows):
                shape = tuple(out.shape) + tuple(inp.shape)
                if rows_j:
                    block.append(_gt.stack(rows_j).view(shape))
                else:  # an empty output: an empty Jacobian (torch raises in stack here)
                    block.append(_gt.zeros(shape, dtype=inp.dtype, device=inp.device))
            blocks.append(tuple(_finish(tuple(block), create_graph)))

    if is_outputs_tuple:
        return tuple(_untuple(b, is_inputs_tuple) for b in blocks)
    return _untuple(blocks[0], is_inputs_tuple)


def _scalar_output(func, inputs: tuple, strict: bool, fn: str):
    """``func(*inputs)`` checked to be one tensor of one element (a Hessian needs a scalar)."""
    output = func(*inputs)
    is_tuple, outputs = _outputs_as_tuple(output, fn)
    _check_requires_grad(outputs, "outputs", strict)
    if is_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if output.numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn} should contain a single element"
        )
    return output


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    r"""The Hessian of a scalar function: the Jacobian of its gradient.

    :math:`H_{ab} = \partial^2 f / \partial x_a \partial x_b`. The gradient is taken with
    ``create_graph=True`` (so it is itself differentiable), then ``jacobian`` differentiates it.

    Args:
        func: a function returning a single tensor with one element.
        inputs, create_graph, strict, vectorize: as in ``jacobian``.
        outer_jacobian_strategy: the ``strategy`` of the outer ``jacobian``.

    Shape: for inputs ``i`` of shape ``Iᵢ`` and ``j`` of shape ``Iⱼ``, the block is ``Iᵢ + Iⱼ``
    (``f: (n,) -> ()`` gives ``(n, n)``). One tensor in gives one tensor; a tuple of inputs gives
    a tuple of tuples.
    """
    if outer_jacobian_strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def scalar_func(*inp):
        return _scalar_output(func, inp, strict, "hessian").reshape(())

    def gradient(*inp):
        grads = jacobian(scalar_func, inp, create_graph=True)  # a tuple: one per input
        _check_requires_grad(grads, "hessian", strict)
        return grads

    blocks = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                      vectorize=vectorize, strategy=outer_jacobian_strategy)
    return blocks if is_inputs_tuple else blocks[0][0]  # (the outer jacobian saw a tuple)


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    r"""``(func(*inputs), vᵀ H)``: a vector-Hessian product, without building ``H``.

    The gradient :math:`\nabla f` is taken with ``create_graph=True``; a vjp of it with ``v``
    gives :math:`v^\top H` (two reverse passes, however many inputs).

    Args:
        func: a function returning a single tensor with one element.
        inputs, create_graph, strict: as in ``vjp``.
        v: shaped like ``inputs``; may be ``None`` only for a single 1-element input.

    Shape: ``vᵀ H`` is shaped like ``inputs`` (a tuple exactly when ``inputs`` is one); the
    first result is ``func``'s output as it returned it.
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    r"""``(func(*inputs), H v)``: a Hessian-vector product, without building ``H``.

    The double-vjp trick (see ``jvp``) applied to the gradient: with a dummy ``u`` shaped like
    the inputs, :math:`u^\top H` is linear in ``u``, and its vjp with ``v`` is :math:`H v`. For a
    twice continuously differentiable ``func``, ``H`` is symmetric and ``hvp`` equals ``vhp``.

    Args and shapes: as in ``vhp``.
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph: bool, strict: bool, fn: str):
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn)
        inputs = _prepare(inputs, create_graph)
        v = _v_or_ones(v, inputs, is_inputs_tuple, create_graph, fn, _ABOUT_INPUT)
        output = _scalar_output(func, inputs, strict, fn)
        gradient = _grads((output,), inputs, None, create_graph=True)
        _check_requires_grad(gradient, "hessian", strict)
        if fn == "vhp":
            grads = _grads(gradient, inputs, v, create_graph)
            result = _fill_zeros(grads, inputs, strict, create_graph, "double_back")
        else:
            dummies = tuple(_gt.zeros_like(inp, requires_grad=True) for inp in inputs)
            u_h = _grads(gradient, inputs, dummies, create_graph=True)
            grads = _grads(u_h, dummies, v, create_graph)
            result = _fill_zeros(grads, inputs, strict, create_graph, "double_back_trick")
    return (
        _finish((output,), create_graph)[0],
        _untuple(_finish(result, create_graph), is_inputs_tuple),
    )
