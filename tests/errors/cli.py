"""The ``glasstorch`` command: unknown commands and models, bad flags, missing scripts, runs that
would be overwritten. Each must end with a non-zero exit status and one clear line on stderr
(no usage block, no traceback). glasstorch-only; run in-process through ``glasstorch.cli.main``."""

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

from . import ErrorCase, scratch


class CommandFailed(SystemExit):
    """The command ended with a non-zero exit status; ``str()`` is what it printed on stderr."""

    def __init__(self, status: int, stderr: str):
        super().__init__(status)
        self.stderr = stderr

    def __str__(self) -> str:
        return self.stderr.strip()


def command(*argv, isolated: bool = False):
    """A case function running ``glasstorch ARGV...``; raises ``CommandFailed`` when the exit
    status is not 0 (an exception the command lets escape propagates as it is). An argument may
    be a function: it is called when the case runs (to make a folder) and shown by its name.
    ``isolated``: run ``python -m glasstorch`` in a child process instead (for ``run`` with a
    script path: running one installs the torch → glasstorch import aliases in the process)."""
    def run(lib):
        from glasstorch.cli import main

        err = io.StringIO()
        args = [a() if callable(a) else a for a in argv]  # folders are made when the case runs
        if isolated:
            done = subprocess.run([sys.executable, "-m", "glasstorch", *args], cwd=scratch(),
                                  capture_output=True, text=True, timeout=300)
            if done.returncode:
                raise CommandFailed(done.returncode, done.stderr)
            return 0
        here = os.getcwd()
        os.chdir(scratch())  # a command that does run writes its runs/ there, not in the repo
        try:
            with redirect_stderr(err), redirect_stdout(io.StringIO()):
                status = main(args)
        except SystemExit as e:  # argparse's own exit
            status = e.code if isinstance(e.code, int) else 1
        finally:
            os.chdir(here)
        if status:
            raise CommandFailed(status, err.getvalue())
        return status

    shown = [f"<{a.__name__.strip('_').replace('_', ' ')}>" if callable(a)
             else a.replace(scratch(), "<tmp>") for a in argv]
    run.__doc__ = "`" + " ".join(["glasstorch", *shown]) + "`"
    return run


def _case(name, fn, fix, **kw):
    return ErrorCase("cli", name, fn, SystemExit, (), fix, torch=False, **kw)


def _existing_run() -> str:
    """A folder that already holds a training run's files; its path."""
    folder = os.path.join(scratch(), "old-run")
    os.makedirs(folder, exist_ok=True)
    for name in ("run.json", "model.safetensors"):
        open(os.path.join(folder, name), "w").close()
    return folder


def _broken_run() -> str:
    """A run folder whose run.json is not JSON; its path."""
    folder = os.path.join(scratch(), "broken-run")
    os.makedirs(folder, exist_ok=True)
    for name, text in (("run.json", "{not json"), ("model.safetensors", "")):
        with open(os.path.join(folder, name), "w") as f:
            f.write(text)
    return folder


CASES = [
    _case("no-command", command(),
          ("the following arguments are required: command", "glasstorch --help")),
    _case("unknown-command", command("frobnicate"),
          ("invalid choice: 'frobnicate'", "run", "train", "glasstorch --help")),
    _case("demo/bad-epochs", command("demo", "--epochs", "x"),
          ("--epochs", "invalid int value: 'x'", "glasstorch demo --help")),
    _case("demo/unknown-flag", command("demo", "--bogus"),
          ("unrecognized arguments: --bogus", "glasstorch demo --help")),
    _case("run/no-script", command("run"),
          ("the SCRIPT to run is missing", "glasstorch run --help")),
    _case("run/missing-script", command("run", "no_such_script.py"),
          ("glasstorch run: can't open file", "No such file or directory")),
    _case("run/a-folder", command("run", scratch, isolated=True),
          ("glasstorch run:", "can't find '__main__' module")),
    _case("train/no-model", command("train"),
          ("the following arguments are required: MODEL", "glasstorch train --help")),
    _case("train/unknown-model", command("train", "no-such-model"),
          ("unknown model 'no-such-model'", "choose one of: linreg, softmax, mlp")),
    _case("train/epochs-not-a-number", command("train", "mlp", "--epochs", "x"),
          ("argument --epochs: must be a positive integer, got 'x'",)),
    _case("train/epochs-0", command("train", "mlp", "--epochs", "0"),
          ("argument --epochs: must be a positive integer, got '0'",)),
    _case("train/negative-lr", command("train", "mlp", "--lr", "-1"),
          ("argument --lr: must be a positive number, got '-1'",)),
    _case("train/batch-size-0", command("train", "mlp", "--batch-size", "0"),
          ("argument --batch-size: must be a positive integer, got '0'",)),
    _case("train/seed-not-a-number", command("train", "mlp", "--seed", "x"),
          ("argument --seed: invalid int value: 'x'",)),
    _case("train/unknown-flag", command("train", "mlp", "--bogus"),
          ("unrecognized arguments: --bogus", "glasstorch train --help")),
    _case("train/would-overwrite", command("train", "mlp", "--out", _existing_run),
          ("already holds a run", "use --resume to continue it, --force to overwrite it")),
    _case("train/resume-nothing",
          command("train", "mlp", "--resume", "--out", os.path.join(scratch(), "no-run")),
          ("nothing to resume in", "train without --resume first")),
    _case("train/resume-broken-run", command("train", "mlp", "--resume", "--out", _broken_run),
          ("cannot read", "run.json", "start a new run with --force")),
    _case("compare/no-script", command("compare"),
          ("the following arguments are required: SCRIPT",)),
    _case("compare/missing-script", command("compare", "no_such_script.py"),
          ("can't open file 'no_such_script.py'",)),
    _case("compare/unknown-flag", command("compare", "--bogus", "x.py"),
          ("unrecognized arguments: --bogus", "glasstorch compare --help")),
]
