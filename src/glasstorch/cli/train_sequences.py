"""``glasstorch train rnn`` and ``glasstorch train transformer``: d2l's sequence models (ch. 8-10).

    glasstorch train rnn                          # GRU language model on The Time Machine
    glasstorch train rnn --cell lstm --epochs 50  # an LSTM instead, 50 epochs
    glasstorch train transformer                  # Transformer encoder-decoder: reverse letters
    glasstorch train transformer --task translate # English → French (needs the book's fra-eng.zip)

``rnn`` trains d2l 8.6/9.1's character-level language model (``d2l.RNNModel`` around an
``nn.GRU``, ``nn.LSTM`` or ``nn.RNN``) on the first ``--max-tokens`` characters of *The Time
Machine* (shipped with glasstorch) with ``train_ch8``'s recipe: sequential minibatches with the
state carried over, SGD, gradients clipped to norm 1. Each epoch prints the perplexity and the
speed; the end prints text the model generates after ``--prefix``.

``transformer`` trains d2l 10.7's Transformer encoder-decoder with ``train_seq2seq``'s recipe
(Adam, teacher forcing, masked cross-entropy, gradient clipping) on a task generated offline:
``reverse`` (write a sequence of letters backwards) or ``sort`` (in alphabetical order); or on
the book's English-French pairs with ``--task translate``. Each epoch prints the loss per token;
the end translates held-out examples and reports their exact-match rate and BLEU.

Both write into ``--out`` (default ``runs/MODEL``): ``model.safetensors`` (the weights),
``run.json`` (configuration, vocabulary, per-epoch history, the final samples) and ``curves.png``.
An existing run is kept unless ``--force`` is given. ``--device cuda`` trains on a GPU (the
network with ``net.to(device)``, each batch with ``.to(device)``, as d2l's loops do).
"""

from __future__ import annotations

import argparse
import math
import os
import random
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

MODELS = {"rnn": "character-level RNN language model on The Time Machine (d2l 8-9)",
          "transformer": "Transformer encoder-decoder on a small sequence task (d2l 10.7)"}
FILES = ("model.safetensors", "run.json", "curves.png")


def make_parser(model: str) -> argparse.ArgumentParser:
    prog = f"glasstorch train {model}"
    p = OneLineParser(prog=prog, description=f"Train d2l's {MODELS[model]} and save it.")
    p.add_argument("model", metavar="MODEL", help=model)
    p.add_argument("--epochs", type=positive(int), help="epochs to train")
    p.add_argument("--lr", type=positive(float), help="learning rate")
    p.add_argument("--batch-size", type=positive(int), help="minibatch size")
    p.add_argument("--num-steps", type=positive(int), help="time steps per sequence")
    p.add_argument("--hiddens", type=positive(int), help="hidden units")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", metavar="DIR", help=f"where the run is written (default runs/{model})")
    p.add_argument("--force", action="store_true", help="overwrite an existing run in --out")
    add_device_option(p)
    if model == "rnn":
        p.add_argument("--cell", choices=("gru", "lstm", "rnn"), default="gru",
                       help="recurrent layer (default gru)")
        p.add_argument("--layers", type=positive(int), default=1, help="stacked layers")
        p.add_argument("--max-tokens", type=positive(int), default=10000,
                       help="characters of the book to train on (default 10000, as d2l)")
        p.add_argument("--prefix", default="time traveller",
                       help="text the final sample starts from (default 'time traveller')")
    else:
        p.add_argument("--task", choices=("reverse", "sort", "translate"), default="reverse",
                       help="reverse or sort letter sequences (generated), or translate English "
                            "to French (the book's fra-eng.zip)")
        p.add_argument("--examples", type=positive(int), default=2000,
                       help="training examples (default 2000; translate: 600 as d2l)")
        p.add_argument("--layers", type=positive(int), default=2, help="blocks (default 2)")
        p.add_argument("--heads", type=positive(int), default=4, help="heads (default 4)")
        p.add_argument("--dropout", type=float, help="dropout (default 0; translate: 0.1 as d2l)")
    return p


def main(argv: list[str]) -> int:
    model = argv[0] if argv else ""
    if model not in MODELS:
        raise ValueError(f"train_sequences.main: not a sequence model: {model!r}")
    body = train_rnn if model == "rnn" else train_transformer
    return run_command(f"glasstorch train {model}", make_parser(model), argv, body,
                       errors={FileNotFoundError: 1})


