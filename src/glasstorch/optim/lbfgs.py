"""L-BFGS: a quasi-Newton method that shapes each step with the curvature of the last few steps.

Gradient descent steps along ``-g``. Newton's method steps along ``-H⁻¹ g``, scaling each
direction by the inverse curvature, which is far faster near a minimum but needs the Hessian
``H``. L-BFGS estimates ``H⁻¹ g`` from the last ``history_size`` pairs of moves
``s = θ_new − θ_old`` and gradient changes ``y = g_new − g_old`` (the "two-loop recursion"), with
memory linear in the number of parameters.

Each ``step(closure)`` runs up to ``max_iter`` iterations of:

1. direction ``d = −H⁻¹ g`` (at the very first iteration ``d = −g``);
2. a step size ``t``: ``lr`` (the first iteration ever: ``min(1, 1/‖g‖₁) · lr``), or, with
   ``line_search_fn='strong_wolfe'``, a line search from there for a ``t`` with enough decrease
   (``f(θ + t d) ≤ f + c₁ t gᵀd``) and a flat enough slope (``|g(θ + t d)ᵀd| ≤ c₂ |gᵀd|``);
3. ``θ ← θ + t d`` and a fresh loss and gradient from ``closure``;

stopping early when the gradient is smaller than ``tolerance_grad``, the step or the loss change
smaller than ``tolerance_change``, or ``max_eval`` closure calls are spent. The vectors are the
parameters flattened into one, as NumPy arrays of the parameters' dtype; the scalars (``gᵀd``,
``1 / yᵀs``, ...) keep that dtype too, so float32 training computes as torch does.

On a GPU the vectors stay there; each scalar (a dot product, a norm) is read back to the host as
a NumPy scalar of its dtype (``_host``), so the scalar arithmetic and the branches are exactly
the CPU's (torch's LBFGS reads them back too, to compare them).
"""

from __future__ import annotations

import numpy as np

from .. import _array
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import enable_grad, no_grad
from .optimizer import Optimizer, _check_lr, _number, _real


def _cubic_minimum(x1, f1, g1, x2, f2, g2, bounds=None):
    """Where the cubic through ``(x1, f1)`` and ``(x2, f2)`` with slopes ``g1``, ``g2`` has its
    minimum, clipped to ``bounds`` (default: between ``x1`` and ``x2``); the midpoint of the
    bounds when the cubic has no minimum."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if not d2_square >= 0:  # no real minimum (or a nan): bisect
        return (low + high) / 2.0
    d2 = np.sqrt(d2_square)
    if x1 <= x2:
        at = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        at = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(at, low), high)


def _host(x):
    """A scalar result (a dot product, a reduction) as a NumPy scalar of its dtype: itself on the
    CPU, read back from a GPU's 0-d array."""
    return x if _array.on_host(x) else x.dtype.type(x.item())


def _dot(a, b):
    return _host(a.dot(b))


