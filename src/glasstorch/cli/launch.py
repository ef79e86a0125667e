"""``glasstorch run --nproc N SCRIPT`` and ``glasstorch train MODEL --nproc N``: one job of N
processes on MPI.

The parent starts ``mpirun -n N python -m glasstorch.cli.launch --rank-child SCRIPT ARGS``. Each
child (a *rank*) then

1. sets torchrun's variables from what MPI told it: ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
   ``LOCAL_WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT`` (scripts written for ``torchrun`` read
   them; ``init_process_group`` checks them against MPI's numbering);
2. prefixes every line it prints with ``[rank R]`` so the interleaved output stays readable;
3. runs the script as ``glasstorch run`` does (``torch`` resolves to ``glasstorch``);
4. if the script fails, says which rank failed and stops the whole job (``MPI_Abort``), so no
   rank is left waiting in a collective for it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

CHILD = "--rank-child"


def nproc_option(argv: list[str], prog: str) -> tuple[int | None, list[str]]:
    """``(N, the other arguments)`` for ``--nproc N`` / ``--nproc=N`` at the front of ``argv``
    (``None, argv`` when it is not there): the script's own arguments are left alone."""
    if not argv or not (argv[0] == "--nproc" or argv[0].startswith("--nproc=")):
        return None, argv
    if "=" in argv[0]:
        value, rest = argv[0].split("=", 1)[1], argv[1:]
    else:
        value, rest = (argv[1] if len(argv) > 1 else ""), argv[2:]
    try:
        nproc = int(value)
    except ValueError:
        nproc = 0
    if nproc < 1:
        raise ValueError(f"--nproc must be a positive integer, got {value!r}")
    return nproc, rest


def _usage(prog: str, message: str) -> int:
    print(f"{prog}: {message}", file=sys.stderr)
    return 2


def mpirun_command(nproc: int, child_args: list[str]) -> list[str]:
    """The ``mpirun`` line that starts ``nproc`` ranks of ``python child_args...``."""
    mpirun = shutil.which("mpirun") or shutil.which("mpiexec")
    return [mpirun, "-n", str(nproc), sys.executable, *child_args]


