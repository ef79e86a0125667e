"""``torchvision.models``: the architectures d2l and PyTorch's tutorials use, built module for
module as torchvision 0.29 builds them, so state-dict keys and shapes match torchvision's (and
its pretrained files).

``vgg16(weights=None)`` gives an untrained model. ``weights=...`` (``"DEFAULT"``,
``"IMAGENET1K_V1"``, ``VGG16_Weights.IMAGENET1K_V1``) loads pretrained weights from the torch hub
cache (``$TORCH_HOME/hub/checkpoints``, where PyTorch downloads them) with ``glasstorch.load``;
glasstorch never downloads, and says which file to put where when it is missing.
"""

from ._api import Weights, WeightsEnum
from .alexnet import AlexNet, AlexNet_Weights, alexnet
from .densenet import DenseNet, DenseNet121_Weights, densenet121
from .googlenet import GoogLeNet, GoogLeNet_Weights, GoogLeNetOutputs, googlenet
from .mobilenetv2 import MobileNet_V2_Weights, MobileNetV2, mobilenet_v2
from .resnet import (
    ResNet,
    ResNet18_Weights,
    ResNet34_Weights,
    ResNet50_Weights,
    resnet18,
    resnet34,
    resnet50,
)
from .vgg import (
    VGG,
    VGG11_BN_Weights,
    VGG11_Weights,
    VGG13_BN_Weights,
    VGG13_Weights,
    VGG16_BN_Weights,
    VGG16_Weights,
    VGG19_BN_Weights,
    VGG19_Weights,
    vgg11,
    vgg11_bn,
    vgg13,
    vgg13_bn,
    vgg16,
    vgg16_bn,
    vgg19,
    vgg19_bn,
)

_BUILDERS = {
    "alexnet": alexnet, "densenet121": densenet121, "googlenet": googlenet,
    "mobilenet_v2": mobilenet_v2, "resnet18": resnet18, "resnet34": resnet34,
    "resnet50": resnet50, "vgg11": vgg11, "vgg11_bn": vgg11_bn, "vgg13": vgg13,
    "vgg13_bn": vgg13_bn, "vgg16": vgg16, "vgg16_bn": vgg16_bn, "vgg19": vgg19,
    "vgg19_bn": vgg19_bn,
}


def list_models(module=None, include=None, exclude=None) -> list:
    """The names ``get_model`` accepts."""
    import fnmatch

    names = sorted(_BUILDERS)
    if include:
        names = [n for n in names if any(fnmatch.fnmatch(n, p) for p in
                                         ([include] if isinstance(include, str) else include))]
    if exclude:
        names = [n for n in names if not any(fnmatch.fnmatch(n, p) for p in
                                             ([exclude] if isinstance(exclude, str)
                                              else exclude))]
    return names


def get_model(name: str, **config):
    """Build the model called ``name`` (``"resnet18"``) with ``config`` (e.g. ``weights=None``)."""
    name = name.lower()
    if name not in _BUILDERS:
        raise ValueError(f"Unknown model {name}")
    return _BUILDERS[name](**config)


# torchvision's other models, named so that asking for one says it is not here yet
_NOT_YET = (
    "convnext_base convnext_large convnext_small convnext_tiny densenet161 densenet169 "
    "densenet201 efficientnet_b0 efficientnet_b1 efficientnet_b2 efficientnet_b3 efficientnet_b4 "
    "efficientnet_b5 efficientnet_b6 efficientnet_b7 efficientnet_v2_l efficientnet_v2_m "
    "efficientnet_v2_s inception_v3 maxvit_t mnasnet0_5 mnasnet0_75 mnasnet1_0 mnasnet1_3 "
    "mobilenet_v3_large mobilenet_v3_small regnet_x_16gf regnet_y_16gf resnet101 resnet152 "
    "resnext101_32x8d resnext101_64x4d resnext50_32x4d shufflenet_v2_x0_5 shufflenet_v2_x1_0 "
    "squeezenet1_0 squeezenet1_1 swin_b swin_s swin_t swin_v2_b vit_b_16 vit_b_32 vit_h_14 "
    "vit_l_16 vit_l_32 wide_resnet101_2 wide_resnet50_2 detection segmentation video "
    "optical_flow quantization"
).split()


def __getattr__(name: str):
    if name in _NOT_YET or name.endswith("_Weights"):
        raise NotImplementedError(
            f"glasstorch does not implement torchvision.models.{name} yet; it has "
            f"{', '.join(sorted(_BUILDERS))}"
        )
    raise AttributeError(f"module 'torchvision.models' has no attribute '{name}'")
