"""``glasstorch train MODEL``: files written, resume, --force, and one-line bad-input messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import glasstorch
from glasstorch.cli import main

pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")

FASHION = "/usr/share/datasets/fashion-mnist"
needs_fashion = pytest.mark.skipif(not os.path.isdir(FASHION),
                                   reason="Fashion-MNIST (dataset-fashion-mnist) not installed")


def train(capsys, *args):
    code = main(["train", *args])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("glasstorch train: ")
    return lines[0]


def history(out_dir) -> dict:
    with open(out_dir / "run.json") as fh:
        return json.load(fh)


def check_files(out_dir):
    for name in ("model.safetensors", "optimizer.safetensors", "run.json", "curves.png"):
        assert (out_dir / name).stat().st_size > 0, name
    with open(out_dir / "curves.png", "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    return glasstorch.load(str(out_dir / "model.safetensors"))


def test_linreg_writes_the_run(tmp_path, capsys):
    out = tmp_path / "lin"
    code, stdout, _ = train(capsys, "linreg", "--epochs", "1", "--out", str(out))
    assert code == 0
    weights = check_files(out)
    assert sorted(weights) == ["0.bias", "0.weight"]
    assert tuple(weights["0.weight"].shape) == (1, 2)
    run = history(out)
    assert run["model"] == "linreg" and run["config"]["lr"] == 0.03
    assert [r["epoch"] for r in run["history"]["model"]] == [1]
    assert "epoch" in stdout and "train loss" in stdout and "true [2.0, -3.4]" in stdout


def test_resume_continues_epochs_and_history(tmp_path, capsys):
    out = tmp_path / "lin"
    assert train(capsys, "linreg", "--epochs", "2", "--lr", "0.01", "--out", str(out))[0] == 0
    first = history(out)["history"]["model"]
    before = glasstorch.load(str(out / "model.safetensors"))["0.weight"].clone()
    code, stdout, _ = train(capsys, "linreg", "--resume", "--epochs", "1", "--out", str(out))
    assert code == 0 and "resuming at epoch 3" in stdout
    run = history(out)
    assert [r["epoch"] for r in run["history"]["model"]] == [1, 2, 3]
    assert run["history"]["model"][:2] == first
    assert run["config"]["lr"] == 0.01          # the saved run's settings carry over
    after = glasstorch.load(str(out / "model.safetensors"))["0.weight"]
    assert not glasstorch.equal(before, after)  # training went on from the saved weights


def interrupt_after(monkeypatch, model: str, calls: int):
    """Make ``model``'s loss raise KeyboardInterrupt (Ctrl-C) at its ``calls``-th call."""
    from glasstorch.cli.models import MODELS

    spec = MODELS[model]
    build = spec.build
    count = [0]

    def interrupting_build(cfg):
        variants = build(cfg)
        for v in variants:
            loss = v.loss

            def ctrl_c(*a, loss=loss):
                count[0] += 1
                if count[0] == calls:
                    raise KeyboardInterrupt
                return loss(*a)
            v.loss = ctrl_c
        return variants
    monkeypatch.setattr(spec, "build", interrupting_build)


def test_ctrl_c_keeps_the_last_finished_epoch(tmp_path, capsys, monkeypatch):
    out = tmp_path / "lin"
    interrupt_after(monkeypatch, "linreg", 150)   # 100 batches per epoch: mid-epoch 2
    code, stdout, err = train(capsys, "linreg", "--out", str(out))
    assert code == 130 and "interrupted" in err
    assert [r["epoch"] for r in history(out)["history"]["model"]] == [1]
    check_files(out)
    monkeypatch.undo()
    assert train(capsys, "linreg", "--resume", "--epochs", "1", "--out", str(out))[0] == 0
    assert [r["epoch"] for r in history(out)["history"]["model"]] == [1, 2]


def test_ctrl_c_in_the_first_epoch_leaves_nothing(tmp_path, capsys, monkeypatch):
    interrupt_after(monkeypatch, "linreg", 5)
    code, _, err = train(capsys, "linreg", "--out", str(tmp_path / "lin"))
    assert code == 130 and "nothing saved" in err
    assert not (tmp_path / "lin").exists()


