"""glasstorch.distributed, DistributedDataParallel, DistributedSampler and `glasstorch run
--nproc`, each checked in real MPI jobs (``mpirun -n 2`` and ``-n 3``, started as subprocesses
running the scripts in ``tests/distributed/``).

Without Open MPI's ``mpirun`` or mpi4py the MPI tests skip (GLASSTORCH_REQUIRE_MPI=1 makes that
a failure, for CI). A job that outlives its time limit is killed with its whole process group and
fails the test, so nothing is ever left running.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from oracle import torch as real_torch

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "distributed")
SRC = os.path.join(os.path.dirname(HERE), "src")
HAVE_MPI = shutil.which("mpirun") is not None and importlib.util.find_spec("mpi4py") is not None
if os.environ.get("GLASSTORCH_REQUIRE_MPI") == "1" and not HAVE_MPI:
    raise pytest.UsageError("GLASSTORCH_REQUIRE_MPI=1 but mpirun or mpi4py is missing")
needs_mpi = pytest.mark.skipif(not HAVE_MPI, reason="Open MPI (mpirun) or mpi4py not installed")

MPI_ENV = {"OMPI_MCA_rmaps_base_oversubscribe": "1", "OMPI_ALLOW_RUN_AS_ROOT": "1",
           "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMP_NUM_THREADS": "1"}


def _env(**extra) -> dict:
    env = dict(os.environ, **MPI_ENV, **extra)
    env["PYTHONPATH"] = os.pathsep.join([SRC, *[p for p in env.get("PYTHONPATH", "").split(
        os.pathsep) if p]])
    return env


def _left_running(marker: str) -> list:
    """Processes whose command line holds ``marker`` (Linux /proc; empty elsewhere)."""
    found = []
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    if marker.encode() in fh.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


def job(cmd: list[str], timeout: float = 120, **env) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``cmd`` in its own session; kill the session if it outlives ``timeout``."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(**env), start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{cmd} still running after {timeout} s (killed):\n{out}\n{err}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), time.monotonic() - start


def mpirun(n: int, script: str, *args: str, timeout: float = 120, **env):
    cmd = ["mpirun", "-n", str(n), sys.executable, os.path.join(SCRIPTS, script), *args]
    return job(cmd, timeout, **env)


# ---- collectives and DDP in real jobs ------------------------------------------------------
@needs_mpi
@pytest.mark.parametrize("n", [2, 3])
def test_every_collective_every_dtype_matches_numpy(n):
    res, _ = mpirun(n, "collectives.py")
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"checks on {n} ranks" in res.stdout


@needs_mpi
@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_ddp_equals_one_process_with_the_whole_batch(n, dtype):
    res, _ = mpirun(n, "ddp_equivalence.py", dtype)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith(f"ok {dtype} world {n}"), res.stdout


@needs_mpi
@pytest.mark.parametrize("n", [2, 3])
def test_ddp_no_sync_unused_parameters_buffers_state_dict(n):
    res, _ = mpirun(n, "ddp_features.py")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "ok ddp features" in res.stdout


# ---- faults: each ends the job within seconds, naming the rank; nothing left running ------
def fault(name: str, n: int = 2, **env):
    marker = f"glasstorch-fault-{name}-{os.getpid()}-{time.monotonic_ns()}"
    res, seconds = mpirun(n, "faults.py", name, marker, timeout=60, **env)
    time.sleep(0.2)
    assert _left_running(marker) == [], f"{name}: processes left running"
    return res, seconds


@needs_mpi
def test_a_rank_that_raises_stops_every_rank_naming_itself():
    res, seconds = fault("raise")
    assert res.returncode != 0
    assert "[rank 1] ValueError: boom on purpose" in res.stderr
    assert "rank 1 failed (ValueError: boom on purpose); stopping all 2 ranks" in res.stderr
    assert seconds < 30


@needs_mpi
def test_a_collective_past_its_timeout_ends_the_job():
    res, seconds = fault("timeout")
    assert res.returncode != 0
    assert "[rank 0] RuntimeError: glasstorch.distributed: all_reduce of a tensor of shape (4,) " \
           "and dtype float32 did not complete within the timeout of 0:00:02" in res.stderr
    assert seconds < 30  # rank 1 sleeps 60 s: it was stopped, not waited for


@needs_mpi
def test_async_wait_timeout_raises_and_the_work_can_still_finish():
    res, _ = fault("async_timeout")
    assert res.returncode == 0, res.stderr
    assert "caught: [rank 0] glasstorch.distributed: all_reduce did not complete within the " \
           "timeout of 0:00:00.300000" in res.stdout
    assert res.stdout.count("sum [2.0, 2.0, 2.0, 2.0]") == 2


@needs_mpi
def test_initialising_twice_is_torchs_error():
    res, _ = fault("double_init")
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("caught: trying to initialize the default process group twice!") == 2


@needs_mpi
def test_mismatched_shapes_end_the_job_with_an_error():
    res, seconds = fault("shape_mismatch")
    assert res.returncode != 0
    assert "all_reduce" in res.stderr and "shape" in res.stderr
    assert "(4000,)" in res.stderr or "(8000,)" in res.stderr or "truncated" in res.stderr
    assert seconds < 30


@needs_mpi
@pytest.mark.parametrize("n", [2, 3])
def test_mismatched_shapes_end_the_job_in_seconds_with_the_default_timeout(n):
    res, seconds = fault("mismatch_default_timeout", n)
    assert res.returncode != 0
    assert "RuntimeError: glasstorch.distributed:" in res.stderr
    # the larger tensor's rank is always left waiting; which rank reports depends on timing
    assert ("shape (8000,) and dtype float32" in res.stderr
            or "shape (12000,) and dtype float32" in res.stderr)
    assert seconds < 30


@needs_mpi
def test_one_call_more_on_a_rank_ends_the_job_in_seconds():
    res, seconds = fault("one_call_more")
    assert res.returncode != 0
    assert ("rank 0 reached the end of its script, but rank 1 waits in all_reduce of a tensor of "
            "shape (4000,) and dtype float32") in res.stderr
    assert seconds < 30


@needs_mpi
def test_mismatched_dtypes_with_debug_detail_name_each_rank():
    res, _ = fault("dtype_mismatch_detail", TORCH_DISTRIBUTED_DEBUG="DETAIL")
    assert res.returncode != 0
    assert ("rank 0: all_reduce torch.float32 (4,); rank 1: all_reduce torch.float64 (4,)"
            in res.stderr)


@needs_mpi
def test_bad_lists_and_ranks_are_clear_errors():
    res, _ = fault("list_length")
    assert res.returncode == 0, res.stderr
    assert "all_gather: tensor_list has 1 tensors but the group has 2 ranks" in res.stdout
    assert "broadcast: invalid root rank: 5" in res.stdout
    assert ("Invalid destination rank: destination rank should not be the same as the rank of "
            "the current process.") in res.stdout


@needs_mpi
@pytest.mark.parametrize("name, words", [
    ("wrong_world_size", "init_process_group: world_size=3, but the launcher started 2 process"),
    ("wrong_rank_env", "init_process_group: RANK=7, but MPI numbered this process"),
])
def test_a_world_the_launcher_did_not_start_is_refused(name, words):
    res, _ = fault(name)
    assert res.returncode != 0
    assert words in res.stderr


@needs_mpi  # without mpi4py, init_process_group says to install it before anything else
def test_world_size_without_an_mpi_launcher_says_how_to_start():
    code = "import glasstorch.distributed as d; d.init_process_group('gloo')"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMI"))}
    env.update(WORLD_SIZE="2", RANK="0", PYTHONPATH=SRC)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60)
    assert res.returncode != 0
    assert "WORLD_SIZE=2 is set, but this process was not started by an MPI launcher" in \
        res.stderr
    assert "glasstorch run --nproc 2" in res.stderr


# ---- in this process: no MPI needed ---------------------------------------------------------
def test_before_init_every_call_is_torchs_error():
    import glasstorch as gt
    import glasstorch.distributed as dist

    assert not dist.is_initialized()
    message = ("Default process group has not been initialized, please make sure to call "
               "init_process_group.")
    for call in (dist.get_rank, dist.get_world_size, dist.get_backend, dist.barrier,
                 lambda: dist.all_reduce(gt.ones(2)), lambda: dist.broadcast(gt.ones(2), 0),
                 lambda: dist.new_group([0])):
        with pytest.raises(ValueError) as err:
            call()
        assert str(err.value) == message
    with pytest.raises(AssertionError, match="Process group cannot be None"):
        dist.destroy_process_group()
    if real_torch is not None:
        import torch.distributed as tdist

        with pytest.raises(ValueError, match="has not been initialized"):
            tdist.get_rank()
        with pytest.raises(ValueError, match="has not been initialized"):
            tdist.all_reduce(real_torch.ones(2))


def test_reduce_op_and_backend_names_match_torch():
    import glasstorch.distributed as dist

    assert [int(o) for o in (dist.ReduceOp.SUM, dist.ReduceOp.AVG, dist.ReduceOp.PRODUCT,
                             dist.ReduceOp.MIN, dist.ReduceOp.MAX)] == [0, 1, 2, 3, 4]
    assert dist.Backend("GLOO") == "gloo" and dist.Backend("mpi") == "mpi"
    assert dist.Backend("cpu:gloo,cuda:nccl") == "gloo"
    with pytest.raises(ValueError, match="Invalid backend"):
        dist.Backend("smoke-signals")
    with pytest.raises(RuntimeError, match="NCCL needs NVIDIA GPUs"):
        dist.Backend("nccl")
    if real_torch is not None:
        import torch.distributed as tdist

        for name in ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR"):
            assert int(getattr(dist.ReduceOp, name)) == int(getattr(tdist.ReduceOp, name))


def test_without_mpi4py_is_available_is_false_and_init_says_what_to_install():
    code = ("import sys; sys.modules['mpi4py'] = None\n"
            "import glasstorch.distributed as d\n"
            "print(d.is_available())\n"
            "d.init_process_group('gloo')\n")
    env = dict(os.environ, PYTHONPATH=SRC)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60)
    assert res.stdout.strip() == "False"
    assert "RuntimeError: glasstorch.distributed runs on MPI: install Open MPI and mpi4py" in \
        res.stderr
    assert "pip install 'glasstorch[distributed]'" in res.stderr


def test_import_glasstorch_does_not_load_mpi4py():
    code = "import sys, glasstorch, glasstorch.nn; print('mpi4py' in sys.modules)"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=SRC), timeout=60)
    assert res.stdout.strip() == "False", res.stderr


# ---- DistributedSampler: torch's indices, exactly ------------------------------------------
@pytest.mark.parametrize("n", [0, 1, 7, 10, 11, 100, 1001])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
def test_distributed_sampler_indices_equal_torchs(torch, n, replicas):
    from torch.utils.data import DistributedSampler as TorchSampler

    from glasstorch.utils.data import DistributedSampler

    for rank in range(replicas):
        for drop_last in (False, True):
            for shuffle in (True, False):
                for seed, epoch in ((0, 0), (3, 2), (12345, 7), (-5, 1)):
                    ours = DistributedSampler(range(n), replicas, rank, shuffle, seed, drop_last)
                    theirs = TorchSampler(range(n), replicas, rank, shuffle, seed, drop_last)
                    ours.set_epoch(epoch)
                    theirs.set_epoch(epoch)
                    assert list(ours) == list(theirs), (n, replicas, rank, drop_last, seed)
                    assert len(ours) == len(theirs)


def test_distributed_sampler_reshuffles_each_epoch_and_checks_rank():
    from glasstorch.utils.data import DistributedSampler

    s = DistributedSampler(range(50), num_replicas=2, rank=1)
    first = list(s)
    s.set_epoch(1)
    assert sorted(first) != first and list(s) != first and len(first) == 25
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval"):
        DistributedSampler(range(5), num_replicas=2, rank=2)


def test_torch_randperm_matches_torch(torch):
    from glasstorch.utils.data.distributed import torch_randperm

    for n, seed in ((1, 0), (5, 1), (1000, 42), (60000, 2**40 + 7)):
        g = torch.Generator()
        g.manual_seed(seed)
        assert torch_randperm(n, seed) == torch.randperm(n, generator=g).tolist()


# ---- the launcher ----------------------------------------------------------------------------
HELLO = """
import os, sys
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
dist.init_process_group("gloo")
t = torch.ones(2) * dist.get_rank()
dist.all_reduce(t)
print("rank", dist.get_rank(), "of", dist.get_world_size(), t.tolist(), os.environ["RANK"],
      os.environ["WORLD_SIZE"], os.environ["LOCAL_RANK"], os.environ["MASTER_PORT"], sys.argv[1:])
