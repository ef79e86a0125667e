"""gradcheck: compare autograd's gradients with finite differences (use float64 inputs).

For each input that requires grad and each output, the analytical Jacobian (one backward per output
element) must match the numerical one (central differences with step ``eps``) within
``atol + rtol * |numerical|``.
"""

from __future__ import annotations

import numpy as np

from .engine import grad as autograd_grad
from .grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _outputs(fn, inputs):
    from .._tensor import Tensor

    out = fn(*inputs)
    return (out,) if isinstance(out, Tensor) else tuple(out)


def gradcheck(
    func,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    **_ignored,
) -> bool:
    """True when ``func``'s autograd gradients match central finite differences at ``inputs``."""
    from .._tensor import Tensor, _wrap

    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    diff = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    for i in diff:
        if inputs[i].dtype.name != "float64":
            import warnings

            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point. "
                "This check will likely fail if all the inputs are not of double precision "
                "floating point.",
                stacklevel=2,
            )
    outputs = _outputs(func, inputs)
    for k, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        n_out = out._data.size
        for i in diff:
            x = inputs[i]
            analytical = np.zeros((x._data.size, n_out))
            for j in range(n_out):
                g = np.zeros(out._data.shape, dtype=out._data.dtype)
                g.reshape(-1)[j] = 1
                fresh = _outputs(func, inputs)[k]
                (gx,) = autograd_grad(fresh, x, _wrap(g), allow_unused=True)
                if gx is not None:
                    analytical[:, j] = np.asarray(gx._data, dtype=np.float64).reshape(-1)
            numerical = np.zeros_like(analytical)
            flat = x._data.reshape(-1)
            with no_grad():
                for p in range(flat.size):
                    orig = flat[p]
                    flat[p] = orig + eps
                    plus = np.array(_outputs(func, inputs)[k]._data, dtype=np.float64).reshape(-1)
                    flat[p] = orig - eps
                    minus = np.array(_outputs(func, inputs)[k]._data, dtype=np.float64).reshape(-1)
                    flat[p] = orig
                    numerical[p] = (plus - minus) / (2 * eps)
            if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {k} with respect to input {i},\n"
                    f"numerical:{numerical}\nanalytical:{analytical}\n"
                )
    return True


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    raise_exception=True,
    **_ignored,
) -> bool:
    """gradcheck of the first derivative (checks second-order gradients via create_graph)."""
    from .._tensor import Tensor, _wrap

    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    # positions, not tensors: ``list.index`` would compare tensors with ``==``
    diff = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    outs = _outputs(func, inputs)
    rng = np.random.default_rng(0)
    gos = grad_outputs or tuple(_wrap(rng.standard_normal(o._data.shape)) for o in outs)

    def first_derivative(*xs):
        # grad mode on even when gradcheck evaluates this under no_grad for finite differences
        with enable_grad():
            res = _outputs(func, xs)
            gs = autograd_grad(
                res, [xs[i] for i in diff], gos, create_graph=True, allow_unused=True
            )
        return tuple(g for g in gs if g is not None)

    return gradcheck(
        first_derivative, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception
    )
