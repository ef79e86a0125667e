"""PyTorch's "Learn the Basics" tutorials (tests/programs/tutorials/, as pytorch.org has them),
run unchanged under ``glasstorch run``. Where a tutorial prints values that do not depend on
random draws, they are compared with real PyTorch's output (the tutorials that import
torchvision, not installed beside the oracle, run on glasstorch only and are checked line by
line)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from oracle import torch as real_torch

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs", "tutorials")
FASHION = "/usr/share/datasets/fashion-mnist"
needs_fashion = pytest.mark.skipif(not os.path.isdir(FASHION),
                                   reason="dataset-fashion-mnist not installed")


def run(name: str, cwd, on: str = "glasstorch", timeout: int = 900, **env) -> list[str]:
    """The stdout lines of tutorial ``name`` run on glasstorch (or real torch)."""
    path = os.path.join(HERE, f"{name}_tutorial.py")
    cmd = ([sys.executable, "-m", "glasstorch", "run", path] if on == "glasstorch"
           else [sys.executable, path])
    import glasstorch

    # the glasstorch these tests import, whatever the working directory
    source = os.path.dirname(os.path.dirname(os.path.abspath(glasstorch.__file__)))
    path_var = os.pathsep.join([source] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    env = dict(os.environ, MPLBACKEND="Agg", GLASSTORCH_FIGURES=str(cwd), OMP_NUM_THREADS="1",
               PYTHONPATH=path_var, **env)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env=env)
    assert proc.returncode == 0, f"{name} on {on}:\n{proc.stderr}"
    return proc.stdout.splitlines()


def _from(lines: list[str], start: str) -> list[str]:
    return lines[next(i for i, line in enumerate(lines) if line.startswith(start)):]


def test_tensors(tmp_path):
    ours = run("tensorqs", tmp_path)
    assert ours[0] == "Ones Tensor: " and "12.0 <class 'float'>" in ours
    assert ours[-2:] == ["t: tensor([2., 2., 2., 2., 2.], dtype=torch.float64)",
                         "n: [2. 2. 2. 2. 2.]"]
    if real_torch is not None:  # everything after the random tensors is the same text
        theirs = run("tensorqs", tmp_path, on="torch")
        assert _from(ours, "Shape of tensor") == _from(theirs, "Shape of tensor")


def test_autograd(tmp_path):
    ours = run("autogradqs", tmp_path)
    assert re.fullmatch(r"Gradient function for z = <AddBackward0 object at 0x[0-9a-f]+>",
                        ours[0])
    assert ours[1].startswith("Gradient function for loss = "
                              "<BinaryCrossEntropyWithLogitsBackward0 object at")
    assert ours[ours.index("First call") + 1] == "tensor([[4., 2., 2., 2., 2.],"
    if real_torch is not None:
        assert _from(ours, "True") == _from(run("autogradqs", tmp_path, on="torch"), "True")


def test_build_model(tmp_path):
    ours = run("buildmodel", tmp_path)
    assert ours[0] == "Using cpu device"
    assert re.fullmatch(r"Predicted class: tensor\(\[\d\]\)", ours[ours.index(")") + 1])
    assert "torch.Size([3, 784])" in ours and "torch.Size([3, 20])" in ours
    layers = [line.split(" | ")[:2] for line in ours if line.startswith("Layer: ")]
    assert layers == [["Layer: linear_relu_stack.0.weight", "Size: torch.Size([512, 784])"],
                      ["Layer: linear_relu_stack.0.bias", "Size: torch.Size([512])"],
                      ["Layer: linear_relu_stack.2.weight", "Size: torch.Size([512, 512])"],
                      ["Layer: linear_relu_stack.2.bias", "Size: torch.Size([512])"],
                      ["Layer: linear_relu_stack.4.weight", "Size: torch.Size([10, 512])"],
                      ["Layer: linear_relu_stack.4.bias", "Size: torch.Size([10])"]]
    # PyTorch's printed model (this tutorial imports torchvision: not run on the oracle)
    assert ours[1:ours.index(")") + 1] == [
        "NeuralNetwork(",
        "  (flatten): Flatten(start_dim=1, end_dim=-1)",
        "  (linear_relu_stack): Sequential(",
        "    (0): Linear(in_features=784, out_features=512, bias=True)",
        "    (1): ReLU()",
        "    (2): Linear(in_features=512, out_features=512, bias=True)",
        "    (3): ReLU()",
        "    (4): Linear(in_features=512, out_features=10, bias=True)",
        "  )",
        ")",
    ]


@needs_fashion
def test_datasets_and_dataloaders(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("pandas")
    ours = run("data", tmp_path)
    assert ours[:2] == ["Feature batch shape: torch.Size([64, 1, 28, 28])",
                        "Labels batch shape: torch.Size([64])"]
    assert re.fullmatch(r"Label: \d", ours[2])


@needs_fashion
def test_transforms(tmp_path):
    assert run("transforms", tmp_path) == []  # builds the dataset and the one-hot transform


def test_save_and_load(tmp_path):
    """``models.vgg16(weights='IMAGENET1K_V1')`` finds its file in the torch hub cache: put
    there first (VGG-16's 528 MB are not downloaded in a test: a state dict of the same keys and
    shapes stands in for ImageNet's)."""
    import glasstorch as gt
    from glasstorch.vision import models

    shapes = {k: tuple(v.shape) for k, v in models.vgg16(init_weights=False).state_dict().items()}
    cache = tmp_path / "torch-home" / "hub" / "checkpoints"
    cache.mkdir(parents=True)
    gt.save({k: gt.full(shape, 0.5) for k, shape in shapes.items()},
            cache / "vgg16-397923af.pth")
    assert run("saveloadrun", tmp_path, TORCH_HOME=str(tmp_path / "torch-home")) == []
    assert gt.load(tmp_path / "model_weights.pth")["features.0.weight"].shape == (64, 3, 3, 3)
    whole = gt.load(tmp_path / "model.pth", weights_only=False)
    assert type(whole).__name__ == "VGG" and not whole.training
    assert bool((whole.classifier[6].bias == 0.5).all())


def _check_training_output(lines: list[str], epochs: int):
    assert lines.count("-------------------------------") == epochs
    accuracies = [float(m.group(1)) for line in lines
                  if (m := re.fullmatch(r" Accuracy: ([\d.]+)%, Avg loss: [\d.]+ ", line))]
    assert len(accuracies) == epochs
    assert accuracies[-1] > 40.0  # SGD at lr 1e-3 learns slowly; PyTorch's page shows ~65%
    losses = [float(m.group(1)) for line in lines
              if (m := re.fullmatch(r"loss: ([\d.]+)  \[\s*\d+/60000\]", line))]
    assert len(losses) == 10 * epochs and losses[-1] < losses[0]


@needs_fashion
def test_quickstart(tmp_path):
    lines = run("quickstart", tmp_path)
    assert lines[:3] == ["Shape of X [N, C, H, W]: torch.Size([64, 1, 28, 28])",
                         "Shape of y: torch.Size([64]) torch.int64", "Using cpu device"]
    _check_training_output(lines, epochs=5)
    assert lines[-3:-1] == ["Done!", "Saved PyTorch Model State to model.pth"]
    assert re.fullmatch(r'Predicted: "[\w/ -]+", Actual: "Ankle boot"', lines[-1])
    if real_torch is not None:  # the checkpoint is PyTorch's format
        state = real_torch.load(tmp_path / "model.pth")
        assert list(state) == ["linear_relu_stack.0.weight", "linear_relu_stack.0.bias",
                               "linear_relu_stack.2.weight", "linear_relu_stack.2.bias",
                               "linear_relu_stack.4.weight", "linear_relu_stack.4.bias"]


@needs_fashion
def test_optimization(tmp_path):
    lines = run("optimization", tmp_path)
    _check_training_output(lines, epochs=10)
    assert lines[-1] == "Done!"
