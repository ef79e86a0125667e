"""Transforms: values vs. independent references (hand computations, PIL, torch's interpolate),
layouts, errors and torchvision's printed forms."""

import numpy as np
import pytest

import glasstorch
from glasstorch.vision import transforms as T
from glasstorch.vision.transforms import _resample
from glasstorch.vision.transforms import functional as F

try:
    from PIL import Image
except ImportError:
    Image = None
needs_pil = pytest.mark.skipif(Image is None, reason="Pillow is not installed")


def tensor(arr):
    return glasstorch.from_numpy(np.ascontiguousarray(arr))


# ---- ToTensor / PILToTensor / ToPILImage -------------------------------------------------------
def test_to_tensor_uint8_arrays():
    gray = np.array([[0, 51], [255, 128]], dtype=np.uint8)
    x = T.ToTensor()(gray)
    assert x.shape == (1, 2, 2) and x.dtype == glasstorch.float32
    np.testing.assert_array_equal(x.numpy(), np.array(
        [[[0.0, 51 / 255], [1.0, 128 / 255]]], dtype=np.float32))
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)  # H×W×C
    y = T.ToTensor()(rgb)
    assert y.shape == (3, 2, 3)
    np.testing.assert_array_equal(y.numpy()[1], rgb[:, :, 1] / np.float32(255))


def test_to_tensor_does_not_scale_other_dtypes():
    f = np.full((2, 2), 3.5)
    x = T.ToTensor()(f)
    assert x.dtype == glasstorch.float64 and x.tolist() == [[[3.5, 3.5], [3.5, 3.5]]]
    i = T.ToTensor()(np.full((1, 1, 2), 300, dtype=np.int32))
    assert i.dtype == glasstorch.int32 and i.tolist() == [[[300]], [[300]]]


def test_to_tensor_errors():
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray. Got <class 'list'>"):
        T.ToTensor()([[1, 2]])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions."):
        T.ToTensor()(np.zeros((1, 1, 1, 1), dtype=np.uint8))
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()(glasstorch.zeros(1, 2, 2))


def test_to_tensor_accepts_the_pillowless_stand_in():
    x = T.ToTensor()(tensor(np.array([[255, 0]], dtype=np.uint8)))
    assert x.shape == (1, 1, 2) and x.tolist() == [[[1.0, 0.0]]]


@needs_pil
def test_to_tensor_from_pil_modes():
    arr = np.array([[0, 255, 17]], dtype=np.uint8)
    np.testing.assert_array_equal(T.ToTensor()(Image.fromarray(arr, mode="L")).numpy(),
                                  np.array([[[0.0, 1.0, 17 / 255]]], dtype=np.float32))
    rgb = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    x = T.ToTensor()(Image.fromarray(rgb, mode="RGB"))
    np.testing.assert_array_equal(x.numpy(), rgb.transpose(2, 0, 1) / np.float32(255))
    ints = T.ToTensor()(Image.fromarray(np.array([[70000]], dtype=np.int32), mode="I"))
    assert ints.dtype == glasstorch.int32 and ints.tolist() == [[[70000]]]
    floats = T.ToTensor()(Image.fromarray(np.array([[2.5]], dtype=np.float32), mode="F"))
    assert floats.dtype == glasstorch.float32 and floats.tolist() == [[[2.5]]]
    binary = T.ToTensor()(Image.fromarray(np.array([[True, False]])))
    assert binary.tolist() == [[[1.0, 0.0]]]


@needs_pil
def test_pil_to_tensor_and_back():
    rgb = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    x = T.PILToTensor()(Image.fromarray(rgb, mode="RGB"))
    assert x.dtype == glasstorch.uint8 and x.shape == (3, 2, 2)
    np.testing.assert_array_equal(x.numpy(), rgb.transpose(2, 0, 1))
    img = T.ToPILImage()(x)
    assert img.mode == "RGB" and np.array_equal(np.asarray(img), rgb)
    gray = T.ToPILImage()(glasstorch.tensor([[[0.0, 0.5, 0.999, 1.0]]]))
    assert gray.mode == "L" and np.asarray(gray).tolist() == [[0, 127, 254, 255]]  # truncated
    assert repr(T.ToPILImage()) == "ToPILImage()"
    assert repr(T.ToPILImage("L")) == "ToPILImage(mode=L)"


