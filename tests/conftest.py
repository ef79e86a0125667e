"""Shared test setup: the PyTorch oracle.

``torch`` here is the real PyTorch when installed (``real_torch`` fixture / ``oracle.torch``).
Oracle tests are marked ``@needs_torch``: skipped without torch, unless GLASSTORCH_REQUIRE_TORCH=1,
in which case a missing torch fails the whole run at collection.
"""

import os

import pytest

from oracle import torch as real_torch

if os.environ.get("GLASSTORCH_REQUIRE_TORCH") == "1" and real_torch is None:
    raise pytest.UsageError("GLASSTORCH_REQUIRE_TORCH=1 but PyTorch is not installed")


@pytest.fixture
def torch():
    if real_torch is None:
        pytest.skip("PyTorch (the oracle) is not installed")
    return real_torch
