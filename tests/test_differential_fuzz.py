"""The quick count of the differential fuzzer (tests/fuzz, docs/FIDELITY.md) for CI.

300 programs with fixed seeds run in glasstorch and in PyTorch, statement by statement. A program
whose (shrunk) mismatch belongs to a class listed in tests/fuzz/known.py is bookkept as expected
(an open bug, a torch bug or a deliberate difference, each with its reason) and printed; the test
fails on any class that is not listed there, with the minimal program as PyTorch code.

Skipped without torch, unless GLASSTORCH_REQUIRE_TORCH=1 (then conftest fails the run instead).
A long run is ``python scripts/fuzz.py --count 100000 --area all``.
"""

from __future__ import annotations

import pytest

from oracle import torch

pytestmark = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) is not installed")

SEEDS = range(300)  # fixed: a run is repeatable; 8 areas in turn (seed % 8)


def test_quick_fuzz_finds_no_new_mismatch_class(capsys):
    from fuzz import Campaign
    from fuzz.known import classify

    camp = Campaign()
    camp.run(SEEDS)
    assert not camp.crashes, "the fuzzer itself crashed:\n" + "\n".join(camp.crashes[:3])
    expected: dict[str, int] = {}  # known class -> programs (xfail-style bookkeeping)
    new = []
    for key, found in sorted(camp.classes.items()):
        known = classify(key, found.detail)
        if known is None:
            new.append(f"NEW class {key} (x{found.count}, seeds {found.seeds})\n"
                       f"  {found.detail}\n" + found.repro)
        else:
            expected[f"{key}  [{known[0]}]"] = found.count
    with capsys.disabled():
        print(f"\ndifferential fuzz: {sum(camp.programs.values())} programs, "
              f"{sum(camp.failing.values())} with a known mismatch in {len(expected)} classes")
        for key, n in expected.items():
            print(f"  expected x{n:3d}  {key}")
    assert not new, "\n\n".join(new)
