"""A differential fuzzer: random small programs run in glasstorch and in PyTorch, compared.

The package has one module per step of the pipeline:

- ``program``: what a program is (NumPy inputs + one line of PyTorch code per statement) and how
  it prints as a runnable PyTorch script;
- ``generate``: a seeded generator of programs, one function per *area* (elementwise, views,
  indexing, reductions, contractions, nn, autograd, optim);
- ``compare``: what "the same result" means (values, dtype, shape, strides, autograd metadata);
- ``interpret``: runs a program statement by statement in both libraries and returns the first
  mismatch;
- ``shrink``: makes a failing program minimal (fewer statements, plainer inputs);
- ``known``: the mismatch classes we know about, each with its reason;
- ``campaign``: runs many programs and groups their mismatches into classes.

``scripts/fuzz.py`` is the command line; ``tests/test_differential_fuzz.py`` the quick CI run.
"""

from .campaign import Campaign, run_seed
from .generate import AREAS, generate
from .interpret import Mismatch, run_program
from .program import Program, Statement
from .shrink import shrink
