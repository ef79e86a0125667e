"""torchvision.io.read_image / decode_image: files to uint8 (C, H, W) tensors, via Pillow."""

import numpy as np
import pytest

from glasstorch.vision import io as tvio
from glasstorch.vision.io import ImageReadMode

Image = pytest.importorskip("PIL.Image")


def _pixels(h=5, w=7, c=3):
    return np.random.default_rng(0).integers(0, 256, (h, w, c), dtype=np.uint8)


@pytest.fixture
def rgb_png(tmp_path):
    path = tmp_path / "rgb.png"
    Image.fromarray(_pixels()).save(path)
    return path


def test_read_image_is_channels_first_uint8(rgb_png):
    t = tvio.read_image(str(rgb_png))
    assert t.dtype.name == "uint8" and tuple(t.shape) == (3, 5, 7)
    np.testing.assert_array_equal(t.numpy(), _pixels().transpose(2, 0, 1))
    np.testing.assert_array_equal(tvio.decode_image(rgb_png).numpy(), t.numpy())


def test_modes_convert(rgb_png):
    gray = tvio.read_image(rgb_png, ImageReadMode.GRAY)
    expected = np.asarray(Image.open(rgb_png).convert("L"))
    assert tuple(gray.shape) == (1, 5, 7)
    np.testing.assert_array_equal(gray.numpy()[0], expected)
    rgba = tvio.decode_image(rgb_png, mode="RGBA")
    assert tuple(rgba.shape) == (4, 5, 7) and (rgba.numpy()[3] == 255).all()
    assert tuple(tvio.decode_image(rgb_png, ImageReadMode.GRAY_ALPHA).shape) == (2, 5, 7)


def test_unchanged_keeps_the_files_channels(tmp_path):
    gray = tmp_path / "g.png"
    Image.fromarray(_pixels(c=1)[:, :, 0]).save(gray)
    assert tuple(tvio.read_image(gray).shape) == (1, 5, 7)
    palette = tmp_path / "p.png"
    Image.fromarray(_pixels()).convert("P").save(palette)
    out = tvio.read_image(palette)
    np.testing.assert_array_equal(out.numpy(), np.asarray(Image.open(palette).convert("RGB"))
                                  .transpose(2, 0, 1))
    jpeg = tmp_path / "x.jpg"
    Image.fromarray(_pixels()).save(jpeg)
    assert tuple(tvio.read_image(jpeg).shape) == (3, 5, 7)


def test_decode_from_bytes_tensor(rgb_png):
    data = tvio.read_file(rgb_png)
    assert data.dtype.name == "uint8" and data.dim() == 1
    np.testing.assert_array_equal(tvio.decode_image(data).numpy(),
                                  _pixels().transpose(2, 0, 1))


def test_bad_input_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    with pytest.raises(RuntimeError, match="cannot decode .*junk.png as an image"):
        tvio.read_image(junk)
    with pytest.raises(ValueError, match="unknown mode 'CMYK'"):
        tvio.read_image(junk, mode="CMYK")
    with pytest.raises(FileNotFoundError):
        tvio.read_image(tmp_path / "missing.png")
    with pytest.raises(RuntimeError, match="1-D uint8 tensor"):
        tvio.decode_image(tvio.read_file(junk).float())