def _prepare_out(args) -> str:
    out = os.path.expanduser(args.out or os.path.join("runs", args.model))
    present = [f for f in FILES if os.path.exists(os.path.join(out, f))]
    if present and not args.force:
        raise UsageError(f"{out} already holds a run ({', '.join(present)}); use --force to "
                         "overwrite it, or --out DIR for a new one")
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {out} exists and is not a folder; pass another --out DIR")
    for name in ("matplotlib", "safetensors"):
        try:
            __import__(name)
        except ImportError:
            raise UsageError(f"needs {name} (the `plot` and `io` extras), not installed: run "
                             "`pip install 'glasstorch[plot,io]'`") from None
    return out


def _save(out, net, run: dict, curve_key: str, ylabel: str) -> None:
    import glasstorch as torch

    os.makedirs(out, exist_ok=True)
    torch.save(net.state_dict(), os.path.join(out, "model.safetensors"))
    write_run_json(out, run)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 3.5))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    history = run["history"]
    ax.semilogy([r["epoch"] for r in history], [r[curve_key] for r in history], "-")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(f"glasstorch train {run['model']}", fontsize=10)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "curves.png"), dpi=100)


# ---- rnn ---------------------------------------------------------------------------------------

def train_rnn(args) -> int:
    import glasstorch as torch
    from glasstorch import d2l, nn

    device = resolve_device(args.device)
    out = _prepare_out(args)
    epochs, lr = args.epochs or 100, args.lr or 1.0
    batch_size, num_steps = args.batch_size or 32, args.num_steps or 35
    hiddens = args.hiddens or 256
    if args.max_tokens <= batch_size * (num_steps + 1):
        raise UsageError(f"--max-tokens {args.max_tokens} is too few for one minibatch of "
                         f"{batch_size} × {num_steps} steps; use more tokens or a smaller "
                         "--batch-size/--num-steps")
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    train_iter, vocab = d2l.load_data_time_machine(batch_size, num_steps,
                                                   max_tokens=args.max_tokens)
    layer = {"gru": nn.GRU, "lstm": nn.LSTM, "rnn": nn.RNN}[args.cell]
    net = d2l.RNNModel(layer(len(vocab), hiddens, num_layers=args.layers), len(vocab))
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr)
    loss = nn.CrossEntropyLoss()
    print(f"glasstorch train rnn: {args.cell.upper()} language model, {hiddens} hiddens × "
          f"{args.layers} layer(s), on {len(train_iter.corpus)} characters of The Time Machine "
          f"(vocabulary {len(vocab)}); lr {lr}, batch {batch_size} × {num_steps} steps, "
          f"{epochs} epochs" + (f", on {device}" if device.type != "cpu" else ""))
    history = []
    try:
        for epoch in range(epochs):
            tick = time.perf_counter()
            net.train()
            ppl, speed = d2l.train_epoch_ch8(net, train_iter, loss, optimizer, device, False)
            history.append({"epoch": epoch + 1, "perplexity": ppl, "tokens_per_s": speed,
                            "seconds": time.perf_counter() - tick})
            print(f"epoch {epoch + 1:>{len(str(epochs))}}/{epochs}  perplexity {ppl:8.3f}  "
                  f"{speed:9.1f} tokens/s", flush=True)
    except KeyboardInterrupt:
        print("glasstorch train rnn: interrupted", file=sys.stderr)
        if not history:
            return 130
    net.eval()
    with torch.no_grad():
        sample = d2l.predict_ch8(args.prefix, 50, net, vocab, device)
    print(f"sample: {sample}")
    config = {"cell": args.cell, "hiddens": hiddens, "layers": args.layers, "lr": lr,
              "batch_size": batch_size, "num_steps": num_steps, "max_tokens": args.max_tokens,
              "seed": args.seed}
    _save(out, net, {"model": "rnn", "config": config, "vocab": vocab.idx_to_token,
                     "history": history, "sample": sample}, "perplexity", "perplexity")
    print(f"saved {', '.join(FILES)} in {out}")
    return 130 if len(history) < epochs else 0


# ---- transformer -------------------------------------------------------------------------------