"""


@needs_mpi
def test_glasstorch_run_nproc_sets_torchrun_variables_and_prefixes_output(tmp_path):
    script = tmp_path / "hello.py"
    script.write_text(HELLO)
    res, _ = job([sys.executable, "-m", "glasstorch", "run", "--nproc", "3", str(script), "a"])
    assert res.returncode == 0, res.stderr
    lines = sorted(res.stdout.splitlines())
    assert lines == [f"[rank {r}] rank {r} of 3 [3.0, 3.0] {r} 3 {r} 29500 ['a']"
                     for r in range(3)]


def test_rank_prefix_writes_each_line_whole():
    """print() writes a line in pieces; a rank's stream must hand it on in one write, prefix
    and all, or N ranks' pieces mix mid-line (CI saw ``[rank 1] rank 1 of 3 [rank 2] rank...``)."""
    from glasstorch.cli.launch import _Prefixed

    class Recorder:
        def __init__(self):
            self.writes = []

        def write(self, text):
            self.writes.append(text)

        def flush(self):
            pass

    sink = Recorder()
    out = _Prefixed(sink, "[rank 2] ")
    print("rank", 2, "of", 3, file=out)
    print("a\nb", end="", file=out)
    assert sink.writes == ["[rank 2] rank 2 of 3\n", "[rank 2] a\n"]
    out.write("\r 50%")
    out.flush()  # a progress bar shows its partial line at once
    assert sink.writes[2:] == ["[rank 2] b\r", "[rank 2]  50%"]
    out.write(" more\n")
    assert sink.writes[4:] == [" more\n"]


