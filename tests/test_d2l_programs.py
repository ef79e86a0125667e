"""Learner-style programs of d2l chapter 6 (``tests/programs/``), run unchanged.

Each program is plain PyTorch code. It runs as ``python -m glasstorch run PROGRAM`` and, when
PyTorch is installed, as ``python PROGRAM``; a program that does not use ``d2l`` (not installable
beside torch 2.13) prints exactly the same text on both. The d2l program runs on glasstorch only
and is checked line by line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from oracle import torch as real_torch

PROGRAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs")
FASHION = "/usr/share/datasets/fashion-mnist"


def run(program: str, cwd, on: str) -> str:
    """The stdout of ``program`` run on glasstorch or torch (fails on a non-zero exit)."""
    path = os.path.join(PROGRAMS, program)
    cmd = ([sys.executable, "-m", "glasstorch", "run", path] if on == "glasstorch"
           else [sys.executable, path])
    env = dict(os.environ, GLASSTORCH_FIGURES=str(cwd), OMP_NUM_THREADS="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd, env=env)
    assert proc.returncode == 0, f"{program} on {on}:\n{proc.stderr}"
    return proc.stdout


@pytest.mark.parametrize("program", ["ch6_2_conv_layer.py", "ch6_3_padding_stride.py",
                                     "ch6_4_channels.py", "ch6_5_pooling.py",
                                     "ch6_6_lenet_shapes.py"])
def test_program_prints_what_pytorch_prints(tmp_path, program):
    ours = run(program, tmp_path, "glasstorch")
    assert ours.strip()
    # every check a program prints (a line ending in True or False) holds
    assert not [line for line in ours.splitlines() if line.endswith("False")]
    if real_torch is None:
        pytest.skip("PyTorch is not installed: ran on glasstorch only")
    assert ours == run(program, tmp_path, "torch")


@pytest.mark.skipif(not os.path.isdir(FASHION), reason="dataset-fashion-mnist not installed")
def test_lenet_train_ch6_program(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("tqdm")
    lines = run("ch6_6_lenet_train.py", tmp_path, "glasstorch").splitlines()
    assert lines[0] == ("torch.Size([64, 1, 28, 28]) torch.float32 torch.Size([64]) "
                        "torch.int64")
    assert lines[1] == "accuracy before training: True"
    assert lines[2] == "training on cpu"
    assert re.fullmatch(r"loss \d\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}", lines[3])
    assert re.fullmatch(r"\d+\.\d examples/sec on cpu", lines[4])
    assert lines[5] == "cpu [device(type='cpu')]"
    assert lines[6:] == ["tensor([[4., 4., 4.],", "        [4., 4., 4.]])"]
    assert list(tmp_path.glob("animator*.png"))
