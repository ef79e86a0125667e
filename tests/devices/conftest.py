"""The CUDA device's tests: they run where ``glasstorch.cuda.is_available()`` — on a real GPU with
CuPy, or anywhere with the double of CuPy (``fake_cupy.py``):

    GLASSTORCH_CUDA_ARRAYS=fake_cupy .venv/bin/python -m pytest tests/devices

(``tests/test_cuda_fake_device.py`` does exactly that inside the main suite). Each test runs the
same program on the CPU and on ``cuda`` and compares: the CPU side is the oracle here, checked
against PyTorch by the main suite.
"""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # fake_cupy, fake_cupyx
sys.path.insert(0, os.path.dirname(HERE))  # catalogue, oracle

import glasstorch  # noqa: E402


def pytest_collection_modifyitems(config, items):
    if glasstorch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="no CUDA device: run with GLASSTORCH_CUDA_ARRAYS=fake_cupy")
    for item in items:
        if "test_fake_cupy" not in item.nodeid:
            item.add_marker(skip)


@pytest.fixture
def on_cuda():
    """Factories make tensors on cuda inside the test (``torch.set_default_device('cuda')``)."""
    glasstorch.set_default_device("cuda")
    try:
        yield
    finally:
        glasstorch.set_default_device(None)
