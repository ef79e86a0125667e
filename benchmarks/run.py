"""glasstorch against PyTorch on the learners' workloads, side by side (issue 5).

    .venv/bin/python benchmarks/run.py [--rounds N] [--only NAME ...] [--quick]
                                       [--threads default,1,sweep] [--sides glasstorch,torch]
                                       [--native-blas] [--glasstorch-src DIR] [--json FILE]
                                       [--device cuda [--steps N]]

Each workload in `benchmarks/workloads/` is a plain PyTorch script. It runs on glasstorch as
`python -m glasstorch run SCRIPT` and on PyTorch (when installed) as `python SCRIPT`, each run in a
fresh process, alternating glasstorch, torch, glasstorch, torch ... for `--rounds` rounds. The
script times its own measured region and prints a `BENCH {json}` line (see `workloads/_bench.py`).
The MLP also runs its hand-written NumPy floor in every round, and the import time of each side
(`import glasstorch` against `import torch`, timed inside a fresh interpreter) is measured as well.

The table gives, per workload, the median time of each side, the median of the per-round ratios
glasstorch/torch with their min and max, the issue's target, each side's final metric and peak
RSS. Quote ratios, not seconds: the machines are shared and noisy.

Thread settings: `--threads default,1` runs everything twice, once with the libraries' default
threading and once with OMP/OPENBLAS/MKL_NUM_THREADS=1 for both sides. `sweep` (alone or in the
list) runs `layers.py --threads sweep`: every heavy layer of LeNet and ResNet-18 timed at 1 thread
and at all cores, alternating, with its speed-up and parallel efficiency (and torch's beside it).

`--native-blas` removes OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE from the children's environment
(some machines here pin an older OpenBLAS kernel, which slows NumPy but not PyTorch's own BLAS);
the BLAS kernel each configuration really uses is printed with the machine description.
`--glasstorch-src DIR` runs glasstorch from another source tree (e.g. an exported commit).

`--device cuda` (issue 14) runs the GPU workloads on both sides: glasstorch on CuPy against
PyTorch CUDA, each training as d2l's chapter 6 code does (`net.to(device)`, every batch
`X.to(device)`): the MLP epoch (target ≤ 1.0), the LeNet epoch (≤ 1.5) and d2l's ResNet-18 at
96×96, batch 128, 200 steps (≤ 2.0; `--steps N` for fewer). The GPU is synchronised before each
clock is read, and one warm-up pass comes first. The MLP's floor is then the same network
written by hand in CuPy (`workloads/mlp_cupy_floor.py`). Thread settings do not apply there
(default threads only), nor the import times. With `GLASSTORCH_CUDA_ARRAYS=fake_cupy`
(and `tests/devices` on PYTHONPATH) the glasstorch side runs on the CPU double of CuPy: a check
that everything runs, not a measurement.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS_DIR = os.path.join(HERE, "workloads")
PYTHON = sys.executable
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass
class Workload:
    name: str
    script: str
    what: str
    target: float  # the target for the median ratio glasstorch/torch
    metric: str  # the BENCH metric shown in the table
    floor: str | None = None  # a hand-written NumPy version, run in every round
    rss_target: float | None = None  # the target for peak RSS glasstorch/torch, if any


WORKLOADS = [
    Workload("linreg", "linreg_scratch.py", "(a) linear regression from scratch, 10×3 epochs",
             0.6, "loss"),
    Workload("two_layer", "two_layer.py", "(b) two-layer autograd net, 500 steps", 0.9, "loss"),
    Workload("softmax", "softmax_regression.py", "(c) softmax regression, 1 epoch", 0.7,
             "test_acc"),
    Workload("mlp", "mlp.py", "(d) MLP 784-256-10, 1 epoch", 0.7, "test_acc",
             floor="mlp_numpy_floor.py"),
    Workload("dropout_mlp", "dropout_mlp.py", "(e) dropout MLP 784-256-256-10, 1 epoch", 0.7,
             "test_acc"),
    Workload("loader", "fashion_loader.py", "(f) FashionMNIST → DataLoader(256), 1 pass", 0.2,
             "samples"),
    Workload("lenet", "lenet.py", "(g) d2l's LeNet-5 (sigmoid, avg pool), 1 epoch", 1.0,
             "test_acc", rss_target=1.0),
    Workload("resnet18", "resnet18.py", "(h) d2l's ResNet-18, 96×96, batch 128, 6 steps", 1.3,
             "train_loss", rss_target=0.6),
    Workload("gru_ch8", "gru_ch8.py", "(i) d2l's train_ch8 with nn.GRU(28, 256), 1 epoch", 1.0,
             "perplexity"),
    Workload("transformer", "transformer_d2l.py",
             "(j) d2l's Transformer encoder-decoder, 30 steps on one batch", 1.0, "loss"),
]

# `--device cuda`: the workloads issue 14 measures on a GPU, with its targets (glasstorch/torch)
CUDA_TARGETS = {"mlp": 1.0, "lenet": 1.5, "resnet18": 2.0}
CUDA_WORKLOADS = [Workload(w.name, w.script, w.what.replace("6 steps", "200 steps"),
                           CUDA_TARGETS[w.name],
                           "train_loss" if w.metric == "train_loss" else "train_loss,test_acc",
                           floor="mlp_cupy_floor.py" if w.floor else None)
                  for w in WORKLOADS if w.name in CUDA_TARGETS]


# -- running one process ----------------------------------------------------------------------

def child_env(threads: str, args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    if threads != "default":
        for var in THREAD_VARS:
            env[var] = threads
    if args.native_blas:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    if args.quick:
        env["GLASSTORCH_BENCH_QUICK"] = "1"
    if args.device != "cpu":
        env["GLASSTORCH_BENCH_DEVICE"] = args.device
    if args.steps:
        env["GLASSTORCH_BENCH_STEPS"] = str(args.steps)
    # Bytecode caching on, in a private folder: with PYTHONDONTWRITEBYTECODE (set on some machines
    # here) every start would recompile glasstorch from source while torch's wheel ships .pyc
    # files, and the import-time comparison would measure the compiler.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "glasstorch-bench-pycache")
    # the children run in the workloads' folder: a relative PYTHONPATH (`PYTHONPATH=src`) would
    # silently import another glasstorch there, so every entry is made absolute here
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if args.glasstorch_src:
        paths.insert(0, args.glasstorch_src)
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in paths)
    return env


def command(side: str, script: str) -> list[str]:
    path = os.path.join(WORKLOADS_DIR, script)
    if side == "glasstorch":
        return [PYTHON, "-m", "glasstorch", "run", path]
    return [PYTHON, path]  # torch, and the NumPy floor


def parse_bench(stdout: str) -> dict:
    """The last `BENCH {json}` line of a workload's output, as a dict."""
    for line in reversed(stdout.splitlines()):
        if line.startswith("BENCH "):
            return json.loads(line[len("BENCH "):])
    raise ValueError("no BENCH line in the output")


