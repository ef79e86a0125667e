"""torchvision.models: each architecture's state-dict keys and shapes are torchvision 0.29's
(written out below from torchvision's module structure, independently of glasstorch's code),
its parameter count is the one torchvision publishes, it runs forward, and pretrained weights
come from the torch hub cache or a clear error."""

import io
import warnings

import numpy as np
import pytest

import glasstorch as gt
from glasstorch import hub
from glasstorch.vision import models
from oracle import needs_torch, torch

# torchvision's documented parameter counts (the weights' meta["num_params"])
NUM_PARAMS = {
    "alexnet": 61_100_840, "vgg11": 132_863_336, "vgg11_bn": 132_868_840,
    "vgg13": 133_047_848, "vgg13_bn": 133_053_736, "vgg16": 138_357_544,
    "vgg16_bn": 138_365_992, "vgg19": 143_667_240, "vgg19_bn": 143_678_248,
    "resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032,
    "googlenet": 6_624_904, "densenet121": 7_978_856, "mobilenet_v2": 3_504_872,
}


def _conv(prefix, out, inp, k, bias=True):
    keys = [(f"{prefix}.weight", (out, inp, k, k))]
    return keys + ([(f"{prefix}.bias", (out,))] if bias else [])


def _bn(prefix, n):
    return [(f"{prefix}.{name}", (n,)) for name in
            ("weight", "bias", "running_mean", "running_var")] + [
        (f"{prefix}.num_batches_tracked", ())]


def _linear(prefix, out, inp):
    return [(f"{prefix}.weight", (out, inp)), (f"{prefix}.bias", (out,))]


def expected_alexnet():
    keys = []
    for i, (out, inp, k) in zip([0, 3, 6, 8, 10], [(64, 3, 11), (192, 64, 5), (384, 192, 3),
                                                   (256, 384, 3), (256, 256, 3)]):
        keys += _conv(f"features.{i}", out, inp, k)
    return keys + _linear("classifier.1", 4096, 9216) + _linear("classifier.4", 4096, 4096) + \
        _linear("classifier.6", 1000, 4096)


def expected_vgg(cfg, bn):
    keys, index, inp = [], 0, 3
    for v in cfg:
        if v == "M":
            index += 1
            continue
        keys += _conv(f"features.{index}", v, inp, 3)
        if bn:
            keys += _bn(f"features.{index + 1}", v)
        index += 3 if bn else 2
        inp = v
    return keys + _linear("classifier.0", 4096, 25088) + _linear("classifier.3", 4096, 4096) + \
        _linear("classifier.6", 1000, 4096)


VGG_A = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]
VGG_D = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def expected_resnet(blocks, bottleneck):
    keys = _conv("conv1", 64, 3, 7, bias=False) + _bn("bn1", 64)
    inplanes = 64
    for stage, (planes, n) in enumerate(zip([64, 128, 256, 512], blocks), start=1):
        out = planes * (4 if bottleneck else 1)
        for b in range(n):
            p = f"layer{stage}.{b}"
            if bottleneck:
                keys += _conv(f"{p}.conv1", planes, inplanes, 1, False) + _bn(f"{p}.bn1", planes)
                keys += _conv(f"{p}.conv2", planes, planes, 3, False) + _bn(f"{p}.bn2", planes)
                keys += _conv(f"{p}.conv3", out, planes, 1, False) + _bn(f"{p}.bn3", out)
            else:
                keys += _conv(f"{p}.conv1", planes, inplanes, 3, False) + _bn(f"{p}.bn1", planes)
                keys += _conv(f"{p}.conv2", planes, planes, 3, False) + _bn(f"{p}.bn2", planes)
            if b == 0 and (stage > 1 or inplanes != out):
                keys += _conv(f"{p}.downsample.0", out, inplanes, 1, False)
                keys += _bn(f"{p}.downsample.1", out)
            inplanes = out
    return keys + _linear("fc", 1000, 512 * (4 if bottleneck else 1))


