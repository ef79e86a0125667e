"""``torch.backends`` and ``torch.accelerator`` answer as PyTorch on a CPU-only machine."""

import pytest

import glasstorch as gt
from oracle import needs_torch, torch


@needs_torch
def test_answers_match_a_cpu_only_torch():
    if torch.cuda.is_available() or torch.backends.mps.is_available():
        pytest.skip("the oracle has a GPU")
    for path in ["mps.is_available", "mps.is_built", "cudnn.is_available", "cudnn.version",
                 "cuda.is_built"]:
        module, fn = path.split(".")
        ours = getattr(getattr(gt.backends, module), fn)()
        theirs = getattr(getattr(torch.backends, module), fn)()
        assert ours == theirs, path
    for flag in ["enabled", "benchmark", "deterministic", "allow_tf32"]:
        assert getattr(gt.backends.cudnn, flag) == getattr(torch.backends.cudnn, flag), flag
    assert gt.backends.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
    assert gt.accelerator.is_available() == torch.accelerator.is_available() is False
    assert gt.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert gt.accelerator.device_count() == torch.accelerator.device_count() == 0
    assert gt.backends.cpu.get_cpu_capability() == torch.backends.cpu.get_cpu_capability()


@needs_torch
def test_no_accelerator_errors_as_torch():
    for fn in ("current_device_index", "synchronize"):
        with pytest.raises(RuntimeError) as theirs:
            getattr(torch.accelerator, fn)()
        with pytest.raises(RuntimeError, match=str(theirs.value)):
            getattr(gt.accelerator, fn)()


def test_cudnn_flags_context_restores():
    import glasstorch.backends.cudnn as cudnn

    cudnn.benchmark = True
    try:
        with cudnn.flags(enabled=False, deterministic=True):
            assert not cudnn.enabled and cudnn.deterministic and not cudnn.benchmark
        assert cudnn.enabled and not cudnn.deterministic and cudnn.benchmark
    finally:
        cudnn.benchmark = False


def test_the_tutorials_device_line_picks_the_cpu():
    device = (gt.accelerator.current_accelerator().type if gt.accelerator.is_available()
              else "cpu")
    assert device == "cpu"
    device = ("cuda" if gt.cuda.is_available() else "mps" if gt.backends.mps.is_available()
              else "cpu")
    assert gt.ones(2).to(device).device == gt.device("cpu")
