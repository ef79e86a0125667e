"""Convolutions as functions: ``conv1d``, ``conv2d`` and their transposed forms
``conv_transpose1d``/``conv_transpose2d``, one fused node each.

``conv2d(x, w)`` slides each filter ``w[o]`` (C, kh, kw) over the image ``x`` (N, C, H, W) and
takes a dot product at every position::

    out[n, o, y, x] = bias[o] + sum over c, i, j of
                          w[o, c, i, j] * xp[n, c, y*sh + i*dh, x*sw + j*dw]

with ``xp`` the zero-padded input, ``s`` the stride and ``d`` the dilation (the gap between the
taps of the kernel). ``conv1d`` is the same along one axis; here it is a ``conv2d`` whose image
is one row high.

This module reads and checks the arguments the way torch does and records the backward node;
the arithmetic (im2col and one matrix product, col2im for the gradient) is in ``_im2col``. The
backward is written with glasstorch ops (a transposed convolution for the input, a convolution of
the input with the output gradient for the weight), so second derivatives work too; without
``create_graph`` a fast path runs the same gradients on the arrays (``_im2col.conv2d_backward``).

A *transposed* convolution is that input gradient used as a layer of its own: each input pixel
stamps the kernel, scaled by its value, onto a larger output (stride ``s`` spaces the stamps), so
it upsamples; ``conv_transpose2d(y, w)`` has the shape of the ``x`` that ``conv2d(x, w)`` would
map to ``y``. Its own backward swaps the roles: its input gradient is a plain ``conv2d``.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..._creation import arange
from ..._dtype import c_name, scalar_name
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from ...autograd.graph import Node, attach
from ._im2col import conv2d_backward, conv2d_forward, conv_transpose2d_forward
from .padding import pad


# ---- the public functions ----------------------------------------------------------------------
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution (strictly, cross-correlation) of an image batch with a bank of filters.

    Args:
        input: ``(N, C_in, H, W)``, or ``(C_in, H, W)`` for a single image.
        weight: the filters, ``(C_out, C_in / groups, kH, kW)``.
        bias: optional ``(C_out,)``, added to every position of each output channel.
        stride: step between windows, an int or ``(sH, sW)``.
        padding: zeros added on both sides, an int or ``(pH, pW)``; or ``'valid'`` (none) or
            ``'same'`` (enough to keep the size; only with stride 1, split as evenly as possible
            with the extra one on the bottom/right when the window extent is even).
        dilation: gap between kernel taps, an int or ``(dH, dW)``: a 3x3 kernel with
            dilation 2 covers 5x5 pixels.
        groups: split the channels into ``groups`` independent convolutions (``C_in`` and
            ``C_out`` divisible by it); ``groups=C_in`` is a depthwise convolution.

    Shape:
        - Output: ``(N, C_out, H_out, W_out)`` with
          ``H_out = (H + pH_top + pH_bottom - dH * (kH - 1) - 1) // sH + 1`` (and W alike).

    Example::

        >>> x = torch.randn(256, 1, 28, 28)
        >>> w = torch.randn(6, 1, 5, 5)
        >>> F.conv2d(x, w, padding=2).shape
        torch.Size([256, 6, 28, 28])
    """
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-D convolution of a batch of sequences with a bank of filters.

    The arguments mean what they mean for ``conv2d``, along one axis: ``input`` is
    ``(N, C_in, L)`` or ``(C_in, L)``, ``weight`` is ``(C_out, C_in / groups, k)``, ``bias``
    ``(C_out,)``; ``stride``, ``padding`` and ``dilation`` are ints (or 1-tuples; ``padding`` may
    also be ``'valid'`` or ``'same'``).

    Shape:
        - Output: ``(N, C_out, L_out)`` with ``L_out = (L + 2p - d * (k - 1) - 1) // s + 1``.

    Example::

        >>> F.conv1d(torch.randn(4, 3, 20), torch.randn(8, 3, 5), padding='same').shape
        torch.Size([4, 8, 20])
    """
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-D transposed convolution ("deconvolution"): the gradient of ``conv2d`` with respect to
    its input, used as an upsampling layer.

    Args:
        input: ``(N, C_in, H, W)``, or ``(C_in, H, W)`` for a single image.
        weight: ``(C_in, C_out / groups, kH, kW)`` (in and out swapped compared to ``conv2d``:
            it is the weight of the convolution this one transposes).
        bias: optional ``(C_out,)``.
        stride: spacing of the kernel's stamps in the output, an int or ``(sH, sW)``.
        padding: removed from both sides of the output (``dH * (kH - 1) - pH`` zeros around the
            input, seen as a plain convolution), an int or ``(pH, pW)``.
        output_padding: extra rows/columns added on the bottom/right only, to choose among the
            sizes a strided ``conv2d`` maps to the same size; smaller than stride or dilation.
        groups: independent transposed convolutions over ``groups`` channel blocks.
        dilation: gap between kernel taps, an int or ``(dH, dW)``.

    Shape:
        - Output: ``(N, C_out, H_out, W_out)`` with
          ``H_out = (H - 1) * sH - 2 * pH + dH * (kH - 1) + output_padding_H + 1``.

    Example::

        >>> F.conv_transpose2d(torch.randn(1, 8, 7, 7), torch.randn(8, 3, 4, 4), stride=2,
        ...                    padding=1).shape
        torch.Size([1, 3, 14, 14])
    """
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                       "conv_transpose2d")


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-D transposed convolution: ``input`` ``(N, C_in, L)`` or ``(C_in, L)``, ``weight``
    ``(C_in, C_out / groups, k)``, ``bias`` ``(C_out,)``; the other arguments as in
    ``conv_transpose2d``, along one axis.

    Shape:
        - Output: ``(N, C_out, L_out)`` with ``L_out = (L - 1) * s - 2p + d * (k - 1) + op + 1``.

    Example::

        >>> F.conv_transpose1d(torch.randn(4, 2, 10), torch.randn(2, 5, 3), stride=2).shape
        torch.Size([4, 5, 21])
    """
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                       "conv_transpose1d")


# ---- argument parsing, with torch's messages --------------------------------------------------
def _signature_error(fn: str, input, weight, **bad) -> TypeError:
    got = [type(input).__name__, type(weight).__name__]
    got += [f"{k}={type(v).__name__}" for k, v in bad.items()]
    sig = ("Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, {} padding "
           "= {}, tuple of ints dilation = 1, int groups = 1")
    return TypeError(
        f"{fn}() received an invalid combination of arguments - got ({', '.join(got)}), but "
        f"expected one of:\n * ({sig.format('tuple of ints', 0)})\n"
        f" * ({sig.format('str', chr(34) + 'valid' + chr(34))})\n"
    )


def _ints(value, nd: int):
    """An int or a sequence of ints as a tuple (one int is repeated ``nd`` times); None if not."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * nd
    if isinstance(value, (tuple, list)) and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value
    ):
        return tuple(int(v) for v in value) * (nd if len(value) == 1 else 1)
    return None


