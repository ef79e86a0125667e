"""``glasstorch train MODEL``: train one of d2l's chapter 3–7 models and keep the results.

    glasstorch train mlp                         # 10 epochs of the 784-256-10 MLP on Fashion-MNIST
    glasstorch train mlp --epochs 5 --resume     # 5 more epochs from runs/mlp
    glasstorch train polyfit --out runs/poly     # d2l 4.4's under/normal/over-fitting fits
    glasstorch train lenet --epochs 2            # d2l 6.6's LeNet-5 (about 20 s per epoch)
    glasstorch train lenet --device cuda         # the same on the GPU (needs the cuda extra)
    glasstorch train rnn                         # d2l 8-9's GRU language model (train_sequences)
    glasstorch train transformer                 # d2l 10.7's Transformer (train_sequences)

Each epoch shows a progress bar (tqdm) with the running loss and accuracy; the end prints a table
(epoch, train loss, train acc, test acc, seconds) and writes into ``--out`` (default
``runs/MODEL``):

- ``model.safetensors``      the weights (``glasstorch.save`` of the state dict; for models with
                             several variants, keys are prefixed ``VARIANT.``);
- ``optimizer.safetensors``  the optimizer state of each variant (what ``--resume`` needs);
- ``run.json``               the configuration and the per-epoch history;
- ``curves.png``             the curves (matplotlib, Agg backend).

``--device cuda`` (or ``cuda:N``) trains on a GPU: the network is moved there with
``net.to(device)`` and each batch with ``X.to(device)``, as d2l's ``train_ch6`` does; without
a GPU (or without CuPy) it is a usage error. The saved files do not depend on the device.

An existing run is never overwritten unless ``--force`` is given; ``--resume`` continues it (the
epoch count and history go on; ``--epochs`` more epochs are trained). The models, their data and
d2l's defaults are in ``models.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from ._usage import (
    OneLineParser,
    UsageError,
    add_device_option,
    positive,
    resolve_device,
    run_command,
    write_run_json,
)
from .launch import sum_over_ranks
from .models import MODELS, DataError
from .train_sequences import MODELS as SEQUENCE_MODELS

PROG = "glasstorch train"
FILES = ("model.safetensors", "optimizer.safetensors", "run.json", "curves.png")


def make_parser(prog: str = PROG) -> argparse.ArgumentParser:
    p = OneLineParser(
        prog=prog,
        description="Train one of d2l's models (chapters 3-7) and save it.",
        epilog="models: " + ", ".join([*(f"{s.name} ({s.title})" for s in MODELS.values()),
                                       *(f"{k} ({v})" for k, v in SEQUENCE_MODELS.items())]),
    )
    p.add_argument("model", metavar="MODEL", help="one of: " + ", ".join([*MODELS,
                                                                          *SEQUENCE_MODELS]))
    p.add_argument("--epochs", type=positive(int), help="epochs to train (default: d2l's)")
    p.add_argument("--lr", type=positive(float), help="learning rate (default: d2l's)")
    p.add_argument("--batch-size", type=positive(int), help="minibatch size (default: d2l's)")
    p.add_argument("--seed", type=int, help="random seed (default 0)")
    p.add_argument("--out", metavar="DIR", help="where the run is written (default runs/MODEL)")
    p.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    p.add_argument("--force", action="store_true", help="overwrite an existing run in --out")
    p.add_argument("--limit", type=positive(int), metavar="N",
                   help="use only the first N samples of each split (quick tries, tests)")
    p.add_argument("--data", metavar="DIR", default="~/.glasstorch/data",
                   help="Fashion-MNIST root (default ~/.glasstorch/data, then the Debian "
                        "package dataset-fashion-mnist)")
    p.add_argument("--download", action="store_true",
                   help="download Fashion-MNIST when it is not found")
    p.add_argument("--nproc", type=positive(int), metavar="N",
                   help="train on N processes with DistributedDataParallel (needs MPI)")
    add_device_option(p)
    return p


def main(argv: list[str]) -> int:
    """``glasstorch train ...``: returns the exit status; bad input is one line on stderr."""
    from .launch import train_launch

    launched = train_launch(argv)  # --nproc N: N ranks, each running this same line
    if launched is not None:
        return launched
    if argv and argv[0] in SEQUENCE_MODELS:  # their own options: see train_sequences
        from .train_sequences import main as train_sequences

        return train_sequences(argv)
    return run_command(PROG, make_parser(), argv, train, errors={DataError: 1})


def _require_plot_extra() -> None:
    """Before any work: the curves need the `plot` extra, the saved weights the `io` extra."""
    missing = []
    for name in ("matplotlib", "tqdm", "safetensors"):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise UsageError(
            f"needs {', '.join(missing)} (the `plot` and `io` extras), not installed: run "
            "`pip install 'glasstorch[plot,io]'` (or `sh scripts/setup.sh plot io`)"
        )


def _resolve(args) -> tuple[object, str, dict, dict | None]:
    """The model spec, output folder, configuration and (with --resume) the saved run."""
    spec = MODELS.get(args.model)
    if spec is None:
        raise UsageError(f"unknown model {args.model!r}; choose one of: "
                         f"{', '.join([*MODELS, *SEQUENCE_MODELS])}")
    out = os.path.expanduser(args.out or os.path.join("runs", spec.name))
    present = [f for f in FILES if os.path.exists(os.path.join(out, f))]
    saved = None
    if args.resume:
        if "run.json" not in present or "model.safetensors" not in present:
            raise UsageError(f"nothing to resume in {out} (no run.json/model.safetensors); "
                             "train without --resume first, or pass the run's --out DIR")
        try:
            with open(os.path.join(out, "run.json")) as fh:
                saved = json.load(fh)
        except (OSError, ValueError) as e:
            raise UsageError(f"cannot read {os.path.join(out, 'run.json')} ({e}); "
                             "start a new run with --force or another --out") from None
        if saved.get("model") != spec.name:
            raise UsageError(f"{out} holds a run of {saved.get('model')!r}, not {spec.name!r}; "
                             f"pass `{PROG} {saved.get('model')} --resume` or another --out")
    elif present and not args.force:
        raise UsageError(f"{out} already holds a run ({', '.join(present)}); use --resume to "
                         "continue it, --force to overwrite it, or --out DIR for a new one")
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {out} exists and is not a folder; pass another --out DIR")
    old = (saved or {}).get("config", {})

    def pick(name):
        given = getattr(args, name)
        return given if given is not None else old.get(name, getattr(spec, name, None))

    cfg = {"lr": pick("lr"), "batch_size": pick("batch_size"), "limit": pick("limit"),
           "epochs": args.epochs or spec.epochs, "epochs_given": args.epochs is not None,
           "seed": pick("seed") if pick("seed") is not None else 0,
           "data": args.data, "download": args.download}
    return spec, out, cfg, saved


def train(args) -> int:
    device = resolve_device(args.device)
    if device.type != "cpu" and args.nproc and args.nproc > 1:
        raise UsageError(f"--device {args.device} with --nproc: the ranks train on the CPU "
                         "(gloo); use one of the two")
    _require_plot_extra()
    spec, out, cfg, saved = _resolve(args)
    import glasstorch as torch

    torch.manual_seed(cfg["seed"])
    variants = spec.build(cfg)
    if saved is not None:
        _load_state(out, variants, saved)
        torch.manual_seed(cfg["seed"] + sum(len(v.history) for v in variants))
    _to_device(variants, device)
    from .launch import distribute

    out = distribute(variants, cfg, out, args.nproc)
    created = not os.path.exists(out)
    os.makedirs(out, exist_ok=True)  # only now: bad input and missing data leave no trace
    print(f"{PROG} {spec.name}: {spec.title}; lr {cfg['lr']}, batch {cfg['batch_size']}, "
          f"{max(v.epochs for v in variants)} epochs"
          + (f", on {device}" if device.type != "cpu" else "")
          + (f", first {cfg['limit']} samples" if cfg["limit"] else "")
          + (f"; resuming at epoch {len(variants[0].history) + 1}" if saved else ""))
    interrupted = False
    try:
        for v in variants:
            _train_variant(spec, v, cfg, out, variants)
    except KeyboardInterrupt:
        interrupted = True
        print(f"\n{PROG}: interrupted", file=sys.stderr)
    if interrupted and not any(v.history for v in variants):
        print(f"{PROG}: no epoch finished; nothing saved in {out}", file=sys.stderr)
        if created and not os.listdir(out):
            os.rmdir(out)
        return 130
    _print_table(spec, variants)
    # Long epochs were checkpointed as each one ended: the files hold the last finished epoch,
    # not the half-trained weights of the interrupted one.
    if not (interrupted and any(_long_epochs(v) for v in variants)):
        _save(spec, out, cfg, variants)
    _plot(spec, variants, os.path.join(out, "curves.png"))
    _print_summary(spec, variants)
    print(f"saved {', '.join(FILES)} in {out}"
          + (f" (through epoch {max(len(v.history) for v in variants)}; --resume continues)"
             if interrupted else ""))
    return 130 if interrupted else 0


# ---- training --------------------------------------------------------------------------------
def _to_device(variants, device) -> None:
    """Each network onto ``device`` (in place: the optimizers keep their parameters) and the
    whole-set evaluation tensors with it; the loops move each batch as it comes."""
    for v in variants:
        v.device = device
        v.net.to(device)
        for name in ("eval_train", "eval_test"):
            pair = getattr(v, name)
            if pair is not None:
                setattr(v, name, tuple(t.to(device) for t in pair))


def _long_epochs(v) -> bool:
    """Epochs long enough for a progress bar (and a checkpoint) each; else one bar per variant."""
    return len(v.train_iter) >= 20


def _train_variant(spec, v, cfg, out, variants) -> None:
    from tqdm import tqdm

    import glasstorch as torch

    start = len(v.history)
    stop = start + v.epochs
    name = f"{v.label} " if v.label else ""
    per_epoch_bars = _long_epochs(v)
    outer = None if per_epoch_bars else tqdm(range(start, stop), desc=f"{name}epochs",
                                              unit="epoch", leave=True)
    for epoch in range(start, stop):
        tick = time.perf_counter()
        v.net.train()
        total_loss = total_right = count = 0.0
        bar = (tqdm(v.train_iter, desc=f"{name}epoch {epoch + 1}/{stop}", unit="batch",
                    leave=True) if per_epoch_bars else v.train_iter)
        for i, (X, y) in enumerate(bar):
            X, y = X.to(v.device), y.to(v.device)
            y_hat = (getattr(v, "ddp", None) or v.net)(X)
            loss = v.loss(y_hat, y)
            v.optimizer.zero_grad()
            loss.backward()
            v.optimizer.step()
            n = y.shape[0]
            total_loss += loss.item() * n
            count += n
            if spec.kind == "classify":
                total_right += (y_hat.argmax(1) == y).sum().item()
            if per_epoch_bars and (i % 10 == 0 or i == len(v.train_iter) - 1):
                post = {"loss": f"{total_loss / count:.4f}"}
                if spec.kind == "classify":
                    post["acc"] = f"{total_right / count:.3f}"
                bar.set_postfix(post, refresh=False)
        total_loss, total_right, count = sum_over_ranks(v, total_loss, total_right, count)
        row = {"epoch": epoch + 1}
        with torch.no_grad():
            v.net.eval()
            if spec.kind == "classify":
                row["train_loss"] = total_loss / count
                row["train_acc"] = total_right / count
                row["test_acc"] = _accuracy(v.net, v.test_iter, v.device)
            else:
                row["train_loss"] = v.loss(v.net(v.eval_train[0]), v.eval_train[1]).item()
                if v.eval_test is not None:
                    row["test_loss"] = v.loss(v.net(v.eval_test[0]), v.eval_test[1]).item()
        row["seconds"] = time.perf_counter() - tick
        v.history.append(row)
        if outer is not None:
            outer.update(1)
            outer.set_postfix({k: f"{row[k]:.4g}" for k in ("train_loss", "test_loss")
                               if k in row}, refresh=False)
        if per_epoch_bars:  # a checkpoint per long epoch, so an interrupted run can resume
            _save(spec, out, cfg, variants)
    if outer is not None:
        outer.close()


def _accuracy(net, loader, device) -> float:
    right = total = 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        right += (net(X).argmax(1) == y).sum().item()
        total += y.shape[0]
    return right / max(total, 1)


# ---- results ---------------------------------------------------------------------------------
COLUMNS = {"epoch": ("epoch", "{:d}"), "train_loss": ("train loss", "{:.4f}"),
           "train_acc": ("train acc", "{:.3f}"), "test_acc": ("test acc", "{:.3f}"),
           "test_loss": ("test loss", "{:.4f}"), "seconds": ("seconds", "{:.3g}")}


def _rows_to_show(history: list, at_most: int = 12) -> list:
    if len(history) <= at_most:
        return history
    step = -(-len(history) // (at_most - 1))
    return [r for i, r in enumerate(history) if (i + 1) % step == 0 or i == len(history) - 1]


def _print_table(spec, variants) -> None:
    for v in variants:
        if not v.history:
            continue
        keys = [k for k in COLUMNS if k in v.history[-1]]
        cells = [[COLUMNS[k][1].format(r[k]) for k in keys] for r in _rows_to_show(v.history)]
        heads = [COLUMNS[k][0] for k in keys]
        widths = [max(len(h), *(len(c[j]) for c in cells)) for j, h in enumerate(heads)]
        every = " (every few epochs; all in run.json)" if len(cells) < len(v.history) else ""
        print(f"\n{v.title or v.label or spec.name}{every}")
        print("  ".join(h.rjust(w) for h, w in zip(heads, widths)))
        for c in cells:
            print("  ".join(x.rjust(w) for x, w in zip(c, widths)))
    total = sum(r["seconds"] for v in variants for r in v.history)
    print(f"\ntotal {total:.1f} s")


def _print_summary(spec, variants) -> None:
    if spec.name == "linreg" and variants[0].history:
        lin = variants[0].net[0]
        w = [round(x, 4) for x in lin.weight.detach().reshape(-1).tolist()]
        print(f"w = {w} (true [2.0, -3.4]), b = {lin.bias.item():.4f} (true 4.2)")
    elif spec.name == "weight-decay":
        for v in variants:
            print(f"{v.label}: L2 norm of w = {v.net[0].weight.detach().norm().item():.4f}")
    elif spec.name == "polyfit":
        for v in variants:
            w = [round(x, 3) for x in v.net[0].weight.detach().reshape(-1).tolist()[:4]]
            print(f"{v.label}: first weights {w} (true [5.0, 1.2, -3.4, 5.6])")


def _save(spec, out, cfg, variants) -> None:
    import glasstorch as torch

    weights, optim_state = {}, {}
    for v in variants:
        prefix = f"{v.label}." if v.label else ""
        for k, t in v.net.state_dict().items():
            weights[prefix + k] = t
        optim_state[v.label or "model"] = v.optimizer.state_dict()
    torch.save(weights, os.path.join(out, "model.safetensors"))
    torch.save(optim_state, os.path.join(out, "optimizer.safetensors"))
    config = {k: cfg[k] for k in ("lr", "batch_size", "limit", "seed", "data")}
    run = {"model": spec.name, "config": config,
           "history": {v.label or "model": v.history for v in variants}}
    write_run_json(out, run)


def _load_state(out, variants, saved) -> None:
    import glasstorch as torch

    try:
        weights = torch.load(os.path.join(out, "model.safetensors"))
        optim_path = os.path.join(out, "optimizer.safetensors")
        optim_state = torch.load(optim_path) if os.path.exists(optim_path) else {}
        for v in variants:
            prefix = f"{v.label}." if v.label else ""
            v.net.load_state_dict({k[len(prefix):]: t for k, t in weights.items()
                                   if k.startswith(prefix)})
            key = v.label or "model"
            if key in optim_state:
                v.optimizer.load_state_dict(optim_state[key])
            v.history = list(saved.get("history", {}).get(key, []))
    except (RuntimeError, KeyError, ValueError) as e:
        raise UsageError(f"cannot resume from {out}: {' '.join(str(e).split())}; "
                         "start a new run with --force or another --out") from None


def _plot(spec, variants, path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3.8 * len(variants) if spec.kind == "regress" else 5, 3.5))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(variants) if spec.kind == "regress" else 1, squeeze=False)[0]
    for ax, v in zip(axes, variants):
        epochs = [r["epoch"] for r in v.history]
        if spec.kind == "classify":
            for key, style in (("train_loss", "-"), ("train_acc", "m--"), ("test_acc", "g-.")):
                ax.plot(epochs, [r[key] for r in v.history], style, label=COLUMNS[key][0])
            ax.set_ylim(0, max([1.0] + [r["train_loss"] for r in v.history]) * 1.05)
        else:
            for key, style in (("train_loss", "-"), ("test_loss", "m--")):
                if v.history and key in v.history[0]:
                    ax.semilogy(epochs, [r[key] for r in v.history], style,
                                label=COLUMNS[key][0])
        ax.set_xlabel("epoch")
        ax.set_title(v.title or v.label or spec.name, fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
