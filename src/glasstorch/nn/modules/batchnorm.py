"""Batch normalisation layers: ``BatchNorm1d``/``2d``/``3d`` and their lazy forms.

A batch-norm layer holds a learned per-channel scale and shift (``weight``, ``bias``) and two
buffers that follow the statistics seen in training (``running_mean``, ``running_var``), plus
``num_batches_tracked``. In training mode it normalises with the batch's statistics and updates
the buffers; in evaluation mode (``model.eval()``) it uses the buffers, so predictions do not
depend on what else is in the batch. The computation is ``F.batch_norm``.
"""

from __future__ import annotations

from ... import _creation
from ... import _dtype as _dt
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedBuffer, UninitializedParameter, is_lazy
from .lazy import LazyModuleMixin
from .module import Module


def register_affine(module: Module, enabled: bool, shape, bias: bool, device, dtype) -> None:
    """Give a normalisation layer its learned ``weight`` and ``bias`` of ``shape`` (values set by
    ``reset_affine``), or register them as None when ``enabled`` (or ``bias``) is False."""
    weight = Parameter(_creation.empty(shape, device=device, dtype=dtype)) if enabled else None
    module.register_parameter("weight", weight)
    bias_p = Parameter(_creation.empty(shape, device=device, dtype=dtype)) \
        if enabled and bias else None
    module.register_parameter("bias", bias_p)


def reset_affine(module: Module) -> None:
    """Weight 1 and bias 0: the affine map of a normalisation layer starts as the identity."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _NormBase(Module):
    """What batch and instance normalisation share: the parameters, the running statistics and
    their resets, the printed form, and loading state dicts saved before ``num_batches_tracked``
    existed."""

    # version 2 added num_batches_tracked; state dicts without a version may lack it
    _version = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None, dtype=None,
                 *, bias: bool = True) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        register_affine(self, affine, num_features, bias, device, dtype)
        if track_running_stats:
            self.register_buffer(
                "running_mean", _creation.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer(
                "running_var", _creation.ones(num_features, device=device, dtype=dtype))
            self.register_buffer(
                "num_batches_tracked", _creation.tensor(0, dtype=_dt.int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Forget the statistics: means 0, variances 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Reset the running statistics and set weight to 1 and bias to 0 (the identity map)."""
        self.reset_running_stats()
        reset_affine(self)

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign: bool = False) -> None:
        version = local_metadata.get("version", None)
        key = prefix + "num_batches_tracked"
        if (version is None or version < 2) and self.track_running_stats \
                and key not in state_dict:
            # A state dict from before num_batches_tracked: keep the current count (0 if unknown).
            state_dict = dict(state_dict)
            current = self.num_batches_tracked
            state_dict[key] = current if current is not None and not is_lazy(current) \
                else _creation.tensor(0, dtype=_dt.int64, device=self.running_mean.device
                                      if self.running_mean is not None else None)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs, assign)


class _BatchNorm(_NormBase):
    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative average: the n-th batch weighs 1/n
                factor = 1.0 / float(self.num_batches_tracked)
        # Evaluation uses the running statistics when there are some, else the batch's own.
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight, self.bias, use_batch_stats, factor, self.eps,
        )


_DOC_ARGS = """
    Args:
        num_features (int): C, the number of channels (dimension 1 of the input).
        eps (float): added to the variance for numerical stability (default: 1e-5).
        momentum (float or None): weight of each new batch in the running statistics
            (default: 0.1); ``None`` gives a cumulative average (batch n weighs 1/n).
        affine (bool): learn a per-channel ``weight`` (ones) and ``bias`` (zeros) (default: True).
        track_running_stats (bool): keep ``running_mean``/``running_var`` for evaluation; if
            False, batch statistics are used in both modes (default: True).
        bias (bool, keyword-only): learn the shift too (default: True).
"""


class BatchNorm1d(_BatchNorm):
    __doc__ = """Batch normalisation of (N, C) or (N, C, L) inputs, per channel.

    ``y = (x - mean) / sqrt(var + eps) * weight + bias`` with the mean and (biased) variance taken
    over the batch (and the length L) in training, and the running estimates in evaluation.
    """ + _DOC_ARGS + """
    Shape:
        - Input: ``(N, C)`` or ``(N, C, L)``. Output: same shape as input.

    Example::

        >>> m = nn.BatchNorm1d(100)
        >>> m(torch.randn(20, 100)).shape
        torch.Size([20, 100])
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    __doc__ = """Batch normalisation of image batches (N, C, H, W), per channel.

    Each channel is normalised over the batch and all pixel positions, then scaled and shifted;
    the layer d2l places between a convolution and its activation.
    """ + _DOC_ARGS + """
    Shape:
        - Input: ``(N, C, H, W)``. Output: same shape as input.

    Example::

        >>> m = nn.BatchNorm2d(6)
        >>> m
        BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
        >>> m(torch.randn(4, 6, 8, 8)).shape
        torch.Size([4, 6, 8, 8])
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    __doc__ = """Batch normalisation of volumes (N, C, D, H, W), per channel.
    """ + _DOC_ARGS + """
    Shape:
        - Input: ``(N, C, D, H, W)``. Output: same shape as input.

    Example::

        >>> nn.BatchNorm3d(3)(torch.randn(2, 3, 4, 4, 4)).shape
        torch.Size([2, 3, 4, 4, 4])
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


class _LazyNormBase(LazyModuleMixin, _NormBase):
    """A norm layer whose ``num_features`` is read from dimension 1 of its first input."""

    cls_to_become = None

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True) -> None:
        # built with 0 features and no placeholders, which are put in afterwards
        super().__init__(0, eps, momentum, False, False, device, dtype, bias=bias)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = _creation.tensor(0, dtype=_dt.int64, device=device)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        """Allocate weight, bias and running statistics of size ``input.shape[1]``."""
        if self.has_uninitialized_params():
            self.num_features = input.shape[1]
            if self.affine:
                self.weight.materialize((self.num_features,))
                if self.bias is not None:
                    self.bias.materialize((self.num_features,))
            if self.track_running_stats:
                self.running_mean.materialize((self.num_features,))
                self.running_var.materialize((self.num_features,))
            self.reset_parameters()


class LazyBatchNorm1d(_LazyNormBase, _BatchNorm):
    """A ``BatchNorm1d`` whose ``num_features`` is inferred from ``input.shape[1]`` at the first
    call (then the module becomes a ``BatchNorm1d``). Arguments as ``BatchNorm1d`` without
    ``num_features``."""

    cls_to_become = BatchNorm1d
    _check_input_dim = BatchNorm1d._check_input_dim


class LazyBatchNorm2d(_LazyNormBase, _BatchNorm):
    """A ``BatchNorm2d`` whose ``num_features`` is inferred at the first call.

    Example::

        >>> m = nn.LazyBatchNorm2d()
        >>> _ = m(torch.randn(2, 6, 5, 5)); m
        BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    """

    cls_to_become = BatchNorm2d
    _check_input_dim = BatchNorm2d._check_input_dim


class LazyBatchNorm3d(_LazyNormBase, _BatchNorm):
    """A ``BatchNorm3d`` whose ``num_features`` is inferred at the first call."""

    cls_to_become = BatchNorm3d
    _check_input_dim = BatchNorm3d._check_input_dim


__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d"]