def _fit(name: str, values: tuple, k: int) -> tuple:
    """Match a parameter to the kernel's ``k`` spatial dims (torch checks against the weight)."""
    if len(values) == 1:
        return values * k
    if len(values) != k:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {k} values to match the "
            f"convolution dimensions, but got {name}={list(values)}"
        )
    return values


def _check_types(fn, input, weight, bias, stride, padding, dilation, groups):
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise _signature_error(fn, input, weight)
    if bias is not None and not isinstance(bias, Tensor):
        raise _signature_error(fn, input, weight, bias=bias)
    for name, v in (("stride", stride), ("dilation", dilation)):
        if _ints(v, 1) is None:
            raise _signature_error(fn, input, weight, **{name: v})
    if not isinstance(padding, str) and _ints(padding, 1) is None:
        raise _signature_error(fn, input, weight, padding=padding)
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool):
        raise _signature_error(fn, input, weight, groups=groups)


def _same_pads(ksize: tuple, dilation: tuple, stride: tuple) -> list:
    """'same' padding per axis: total ``d*(k-1)``, the odd one out going to the end."""
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    totals = [d * (k - 1) for k, d in zip(ksize, dilation)]
    if any(t % 2 for t in totals):
        warnings.warn(
            "Using padding='same' with even kernel lengths and odd dilation may require a "
            "zero-padded copy of the input be created", UserWarning, stacklevel=5,
        )
    return [(t // 2, t - t // 2) for t in totals]


def _check_shapes(x, w, b, pads, dilation, groups):
    """torch's checks of the tensors against each other (after the parameters are parsed)."""
    co = w.shape[0]
    if co < groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but "
            f"got weight of size {list(w.shape)} instead"
        )
    if co % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{list(w.shape)}] instead"
        )
    if x.shape[1] != w.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(w.shape)}, expected input"
            f"{list(x.shape)} to have {w.shape[1] * groups} channels, but got {x.shape[1]} "
            "channels instead"
        )
    padded = [x.shape[2 + a] + lo + hi for a, (lo, hi) in enumerate(pads)]
    extent = [d * (k - 1) + 1 for k, d in zip(w.shape[2:], dilation)]
    if any(p < e for p, e in zip(padded, extent)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, extent))}). Kernel size can't be greater than "
            "actual input size"
        )
    if b is not None and b.shape != (co,):
        raise RuntimeError(
            f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with {co} "
            f"elements, but got bias of size {list(b.shape)} instead"
        )
    _check_shapes_dtypes(x, w, b)