class _Point:
    """One trial of the line search: step ``t``, loss ``f``, gradient ``g``, slope ``gtd``."""

    __slots__ = ("t", "f", "g", "gtd")

    def __init__(self, t, f, g, gtd):
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def _strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """A step ``t`` along ``d`` meeting the strong Wolfe conditions (Nocedal & Wright, Alg. 3.5
    and 3.6, with cubic interpolation).

    ``evaluate(t)`` gives ``(loss, flat_grad)`` at ``θ + t d`` (and puts θ back). Phase 1
    ("bracketing") grows ``t`` until the interval from the last trial to it holds a good step;
    phase 2 ("zoom") shrinks that interval. Returns ``(loss, flat_grad, t, evaluations)``.
    """
    d_norm = _host(np.abs(d).max())
    f_new, g_new = evaluate(t)  # (each evaluation returns a new gradient array)
    evals = 1
    new = _Point(t, f_new, g_new, _dot(g_new, d))
    prev = _Point(0, f, g, gtd)
    done = False
    ls_iter = 0
    bracket = None
    while ls_iter < max_ls:
        # phase 1: does [prev, new] hold an acceptable step?
        if new.f > f + c1 * new.t * gtd or (ls_iter > 1 and new.f >= prev.f):
            bracket = [prev, new]  # too little decrease: a good step lies before ``new``
            break
        if abs(new.gtd) <= -c2 * gtd:
            bracket, done = [new], True  # enough decrease and a flat enough slope
            break
        if new.gtd >= 0:
            bracket = [prev, new]  # the slope turned upward: a minimum lies in between
            break
        # no: extrapolate further, between 1.01x and 10x the current step
        t_next = _cubic_minimum(prev.t, prev.f, prev.gtd, new.t, new.f, new.gtd,
                                bounds=(new.t + 0.01 * (new.t - prev.t), new.t * 10))
        prev = new
        f_new, g_new = evaluate(t_next)
        evals += 1
        new = _Point(t_next, f_new, g_new, _dot(g_new, d))
        ls_iter += 1
    if ls_iter == max_ls:  # out of evaluations: the best of the start and the last trial
        bracket = [_Point(0, f, g, None), _Point(new.t, new.f, new.g, None)]

    # phase 2: zoom into the bracket until a step satisfies both conditions
    insufficient_progress = False
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1].t - bracket[0].t) * d_norm < tolerance_change:
            break
        lo_t, hi_t = min(bracket[0].t, bracket[1].t), max(bracket[0].t, bracket[1].t)
        t_next = _cubic_minimum(bracket[0].t, bracket[0].f, bracket[0].gtd,
                                bracket[1].t, bracket[1].f, bracket[1].gtd)
        # keep away from the ends: a trial too close to one makes little progress
        eps = 0.1 * (hi_t - lo_t)
        if min(hi_t - t_next, t_next - lo_t) < eps:
            if insufficient_progress or t_next >= hi_t or t_next <= lo_t:
                t_next = hi_t - eps if abs(t_next - hi_t) < abs(t_next - lo_t) else lo_t + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(t_next)
        evals += 1
        trial = _Point(t_next, f_new, g_new, _dot(g_new, d))
        ls_iter += 1
        if trial.f > f + c1 * trial.t * gtd or trial.f >= bracket[low].f:
            bracket[high] = trial  # not enough decrease: the trial is the new high end
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if abs(trial.gtd) <= -c2 * gtd:
                done = True
            elif trial.gtd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]  # the minimum lies on the other side
            bracket[low] = trial
    best = bracket[low]
    return best.f, best.g, best.t, evals


