"""The CUDA device's test suite (``tests/devices``) on the double of CuPy, in a process of its own
(the device library is chosen once per process). On a machine with a GPU and CuPy, run
``pytest tests/devices`` directly: the same tests then run on the real device."""

from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def test_cuda_device_suite_passes_on_the_cupy_double():
    devices = os.path.join(HERE, "devices")
    src = os.path.join(os.path.dirname(HERE), "src")
    env = dict(os.environ, GLASSTORCH_CUDA_ARRAYS="fake_cupy", OMP_NUM_THREADS="1",
               MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([src, devices, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-W", "ignore::pytest.PytestAssertRewriteWarning", devices],
                          capture_output=True, text=True, env=env, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