def _decoder_classes():
    """d2l 10.7's Transformer decoder (the book defines it in the chapter, not in ``d2l``)."""
    import glasstorch as torch
    from glasstorch import d2l, nn

    class DecoderBlock(nn.Module):
        """Masked self-attention, encoder-decoder attention and a feed-forward network, each
        followed by AddNorm. ``state[2][i]`` keeps block ``i``'s inputs decoded so far (used as
        keys and values when predicting one token at a time)."""

        def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout, i):
            super().__init__()
            self.i = i
            h = num_hiddens
            self.attention1 = d2l.MultiHeadAttention(h, h, h, h, num_heads, dropout)
            self.addnorm1 = d2l.AddNorm(h, dropout)
            self.attention2 = d2l.MultiHeadAttention(h, h, h, h, num_heads, dropout)
            self.addnorm2 = d2l.AddNorm(h, dropout)
            self.ffn = d2l.PositionWiseFFN(h, ffn_num_hiddens, h)
            self.addnorm3 = d2l.AddNorm(h, dropout)

        def forward(self, X, state):
            enc_outputs, enc_valid_lens = state[0], state[1]
            past = state[2][self.i]
            key_values = X if past is None else torch.cat((past, X), dim=1)
            state[2][self.i] = key_values
            if self.training:  # position t may attend to positions 1..t only
                batch_size, num_steps, _ = X.shape
                dec_valid_lens = torch.arange(1, num_steps + 1,
                                              device=X.device).repeat(batch_size, 1)
            else:  # one step at a time: everything decoded so far is in the past
                dec_valid_lens = None
            Y = self.addnorm1(X, self.attention1(X, key_values, key_values, dec_valid_lens))
            Z = self.addnorm2(Y, self.attention2(Y, enc_outputs, enc_outputs, enc_valid_lens))
            return self.addnorm3(Z, self.ffn(Z)), state

    class TransformerDecoder(d2l.AttentionDecoder):
        def __init__(self, vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_layers,
                     dropout):
            super().__init__()
            self.num_hiddens, self.num_layers = num_hiddens, num_layers
            self.embedding = nn.Embedding(vocab_size, num_hiddens)
            self.pos_encoding = d2l.PositionalEncoding(num_hiddens, dropout)
            self.blks = nn.Sequential()
            for i in range(num_layers):
                self.blks.add_module(f"block{i}", DecoderBlock(
                    num_hiddens, ffn_num_hiddens, num_heads, dropout, i))
            self.dense = nn.Linear(num_hiddens, vocab_size)

        def init_state(self, enc_outputs, enc_valid_lens, *args):
            return [enc_outputs, enc_valid_lens, [None] * self.num_layers]

        def forward(self, X, state):
            X = self.pos_encoding(self.embedding(X) * math.sqrt(self.num_hiddens))
            self._attention_weights = [[None] * len(self.blks) for _ in range(2)]
            for i, blk in enumerate(self.blks):
                X, state = blk(X, state)
                self._attention_weights[0][i] = blk.attention1.attention.attention_weights
                self._attention_weights[1][i] = blk.attention2.attention.attention_weights
            return self.dense(X), state

        @property
        def attention_weights(self):
            return self._attention_weights

    return DecoderBlock, TransformerDecoder