class LBFGS(Optimizer):
    r"""L-BFGS (``torch.optim.LBFGS``): quasi-Newton steps from a short history of gradients.

    Unlike the other optimizers, ``step`` needs a ``closure`` that clears the gradients,
    computes the loss, calls ``backward`` and returns the loss, because one step evaluates the
    model several times::

        opt = torch.optim.LBFGS(model.parameters(), lr=1, line_search_fn="strong_wolfe")
        def closure():
            opt.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            return loss
        opt.step(closure)          # returns the loss of the first evaluation

    Works best full-batch (a noisy minibatch gradient spoils the curvature history). All
    parameters form one group (per-group options are refused, as in torch). The algorithm is
    described in this module's docstring.

    Args:
        lr (float): step size (default 1).
        max_iter (int): iterations per ``step`` (default 20).
        max_eval (int): closure calls per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad (float): stop when every gradient entry is at most this (default 1e-7).
        tolerance_change (float): stop when the step or the loss change is below this
            (default 1e-9).
        history_size (int): how many ``(s, y)`` pairs to remember (default 100).
        line_search_fn (str): ``None`` (fixed step ``lr``) or ``"strong_wolfe"``.

    State (kept on the first parameter, as torch does): ``func_evals``, ``n_iter``, the last
    direction ``d`` and step ``t``, the history ``old_dirs`` (the y's), ``old_stps`` (the s's)
    and ``ro`` (1 / yᵀs), ``H_diag``, ``prev_flat_grad`` and ``prev_loss``.
    """

    def __init__(
        self,
        params,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        _check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change, history_size=history_size,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ---- the parameters as one flat vector ---------------------------------------------------
    def _flat_grad(self) -> np.ndarray:
        """Every parameter's gradient (zeros where there is none), flattened into one vector."""
        xp = _array.namespace(self._params[0]._data)
        pieces = [xp.zeros(_real(p._data).size, _real(p._data).dtype) if p._grad is None
                  else _real(p._grad._data).ravel() for p in self._params]
        return xp.concatenate(pieces)

    def _add_to_params(self, step, direction: np.ndarray) -> None:
        """``θ ← θ + step · direction``, the flat ``direction`` cut back into the parameters."""
        offset = 0
        for p in self._params:
            data = _real(p._data)
            piece = direction[offset:offset + data.size].reshape(data.shape)
            data += piece * data.dtype.type(step)
            p._vc[0] += 1
            offset += data.size

    def _params_copy(self) -> list:
        return [p._data.copy() for p in self._params]

    def _restore_params(self, saved: list) -> None:
        for p, data in zip(self._params, saved):
            p._data[...] = data
            p._vc[0] += 1

    def _evaluate(self, closure):
        """``(loss as a float, flat gradient)`` from one call of the closure."""
        with enable_grad():
            loss = closure()
        return _as_float(loss), self._flat_grad()

    # ---- one step ------------------------------------------------------------------------------
    def step(self, closure):
        """Up to ``max_iter`` L-BFGS iterations; returns the loss ``closure`` gave first."""
        with no_grad():
            return self._step(closure)

    def _step(self, closure):
        group = self.param_groups[0]
        lr = _number(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with enable_grad():
            orig_loss = closure()
        loss = _as_float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss  # already at a minimum

        d, t = _unwrap(state.get("d")), _unwrap(state.get("t"))
        old_dirs = [_unwrap(v) for v in state.get("old_dirs", [])]  # the y's
        old_stps = [_unwrap(v) for v in state.get("old_stps", [])]  # the s's
        ro = [_unwrap(v) for v in state.get("ro", [])]
        h_diag = _unwrap(state.get("H_diag"))
        prev_flat_grad = _unwrap(state.get("prev_flat_grad"))
        prev_loss = state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            # 1. the direction
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * d.dtype.type(t)
                ys = _dot(y, s)
                if ys > 1e-10:  # keep the pair only where the curvature is positive
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / _dot(y, y)  # the initial inverse Hessian, a multiple of I
                al = state.setdefault("al", [None] * history_size)
                d = _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag, al)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            # 2. the step size
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / _host(np.abs(flat_grad).sum())) * lr
            else:
                t = lr
            gtd = _dot(flat_grad, d)
            if gtd > -tolerance_change:  # not a descent direction (any more)
                break

            # 3. move, and a new loss and gradient
            ls_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                start = self._params_copy()

                def along_d(step, start=start, d=d):
                    self._add_to_params(step, d)
                    result = self._evaluate(closure)
                    self._restore_params(start)
                    return result

                loss, flat_grad, t, ls_evals = _strong_wolfe(
                    along_d, t, d, loss, flat_grad, gtd, max_ls=max_eval - evals)
                self._add_to_params(t, d)
                converged = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_to_params(t, d)
                converged = False
                if n_iter != max_iter:  # the last iteration's loss is the next step's start
                    loss, flat_grad = self._evaluate(closure)
                    converged = np.abs(flat_grad).max() <= tolerance_grad
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals

            # 4. stop?
            if n_iter == max_iter or evals >= max_eval or converged:
                break
            if np.abs(d * d.dtype.type(t)).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        ref = self._params[0]._data  # state tensors go to the parameters' device, as in torch
        state["d"], state["t"] = _wrap_state(d, ref), _wrap_state(t, ref)
        state["old_dirs"] = [_wrap_state(v, ref) for v in old_dirs]
        state["old_stps"] = [_wrap_state(v, ref) for v in old_stps]
        state["ro"] = [_wrap_state(v, ref) for v in ro]
        state["H_diag"] = _wrap_state(h_diag, ref)
        state["prev_flat_grad"] = _wrap_state(prev_flat_grad, ref)
        state["prev_loss"] = prev_loss
        if "al" in state:
            state["al"] = [_wrap_state(v, ref) for v in state["al"]]
        return orig_loss


def _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag, al: list) -> np.ndarray:
    """``−H⁻¹ g`` by the L-BFGS two-loop recursion over the stored ``(s, y)`` pairs; ``al``
    receives the first loop's coefficients (torch keeps them in the state)."""
    q = -flat_grad
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = _dot(old_stps[i], q) * ro[i]
        q -= old_dirs[i] * al[i]
    r = q * h_diag if isinstance(h_diag, np.floating) else q * q.dtype.type(h_diag)
    for i in range(len(old_dirs)):
        be_i = _dot(old_dirs[i], r) * ro[i]
        r += old_stps[i] * (al[i] - be_i)
    return r


def _as_float(loss) -> float:
    """The closure's loss as a Python float (a tensor read without the requires-grad warning)."""
    return float(loss.detach()) if isinstance(loss, Tensor) else float(loss)


def _wrap_state(value, ref):
    """A value for ``state``: arrays and NumPy scalars as tensors (as torch keeps them), on the
    device of ``ref`` (a parameter's array)."""
    if isinstance(value, np.generic):
        return _wrap(_array.like(ref, np.asarray(value)))
    if isinstance(value, np.ndarray) or not _array.on_host(value):
        return _wrap(value)
    return value


def _unwrap(value):
    """The working form of a state value: tensors as arrays, 0-d ones as NumPy scalars."""
    if isinstance(value, Tensor):
        return _host(value._data[()]) if value._data.ndim == 0 else value._data
    return value
