"""Shared test setup: the PyTorch oracle.

``torch`` here is the real PyTorch when installed (``real_torch`` fixture / ``oracle.torch``).
Oracle tests are marked ``@needs_torch``: skipped without torch, unless GLASSTORCH_REQUIRE_TORCH=1,
in which case a missing torch fails the whole run at collection.
"""

import importlib.util
import os

import pytest
from hypothesis import HealthCheck, settings

from oracle import torch as real_torch

# Subprocesses (``glasstorch run``, notebook kernels) start in other folders: a relative
# PYTHONPATH=src must still name this checkout's sources there.
if os.environ.get("PYTHONPATH"):
    os.environ["PYTHONPATH"] = os.pathsep.join(
        os.path.abspath(p) for p in os.environ["PYTHONPATH"].split(os.pathsep) if p)

# The CUDA device's tests (tests/devices) need a GPU with CuPy, or the double of CuPy named by
# GLASSTORCH_CUDA_ARRAYS; without either, test_cuda_fake_device.py runs them with the double.
if not (os.environ.get("GLASSTORCH_CUDA_ARRAYS") or importlib.util.find_spec("cupy")):
    collect_ignore = ["devices"]

if os.environ.get("GLASSTORCH_REQUIRE_TORCH") == "1" and real_torch is None:
    raise pytest.UsageError("GLASSTORCH_REQUIRE_TORCH=1 but PyTorch is not installed")


# Property tests: no per-example deadline (a shared 2-core machine is slow at times); in CI the
# examples are derived from each test's name (derandomize), so a run there is repeatable, while
# local runs keep exploring new examples.
settings.register_profile(
    "glasstorch", deadline=None, suppress_health_check=[HealthCheck.too_slow],
    derandomize=os.environ.get("CI") == "true",
)
settings.load_profile("glasstorch")


@pytest.fixture
def torch():
    if real_torch is None:
        pytest.skip("PyTorch (the oracle) is not installed")
    return real_torch