# ---- Normalize ---------------------------------------------------------------------------------
def test_normalize_values_against_torch(torch):
    rng = np.random.default_rng(0)
    x = rng.random((2, 3, 4, 5), dtype=np.float32)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    ours = T.Normalize(mean, std)(tensor(x))
    m = torch.tensor(mean).view(-1, 1, 1)
    s = torch.tensor(std).view(-1, 1, 1)
    theirs = (torch.from_numpy(x) - m) / s
    assert ours.dtype == glasstorch.float32
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_normalize_inplace_and_copy():
    x = glasstorch.ones(1, 2, 2)
    y = T.Normalize((0.5,), (0.25,))(x)
    assert x.tolist() == [[[1.0, 1.0], [1.0, 1.0]]] and y.tolist() == [[[2.0, 2.0], [2.0, 2.0]]]
    z = T.Normalize([0.5], [0.25], inplace=True)(x)
    assert z is x and x.tolist() == [[[2.0, 2.0], [2.0, 2.0]]]


def test_normalize_keeps_the_graph():
    x = glasstorch.ones(1, 2, 2, requires_grad=True)
    T.Normalize((0.5,), (0.25,))(x).sum().backward()
    assert x.grad.tolist() == [[[4.0, 4.0], [4.0, 4.0]]]


def test_normalize_errors():
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got torch.uint8."):
        T.Normalize((0.5,), (0.5,))(glasstorch.zeros(1, 2, 2, dtype=glasstorch.uint8))
    with pytest.raises(ValueError, match=r"size \(..., C, H, W\). Got tensor.size\(\) = "
                                         r"torch.Size\(\[2, 2\]\)"):
        T.Normalize((0.5,), (0.5,))(glasstorch.zeros(2, 2))
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to "
                                         "torch.float32, leading to division by zero."):
        T.Normalize((0.5,), (0.0,))(glasstorch.zeros(1, 2, 2))
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match the size of "
                                           r"tensor b \(2\) at non-singleton dimension 0"):
        T.Normalize((0.5, 0.5), (1.0, 1.0))(glasstorch.zeros(3, 2, 2))
    with pytest.raises(TypeError, match="Tensor is not a torch image."):
        T.Normalize((0.5,), (0.5,))(glasstorch.zeros(3))
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        T.Normalize((0.5,), (0.5,))(np.zeros((1, 2, 2)))


# ---- Resize ------------------------------------------------------------------------------------
def test_bilinear_weights_by_hand():
    # 4 → 2 with antialiasing: output 0 sits at input position 1.0 and the triangle is two
    # samples wide each side: inputs 0, 1, 2 weigh 0.75, 0.75, 0.25 before normalising.
    w = _resample.bilinear_weights(4, 2)
    np.testing.assert_allclose(w[0], np.array([0.75, 0.75, 0.25, 0]) / 1.75)
    np.testing.assert_allclose(w[1], np.array([0, 0.25, 0.75, 0.75]) / 1.75)
    # 2 → 4 is linear interpolation, clamped at the edges
    np.testing.assert_allclose(_resample.bilinear_weights(2, 4),
                               [[1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]])
    # without antialiasing, 4 → 2 reads only the two nearest samples
    np.testing.assert_allclose(_resample.bilinear_weights(4, 2, antialias=False),
                               [[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]])


def test_resize_small_tensor_by_hand():
    x = tensor(np.array([[[0.0, 10.0, 20.0, 30.0]]], dtype=np.float32))
    y = T.Resize((1, 2))(x)
    np.testing.assert_allclose(y.numpy(), [[[12.5 / 1.75, 40 / 1.75]]], rtol=1e-6)
    assert T.Resize((1, 2), antialias=False)(x).tolist() == [[[5.0, 25.0]]]


@pytest.mark.parametrize("size", [(64, 64), (13, 9), (10, 40), (3, 11), (28, 5), (1, 1)])
@pytest.mark.parametrize("antialias", [True, False])
def test_resize_tensor_against_torch_interpolate(torch, size, antialias):
    x = np.random.default_rng(1).random((2, 3, 28, 28), dtype=np.float32)
    ours = T.Resize(size, antialias=antialias)(tensor(x))
    theirs = torch.nn.functional.interpolate(torch.from_numpy(x), size=size, mode="bilinear",
                                             align_corners=False, antialias=antialias)
    assert ours.dtype == glasstorch.float32 and tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=2e-6)