@needs_mpi
def test_glasstorch_run_nproc_failure_names_the_rank(tmp_path):
    script = tmp_path / "fails.py"
    script.write_text(HELLO + "if dist.get_rank() == 1:\n    raise KeyError('missing')\n"
                      "dist.barrier()\n")
    res, seconds = job([sys.executable, "-m", "glasstorch", "run", "--nproc=2", str(script)],
                       timeout=60)
    assert res.returncode != 0
    assert "[rank 1] KeyError: 'missing'" in res.stderr
    assert "rank 1 failed (exit status 1); stopping all 2 ranks" in res.stderr
    assert seconds < 30


def test_glasstorch_run_nproc_rejects_a_bad_count(capsys):
    from glasstorch.cli import main

    assert main(["run", "--nproc", "0", "x.py"]) == 2
    assert "--nproc must be a positive integer, got '0'" in capsys.readouterr().err


FASHION = "/usr/share/datasets/fashion-mnist"
needs_fashion = pytest.mark.skipif(not os.path.isdir(FASHION),
                                   reason="Fashion-MNIST (dataset-fashion-mnist) not installed")


@needs_mpi
@needs_fashion
def test_d2l_concise_multi_gpu_chapter_as_processes(tmp_path):
    pytest.importorskip("matplotlib")
    program = os.path.join(HERE, "programs", "distributed_d2l.py")
    res, _ = job([sys.executable, "-m", "glasstorch", "run", "--nproc", "2", program],
                 timeout=300)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == 2, res.stdout
    words = lines[0].split()
    assert words[:3] == ["[rank", "0]", "test"] and lines[0].endswith("sec/epoch on 2 processes")
    assert float(words[4].rstrip(",")) > 0.25  # chance is 0.1; two short epochs reach ~0.4
    assert lines[1] == "[rank 0] every process holds the same model: True"


@needs_mpi
@needs_fashion
def test_glasstorch_train_mlp_nproc_2(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("tqdm")
    pytest.importorskip("safetensors")
    out = tmp_path / "run"
    res, _ = job([sys.executable, "-m", "glasstorch", "train", "mlp", "--nproc", "2", "--epochs",
                  "1", "--limit", "2048", "--out", str(out)], timeout=300)
    assert res.returncode == 0, res.stderr
    assert "[rank 0] glasstorch train: 2 ranks (DistributedDataParallel), 128 samples per rank " \
           "per step" in res.stdout
    assert "[rank 1]" not in res.stdout  # the other ranks stay quiet
    assert sorted(os.listdir(out)) == ["curves.png", "model.safetensors",
                                       "optimizer.safetensors", "run.json"]