def _check_shapes_dtypes(x, w, b):
    """The input, weight and bias share one dtype, not bool (torch's messages)."""
    if w.dtype != x.dtype:
        if x.dtype == np.float32:
            raise RuntimeError(
                f"Input type (torch.{scalar_name(x.dtype)}Tensor) and weight type "
                f"(torch.{scalar_name(w.dtype)}Tensor) should be the "
                "same or input should be a MKLDNN tensor and weight is a dense tensor"
            )
        raise RuntimeError(
            f"expected scalar type {scalar_name(x.dtype)} but found {scalar_name(w.dtype)}"
        )
    if b is not None and b.dtype != x.dtype:
        raise RuntimeError(
            f"Input type ({c_name(x.dtype)}) and bias type ({c_name(b.dtype)}) should be the same"
        )
    if x.dtype == np.bool_:
        raise NotImplementedError("\"slow_conv2d_cpu\" not implemented for 'Bool'")


def _parse(fn, x, w, stride, padding, dilation, groups, nd):
    """``(stride, pads, dilation)`` with one entry per spatial axis, ``pads`` as (lo, hi) pairs."""
    if w.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    k = w.ndim - 2
    stride = _fit("stride", _ints(stride, nd), k)
    if not isinstance(padding, str):
        padding = _fit("padding", _ints(padding, nd), k)
    dilation = _fit("dilation", _ints(dilation, nd), k)
    if x.ndim != w.ndim:
        raise RuntimeError(
            f"Expected {w.ndim}-dimensional input for {w.ndim}-dimensional weight "
            f"{list(w.shape)}, but got {x.ndim}-dimensional input of size {list(x.shape)} instead"
        )
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * k
        elif padding == "same":
            pads = _same_pads(w.shape[2:], dilation, stride)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        if any(p < 0 for p in padding):
            raise RuntimeError("negative padding is not supported")
        pads = [(p, p) for p in padding]
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    return stride, pads, dilation