def test_resize_nearest_against_torch(torch):
    x = np.random.default_rng(2).random((1, 7, 9), dtype=np.float32)
    ours = T.Resize((5, 13), interpolation=T.InterpolationMode.NEAREST)(tensor(x))
    theirs = torch.nn.functional.interpolate(torch.from_numpy(x)[None], size=(5, 13))[0]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_resize_uint8_tensor_rounds(torch):
    x = np.random.default_rng(3).integers(0, 256, (1, 6, 6), dtype=np.uint8)
    ours = T.Resize((4, 4))(tensor(x))
    ref = torch.nn.functional.interpolate(torch.from_numpy(x)[None].float(), size=(4, 4),
                                          mode="bilinear", antialias=True)[0].round()
    assert ours.dtype == glasstorch.uint8
    np.testing.assert_array_equal(ours.numpy(), ref.to(torch.uint8).numpy())


def test_resize_output_sizes():
    x = glasstorch.zeros(1, 20, 30)
    assert T.Resize(10)(x).shape == (1, 10, 15)       # smaller edge → 10, aspect kept
    assert T.Resize([10])(glasstorch.zeros(1, 30, 20)).shape == (1, 15, 10)
    assert T.Resize(7)(glasstorch.zeros(1, 10, 15)).shape == (1, 7, 10)   # 10.5 rounds down
    assert T.Resize(10, max_size=12)(x).shape == (1, 8, 12)
    assert T.Resize((5, 6))(x).shape == (1, 5, 6)
    assert T.Resize(20)(x) is x   # already that size: returned as is
    with pytest.raises(ValueError, match="max_size = 10 must be strictly greater"):
        T.Resize(10, max_size=10)(x)
    with pytest.raises(ValueError, match="If size is a sequence, it should have 1 or 2 values"):
        T.Resize((1, 2, 3))
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)


@needs_pil
def test_resize_pil_uses_pil():
    arr = np.random.default_rng(4).integers(0, 256, (28, 28), dtype=np.uint8)
    img = Image.fromarray(arr, mode="L")
    out = T.Resize(64)(img)
    assert isinstance(out, Image.Image) and out.size == (64, 64)
    assert np.array_equal(np.asarray(out), np.asarray(img.resize((64, 64), Image.BILINEAR)))


@needs_pil
@pytest.mark.parametrize("shape,size", [((28, 28), (64, 64)), ((28, 28), (224, 224)),
                                        ((28, 28), (14, 14)), ((28, 28), (10, 40)),
                                        ((7, 5), (3, 11)), ((19, 20), (30, 38)),
                                        ((8, 16), (12, 7)), ((28, 28), (28, 9))])
def test_uint8_resampling_matches_pil_exactly(shape, size):
    rng = np.random.default_rng(5)
    images = rng.integers(0, 256, (3, *shape), dtype=np.uint8)
    ours = _resample.resize_uint8_like_pil(images, size)
    for image, got in zip(images, ours):
        want = np.asarray(Image.fromarray(image, mode="L").resize(size[::-1], Image.BILINEAR))
        np.testing.assert_array_equal(got, want)


def test_pil_pass_order_unknown_case_refuses():
    assert _resample.pil_pass_order(28, 28, 13, 9) is None
    assert _resample.pil_pass_order(22, 8, 11, 4) is None
    with pytest.raises(ValueError, match="resize with PIL itself"):
        _resample.resize_uint8_like_pil(np.zeros((28, 28), dtype=np.uint8), (13, 9))


# ---- CenterCrop / flips ------------------------------------------------------------------------
def test_center_crop_offsets_and_padding():
    x = tensor(np.arange(25, dtype=np.float32).reshape(1, 5, 5))
    # (5 - 2) / 2 = 1.5 rounds to 2 (half to even)
    assert T.CenterCrop(2)(x).tolist() == [[[12.0, 13.0], [17.0, 18.0]]]
    assert T.CenterCrop((3, 1))(x).tolist() == [[[7.0], [12.0], [17.0]]]
    small = glasstorch.ones(1, 2, 2)
    padded = T.CenterCrop((4, 5))(small)
    # pad 3 columns: 1 left, 2 right (the odd one goes right); 1 row above, 1 below
    assert padded.tolist() == [[[0, 0, 0, 0, 0], [0, 1, 1, 0, 0], [0, 1, 1, 0, 0],
                                [0, 0, 0, 0, 0]]]
    with pytest.raises(ValueError, match=r"Please provide only two dimensions \(h, w\)"):
        T.CenterCrop((1, 2, 3))