def _letter_task(task: str, n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``n`` pairs of a random letter sequence (a-j, 3-8 letters) and its reverse or sort."""
    pairs = []
    for _ in range(n):
        seq = [rng.choice("abcdefghij") for _ in range(rng.randint(3, 8))]
        target = seq[::-1] if task == "reverse" else sorted(seq)
        pairs.append((" ".join(seq), " ".join(target)))
    return pairs


def _task_data(args, num_steps: int, rng: random.Random):
    """``(train_pairs, test_pairs)`` as lists of (source, target) strings."""
    from glasstorch import d2l

    if args.task != "translate":
        pairs = _letter_task(args.task, args.examples + 100, rng)
        return pairs[:args.examples], pairs[args.examples:]
    text = d2l.preprocess_nmt(d2l.read_data_nmt())
    source, target = d2l.tokenize_nmt(text, args.examples)
    pairs = [(" ".join(s), " ".join(t)) for s, t in zip(source, target)]
    return pairs, pairs[:: max(len(pairs) // 20, 1)][:20]  # (the book checks training pairs)


def train_transformer(args) -> int:
    import glasstorch as torch
    from glasstorch import d2l

    device = resolve_device(args.device)
    out = _prepare_out(args)
    translate = args.task == "translate"
    if translate and args.examples == 2000:
        args.examples = 600  # d2l's defaults for the English-French pairs
    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    num_steps = args.num_steps or 10
    hiddens, heads = args.hiddens or 32, args.heads
    if hiddens % heads:
        raise UsageError(f"--hiddens {hiddens} is not a multiple of --heads {heads}; each head "
                         f"gets hiddens / heads units")
    epochs = args.epochs or (200 if translate else 20)
    lr, batch_size = args.lr or (0.005 if translate else 0.01), args.batch_size or 64
    dropout = args.dropout if args.dropout is not None else (0.1 if translate else 0.0)
    if not 0 <= dropout < 1:
        raise UsageError(f"--dropout must be in [0, 1), got {dropout}")
    train_pairs, test_pairs = _task_data(args, num_steps, rng)
    reserved = ["<pad>", "<bos>", "<eos>"]
    src_vocab = d2l.Vocab([s.split(" ") for s, _ in train_pairs], reserved_tokens=reserved)
    tgt_vocab = d2l.Vocab([t.split(" ") for _, t in train_pairs], reserved_tokens=reserved)
    src, src_len = d2l.build_array_nmt([s.split(" ") for s, _ in train_pairs], src_vocab,
                                       num_steps)
    tgt, tgt_len = d2l.build_array_nmt([t.split(" ") for _, t in train_pairs], tgt_vocab,
                                       num_steps)
    train_iter = d2l.load_array((src, src_len, tgt, tgt_len), batch_size)
    _, TransformerDecoder = _decoder_classes()
    ffn_hiddens = 2 * hiddens
    encoder = d2l.TransformerEncoder(len(src_vocab), hiddens, hiddens, hiddens, hiddens,
                                     [hiddens], hiddens, ffn_hiddens, heads, args.layers, dropout)
    decoder = TransformerDecoder(len(tgt_vocab), hiddens, ffn_hiddens, heads, args.layers,
                                 dropout)
    net = d2l.EncoderDecoder(encoder, decoder)
    net.to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    loss = d2l.MaskedSoftmaxCELoss()
    bos = tgt_vocab["<bos>"]
    print(f"glasstorch train transformer: task {args.task}, {len(train_pairs)} training pairs "
          f"(vocabularies {len(src_vocab)}/{len(tgt_vocab)}); {args.layers} blocks, {heads} "
          f"heads, {hiddens} hiddens, dropout {dropout}; lr {lr}, batch {batch_size}, "
          f"{epochs} epochs" + (f", on {device}" if device.type != "cpu" else ""))
    history = []
    try:
        for epoch in range(epochs):
            tick = time.perf_counter()
            net.train()
            total, tokens = 0.0, 0.0
            for batch in train_iter:
                X, X_len, Y, Y_len = [t.to(device) for t in batch]
                optimizer.zero_grad()
                dec_input = torch.cat([torch.full((Y.shape[0], 1), bos, device=device),
                                       Y[:, :-1]], 1)
                Y_hat, _ = net(X, dec_input, X_len)
                l = loss(Y_hat, Y, Y_len)
                l.sum().backward()
                d2l.grad_clipping(net, 1)
                optimizer.step()
                total += l.sum().item()
                tokens += Y_len.sum().item()
            seconds = time.perf_counter() - tick
            history.append({"epoch": epoch + 1, "loss": total / tokens,
                            "tokens_per_s": tokens / seconds, "seconds": seconds})
            print(f"epoch {epoch + 1:>{len(str(epochs))}}/{epochs}  loss {total / tokens:.4f}  "
                  f"{tokens / seconds:9.1f} tokens/s", flush=True)
    except KeyboardInterrupt:
        print("glasstorch train transformer: interrupted", file=sys.stderr)
        if not history:
            return 130
    samples, exact, bleu_sum = [], 0, 0.0
    with torch.no_grad():
        for source, target in test_pairs:
            pred, _ = d2l.predict_seq2seq(net, source, src_vocab, tgt_vocab, num_steps,
                                          device)
            score = d2l.bleu(pred, target, k=2) if pred else 0.0
            exact += pred == target
            bleu_sum += score
            samples.append({"source": source, "target": target, "prediction": pred,
                            "bleu": score})
    for s in samples[:5]:
        print(f"{s['source']} => {s['prediction']} (expected {s['target']}), bleu "
              f"{s['bleu']:.3f}")
    n = max(len(samples), 1)
    print(f"held-out: {exact}/{len(samples)} exact, mean bleu {bleu_sum / n:.3f}")
    config = {"task": args.task, "examples": args.examples, "hiddens": hiddens, "heads": heads,
              "layers": args.layers, "ffn_hiddens": ffn_hiddens, "dropout": dropout, "lr": lr,
              "batch_size": batch_size, "num_steps": num_steps, "seed": args.seed}
    run = {"model": "transformer", "config": config, "src_vocab": src_vocab.idx_to_token,
           "tgt_vocab": tgt_vocab.idx_to_token, "history": history, "samples": samples,
           "exact": exact / n, "bleu": bleu_sum / n}
    _save(out, net, run, "loss", "loss per token")
    print(f"saved {', '.join(FILES)} in {out}")
    return 130 if len(history) < epochs else 0