def _check_transposed_shapes(x, w, b, groups, opad, geom):
    """torch's checks for a transposed convolution: the weight is (C_in, C_out/groups, ...)."""
    cin = w.shape[0]
    if cin % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{list(w.shape)}] instead"
        )
    if x.shape[1] != cin:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(w.shape)}, expected input{list(x.shape)} "
            f"to have {cin} channels, but got {x.shape[1]} channels instead"
        )
    cout = w.shape[1] * groups
    if b is not None and b.shape != (cout,):
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(w.shape)}, expected bias to be "
            f"1-dimensional with {cout} elements, but got bias of size {list(b.shape)} instead"
        )
    (sh, sw), (dh, dw), _ = geom
    if any(o >= s and o >= d for o, s, d in zip(opad, (sh, sw), (dh, dw))):
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            f"output_padding_height: {opad[0]} output_padding_width: {opad[1]} stride_height: "
            f"{sh} stride_width: {sw} dilation_height: {dh} dilation_width: {dw}"
        )
    _check_shapes_dtypes(x, w, b)


# ---- the op --------------------------------------------------------------------------------------
def _as_2d(nd: int, stride, pads, dilation):
    """``(stride, dilation, pads)`` of the 2-D kernel; a 1-D convolution's are those of a 2-D one
    over an image one row high."""
    if nd == 2:
        return tuple(stride), tuple(dilation), tuple(pads)
    return (1, stride[0]), (1, dilation[0]), ((0, 0), pads[0])


def _convolution(input, weight, bias, stride, padding, dilation, groups, nd: int, fn: str):
    _check_types(fn, input, weight, bias, stride, padding, dilation, groups)
    x, w = input._data, weight._data
    if x.ndim != nd + 2:
        if x.ndim == nd + 1:  # one sample: torch adds the batch axis and squeezes it again
            out = _convolution(input.unsqueeze(0), weight, bias, stride, padding, dilation,
                               groups, nd, fn)
            return out.squeeze(0)
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fn}, but got input "
            f"of size: {list(x.shape)}"
        )
    groups = int(groups)
    stride, pads, dilation = _parse(fn, x, w, stride, padding, dilation, groups, nd)
    b = bias._data if bias is not None else None
    _check_shapes(x, w, b, pads, dilation, groups)
    geom = _as_2d(nd, stride, pads, dilation)
    if nd == 1:
        out = conv2d_forward(x[:, :, None], w[:, :, None], b, *geom, groups)
        out = out.reshape(out.shape[0], out.shape[1], out.shape[3])
    else:
        out = conv2d_forward(x, w, b, *geom, groups)
    return attach(_wrap(out), ConvolutionBackward0, input, weight, bias, geom=geom,
                  groups=groups, nd=nd)


def _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation,
                nd: int, fn: str):
    if isinstance(padding, str):
        raise TypeError(f"{fn}(): argument 'padding' must be tuple of ints, not str")
    _check_types(fn, input, weight, bias, stride, padding, dilation, groups)
    if _ints(output_padding, 1) is None:
        raise TypeError(f"{fn}(): argument 'output_padding' must be tuple of ints, not "
                        f"{type(output_padding).__name__}")
    x, w = input._data, weight._data
    if x.ndim != nd + 2:
        if x.ndim == nd + 1:  # one sample: torch adds the batch axis and squeezes it again
            out = _transposed(input.unsqueeze(0), weight, bias, stride, padding, output_padding,
                              groups, dilation, nd, fn)
            return out.squeeze(0)
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fn}, but got input "
            f"of size: {list(x.shape)}"
        )
    groups = int(groups)
    stride, pads, dilation = _parse(fn, x, w, stride, padding, dilation, groups, nd)
    opad = _fit("output_padding", _ints(output_padding, nd), w.ndim - 2)
    if any(o < 0 for o in opad):
        raise RuntimeError("negative output_padding is not supported")
    geom = _as_2d(nd, stride, pads, dilation)
    opad = (0, opad[0]) if nd == 1 else tuple(opad)
    b = bias._data if bias is not None else None
    _check_transposed_shapes(x, w, b, groups, opad, geom)
    x2, w2 = (x, w) if nd == 2 else (x[:, :, None], w[:, :, None])
    (sh, sw), (dh, dw), ((ph, _), (pw, _)) = geom
    kh, kw = w2.shape[2:]
    osize = ((x2.shape[2] - 1) * sh - 2 * ph + dh * (kh - 1) + opad[0] + 1,
             (x2.shape[3] - 1) * sw - 2 * pw + dw * (kw - 1) + opad[1] + 1)
    if min(osize) <= 0:
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))}). Calculated "
            f"output size per channel: ({' x '.join(map(str, osize[2 - nd:]))}). Output size "
            "is too small"
        )
    out = conv_transpose2d_forward(x2, w2, b, *geom, groups, osize)
    if nd == 1:
        out = out.reshape(out.shape[0], out.shape[1], out.shape[3])
    return attach(_wrap(out), ConvolutionBackward0, input, weight, bias, geom=geom,
                  groups=groups, nd=nd, transposed=True)