@needs_pil
def test_center_crop_pil_matches_tensor():
    arr = np.arange(30, dtype=np.uint8).reshape(5, 6)
    for size in [(2, 3), (3, 3), (7, 8)]:
        got = np.asarray(T.CenterCrop(size)(Image.fromarray(arr, mode="L")))
        want = T.CenterCrop(size)(tensor(arr[None])).numpy()[0]
        np.testing.assert_array_equal(got, want)


def test_random_horizontal_flip_follows_manual_seed():
    x = tensor(np.arange(6, dtype=np.float32).reshape(1, 2, 3))
    assert T.RandomHorizontalFlip(p=1.0)(x).tolist() == [[[2.0, 1.0, 0.0], [5.0, 4.0, 3.0]]]
    assert T.RandomHorizontalFlip(p=0.0)(x) is x
    glasstorch.manual_seed(0)
    coins = [glasstorch.rand(1).item() < 0.5 for _ in range(8)]
    assert 0 < sum(coins) < 8
    glasstorch.manual_seed(0)
    flip = T.RandomHorizontalFlip()
    got = [flip(x).tolist()[0][0][0] == 2.0 for _ in range(8)]
    assert got == coins


@needs_pil
def test_hflip_pil():
    arr = np.array([[1, 2, 3]], dtype=np.uint8)
    out = T.RandomHorizontalFlip(1.0)(Image.fromarray(arr, mode="L"))
    assert np.asarray(out).tolist() == [[3, 2, 1]]


# ---- Compose, Lambda, reprs --------------------------------------------------------------------
def test_compose_and_lambda():
    pipeline = T.Compose([T.ToTensor(), T.Lambda(lambda x: x * 2)])
    assert pipeline(np.array([[255]], dtype=np.uint8)).tolist() == [[[2.0]]]
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)


def test_reprs():
    pipeline = T.Compose([T.Resize(64), T.CenterCrop(60), T.ToTensor(),
                          T.Normalize((0.5,), (0.5,)), T.RandomHorizontalFlip(),
                          T.Lambda(abs)])
    assert repr(pipeline) == (
        "Compose(\n"
        "    Resize(size=64, interpolation=bilinear, max_size=None, antialias=True)\n"
        "    CenterCrop(size=(60, 60))\n"
        "    ToTensor()\n"
        "    Normalize(mean=(0.5,), std=(0.5,))\n"
        "    RandomHorizontalFlip(p=0.5)\n"
        "    Lambda()\n"
        ")")
    assert repr(T.Normalize([0.1, 0.2], [1, 2])) == "Normalize(mean=[0.1, 0.2], std=[1, 2])"
    assert repr(T.PILToTensor()) == "PILToTensor()"
    assert repr(T.CenterCrop([3, 4])) == "CenterCrop(size=[3, 4])"
    assert repr(T.CenterCrop([3])) == "CenterCrop(size=(3, 3))"
    assert repr(T.Resize((3, 4), interpolation=T.InterpolationMode.NEAREST, antialias=False)) \
        == "Resize(size=(3, 4), interpolation=nearest, max_size=None, antialias=False)"


def test_parametrised_transforms_are_modules():
    for t in (T.Normalize((0.5,), (0.5,)), T.Resize(3), T.CenterCrop(2),
              T.RandomHorizontalFlip()):
        assert isinstance(t, glasstorch.nn.Module)


def test_functional_names():
    assert F.get_dimensions(glasstorch.zeros(3, 4, 5)) == [3, 4, 5]
    x = tensor(np.arange(4, dtype=np.float32).reshape(1, 2, 2))
    assert F.vflip(x).tolist() == [[[2.0, 3.0], [0.0, 1.0]]]
    assert F.hflip(x).tolist() == [[[1.0, 0.0], [3.0, 2.0]]]
