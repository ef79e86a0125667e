"""gradcheck: compare autograd's gradients with finite differences (use float64 inputs).

For each input that requires grad and each output, the analytical Jacobian (one backward per output
element) must match the numerical one (central differences with step ``eps``) within
``atol + rtol * |numerical|``.

On a GPU the function runs on the device; the Jacobians are compared on the host (each column and
each finite difference is copied there: a check, not a hot path).
"""

from __future__ import annotations

import numpy as np

from .. import _array
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
    """True when ``func``'s autograd gradients match central finite differences at ``inputs``.

    As torch: at least one input must require grad (ValueError); an input whose elements share
    memory (an ``expand``) is refused, since nudging one element would move several; an output
    that does not require grad must not change when an input does ("Numerical gradient for
    function expected to be zero"). A mismatch raises ``GradcheckError`` showing both Jacobians
    (rows: input elements, columns: output elements), or returns False with
    ``raise_exception=False``."""
    from .._tensor import Tensor, _wrap

    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    diff = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")
    for i in diff:
        x = inputs[i]._data
        if x.size and any(s == 0 and n > 1 for n, s in zip(x.shape, x.strides)):
            raise RuntimeError(
                f"The {i}th input has a dimension with stride 0. gradcheck only supports inputs "
                "that are non-overlapping to be able to compute the numerical gradients "
                "correctly. You should call .contiguous on the input before passing it to "
                "gradcheck.")
        if inputs[i].dtype.name != "float64":
            import warnings

            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point. "
                "This check will likely fail if all the inputs are not of double precision "
                "floating point.",
                stacklevel=2,
            )

    def fail(message: str) -> bool:
        if raise_exception:
            raise GradcheckError(message)
        return False

    outputs = _outputs(func, inputs)
    for k, out in enumerate(outputs):
        for i in diff:
            numerical = _numerical_jacobian(func, inputs, i, k, eps)
            if not out.requires_grad:
                if not np.allclose(numerical, 0, rtol=rtol, atol=atol):
                    return fail("Numerical gradient for function expected to be zero")
                continue
            analytical = _analytical_jacobian(func, inputs, i, k, out)
            if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
                return fail(f"Jacobian mismatch for output {k} with respect to input {i},\n"
                            f"numerical:{_wrap(numerical)!r}\nanalytical:{_wrap(analytical)!r}\n")
    return True


def _analytical_jacobian(func, inputs, i, k, out) -> np.ndarray:
    """d out_k / d input_i from autograd, one backward per output element: shape (number of
    input elements, number of output elements)."""
    from .._tensor import _wrap

    x = inputs[i]
    n_out = out._data.size
    jac = np.zeros((x._data.size, n_out))
    for j in range(n_out):
        g = np.zeros(out._data.shape, dtype=out._data.dtype)
        g.reshape(-1)[j] = 1
        fresh = _outputs(func, inputs)[k]
        (gx,) = autograd_grad(fresh, x, _wrap(_array.like(out._data, g)), allow_unused=True)
        if gx is not None:
            jac[:, j] = _array.to_host(gx._data).astype(np.float64).reshape(-1)
    return jac


def _numerical_jacobian(func, inputs, i, k, eps) -> np.ndarray:
    """d out_k / d input_i by central differences, nudging each element of input ``i`` in its
    own memory (row-major order, whatever the input's strides)."""
    arr = inputs[i]._data
    on_device = not _array.on_host(arr)
    rows = []
    with no_grad():
        for pos in np.ndindex(*arr.shape):
            orig = arr[pos]
            if on_device:  # CuPy gives a 0-d view, which the nudge below would change
                orig = orig.copy()
            arr[pos] = orig + eps
            plus = _as_float64(_outputs(func, inputs)[k])
            arr[pos] = orig - eps
            minus = _as_float64(_outputs(func, inputs)[k])
            arr[pos] = orig
            rows.append((plus - minus) / (2 * eps))
    n_out = _outputs(func, inputs)[k]._data.size if not rows else rows[0].size
    return np.array(rows).reshape(arr.size, n_out)


def _as_float64(t) -> np.ndarray:
    """The values of ``t`` flattened, as a float64 NumPy array (a copy, on the host)."""
    return _array.to_host(t._data).astype(np.float64).reshape(-1)


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
    gos = grad_outputs or tuple(
        _wrap(_array.like(o._data, rng.standard_normal(o._data.shape))) for o in outs)

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