class ConvolutionBackward0(Node):
    """Backward of a convolution ``y = conv(x, W) + b``, all three gradients in one step.

    ``dL/dW`` is the correlation of the input with the output gradient, ``dL/dx`` the transposed
    convolution of the output gradient with ``W``, and ``dL/db`` the sum of the output gradient
    over everything but its channel axis. Only the gradients some input needs are computed.
    ``geom`` is the 2-D kernel's ``(stride, dilation, pads)`` (``_as_2d``). A ``transposed``
    convolution (torch names its node the same) swaps the roles: its input gradient is a plain
    convolution of the output gradient, its weight gradient the same correlation with input and
    output gradient exchanged.
    """

    def __init__(self, input, weight, bias, *, geom: tuple, groups: int, nd: int,
                 transposed: bool = False):
        super().__init__(input, weight, bias)
        self.save(input, weight)
        self.geom, self.groups, self.nd, self.transposed = geom, groups, nd, transposed

    def backward(self, grad):
        x, w = self.saved_tensors
        needs = self.needs_input_grad
        if self.transposed:
            return _transposed_backward(grad, x, w, self.geom, self.groups, self.nd, needs)
        if grad_mode.state.enabled:
            return _graph_backward(grad, x, w, self.geom, self.groups, self.nd, needs)
        # fast path: without create_graph, im2col/col2im on the arrays in one pass (no padded,
        # spread-out or flipped intermediate tensors, and the columns shared by dW and dx)
        g, xd, wd = grad._data, x._data, w._data
        if self.nd == 1:
            g, xd, wd = g[:, :, None], xd[:, :, None], wd[:, :, None]
        gx, gw, gb = conv2d_backward(g, xd, wd, *self.geom, self.groups, needs)
        if self.nd == 1:
            gx = gx.reshape(x._data.shape) if gx is not None else None
            gw = gw.reshape(w._data.shape) if gw is not None else None
        return tuple(_wrap(a) if a is not None else None for a in (gx, gw, gb))


def _graph_backward(g: Tensor, x: Tensor, w: Tensor, geom, groups: int, nd: int, needs):
    """The three gradients written with glasstorch ops (create_graph=True), as 2-D convs."""
    if nd == 1:
        g, x, w = g.unsqueeze(2), x.unsqueeze(2), w.unsqueeze(2)
    gx = _grad_input(g, w, x.shape, geom, groups) if needs[0] else None
    gw = _grad_weight(g, x, w.shape, geom, groups) if needs[1] else None
    gb = g.sum((0, 2, 3)) if needs[2] else None
    if nd == 1:
        gx = gx.squeeze(2) if gx is not None else None
        gw = gw.squeeze(2) if gw is not None else None
    return gx, gw, gb