def expected_googlenet():
    def basic(p, out, inp, k):
        return _conv(f"{p}.conv", out, inp, k, False) + _bn(f"{p}.bn", out)

    keys = basic("conv1", 64, 3, 7) + basic("conv2", 64, 64, 1) + basic("conv3", 192, 64, 3)
    blocks = [("3a", 192, 64, 96, 128, 16, 32, 32), ("3b", 256, 128, 128, 192, 32, 96, 64),
              ("4a", 480, 192, 96, 208, 16, 48, 64), ("4b", 512, 160, 112, 224, 24, 64, 64),
              ("4c", 512, 128, 128, 256, 24, 64, 64), ("4d", 512, 112, 144, 288, 32, 64, 64),
              ("4e", 528, 256, 160, 320, 32, 128, 128), ("5a", 832, 256, 160, 320, 32, 128, 128),
              ("5b", 832, 384, 192, 384, 48, 128, 128)]
    for name, inp, c1, c3r, c3, c5r, c5, pool in blocks:
        p = f"inception{name}"
        keys += basic(f"{p}.branch1", c1, inp, 1)
        keys += basic(f"{p}.branch2.0", c3r, inp, 1) + basic(f"{p}.branch2.1", c3, c3r, 3)
        keys += basic(f"{p}.branch3.0", c5r, inp, 1) + basic(f"{p}.branch3.1", c5, c5r, 3)
        keys += basic(f"{p}.branch4.1", pool, inp, 1)
    for aux, inp in (("aux1", 512), ("aux2", 528)):
        keys += basic(f"{aux}.conv", 128, inp, 1) + _linear(f"{aux}.fc1", 1024, 2048)
        keys += _linear(f"{aux}.fc2", 1000, 1024)
    return keys + _linear("fc", 1000, 1024)


def expected_densenet121():
    keys = _conv("features.conv0", 64, 3, 7, False) + _bn("features.norm0", 64)
    channels = 64
    for block, layers in enumerate((6, 12, 24, 16), start=1):
        for i in range(1, layers + 1):
            p = f"features.denseblock{block}.denselayer{i}"
            keys += _bn(f"{p}.norm1", channels) + _conv(f"{p}.conv1", 128, channels, 1, False)
            keys += _bn(f"{p}.norm2", 128) + _conv(f"{p}.conv2", 32, 128, 3, False)
            channels += 32
        if block < 4:
            p = f"features.transition{block}"
            keys += _bn(f"{p}.norm", channels) + _conv(f"{p}.conv", channels // 2, channels, 1,
                                                       False)
            channels //= 2
    return keys + _bn("features.norm5", channels) + _linear("classifier", 1000, channels)