def run_once(side: str, script: str, env: dict[str, str], timeout: float) -> dict:
    """Run one workload in a fresh process; the parsed BENCH line, or {'error': ...}."""
    try:
        proc = subprocess.run(command(side, script), env=env, capture_output=True, text=True,
                              timeout=timeout, cwd=WORKLOADS_DIR)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        return {"error": f"exit {proc.returncode}: {tail}"}
    try:
        result = parse_bench(proc.stdout)
    except ValueError as e:
        return {"error": str(e)}
    expected = {"glasstorch": "glasstorch", "torch": "torch"}.get(side, "numpy")
    if result["lib"] != expected:
        return {"error": f"ran on {result['lib']}, not {expected}"}
    return result


def import_time(module: str, env: dict[str, str]) -> float:
    """Seconds `import module` takes in a fresh interpreter (timed inside it)."""
    code = (f"import time; t = time.perf_counter(); import {module}; "
            "print(time.perf_counter() - t)")
    proc = subprocess.run([PYTHON, "-c", code], env=env, capture_output=True, text=True,
                          check=True, cwd=HERE)
    return float(proc.stdout.strip().splitlines()[-1])


# -- the machine ------------------------------------------------------------------------------

def gpu_description(env: dict[str, str]) -> str:
    """The GPU each side sees: its name, CuPy's and torch's versions (asked in children)."""
    probe = (
        "import json\n"
        "info = {}\n"
        "try:\n"
        "    import torch; info['torch'] = torch.__version__\n"
        "    info['torch_gpu'] = torch.cuda.get_device_name(0) if torch.cuda.is_available() "
        "else None\n"
        "except ImportError: pass\n"
        "try:\n"
        "    import glasstorch; info['glasstorch_gpu'] = (glasstorch.cuda.get_device_name(0)\n"
        "        if glasstorch.cuda.is_available() else None)\n"
        "    from glasstorch import _array; lib = _array.cuda(required=False)\n"
        "    info['arrays'] = getattr(getattr(lib, 'xp', None), '__name__', None)\n"
        "    info['arrays_version'] = getattr(getattr(lib, 'xp', None), '__version__', None)\n"
        "except Exception as e: info['glasstorch_error'] = repr(e)\n"
        "print(json.dumps(info))\n"
    )
    proc = subprocess.run([PYTHON, "-c", probe], env=env, capture_output=True, text=True)
    try:
        info = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return f"GPU: unknown ({proc.stderr.strip()[-200:]})"
    return (f"GPU: torch sees {info.get('torch_gpu')} (torch {info.get('torch')}); glasstorch "
            f"sees {info.get('glasstorch_gpu')} through {info.get('arrays')} "
            f"{info.get('arrays_version') or ''}"
            + (f"; {info['glasstorch_error']}" if "glasstorch_error" in info else ""))


