"""More normalisation functions, built on the ones in ``normalization``.

- ``instance_norm``: a ``batch_norm`` in which every (sample, channel) pair is its own channel;
- ``local_response_norm``: AlexNet's normalisation across neighbouring channels, composed of
  glasstorch ops (its gradient comes from theirs).
"""

from __future__ import annotations

import numpy as np

from ..._errors import not_tensor
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import no_grad
from .normalization import batch_norm
from .padding import pad


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel of each sample over its spatial positions (style transfer's
    normalisation), then apply a per-channel scale and shift.

    It is ``batch_norm`` on the input viewed as ``(1, N*C, *)``: each (sample, channel) pair gets
    its own statistics. Running statistics, if given, are updated with the average over the batch
    of the per-sample statistics; ``use_input_stats=False`` uses them instead.

    Args:
        input (Tensor): ``(N, C, *)`` with at least one spatial dimension.
        running_mean, running_var (Tensor, optional): ``(C,)`` running statistics.
        weight, bias (Tensor, optional): ``(C,)`` scale and shift.
        use_input_stats (bool): normalise with the input's statistics (default ``True``).
        momentum (float): weight of the new statistics in the running ones (default 0.1).
        eps (float): added to the variance (default 1e-5).

    Shape:
        - Input: ``(N, C, *)``. Output: same shape as input.

    Example::

        >>> F.instance_norm(torch.randn(2, 3, 8)).shape
        torch.Size([2, 3, 8])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("instance_norm", input)
    shape = input._data.shape
    if use_input_stats:
        spatial = 1
        for size in shape[2:]:
            spatial *= size
        if spatial == 1:
            raise ValueError(
                "Expected more than 1 spatial element when training, got input size "
                f"torch.Size({list(shape)})"
            )
    n, c = shape[0], shape[1]
    repeat = [None, None]
    for i, stat in enumerate((running_mean, running_var)):
        if stat is not None:
            flat = stat._data.reshape(-1)
            repeat[i] = _wrap(np.tile(flat, n))
    w = weight.repeat(n) if weight is not None else None
    b = bias.repeat(n) if bias is not None else None
    out = batch_norm(input.reshape((1, n * c) + shape[2:]), repeat[0], repeat[1], w, b,
                     use_input_stats, momentum, eps)
    if use_input_stats:
        with no_grad():
            for stat, rep in zip((running_mean, running_var), repeat):
                if stat is not None:
                    stat._data[...] = rep._data.reshape(n, c).mean(0).reshape(stat._data.shape)
    return out.reshape(shape)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Divide each value by a power of the energy of its ``size`` neighbouring channels::

        y[:, c] = x[:, c] / (k + alpha / size * sum of x[:, c']^2 over the window) ** beta

    The window runs from channel ``c - size // 2`` to ``c + (size - 1) // 2``, zero-padded at the
    ends (the sum is still divided by ``size``), as in AlexNet.

    Shape:
        - Input: ``(N, C, *)`` with at least 3 dimensions. Output: same shape as input.

    Example::

        >>> F.local_response_norm(torch.ones(1, 4, 2, 2), size=2)[0, :, 0, 0]
        tensor([0.9999, 0.9999, 0.9999, 0.9999])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("local_response_norm", input)
    ndim = input._data.ndim
    if ndim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality                          input (got {ndim} "
            "dimensions)"
        )
    if input._data.size == 0:
        return input
    channels = input._data.shape[1]
    squares = input * input
    # zero-pad the channel dimension (dim 1) so every window has `size` entries
    amounts = [0, 0] * (ndim - 2) + [size // 2, (size - 1) // 2]
    padded = pad(squares, amounts)
    window = padded[:, 0:channels]
    for offset in range(1, size):
        window = window + padded[:, offset:offset + channels]
    div = (window * (alpha / size) + k) ** beta
    return input / div


__all__ = ["instance_norm", "local_response_norm"]