def launch(nproc: int, child_args: list[str], prog: str) -> int:
    """Run ``python child_args...`` as ``nproc`` MPI ranks; returns the job's exit status."""
    from ..distributed import mpi

    if shutil.which("mpirun") is None and shutil.which("mpiexec") is None:
        return _usage(prog, "--nproc needs an MPI launcher (mpirun), not found: "
                      + mpi.INSTALL)
    if not mpi.is_available():
        return _usage(prog, "--nproc needs mpi4py, not installed: " + mpi.INSTALL)
    env = dict(os.environ)
    env.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")  # more ranks than cores is fine
    # no pinning to cores: on a laptop or a shared machine other programs use the cores too, and
    # a pinned rank cannot move off a busy one (measured: DDP steps ~25% faster unpinned here)
    env.setdefault("OMPI_MCA_hwloc_base_binding_policy", "none")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    env.setdefault("MASTER_ADDR", "127.0.0.1")
    env.setdefault("MASTER_PORT", "29500")
    # the ranks import this very glasstorch, whatever their working folder
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(
        [package_root, *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    )
    try:
        return subprocess.call(mpirun_command(nproc, child_args), env=env)
    except KeyboardInterrupt:  # mpirun got the same Ctrl-C and stops the ranks
        return 130


def run_main(argv: list[str]) -> int:
    """``glasstorch run --nproc N SCRIPT ARGS``."""
    try:
        nproc, rest = nproc_option(argv, "glasstorch run")
    except ValueError as e:
        return _usage("glasstorch run", str(e))
    if not rest:
        return _usage("glasstorch run", "usage: glasstorch run --nproc N SCRIPT [ARGS...]")
    return launch(nproc, ["-m", "glasstorch.cli.launch", CHILD, *rest], "glasstorch run")


# ---- inside each rank ----------------------------------------------------------------------
class _Prefixed:
    """A text stream that starts every line with ``prefix`` (``\\r`` too: progress bars).

    A line goes out whole, prefix and all, in one write and flush: ``print(a, b)`` calls
    ``write`` once per piece, and N ranks writing pieces to one terminal would mix them
    mid-line. Text without a line end waits until the line ends or someone calls ``flush``
    (an ``input()`` prompt, a progress bar)."""

    _LINE_END = re.compile(r"(?<=[\r\n])")

    def __init__(self, stream, prefix: str):
        self._stream = stream
        self._prefix = prefix
        self._at_start = True
        self._pending = ""

    def _emit(self, pieces) -> None:
        out = []
        for piece in pieces:
            if self._at_start and piece.strip("\r\n"):
                out.append(self._prefix)
            out.append(piece)
            self._at_start = piece.endswith(("\n", "\r"))
        if out:
            self._stream.write("".join(out))
            self._stream.flush()

    def write(self, text: str) -> int:
        *whole, self._pending = self._LINE_END.split(self._pending + text)
        self._emit(whole)
        return len(text)

    def flush(self) -> None:
        pending, self._pending = self._pending, ""
        self._emit([pending] if pending else [])
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def rank_environment() -> tuple[int, int]:
    """Set torchrun's variables from MPI's numbering; returns ``(rank, world_size)``."""
    from ..distributed.mpi import launcher_world

    rank, size, local = launcher_world() or (0, 1, 0)
    local_size = int(os.environ.get("OMPI_COMM_WORLD_LOCAL_SIZE", size))
    for name, value in (("RANK", rank), ("WORLD_SIZE", size), ("LOCAL_RANK", local),
                        ("LOCAL_WORLD_SIZE", local_size), ("GROUP_RANK", 0)):
        os.environ[name] = str(value)
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29500")
    return rank, size


def prefix_output(rank: int) -> None:
    sys.stdout = _Prefixed(sys.stdout, f"[rank {rank}] ")
    sys.stderr = _Prefixed(sys.stderr, f"[rank {rank}] ")


def stop_job_if_failed(rank: int, size: int, status: int) -> None:
    """A failed rank stops every rank (MPI_Abort), saying which one it was."""
    if status == 0 or size == 1:
        return
    if "mpi4py.MPI" in sys.modules:
        from ..distributed.process_group import abort

        abort(rank, f"exit status {status}", status if 0 < status < 256 else 1)
    print(f"glasstorch: rank {rank} failed (exit status {status}); stopping all {size} ranks",
          file=sys.__stderr__, flush=True)


def child_main(argv: list[str]) -> int:
    rank, size = rank_environment()
    prefix_output(rank)
    if argv and argv[0] == "train":
        from .train import main as train_main

        status = train_main(argv[1:])
    else:
        from .run import run_script

        status = run_script(argv[0], argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    stop_job_if_failed(rank, size, status)
    return status


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == CHILD:
        sys.exit(child_main(sys.argv[2:]))
    sys.exit(_usage("glasstorch.cli.launch", "started by `glasstorch run --nproc N`, not by hand"))


# ---- glasstorch train MODEL --nproc N ------------------------------------------------------
def train_launch(argv: list[str]) -> int | None:
    """From ``glasstorch train ... --nproc N`` (N > 1) outside a rank: start the N ranks, each
    running the same ``glasstorch train`` line. None when there is nothing to launch."""
    from ..distributed.mpi import launcher_world

    if launcher_world() is not None or "--nproc" not in " ".join(argv):
        return None
    for i, a in enumerate(argv):
        if a == "--nproc" or a.startswith("--nproc="):
            try:
                nproc, _ = nproc_option(argv[i:i + 2], "glasstorch train")
            except ValueError as e:
                return _usage("glasstorch train", str(e))
            if nproc == 1:
                return None
            return launch(nproc, ["-m", "glasstorch.cli.launch", CHILD, "train", *argv],
                          "glasstorch train")
    return None


class _EpochLoader:
    """A rank's DataLoader over its ``DistributedSampler`` share, reshuffled every epoch."""

    def __init__(self, loader, sampler, epoch: int):
        self.loader, self.sampler, self.epoch = loader, sampler, epoch

    def __iter__(self):
        self.sampler.set_epoch(self.epoch)
        self.epoch += 1
        return iter(self.loader)

    def __len__(self) -> int:
        return len(self.loader)


def distribute(variants: list, cfg: dict, out: str, nproc: int | None) -> str:
    """Make ``glasstorch train`` data-parallel when it runs as a rank of ``--nproc N``: each
    variant's model is wrapped in DistributedDataParallel (``v.ddp``) and reads its share of
    each batch of ``cfg["batch_size"]`` samples. Rank 0 prints and writes the run into ``out``;
    the other ranks stay quiet and write into a throw-away folder (returned)."""
    from .. import distributed as dist
    from ..nn.parallel import DistributedDataParallel
    from ..utils.data import DataLoader, DistributedSampler

    if not nproc or nproc == 1:
        return out
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    for v in variants:
        v.ddp = DistributedDataParallel(v.net)
        dataset = v.train_iter.dataset
        sampler = DistributedSampler(dataset, seed=cfg["seed"])
        loader = DataLoader(dataset, batch_size=max(1, cfg["batch_size"] // world),
                            sampler=sampler)
        v.train_iter = _EpochLoader(loader, sampler, len(v.history))
    if rank == 0:
        print(f"glasstorch train: {world} ranks (DistributedDataParallel), "
              f"{max(1, cfg['batch_size'] // world)} samples per rank per step")
        return out
    import atexit
    import tempfile

    try:  # no progress bars on the quiet ranks
        import functools

        import tqdm

        tqdm.tqdm.__init__ = functools.partialmethod(tqdm.tqdm.__init__, disable=True)
    except ImportError:
        pass
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the rest of this process
    scratch = tempfile.mkdtemp(prefix=f"glasstorch-rank{rank}-")
    atexit.register(shutil.rmtree, scratch, True)
    return scratch


def sum_over_ranks(v, *numbers: float) -> tuple:
    """``numbers`` summed over the ranks when ``v`` trains data-parallel (else unchanged)."""
    if getattr(v, "ddp", None) is None:
        return numbers
    import glasstorch

    from .. import distributed as dist

    t = glasstorch.tensor([float(x) for x in numbers], dtype=glasstorch.float64)
    dist.all_reduce(t)
    return tuple(t.tolist())