def test_existing_run_is_not_overwritten_without_force(tmp_path, capsys):
    out = tmp_path / "lin"
    assert train(capsys, "linreg", "--epochs", "1", "--out", str(out))[0] == 0
    saved = {p.name: p.read_bytes() for p in out.iterdir()}
    code, _, err = train(capsys, "linreg", "--epochs", "1", "--seed", "5", "--out", str(out))
    assert code == 2
    line = one_line_error(err)
    assert "already holds a run" in line and "--force" in line and "--resume" in line
    assert {p.name: p.read_bytes() for p in out.iterdir()} == saved
    code, _, _ = train(capsys, "linreg", "--epochs", "2", "--force", "--out", str(out))
    assert code == 0
    assert len(history(out)["history"]["model"]) == 2


def test_resume_without_a_run_or_of_another_model(tmp_path, capsys):
    code, _, err = train(capsys, "linreg", "--resume", "--out", str(tmp_path / "none"))
    assert code == 2 and "nothing to resume" in one_line_error(err)
    out = tmp_path / "lin"
    assert train(capsys, "linreg", "--epochs", "1", "--out", str(out))[0] == 0
    code, _, err = train(capsys, "polyfit", "--resume", "--out", str(out))
    assert code == 2 and "holds a run of 'linreg'" in one_line_error(err)


@pytest.mark.parametrize("args, words", [
    (["vit"], "unknown model 'vit'"),
    (["mlp", "--epochs", "0"], "--epochs: must be a positive integer, got '0'"),
    (["mlp", "--lr", "fast"], "--lr: must be a positive number, got 'fast'"),
    (["mlp", "--lr", "nan"], "--lr: must be a positive number"),
    (["mlp", "--batch-size", "-3"], "--batch-size: must be a positive integer"),
    (["mlp", "--limit", "1.5"], "--limit: must be a positive integer"),
    (["mlp", "--bogus"], "unrecognized arguments: --bogus"),
    (["mlp", "--device", "gpu0"], "--device 'gpu0' is not a device"),
    (["mlp", "--device", "mps"], "glasstorch trains on cpu or cuda, not mps"),
    ([], "required: MODEL"),
])
def test_bad_input_is_one_line(tmp_path, capsys, args, words):
    code, stdout, err = train(capsys, *args, *(["--out", str(tmp_path / "o")] if args else []))
    assert code == 2
    assert words in one_line_error(err)
    assert not (tmp_path / "o").exists()


@pytest.mark.skipif(glasstorch.cuda.is_available(), reason="a GPU is there")
@pytest.mark.parametrize("model", ["lenet", "rnn", "transformer"])
def test_device_cuda_without_a_gpu_is_one_line(tmp_path, capsys, model):
    code, stdout, err = train(capsys, model, "--device", "cuda", "--out", str(tmp_path / "o"))
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith(f"glasstorch train{'' if model == 'lenet' else ' ' + model}: ")
    assert "--device cuda: no CUDA GPU is available" in lines[0]
    assert "pip install 'glasstorch[cuda]'" in lines[0]
    assert not (tmp_path / "o").exists()


def test_regression_models_with_variants(tmp_path, capsys):
    for model, labels in (("weight-decay", ["wd0", "wd3"]),
                          ("polyfit", ["degree1", "degree3", "degree19"])):
        out = tmp_path / model
        code, stdout, _ = train(capsys, model, "--epochs", "2", "--limit", "10", "--out", str(out))
        assert code == 0
        weights = check_files(out)
        assert sorted({k.split(".")[0] for k in weights}) == sorted(labels)
        run = history(out)
        assert sorted(run["history"]) == sorted(labels)
        for rows in run["history"].values():
            assert [r["epoch"] for r in rows] == [1, 2]
            assert {"train_loss", "test_loss", "seconds"} <= set(rows[0])
    assert tuple(weights["degree19.0.weight"].shape) == (1, 20)


