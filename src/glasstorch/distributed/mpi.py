"""The one place ``glasstorch.distributed`` touches MPI (through mpi4py).

MPI is the engine: Open MPI (Debian's ``openmpi-bin``) starts the processes and moves the bytes,
``mpi4py`` (PyPI) makes it callable from Python. Both are an extra (``glasstorch[distributed]``),
so nothing here is imported by ``import glasstorch``: ``load()`` imports mpi4py on first use, which
also initialises MPI (``MPI_Init``) in this process.

A tensor's array is handed to MPI as it is (mpi4py reads NumPy arrays through the buffer protocol,
no copy); ``datatype`` maps each NumPy dtype to MPI's, ``reduce_op`` each ``ReduceOp`` to MPI's.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np

INSTALL = (
    "glasstorch.distributed runs on MPI: install Open MPI and mpi4py "
    "(`apt-get install openmpi-bin libopenmpi-dev` then `pip install 'glasstorch[distributed]'`, "
    "which is `pip install mpi4py`), then start the processes with "
    "`glasstorch run --nproc N script.py` or `mpirun -n N python script.py`"
)

_MPI = None
IN_PLACE = None  # MPI.IN_PLACE and MPI.Exception, set by load() (read on the fast path)
Error: type = Exception


def is_available() -> bool:
    """True when mpi4py is installed (checked without importing it, so MPI is not started)."""
    if _MPI is not None:
        return True
    try:
        return importlib.util.find_spec("mpi4py") is not None
    except (ImportError, ValueError):  # a broken or blocked installation
        return False


def load():
    """The ``mpi4py.MPI`` module, imported (and MPI initialised) on the first call."""
    global _MPI
    if _MPI is None:
        try:
            import mpi4py

            mpi4py.rc.thread_level = "multiple"  # the timeout watchdog may call Abort
            from mpi4py import MPI
        except ImportError as e:
            raise RuntimeError(f"{INSTALL} ({e})") from None
        global IN_PLACE, Error
        IN_PLACE, Error = MPI.IN_PLACE, MPI.Exception
        _MPI = MPI
    return _MPI


def launcher_world() -> tuple[int, int, int] | None:
    """``(rank, world_size, local_rank)`` as the MPI launcher told this process (Open MPI's
    ``OMPI_COMM_WORLD_*``, MPICH's or PMIx's ``PMI_*``), or None when no MPI launcher started it."""
    env = os.environ
    for rank, size, local in (
        ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"),
        ("PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID"),
        ("PMIX_RANK", "PMIX_SIZE", "PMIX_LOCAL_RANK"),
    ):
        if rank in env and size in env:
            r = int(env[rank])
            return r, int(env[size]), int(env.get(local, r))
    return None


def datatype(dtype: np.dtype):
    """The MPI datatype of a NumPy dtype (bool travels as bytes: MPI's C bool has no logical ops
    in every library, and a bool is one byte)."""
    MPI = load()
    table = _DATATYPES
    if not table:
        table.update({
            np.dtype(np.float64): MPI.DOUBLE, np.dtype(np.float32): MPI.FLOAT,
            np.dtype(np.int64): MPI.INT64_T, np.dtype(np.int32): MPI.INT32_T,
            np.dtype(np.int16): MPI.INT16_T, np.dtype(np.int8): MPI.INT8_T,
            np.dtype(np.uint8): MPI.UINT8_T, np.dtype(np.bool_): MPI.C_BOOL,
            np.dtype(np.complex64): MPI.C_FLOAT_COMPLEX,
            np.dtype(np.complex128): MPI.C_DOUBLE_COMPLEX,
        })
    return table.get(dtype)


_DATATYPES: dict = {}