def _transposed_backward(g: Tensor, x: Tensor, w: Tensor, geom, groups: int, nd: int, needs):
    """The gradients of ``y = conv_transpose(x, W) + b``: ``dL/dx = conv(g, W)`` (cropped to
    ``x``'s size: output_padding may leave windows past it), ``dL/dW`` the weight gradient of the
    convolution that maps ``g``'s shape to ``x``'s, with ``x`` as its output gradient."""
    if nd == 1:
        g, x, w = g.unsqueeze(2), x.unsqueeze(2), w.unsqueeze(2)
    h, wd = x.shape[2:]
    stride, dilation, ((ph, _), (pw, _)) = geom
    if grad_mode.state.enabled:
        gx = conv2d(g, w, None, stride, (ph, pw), dilation, groups)[:, :, :h, :wd] \
            if needs[0] else None
        gw = _grad_weight(x, g, w.shape, geom, groups) if needs[1] else None
        gb = g.sum((0, 2, 3)) if needs[2] else None
    else:  # fast path: the convolution kernels on the arrays, no intermediate tensors
        gd, xd, wd_ = g._data, x._data, w._data
        gx = _wrap(conv2d_forward(gd, wd_, None, stride, dilation, geom[2], groups)[:, :, :h, :wd]
                   ) if needs[0] else None
        gw = _wrap(conv2d_backward(xd, gd, wd_, stride, dilation, geom[2], groups,
                                   (False, True, False))[1]) if needs[1] else None
        gb = _wrap(gd.sum((0, 2, 3))) if needs[2] else None
    if nd == 1:
        gx = gx.squeeze(2) if gx is not None else None
        gw = gw.squeeze(2) if gw is not None else None
    return gx, gw, gb


def _grad_input(g: Tensor, w: Tensor, xshape, geom, groups: int) -> Tensor:
    """dL/dx as a stride-1 convolution: spread ``g`` out by the stride (zeros between), pad it
    so that every kernel tap that touched an input pixel lines up again, and convolve with the
    kernel flipped and its in/out channels swapped."""
    (sh, sw), (dh, dw), ((t, _), (lft, _)) = geom
    n, co, ho, wo = g.shape
    _, cg, kh, kw = w.shape
    if sh > 1 or sw > 1:
        spread = pad(g.reshape(n, co, ho, 1, wo, 1), (0, sw - 1, 0, 0, 0, sh - 1))
        g = spread.reshape(n, co, ho * sh, wo * sw)[:, :, :(ho - 1) * sh + 1, :(wo - 1) * sw + 1]
    h, wd = xshape[2], xshape[3]
    before_h, before_w = dh * (kh - 1) - t, dw * (kw - 1) - lft
    after_h = h - ((ho - 1) * sh + 1) + t
    after_w = wd - ((wo - 1) * sw + 1) + lft
    g = pad(g, (before_w, after_w, before_h, after_h))
    flipped = w.reshape(groups, co // groups, cg, kh, kw).transpose(1, 2)
    flipped = flipped.reshape(groups * cg, co // groups, kh, kw).flip((2, 3))
    return conv2d(g, flipped, None, 1, 0, (dh, dw), groups)


def _grad_weight(g: Tensor, x: Tensor, wshape, geom, groups: int) -> Tensor:
    """dL/dW as a convolution of the padded input (batch and channel axes swapped) with the
    output gradient as the kernel: the roles of stride and dilation swap too."""
    stride, dilation, ((t, b), (lft, r)) = geom
    co, cg, kh, kw = wshape
    xp = pad(x, (lft, r, t, b)).transpose(0, 1)
    full = conv2d(xp, g.transpose(0, 1), None, dilation, 0, stride)[:, :, :kh, :kw]
    if groups == 1:
        return full.transpose(0, 1)
    # every (input channel, output channel) pair was computed: keep the pairs of the same group
    same = arange(groups)
    blocks = full.reshape(groups, cg, groups, co // groups, kh, kw)[same, :, same]
    return blocks.permute(0, 2, 1, 3, 4).reshape(co, cg, kh, kw)


__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]