@needs_fashion
@pytest.mark.parametrize("model", ["softmax", "mlp", "dropout"])
def test_fashion_models(tmp_path, capsys, model):
    out = tmp_path / model
    code, stdout, _ = train(capsys, model, "--epochs", "1", "--limit", "512",
                            "--data", str(tmp_path / "data"), "--out", str(out))
    assert code == 0
    weights = check_files(out)
    row = history(out)["history"]["model"][0]
    assert 0 <= row["train_acc"] <= 1 and 0 <= row["test_acc"] <= 1 and row["train_loss"] > 0
    assert "test acc" in stdout
    from glasstorch.cli.models import MODELS

    glasstorch.manual_seed(0)
    net = MODELS[model].build({"data": str(tmp_path / "data"), "batch_size": 256, "limit": 8,
                               "lr": 0.1, "epochs": 1, "epochs_given": True,
                               "download": False})[0].net
    net.load_state_dict(weights)  # the saved weights fit a fresh model of the same kind


@needs_fashion
def test_fashion_resume_keeps_optimizer_state(tmp_path, capsys):
    out = tmp_path / "mlp"
    args = ["--limit", "256", "--data", str(tmp_path / "data"), "--out", str(out)]
    assert train(capsys, "mlp", "--epochs", "1", *args)[0] == 0
    assert train(capsys, "mlp", "--epochs", "1", "--resume", *args)[0] == 0
    assert [r["epoch"] for r in history(out)["history"]["model"]] == [1, 2]
    state = glasstorch.load(str(out / "optimizer.safetensors"))["model"]
    assert state["param_groups"][0]["lr"] == 0.1


def test_corrupt_data_is_one_line_and_kept(tmp_path, capsys):
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    bad = raw / "train-images-idx3-ubyte.gz"
    bad.write_bytes(b"not a gzip file")
    code, _, err = train(capsys, "softmax", "--epochs", "1", "--data", str(tmp_path / "data"),
                         "--out", str(tmp_path / "o"))
    assert code == 1
    *linked, last = err.strip().splitlines()  # the labels file linked from Debian's copy first
    assert all(line.startswith("Using /") for line in linked), err
    assert last.startswith("glasstorch train: ") and "train-images-idx3-ubyte" in last
    assert bad.read_bytes() == b"not a gzip file"


def test_missing_data_is_one_line(tmp_path, capsys, monkeypatch):
    from glasstorch.cli import models

    monkeypatch.setattr(models, "DEBIAN_FASHION_MNIST", str(tmp_path / "no-package"))
    try:
        from glasstorch.vision.datasets import FashionMNIST
    except ImportError:
        pass
    else:
        monkeypatch.setattr(FashionMNIST, "system_folders", (str(tmp_path / "no-package"),))
    code, _, err = train(capsys, "mlp", "--data", str(tmp_path / "data"),
                         "--out", str(tmp_path / "o"))
    assert code == 1
    line = one_line_error(err)
    assert "not found" in line and "dataset-fashion-mnist" in line
    assert not (tmp_path / "o" / "model.safetensors").exists()