def machine_description(env: dict[str, str]) -> list[str]:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    probe = (
        "import json, numpy\n"
        "info = {'numpy': numpy.__version__}\n"
        "try:\n"
        "    import torch; info['torch'] = torch.__version__\n"
        "    info['torch_threads'] = torch.get_num_threads()\n"
        "except ImportError: info['torch'] = None\n"
        "try:\n"
        "    from threadpoolctl import threadpool_info\n"
        "    info['pools'] = [(p['internal_api'], p.get('architecture'), p['num_threads'])\n"
        "                     for p in threadpool_info()]\n"
        "except ImportError:\n"
        "    cfg = numpy.show_config(mode='dicts')\n"
        "    info['pools'] = [cfg.get('Build Dependencies', {}).get('blas', {}).get('name')]\n"
        "print(json.dumps(info))\n"
    )
    proc = subprocess.run([PYTHON, "-c", probe], env=env, capture_output=True, text=True)
    info = json.loads(proc.stdout) if proc.returncode == 0 else {}
    return [
        f"CPU: {cpu}, {os.cpu_count()} logical cores; Python {platform.python_version()}",
        f"numpy {info.get('numpy')}, torch {info.get('torch')} "
        f"(torch.get_num_threads() = {info.get('torch_threads')})",
        f"thread pools (api, kernel, threads): {info.get('pools')}",
        "env: " + (", ".join(f"{k}={env[k]}" for k in sorted(env)
                             if k.startswith("OPENBLAS") or k in THREAD_VARS) or "(none set)"),
    ]


# -- the table --------------------------------------------------------------------------------