def expected_mobilenet_v2():
    def cna(p, out, inp, k, groups=1):
        return [(f"{p}.0.weight", (out, inp // groups, k, k))] + _bn(f"{p}.1", out)

    keys = cna("features.0", 32, 3, 3)
    inp, index = 32, 1
    for t, c, n, _ in [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2],
                       [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]:
        for _ in range(n):
            p = f"features.{index}.conv"
            hidden = inp * t
            j = 0
            if t != 1:
                keys += cna(f"{p}.0", hidden, inp, 1)
                j = 1
            keys += cna(f"{p}.{j}", hidden, hidden, 3, groups=hidden)
            keys += [(f"{p}.{j + 1}.weight", (c, hidden, 1, 1))] + _bn(f"{p}.{j + 2}", c)
            inp, index = c, index + 1
    return keys + cna(f"features.{index}", 1280, 320, 1) + _linear("classifier.1", 1000, 1280)


EXPECTED = {
    "alexnet": expected_alexnet, "vgg11": lambda: expected_vgg(VGG_A, False),
    "vgg11_bn": lambda: expected_vgg(VGG_A, True), "vgg16": lambda: expected_vgg(VGG_D, False),
    "vgg16_bn": lambda: expected_vgg(VGG_D, True),
    "resnet18": lambda: expected_resnet([2, 2, 2, 2], False),
    "resnet34": lambda: expected_resnet([3, 4, 6, 3], False),
    "resnet50": lambda: expected_resnet([3, 4, 6, 3], True),
    "googlenet": expected_googlenet, "densenet121": expected_densenet121,
    "mobilenet_v2": expected_mobilenet_v2,
}


def _build(name, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # GoogLeNet's init_weights notice
        return getattr(models, name)(**kwargs)


@pytest.mark.parametrize("name", sorted(NUM_PARAMS))
def test_state_dict_and_parameter_count_are_torchvisions(name):
    # VGG's initialisation draws 120 million normal numbers (seconds): built without it here,
    # with it in test_forward_gives_logits
    model = _build(name, weights=None, **({"init_weights": False} if "vgg" in name else {}))
    if name in EXPECTED:
        got = [(k, tuple(v.shape)) for k, v in model.state_dict().items()]
        assert got == EXPECTED[name]()
    if name == "googlenet":  # torchvision counts the model its pretrained builder returns
        model.aux1 = model.aux2 = None
    assert sum(p.numel() for p in model.parameters()) == NUM_PARAMS[name]


@pytest.mark.parametrize("name,size", [("alexnet", 63), ("vgg11_bn", 32),
                                       ("resnet18", 32), ("resnet50", 32), ("googlenet", 32),
                                       ("densenet121", 32), ("mobilenet_v2", 32)])
def test_forward_gives_logits(name, size):
    gt.manual_seed(0)
    model = _build(name, weights=None, num_classes=7).eval()
    with gt.no_grad():
        out = model(gt.randn(2, 3, size, size))
    assert tuple(out.shape) == (2, 7) and bool(gt.isfinite(out).all())


def test_googlenet_training_returns_the_auxiliary_logits():
    gt.manual_seed(0)
    model = _build("googlenet", weights=None, num_classes=5).train()
    out = model(gt.randn(2, 3, 64, 64))
    assert type(out).__name__ == "GoogLeNetOutputs"
    assert [tuple(t.shape) for t in out] == [(2, 5)] * 3
    out.logits.sum().backward()
    assert model.conv1.conv.weight.grad is not None


def test_resnet_trains_a_step():
    gt.manual_seed(0)
    model = models.resnet18(num_classes=3)
    opt = gt.optim.SGD(model.parameters(), lr=0.1)
    x, y = gt.randn(4, 3, 32, 32), gt.tensor([0, 1, 2, 0])
    before = model.fc.weight.detach().clone()
    gt.nn.functional.cross_entropy(model(x), y).backward()
    opt.step()
    assert not gt.equal(before, model.fc.weight.detach())


# ---- pretrained weights: the hub cache ---------------------------------------------------------
def test_pretrained_weights_without_the_file_say_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(RuntimeError) as e:
        models.vgg16(weights="IMAGENET1K_V1")  # refused before building the model
    text = str(e.value)
    assert "pretrained weights need a download" in text and "weights=None" in text
    assert "https://download.pytorch.org/models/vgg16-397923af.pth" in text
    assert str(tmp_path / "hub" / "checkpoints" / "vgg16-397923af.pth") in text
    with pytest.raises(hub.DownloadNeeded), pytest.warns(UserWarning, match="'pretrained'"):
        models.resnet18(pretrained=True)
    with pytest.raises(ValueError, match="Failed to find Weights IMAGENET9K"):
        models.resnet18(weights="IMAGENET9K")


def _cache(tmp_path, monkeypatch, file_name, state, writer=None):
    folder = tmp_path / "hub" / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    (writer or gt.save)(state, folder / file_name)


def test_pretrained_weights_load_from_the_hub_cache(tmp_path, monkeypatch):
    gt.manual_seed(1)
    source = models.resnet18()
    _cache(tmp_path, monkeypatch, "resnet18-f37072fd.pth", source.state_dict())
    for weights in ("DEFAULT", models.ResNet18_Weights.IMAGENET1K_V1):
        loaded = models.resnet18(weights=weights)
        for key, value in source.state_dict().items():
            assert gt.equal(loaded.state_dict()[key], value), key
    with pytest.raises(ValueError, match="'num_classes' expected value 1000 but got 10"):
        models.resnet18(weights="DEFAULT", num_classes=10)


@needs_torch
def test_pretrained_file_written_by_torch_loads(tmp_path, monkeypatch):
    """A hub file as PyTorch writes it (here: our state dict, saved by real torch.save)."""
    gt.manual_seed(2)
    source = models.mobilenet_v2()
    state = {k: torch.from_numpy(v.numpy().copy()) for k, v in source.state_dict().items()}
    _cache(tmp_path, monkeypatch, "mobilenet_v2-7ebf99e0.pth", state, writer=torch.save)
    loaded = models.mobilenet_v2(weights="DEFAULT").eval()
    x = gt.randn(1, 3, 32, 32)
    with gt.no_grad():
        assert gt.allclose(loaded(x), source.eval()(x))


def test_densenet_checkpoints_with_old_key_names_load(tmp_path, monkeypatch):
    gt.manual_seed(3)
    source = models.densenet121()
    import re

    old = {re.sub(r"(denselayer\d+\.(?:norm|relu|conv))([12])\.", r"\1.\2.", k): v
           for k, v in source.state_dict().items()
           if not (k.endswith("num_batches_tracked") and "denselayer" in k)}  # older than it
    assert "features.denseblock1.denselayer1.norm.1.weight" in old
    _cache(tmp_path, monkeypatch, "densenet121-a639ec97.pth", old)
    loaded = models.densenet121(weights="IMAGENET1K_V1")
    assert gt.equal(loaded.features.denseblock4.denselayer16.conv2.weight,
                    source.features.denseblock4.denselayer16.conv2.weight)


def test_googlenet_pretrained_drops_the_auxiliary_heads(tmp_path, monkeypatch):
    source = _build("googlenet")
    _cache(tmp_path, monkeypatch, "googlenet-1378be20.pth", source.state_dict())
    loaded = models.googlenet(weights="DEFAULT")
    assert loaded.aux1 is None and loaded.aux2 is None and loaded.transform_input
    assert not any(k.startswith("aux") for k in loaded.state_dict())


def test_hub_load_state_dict_from_url(tmp_path, monkeypatch):
    _cache(tmp_path, monkeypatch, "w-0123.pth", {"w": gt.ones(2)})
    assert hub.get_dir() == str(tmp_path / "hub")
    got = hub.load_state_dict_from_url("https://example.org/files/w-0123.pth")
    assert got["w"].tolist() == [1.0, 1.0]
    with pytest.raises(hub.DownloadNeeded, match="other.pth"):
        hub.load_state_dict_from_url("https://example.org/other.pth")


def test_models_glasstorch_lacks_say_so():
    with pytest.raises(NotImplementedError, match="torchvision.models.vit_b_16 yet.*resnet18"):
        _ = models.vit_b_16
    with pytest.raises(AttributeError, match="no attribute 'not_a_model'"):
        _ = models.not_a_model
    assert "vgg16" in models.list_models() and models.get_model("alexnet").avgpool


def test_whole_model_save_and_load_as_the_tutorial_does(tmp_path):
    model = models.resnet18(num_classes=4)
    path = tmp_path / "model.pth"
    gt.save(model, path)
    back = gt.load(path, weights_only=False)
    assert type(back) is type(model)
    buf = io.BytesIO()
    gt.save(model.state_dict(), buf)
    buf.seek(0)
    fresh = models.resnet18(num_classes=4)
    fresh.load_state_dict(gt.load(buf, weights_only=True))
    np.testing.assert_array_equal(fresh.conv1.weight.detach().numpy(),
                                  model.conv1.weight.detach().numpy())


# ---- weights.transforms(): the ImageNet preprocessing preset ---------------------------------
def test_weights_transforms_print_as_torchvisions():
    assert repr(models.ResNet50_Weights.IMAGENET1K_V2.transforms()) == (
        "ImageClassification(\n    crop_size=[224]\n    resize_size=[232]\n"
        "    mean=[0.485, 0.456, 0.406]\n    std=[0.229, 0.224, 0.225]\n"
        "    interpolation=InterpolationMode.BILINEAR\n)")
    assert models.VGG16_Weights.DEFAULT.transforms().resize_size == [256]


@needs_torch
def test_weights_transforms_compute_what_torchvision_computes():
    """torchvision's preset on a uint8 tensor: antialiased bilinear resize of the smaller edge
    (in float, rounded back to uint8), centre crop, /255, normalise — written here with torch."""
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (3, 300, 370), dtype=np.uint8)
    ours = models.ResNet18_Weights.DEFAULT.transforms()(gt.tensor(pixels))
    x = torch.from_numpy(pixels).float()[None]
    x = torch.nn.functional.interpolate(x, size=(256, 315), mode="bilinear",
                                        align_corners=False, antialias=True)
    x = x.round().clamp(0, 255).to(torch.uint8)[0]
    top, left = round((256 - 224) / 2), round((315 - 224) / 2)
    x = x[:, top:top + 224, left:left + 224].float() / 255
    mean = torch.tensor([0.485, 0.456, 0.406])[:, None, None]
    std = torch.tensor([0.229, 0.224, 0.225])[:, None, None]
    expected = ((x - mean) / std).numpy()
    assert tuple(ours.shape) == (3, 224, 224) and ours.dtype == gt.float32
    # a resampled value that lands within float rounding of .5 may round to the other grey level
    # (torch's own uint8 and float kernels differ there too): at most one level, rarely
    diff = np.abs(ours.numpy() - expected)
    one_level = 1 / 255 / 0.224 + 1e-5
    assert diff.max() <= one_level and (diff > 2e-5).mean() < 1e-3