def test_missing_plot_extra(tmp_path):
    code = ("import sys; sys.modules['matplotlib'] = None; from glasstorch.cli import main; "
            f"sys.exit(main(['train', 'linreg', '--out', {str(tmp_path / 'o')!r}]))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 2
    line = res.stderr.strip()
    assert "\n" not in line and "matplotlib" in line and "glasstorch[plot,io]" in line
    assert not (tmp_path / "o").exists()


def test_missing_io_extra(tmp_path):
    code = ("import sys; sys.modules['safetensors'] = None; from glasstorch.cli import main; "
            f"sys.exit(main(['train', 'linreg', '--out', {str(tmp_path / 'o')!r}]))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 2
    line = res.stderr.strip()
    assert "\n" not in line and "safetensors" in line and "glasstorch[plot,io]" in line
    assert not (tmp_path / "o").exists()


def test_command_line_entry_and_help(tmp_path):
    res = subprocess.run([sys.executable, "-m", "glasstorch", "train", "linreg", "--epochs", "1",
                          "--out", str(tmp_path / "o")], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert "saved model.safetensors" in res.stdout
    res = subprocess.run([sys.executable, "-m", "glasstorch", "--help"], capture_output=True,
                         text=True, timeout=60)
    assert "train" in res.stdout and "compare" in res.stdout


def test_train_help_lists_models(capsys):
    assert main(["train", "--help"]) == 0
    out = capsys.readouterr().out
    for name in ("linreg", "softmax", "mlp", "dropout", "weight-decay", "polyfit", "lenet",
                 "resnet", "--resume"):
        assert name in out


def test_long_histories_are_thinned_in_the_table():
    from glasstorch.cli.train import _rows_to_show

    rows = [{"epoch": i} for i in range(1, 1501)]
    shown = [r["epoch"] for r in _rows_to_show(rows)]
    assert len(shown) <= 12 and shown[-1] == 1500 and shown == sorted(shown)
    assert _rows_to_show(rows[:12]) == rows[:12]


# --- chapter 6-7 models: LeNet and the small ResNet ------------------------------------------

@needs_fashion
@pytest.mark.parametrize("model", ["lenet", "resnet"])
def test_cnn_models_train_save_and_resume(tmp_path, capsys, model):
    out = tmp_path / model
    args = ["--limit", "64", "--batch-size", "32", "--data", str(tmp_path / "data"),
            "--out", str(out)]
    code, stdout, _ = train(capsys, model, "--epochs", "1", *args)
    assert code == 0 and "test acc" in stdout
    weights = check_files(out)
    row = history(out)["history"]["model"][0]
    assert 0 <= row["train_acc"] <= 1 and 0 <= row["test_acc"] <= 1 and row["train_loss"] > 0
    code, stdout, _ = train(capsys, model, "--epochs", "1", "--resume", *args)
    assert code == 0 and "resuming at epoch 2" in stdout
    assert [r["epoch"] for r in history(out)["history"]["model"]] == [1, 2]
    after = glasstorch.load(str(out / "model.safetensors"))
    assert sorted(after) == sorted(weights)
    assert any(not glasstorch.equal(weights[k], after[k]) for k in weights)


def test_lenet_is_the_books(torch):
    from glasstorch.cli.models import MODELS, lenet

    assert MODELS["lenet"].lr == 0.9 and MODELS["lenet"].batch_size == 256
    assert MODELS["lenet"].epochs == 10
    nn = torch.nn
    book = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(2, stride=2), nn.Flatten(),
        nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
    assert repr(lenet()) == repr(book)


def test_small_resnet_shapes():
    from glasstorch.cli.models import small_resnet
    from glasstorch.d2l import Residual

    net = small_resnet()
    X = glasstorch.zeros((2, 1, 28, 28))
    shapes = []
    for layer in net:
        X = layer(X)
        shapes.append(tuple(X.shape))
    assert shapes == [(2, 32, 7, 7), (2, 32, 7, 7), (2, 64, 4, 4), (2, 128, 2, 2),
                      (2, 256, 1, 1), (2, 256, 1, 1), (2, 256), (2, 10)]
    assert sum(isinstance(m, Residual) for m in net.modules()) == 8


def test_polyfit_default_teaches_the_lesson_and_times_its_epochs(tmp_path, capsys):
    """d2l 4.4's point: the degree-3 fit generalises best, the degree-19 one overfits (lower
    train loss than its test loss), degree 1 underfits; and the seconds are measured, not 0."""
    code, stdout, _ = train(capsys, "polyfit", "--out", str(tmp_path / "o"))
    assert code == 0
    runs = history(tmp_path / "o")["history"]
    test_loss = {label: rows[-1]["test_loss"] for label, rows in runs.items()}
    assert test_loss["degree3"] < test_loss["degree19"] < test_loss["degree1"], test_loss
    assert test_loss["degree3"] < 0.02  # the noise's variance is 0.01
    assert [len(runs[k]) for k in ("degree1", "degree3", "degree19")] == [400, 1500, 1500]
    seconds = [ln.split()[-1] for ln in stdout.splitlines() if ln[:5].strip().isdigit()]
    assert seconds and any(float(s) > 0 for s in seconds), stdout
