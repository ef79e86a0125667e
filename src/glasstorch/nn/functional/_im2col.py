"""The NumPy kernels of convolution: im2col forward, and its backward, side by side.

A 2-D convolution slides a ``(C, kh, kw)`` window over the padded input and takes the dot product
of each window with each filter. *im2col* ("image to columns") turns that into one matrix
product: copy every window into a column of a matrix ``cols`` of shape
``(C*kh*kw, number of windows)``; then ``weight.reshape(Co, C*kh*kw) @ cols`` computes every
output value at once, and the BLAS library does the arithmetic.

The steps, for a chunk of ``m`` images ``x`` (m, C, H, W):

1. **pad once**, into a buffer laid out ``(C, Hp, Wp, m)`` (batch last, see below);
2. **view all windows** without copying: ``as_strided`` gives a ``(C, kh, kw, Ho, Wo, m)`` view
   whose entry ``[c, i, j, y, x, n]`` is ``xp[c, y*sh + i*dh, x*sw + j*dw, n]`` (stride s,
   dilation d);
3. **one copy** of that view is ``cols`` (C*kh*kw, Ho*Wo*m), and **one product**
   ``W (Co, C*kh*kw) @ cols`` gives the output as (Co, Ho, Wo, m), put back as (m, Co, Ho, Wo).

The backward is the same picture read backwards, with ``g`` the output gradient as (Co, Ho*Wo*m):

- ``grad_weight = g @ cols.T``: one product with the same columns (recomputed, not stored);
- ``grad_cols = W.T @ g`` gives each window's gradient, and **col2im** adds every window back
  where it came from: one strided slice-add per kernel offset ``(i, j)`` (kh*kw adds, each over
  all pixels at once);
- ``grad_bias = g.sum`` over everything but the channel.

Groups split the channels into ``groups`` independent convolutions: ``cols`` and ``W`` are
reshaped to ``(groups, ., .)`` and ``np.matmul`` multiplies the stacks group by group in C.

Why batch last and chunks: with ``n`` the innermost axis, every window row is one contiguous run
of ``Wo*m`` numbers, so building ``cols`` and the col2im adds are long contiguous copies instead
of many short ones. The batch is cut into chunks whose ``cols`` fit in the CPU cache (about
1 MiB), so the copy, the product and the col2im read memory the cache already holds; that was
measured about 1.5-2x faster on the LeNet shapes than one whole-batch ``cols``, and it bounds the
extra memory for large images. A chunk is at least ``_MIN_COLUMNS`` output positions wide all
the same (deep layers have small images, and a product a few columns wide runs slowly).

Speed-ups on top of this picture:

- the chunks run on the kernel pool (``glasstorch._parallel``), each writing its own images; the
  weight gradient is summed per piece of the batch and the pieces added in order;
- a 1x1 convolution (no padding, one group) is ``W @ x[n]`` per image, with no columns at all;
- an input of one channel (a grayscale image: LeNet's first layer) keeps the batch first:
  columns ``(m, kh*kw, Ho*Wo)`` and ``W @ cols[n]`` per image write the output in its own layout,
  and the weight gradient is the sum over images of ``g[n] @ cols[n].T``. With a single channel
  each window row is a run of ``Wo`` pixels (long enough to copy fast), and the two transposes of
  the batch-last layout (of the output, and of ``g``) are saved. On LeNet's first layer, at one
  thread: 1.3x faster forward, 1.5x faster weight gradient (BENCHMARKS.md). With more channels
  the batch-last columns win (more, shorter runs to copy);
- the input gradient of a stride-1 convolution with many output channels is itself a
  convolution of ``g`` with the flipped kernel (``_grad_input_as_conv``): one im2col and one
  product instead of a product and the col2im scatter;
- with fewer output channels (LeNet's second layer), and whenever the width stride is 1, the
  kernel's columns go into the product and col2im adds back only its rows
  (``_grad_input_by_rows``): ``kh`` slice-adds instead of ``kh*kw``. Small NumPy calls are
  what keeps the kernel pool's threads from running at once (each call takes Python's lock to
  start), so fewer, larger ones pay twice: LeNet's second layer's input gradient went from 5.4
  to 4.0 ms at one thread, 4.4 to 3.1 ms at two.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ... import _array, _parallel
from ._elementwise import contiguous

_CHUNK_BYTES = 1 << 20
_MIN_COLUMNS = 512
# On a GPU the chunks only bound the memory the columns take (there is no cache to fit, and the
# GPU is parallel already): chunks of about this many bytes of columns, one after the other.
_DEVICE_CHUNK_BYTES = 1 << 28


def out_size(size: int, lo: int, hi: int, k: int, stride: int, dilation: int) -> int:
    """Output length along one axis: windows of extent ``dilation*(k-1)+1`` every ``stride``."""
    return (size + lo + hi - dilation * (k - 1) - 1) // stride + 1


def _chunk_step(n: int, per_image: int, positions: int) -> int:
    """How many images make a chunk: columns of about ``_CHUNK_BYTES``, but at least
    ``_MIN_COLUMNS`` output positions (``positions`` per image), as a matrix product only a few
    columns wide runs far below the BLAS library's speed (deep layers have small images: ResNet's
    last stage is 3x3)."""
    step = max(1, _CHUNK_BYTES // max(per_image, 1), -(-_MIN_COLUMNS // max(positions, 1)))
    return min(n, step) if n else 1


def _device_step(per_image: int) -> int:
    """Images per chunk on a GPU: columns of about ``_DEVICE_CHUNK_BYTES``."""
    return max(1, _DEVICE_CHUNK_BYTES // max(per_image, 1))


def _as_strided(x, shape, strides):
    """A read-only strided view of ``x``, NumPy's or CuPy's (whose ``as_strided`` has no
    ``writeable``; nothing writes through these views)."""
    if _array.on_host(x):
        return as_strided(x, shape, strides, writeable=False)
    return _array.namespace(x).lib.stride_tricks.as_strided(x, shape, strides)


def _pad_batch_last(x: np.ndarray, pads) -> np.ndarray:
    """``x`` (m, C, H, W) zero-padded and laid out as ``(C, Hp, Wp, m)``."""
    m, c, h, w = x.shape
    (t, b), (lft, r) = pads
    xp = _array.namespace(x).zeros((c, h + t + b, w + lft + r, m), x.dtype)
    xp[:, t:t + h, lft:lft + w, :] = x.transpose(1, 2, 3, 0)
    return xp


def _im2col(x: np.ndarray, ksize, stride, dilation, pads, osize) -> np.ndarray:
    """All windows of ``x`` (m, C, H, W) as columns: ``(C*kh*kw, Ho*Wo*m)``."""
    m, c = x.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = ksize, stride, dilation, osize
    xp = _pad_batch_last(x, pads)
    s_c, s_h, s_w, s_n = xp.strides
    windows = _as_strided(xp, (c, kh, kw, ho, wo, m),
                          (s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw, s_n))
    return contiguous(windows).reshape(c * kh * kw, ho * wo * m)


def _im2col_batch_first(x: np.ndarray, ksize, stride, dilation, pads, osize) -> np.ndarray:
    """All windows of ``x`` (m, C, H, W) as columns per image: ``(m, C*kh*kw, Ho*Wo)``.

    Entry ``[n, (c, i, j), (y, x)]`` is ``xp[n, c, y*sh + i*dh, x*sw + j*dw]``, ``xp`` the padded
    input. Used for one-channel inputs (see the module docstring)."""
    m, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = ksize, stride, dilation, osize
    (t, b), (lft, r) = pads
    xp = _array.namespace(x).zeros((m, c, h + t + b, w + lft + r), x.dtype)
    xp[:, :, t:t + h, lft:lft + w] = x
    s_n, s_c, s_h, s_w = xp.strides
    windows = _as_strided(xp, (m, c, kh, kw, ho, wo),
                          (s_n, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw))
    return contiguous(windows).reshape(m, c * kh * kw, ho * wo)


def _col2im(cols: np.ndarray, shape, ksize, stride, dilation, pads, osize) -> np.ndarray:
    """The adjoint of ``_im2col``: add each window's values back at its place in the input.

    ``cols`` (C*kh*kw, Ho*Wo*m) → (m, C, H, W). One slice-add per kernel offset; the padding
    border is dropped at the end."""
    m, c, h, w = shape
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = ksize, stride, dilation, osize
    (t, b), (lft, r) = pads
    cols = cols.reshape(c, kh, kw, ho, wo, m)
    acc = _array.namespace(cols).zeros((c, h + t + b, w + lft + r, m), cols.dtype)
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
        for j in range(kw):
            acc[:, rows, j * dw:j * dw + sw * (wo - 1) + 1:sw] += cols[:, i, j]
    return acc[:, t:t + h, lft:lft + w].transpose(3, 0, 1, 2)


def _row_weights(w: np.ndarray, groups: int) -> np.ndarray:
    """The kernel as ``_grad_input_by_rows`` multiplies it: ``(groups, kh*cg, cog*kw)``, entry
    ``[g, (i, c), (o, j')]`` = ``w[g*cog + o, c, i, kw-1-j']`` (each row flipped)."""
    co, cg, kh, kw = w.shape
    flipped = w.reshape(groups, co // groups, cg, kh, kw)[..., ::-1]
    return contiguous(flipped.transpose(0, 3, 2, 1, 4)).reshape(groups, kh * cg, -1)


def _grad_input_by_rows(gc: np.ndarray, wr: np.ndarray, shape, ksize, stride, dilation, pads,
                        osize) -> np.ndarray:
    """The input gradient of a chunk, for a convolution of width stride 1: ``(m, C, H, W)``.

    ``gc`` is the output gradient batch last, ``(Co, Ho, Wo, m)``; ``wr`` is ``_row_weights``.
    Along the width a stride-1 convolution's adjoint is itself a convolution: input column ``q``
    collects ``w[.., j] * g[.., q - j*dw]`` over the kernel's columns ``j``. So the kernel's
    columns go into the matrix product, and only its rows are added back as in col2im:

    1. ``g`` padded by the kernel's reach on both sides of its width, and viewed as
       ``G (Co*kw, Ho*Wp*m)``: ``G[(o, j'), (y, q, n)] = gpad[o, y, q + j'*dw, n]`` (one copy);
    2. ``wr (kh*C, Co*kw) @ G`` gives, for each kernel row ``i``, the whole gradient of the
       padded input rows ``y*sh + i*dh``: ``(kh, C, Ho, Wp, m)``;
    3. ``kh`` slice-adds put the rows in place (col2im makes ``kh*kw``, each ``kw`` times
       smaller: on LeNet's second layer 25 adds of 10,200 numbers become 5 of 14,280, and the
       chunk takes 208 µs instead of 267 at one thread).
    """
    m, c, h, w = shape
    (kh, kw), (sh, _), (dh, dw), (ho, wo) = ksize, stride, dilation, osize
    (t, b), (lft, _) = pads  # the right padding is what the width leaves over
    co = gc.shape[0]
    groups = wr.shape[0]
    reach = dw * (kw - 1)
    wp = wo + reach  # the padded input's width
    xp = _array.namespace(gc)
    gpad = xp.zeros((co, ho, wo + 2 * reach, m), gc.dtype)
    gpad[:, :, reach:reach + wo] = gc
    s_o, s_y, s_w, s_n = gpad.strides
    rows = contiguous(_as_strided(gpad, (co, kw, ho, wp, m), (s_o, s_w * dw, s_y, s_w, s_n)))
    prod = np.matmul(wr, rows.reshape(groups, (co // groups) * kw, ho * wp * m))
    prod = prod.reshape(groups, kh, c // groups, ho, wp, m)
    acc = xp.zeros((groups, c // groups, h + t + b, wp, m), gc.dtype)
    for i in range(kh):
        acc[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh] += prod[:, i]
    acc = acc.reshape(c, h + t + b, wp, m)
    return acc[:, t:t + h, lft:lft + w].transpose(3, 0, 1, 2)


def _is_pointwise(w: np.ndarray, pads, groups: int) -> bool:
    """A 1x1 kernel, no padding, one group: the convolution is one matrix product per image."""
    return w.shape[2:] == (1, 1) and groups == 1 and not any(p for pair in pads for p in pair)


def _is_single_channel(w: np.ndarray, groups: int) -> bool:
    """One input channel and one group: the batch-first columns are faster (module docstring)."""
    return w.shape[1] == 1 and groups == 1


def _subsampled(x: np.ndarray, stride) -> np.ndarray:
    """The pixels a 1x1 kernel with this stride reads (a view)."""
    return x[:, :, ::stride[0], ::stride[1]] if stride != (1, 1) else x


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride, dilation,
                   pads, groups: int) -> np.ndarray:
    """``x`` (N, C, H, W) convolved with ``w`` (Co, C/groups, kh, kw), plus ``b`` (Co,).

    ``pads`` is ``((top, bottom), (left, right))``. Returns (N, Co, Ho, Wo), C-contiguous.
    The chunks of the batch run in parts on the kernel pool (``_parallel``), each writing its own
    images of the output; a 1x1 convolution is ``W @ x[n]`` for each image, without columns."""
    n, c, h, wd = x.shape
    co, cg, kh, kw = w.shape
    ho = out_size(h, *pads[0], kh, stride[0], dilation[0])
    wo = out_size(wd, *pads[1], kw, stride[1], dilation[1])
    out = _array.namespace(x).empty((n, co, ho, wo), np.result_type(x.dtype, w.dtype))
    bias = b[:, None] if b is not None else None
    per_image = max(c * kh * kw, co) * ho * wo
    on_gpu = {"like": x, "device_block": _device_step(per_image * x.itemsize)}
    if _is_pointwise(w, pads, groups):
        xs, w2 = _subsampled(x, stride), w.reshape(co, c)
        out3 = out.reshape(n, co, ho * wo)

        def pointwise(n0, n1):
            np.matmul(w2, xs[n0:n1].reshape(n1 - n0, c, ho * wo), out=out3[n0:n1])
            if bias is not None:
                out3[n0:n1] += bias

        step = _chunk_step(n, per_image * x.itemsize, ho * wo)
        _parallel.run(pointwise, n, n * per_image, step, **on_gpu)
        return out
    geom = ((kh, kw), stride, dilation, pads, (ho, wo))
    step = _chunk_step(n, per_image * x.itemsize, ho * wo)
    if _is_single_channel(w, groups):
        w2, out3 = w.reshape(co, kh * kw), out.reshape(n, co, ho * wo)

        def single_channel(n0, n1):
            np.matmul(w2, _im2col_batch_first(x[n0:n1], *geom), out=out3[n0:n1])
            if bias is not None:
                out3[n0:n1] += bias

        _parallel.run(single_channel, n, n * per_image, step, **on_gpu)
        return out
    wg = w.reshape(groups, co // groups, cg * kh * kw)

    def chunk(n0, n1):
        cols = _im2col(x[n0:n1], *geom).reshape(groups, cg * kh * kw, -1)
        prod = np.matmul(wg, cols).reshape(co, ho * wo, n1 - n0).transpose(2, 0, 1)
        dest = out[n0:n1].reshape(n1 - n0, co, ho * wo)
        if bias is None:
            dest[...] = prod
        else:
            np.add(prod, bias, out=dest)

    _parallel.run(chunk, n, n * per_image, step, **on_gpu)
    return out


def conv2d_backward(g: np.ndarray, x: np.ndarray, w: np.ndarray, stride, dilation, pads,
                    groups: int, needs: tuple):
    """Gradients ``(grad_input, grad_weight, grad_bias)`` of ``conv2d_forward`` for the output
    gradient ``g`` (N, Co, Ho, Wo); an entry is None where ``needs`` (three flags) says so.

    The chunks of the batch run in parts on the kernel pool: each writes its own images of the
    input gradient and adds its share of the weight gradient into its part's sum."""
    n, c, h, wd = x.shape
    co, cg, kh, kw = w.shape
    ho, wo = g.shape[2:]
    kcols = cg * kh * kw
    gb = g.sum((0, 2, 3)) if needs[2] else None
    if not (needs[0] or needs[1]):
        return None, None, gb
    per_image = max(c * kh * kw, co) * ho * wo
    step = _chunk_step(n, per_image * g.itemsize, ho * wo)
    on_gpu = {"like": g, "device_block": _device_step(per_image * g.itemsize)}
    if _is_pointwise(w, pads, groups):
        return _pointwise_backward(g, x, w, stride, needs, step, on_gpu) + (gb,)
    geom = ((kh, kw), stride, dilation, pads, (ho, wo))
    wg_t = w.reshape(groups, co // groups, kcols).transpose(0, 2, 1)
    gx = None
    if needs[0]:
        # worth it where the product dominates: many output channels per group (col2im's adds
        # are 1/Co of the product's work), and about as many input pixels as output ones
        as_conv = stride == (1, 1) and co // groups >= 32 and h * wd <= 1.25 * ho * wo
        gx = _grad_input_as_conv(g, w, dilation, pads, groups) if as_conv else None
        needs = (gx is None, needs[1], needs[2])  # the chunks scatter it (col2im) when not
        if gx is None:
            gx = _array.namespace(g).empty(x.shape, g.dtype)
    gw = None
    if needs[1] and _is_single_channel(w, groups):
        gw = _single_channel_grad_weight(g, x, geom, n * per_image, step, on_gpu).reshape(w.shape)
        needs = (needs[0], False, needs[2])
    if not (needs[0] or needs[1]):
        return gx, gw, gb

    by_rows = needs[0] and stride[1] == 1
    wr = _row_weights(w, groups) if by_rows else None

    def chunk(n0, n1, gw_t):
        g_last = contiguous(g[n0:n1].transpose(1, 2, 3, 0))  # (Co, Ho, Wo, m)
        gc = g_last.reshape(groups, co // groups, -1)
        if needs[1]:  # dW.T = cols @ g.T: BLAS runs this orientation faster than g @ cols.T
            cols = _im2col(x[n0:n1], *geom).reshape(groups, kcols, -1)
            gw_t += np.matmul(cols, gc.transpose(0, 2, 1))
        if by_rows:
            gx[n0:n1] = _grad_input_by_rows(g_last, wr, (n1 - n0, c, h, wd), *geom)
        elif needs[0]:
            gcols = np.matmul(wg_t, gc)
            gx[n0:n1] = _col2im(gcols, (n1 - n0, c, h, wd), *geom)

    gw_t = _parallel.run_sum(chunk, n, n * per_image, step, (groups, kcols, co // groups),
                             g.dtype, **on_gpu)
    if needs[1]:
        gw = gw_t.transpose(0, 2, 1).reshape(w.shape)
    return gx, gw, gb


def _single_channel_grad_weight(g, x, geom, cost, step, on_gpu):
    """The weight gradient (Co, kh*kw) of a one-channel convolution: the sum over images of
    ``g[n] (Co, Ho*Wo) @ cols[n].T``, the columns batch first (``_im2col_batch_first``)."""
    n, co = g.shape[:2]
    g3 = g.reshape(n, co, -1)
    (kh, kw) = geom[0]

    def chunk(n0, n1, gw):
        cols = _im2col_batch_first(x[n0:n1], *geom)
        gw += np.matmul(g3[n0:n1], cols.transpose(0, 2, 1)).sum(0)

    return _parallel.run_sum(chunk, n, cost, step, (co, kh * kw), g.dtype, **on_gpu)


def _grad_input_as_conv(g: np.ndarray, w: np.ndarray, dilation, pads, groups: int):
    """The input gradient of a stride-1 convolution as a convolution itself: ``g`` padded by the
    kernel's reach less the forward padding, with the kernel flipped and its in/out channels
    swapped (each input pixel collects the output pixels whose windows held it). One im2col and
    one product, instead of a product and the col2im scatter. None where this does not apply
    (a padding wider than the kernel's reach). Only for stride 1: with a stride, ``g`` would
    first be spread out with zeros between its pixels."""
    co, cg, kh, kw = w.shape
    (t, b), (lft, r) = pads
    reach_h, reach_w = dilation[0] * (kh - 1), dilation[1] * (kw - 1)
    new_pads = ((reach_h - t, reach_h - b), (reach_w - lft, reach_w - r))
    if any(p < 0 for pair in new_pads for p in pair):
        return None
    flipped = w.reshape(groups, co // groups, cg, kh, kw).transpose(0, 2, 1, 3, 4)
    flipped = contiguous(flipped.reshape(groups * cg, co // groups, kh, kw)[..., ::-1,
                                                                                      ::-1])
    return conv2d_forward(g, flipped, None, (1, 1), dilation, new_pads, groups)


def _pointwise_backward(g, x, w, stride, needs, step, on_gpu):
    """``(grad_input, grad_weight)`` of a 1x1 convolution: ``W.T @ g[n]`` put back at the pixels
    the stride read (zeros between), and the sum over images of ``g[n] @ x[n].T``."""
    n, c = x.shape[:2]
    co, ho, wo = g.shape[1:]
    w2 = w.reshape(co, c)
    g3 = g.reshape(n, co, ho * wo)
    xs = _subsampled(x, stride)
    strided = stride != (1, 1)
    xp = _array.namespace(g)
    gx = (xp.zeros if strided else xp.empty)(x.shape, g.dtype) if needs[0] else None

    def chunk(n0, n1, gw):
        m = n1 - n0
        if needs[1]:
            xc = xs[n0:n1].reshape(m, c, ho * wo)
            gw += np.matmul(g3[n0:n1], xc.transpose(0, 2, 1)).sum(0)
        if needs[0]:
            gi = np.matmul(w2.T, g3[n0:n1])
            if strided:
                _subsampled(gx[n0:n1], stride)[...] = gi.reshape(m, c, ho, wo)
            else:
                gx[n0:n1] = gi.reshape(m, c, ho, wo)

    gw = _parallel.run_sum(chunk, n, n * max(c, co) * ho * wo, step, (co, c), g.dtype, **on_gpu)
    return gx, (gw.reshape(w.shape) if needs[1] else None)


def conv_transpose2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride,
                             dilation, pads, groups: int, osize) -> np.ndarray:
    """The transposed convolution: the adjoint of ``conv2d_forward`` in its input.

    ``x`` (N, C_in, H, W) is read as the *output gradient* of a convolution with weight ``w``
    (C_in, C_out/groups, kh, kw) whose input was (N, C_out, Ho, Wo), ``osize = (Ho, Wo)``: each
    input pixel spreads ``w``'s window back over the output (``W.T @ x`` per pixel, then col2im
    adds the windows where they overlap). Plus ``b`` (C_out,). Returns (N, C_out, Ho, Wo)."""
    n, cin, h, wd = x.shape
    _, cg, kh, kw = w.shape
    cout = cg * groups
    geom = ((kh, kw), stride, dilation, pads, (h, wd))
    wg_t = w.reshape(groups, cin // groups, cg * kh * kw).transpose(0, 2, 1)
    out = _array.namespace(x).empty((n, cout) + tuple(osize), np.result_type(x.dtype, w.dtype))
    per_image = cout * kh * kw * h * wd

    def chunk(n0, n1):
        xc = contiguous(x[n0:n1].transpose(1, 2, 3, 0))
        cols = np.matmul(wg_t, xc.reshape(groups, cin // groups, -1))
        out[n0:n1] = _col2im(cols, (n1 - n0, cout) + tuple(osize), *geom)
        if b is not None:
            out[n0:n1] += b[:, None, None]

    _parallel.run(chunk, n, n * per_image, _chunk_step(n, per_image * x.itemsize, h * wd),
                  like=x, device_block=_device_step(per_image * x.itemsize))
    return out
