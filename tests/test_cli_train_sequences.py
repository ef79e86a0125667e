"""``glasstorch train rnn`` and ``glasstorch train transformer``: short runs, files, bad input."""

from __future__ import annotations

import json
import re

import pytest

import glasstorch
from glasstorch.cli import main

pytest.importorskip("matplotlib")
pytest.importorskip("safetensors")


def train(capsys, *args):
    code = main(["train", *args])
    out, err = capsys.readouterr()
    return code, out, err


def check_run(out_dir) -> dict:
    for name in ("model.safetensors", "run.json", "curves.png"):
        assert (out_dir / name).stat().st_size > 0, name
    with open(out_dir / "curves.png", "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    with open(out_dir / "run.json") as fh:
        return json.load(fh)


def test_rnn_trains_a_language_model_and_writes_a_sample(tmp_path, capsys):
    out_dir = tmp_path / "rnn"
    code, out, err = train(capsys, "rnn", "--epochs", "3", "--max-tokens", "3000", "--hiddens",
                           "32", "--out", str(out_dir))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("glasstorch train rnn: GRU language model, 32 hiddens")
    epochs = [line for line in lines if line.startswith("epoch ")]
    assert len(epochs) == 3
    ppl = [float(re.search(r"perplexity +([\d.]+)", line).group(1)) for line in epochs]
    assert ppl[-1] < ppl[0] < 28  # better than guessing among 28 characters, and improving
    sample = next(line for line in lines if line.startswith("sample: "))
    assert sample.startswith("sample: time traveller") and len(sample) == len("sample: ") + 64
    run = check_run(out_dir)
    assert run["model"] == "rnn" and len(run["history"]) == 3 and len(run["vocab"]) == 28
    weights = glasstorch.load(str(out_dir / "model.safetensors"))
    assert tuple(weights["rnn.weight_hh_l0"].shape) == (96, 32)
    assert tuple(weights["linear.weight"].shape) == (28, 32)


def test_rnn_with_an_lstm_of_two_layers(tmp_path, capsys):
    code, out, err = train(capsys, "rnn", "--cell", "lstm", "--layers", "2", "--epochs", "1",
                           "--max-tokens", "1500", "--hiddens", "16", "--prefix", "the",
                           "--out", str(tmp_path / "o"))
    assert code == 0, err
    assert "LSTM language model, 16 hiddens × 2 layer(s)" in out
    assert "sample: the" in out
    weights = glasstorch.load(str(tmp_path / "o" / "model.safetensors"))
    assert "rnn.weight_ih_l1" in weights


def test_transformer_learns_to_reverse(tmp_path, capsys):
    out_dir = tmp_path / "t"
    code, out, err = train(capsys, "transformer", "--epochs", "4", "--examples", "300",
                           "--hiddens", "16", "--heads", "2", "--layers", "1",
                           "--out", str(out_dir))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("glasstorch train transformer: task reverse, 300 training pairs")
    losses = [float(re.search(r"loss ([\d.]+)", s).group(1)) for s in lines
              if s.startswith("epoch ")]
    assert len(losses) == 4 and losses[-1] < losses[0]
    assert re.search(r"held-out: \d+/100 exact, mean bleu [01]\.\d{3}", out)
    run = check_run(out_dir)
    assert run["config"]["task"] == "reverse" and len(run["samples"]) == 100
    assert run["src_vocab"][:4] == ["<unk>", "<pad>", "<bos>", "<eos>"]
    sample = run["samples"][0]
    assert sorted(sample["source"].split()) == sorted(sample["target"].split())
    assert sample["target"] == " ".join(reversed(sample["source"].split()))
    weights = glasstorch.load(str(out_dir / "model.safetensors"))
    assert "encoder.blks.block0.attention.W_q.weight" in weights
    assert "decoder.blks.block0.attention2.W_o.weight" in weights


def test_transformer_translate_needs_the_books_corpus(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GLASSTORCH_OFFLINE", "1")
    monkeypatch.setenv("GLASSTORCH_D2L_DATA", str(tmp_path / "none"))
    code, out, err = train(capsys, "transformer", "--task", "translate", "--out",
                           str(tmp_path / "o"))
    assert code == 1
    assert err.startswith("glasstorch train transformer: read_data_nmt:")
    assert "../data/fra-eng.zip" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("args, words", [
    (["rnn", "--epochs", "0"], "--epochs: must be a positive integer, got '0'"),
    (["rnn", "--cell", "tcn"], "invalid choice: 'tcn'"),
    (["rnn", "--max-tokens", "500"], "--max-tokens 500 is too few for one minibatch of 32"),
    (["transformer", "--hiddens", "30", "--heads", "4"], "not a multiple of --heads 4"),
    (["transformer", "--dropout", "1.5"], "--dropout must be in [0, 1)"),
    (["transformer", "--task", "copy"], "invalid choice: 'copy'"),
])
def test_bad_input_is_one_line(tmp_path, capsys, args, words):
    code, out, err = train(capsys, *args, "--out", str(tmp_path / "o"))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"glasstorch train {args[0]}: ")
    assert words in lines[0]
    assert not (tmp_path / "o").exists()


def test_an_existing_run_is_kept(tmp_path, capsys):
    args = ["rnn", "--epochs", "1", "--max-tokens", "800", "--batch-size", "4", "--hiddens", "8",
            "--out",
            str(tmp_path / "o")]
    assert train(capsys, *args)[0] == 0
    code, out, err = train(capsys, *args)
    assert code == 2 and "already holds a run" in err and "--force" in err
    assert train(capsys, *args, "--force")[0] == 0


def test_train_help_lists_the_sequence_models(capsys):
    assert main(["train", "--help"]) == 0
    out = capsys.readouterr().out
    assert "rnn (" in out and "transformer (" in out
    assert main(["train", "rnn", "--help"]) == 0
    assert "--cell" in capsys.readouterr().out