def fmt_metric(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def summarise(w: Workload, runs: dict[str, list[dict]]) -> list[str]:
    """One table row (as cells) from the rounds of one workload."""
    def ok(side):
        return [r for r in runs.get(side, []) if "error" not in r]

    def median_of(side, key):
        values = [r[key] for r in ok(side)]
        return statistics.median(values) if values else None

    def metric_of(side, key=w.metric):
        values = [r["metrics"].get(key) for r in ok(side)]
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    # several metrics (`--device cuda`: loss and accuracy), each "glasstorch / torch"
    metric_cell = ", ".join(
        (f"{key} " if "," in w.metric else "")
        + f"{fmt_metric(metric_of('glasstorch', key))} / {fmt_metric(metric_of('torch', key))}"
        for key in w.metric.split(","))

    gt, th = median_of("glasstorch", "seconds"), median_of("torch", "seconds")
    pairs = [(a["seconds"], b["seconds"]) for a, b in
             zip(runs.get("glasstorch", []), runs.get("torch", []))
             if "error" not in a and "error" not in b]
    ratios = [a / b for a, b in pairs]
    if ratios:
        med = statistics.median(ratios)
        ratio_cells = [f"**{med:.2f}**" + (" ✓" if med <= w.target else " ✗"),
                       f"{min(ratios):.2f}", f"{max(ratios):.2f}"]
    else:
        ratio_cells = ["–", "–", "–"]
    errors = sorted({f"{side}: {r['error']}" for side, rs in runs.items() for r in rs
                     if "error" in r})
    cells = [
        w.name,
        f"{gt:.3f}" if gt is not None else "–",
        f"{th:.3f}" if th is not None else "–",
        *ratio_cells,
        f"≤ {w.target}",
        metric_cell,
        f"{fmt_metric(median_of('glasstorch', 'max_rss_mb'))} / "
        f"{fmt_metric(median_of('torch', 'max_rss_mb'))}",
    ]
    if w.floor:
        lib = "CuPy" if "cupy" in w.floor else "NumPy"
        fl = median_of("floor", "seconds")
        note = (f"{lib} floor {fl:.3f} s, glasstorch/floor {gt / fl:.2f}"
                + (" (target ≤ 1.3)" if lib == "NumPy" else "") if fl and gt
                else f"{lib} floor: –")
        key = w.metric.split(",")[-1]
        note += f"; floor {key} {fmt_metric(metric_of('floor', key))}"
        errors.insert(0, note)
    rss_gt, rss_th = median_of("glasstorch", "max_rss_mb"), median_of("torch", "max_rss_mb")
    if w.rss_target and rss_gt and rss_th:
        rss = rss_gt / rss_th
        errors.insert(0, f"peak RSS glasstorch/torch {rss:.2f} (target ≤ {w.rss_target})"
                      + (" ✓" if rss <= w.rss_target else " ✗"))
    if w.name == "loader":
        paths = {r["metrics"].get("path") for r in ok("glasstorch")}
        errors.insert(0, "glasstorch side: " + ("torchvision.datasets.FashionMNIST (ToTensor)"
                                                 if paths == {1} else
                                                 "TensorDataset (glasstorch.vision not available)"))
    cells.append("; ".join(errors))
    return cells


HEADER = ["workload", "glasstorch s", "torch s", "ratio (median)", "min", "max", "target",
          "metric gt / torch", "peak RSS MB gt / torch", "notes"]


def markdown_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def sweep_layers(args: argparse.Namespace, sides: list[str]) -> None:
    """`--threads sweep`: per-layer times at 1 thread and at all cores (benchmarks/layers.py)."""
    print("\n## per-layer speed-up, 1 thread → all cores (layers.py --threads sweep)", flush=True)
    cmd = [PYTHON, os.path.join(HERE, "layers.py"), "--threads", "sweep"]
    if args.quick:
        cmd += ["--repeat", "1", "--batch", "8"]
    if "torch" in sides:
        cmd.append("--torch")
    subprocess.run(cmd, env=child_env("default", args), check=False, cwd=HERE)


# -- main -------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=None,
                        help="rounds of glasstorch/torch alternation (default 5; 1 with --quick)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        choices=[w.name for w in WORKLOADS] + ["imports"],
                        help="run only these workloads ('imports': the import-time comparison)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny data, one round: checks that everything runs (not a benchmark)")
    parser.add_argument("--threads", default="default,1",
                        help="comma-separated thread settings: 'default', a number, 'sweep'")
    parser.add_argument("--sides", default="glasstorch,torch",
                        help="comma-separated: glasstorch and/or torch")
    parser.add_argument("--native-blas", action="store_true",
                        help="unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE in the children")
    parser.add_argument("--glasstorch-src", metavar="DIR",
                        help="put DIR first on PYTHONPATH (a glasstorch source tree to measure)")
    parser.add_argument("--import-rounds", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument("--json", metavar="FILE", help="also write every run's result here")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                        help="cuda: the GPU workloads (mlp, lenet, resnet18) against PyTorch CUDA")
    parser.add_argument("--steps", type=int, metavar="N",
                        help="resnet18: train N steps (default 6 on cpu, 200 on cuda)")
    args = parser.parse_args(argv)
    cuda = args.device == "cuda"
    catalogue = CUDA_WORKLOADS if cuda else WORKLOADS
    if args.only:
        unknown = [n for n in args.only if n != "imports" and n not in
                   {w.name for w in catalogue}]
        if unknown:
            parser.error(f"not a {args.device} workload: {', '.join(unknown)} (choose from "
                         f"{', '.join(w.name for w in catalogue)})")
    if cuda and args.threads == "default,1":
        args.threads = "default"  # the GPU's speed does not depend on the host's threads

    rounds = args.rounds or (1 if args.quick else 5)
    sides = [s for s in args.sides.split(",") if s]
    if "torch" in sides and importlib.util.find_spec("torch") is None:
        print("PyTorch is not installed: measuring glasstorch alone.")
        sides.remove("torch")
    if cuda and "torch" in sides and subprocess.run(
            [PYTHON, "-c", "import sys, torch; sys.exit(not torch.cuda.is_available())"],
            capture_output=True).returncode != 0:
        print("PyTorch sees no CUDA GPU (a CPU-only build, or no GPU): measuring glasstorch alone.")
        sides.remove("torch")
    workloads = [w for w in catalogue if not args.only or w.name in args.only]
    record: dict = {"rounds": rounds, "settings": {}}

    for threads in [t for t in args.threads.split(",") if t]:
        if threads == "sweep":
            sweep_layers(args, sides)
            continue
        env = child_env(threads, args)
        label = "default threads" if threads == "default" else f"{threads} thread(s)"
        if cuda:
            label = "cuda: glasstorch on CuPy against PyTorch CUDA"
        print(f"\n## {label}" + (" (quick: tiny data, not a benchmark)" if args.quick else ""))
        for line in machine_description(env) + ([gpu_description(env)] if cuda else []):
            print(f"- {line}")
        started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"- {rounds} round(s), started {started}, load average {load} "
              f"(1/5/15 min, on {os.cpu_count()} cores)\n", flush=True)
        rows, raw = [], {}
        for w in workloads:
            runs: dict[str, list[dict]] = {side: [] for side in sides}
            if w.floor and "glasstorch" in sides:
                runs["floor"] = []
            for r in range(rounds):
                for side in sides:
                    runs[side].append(run_once(side, w.script, env, args.timeout))
                if "floor" in runs:
                    runs["floor"].append(run_once("floor", w.floor, env, args.timeout))
                print(f"  {w.name} round {r + 1}/{rounds}: " + ", ".join(
                    f"{side} {res.get('seconds', float('nan')):.3f}s" if "error" not in res
                    else f"{side} ERROR {res['error']}" for side, rs in runs.items()
                    for res in rs[-1:]), flush=True)
            raw[w.name] = runs
            rows.append(summarise(w, runs))
        if rows:
            print()
            print(markdown_table(rows))
        if (args.only or cuda) and "imports" not in (args.only or []):
            record["settings"][threads] = raw
            continue
        imports: dict[str, list[float]] = {s: [] for s in sides}
        for side in sides:  # warm the bytecode cache and the OS file cache first
            import_time(side, env)
        for _ in range(1 if args.quick else args.import_rounds):
            for side in sides:
                imports[side].append(import_time(side, env))
        med = {s: statistics.median(v) for s, v in imports.items()}
        ratio = (f", ratio {med['glasstorch'] / med['torch']:.3f} (target ≤ 0.1)"
                 if len(med) == 2 else "")
        import_line = ("import time (median): " + ", ".join(
            f"{s} {v * 1000:.0f} ms" for s, v in med.items()) + ratio)
        raw["import_seconds"] = imports
        print(f"\n{import_line}", flush=True)
        print("load average at the end: " + "/".join(f"{x:.1f}" for x in os.getloadavg()))
        record["settings"][threads] = raw
    if args.json:
        with open(args.json, "w") as f:
            json.dump(record, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
