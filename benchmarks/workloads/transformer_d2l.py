"""(j) d2l 10.7's Transformer encoder-decoder, trained on a fixed synthetic batch.

The model is the book's (written out here in plain PyTorch, as the section does): embedding
scaled by sqrt(num_hiddens), sinusoidal positional encoding, 2 encoder and 2 decoder blocks of
d2l's MultiHeadAttention (4 heads, 32 hiddens, no biases), AddNorm and PositionWiseFFN (64
hiddens), dropout 0.1; the decoder's self-attention masked by valid lengths 1..t. Training as
d2l's train_seq2seq: Adam lr 0.005, teacher forcing, the masked softmax cross-entropy, gradients
clipped to norm 1. One batch of 64 source/target sequences of 10 tokens (vocabularies of 200)
from NumPy; the measured region is 30 steps after 2 warm-up steps; the metric is the last loss.
"""

import math
import time

import numpy as np
import torch
from _bench import quick, report
from torch import nn

BATCH, STEPS, VOCAB, HIDDENS, HEADS, FFN, LAYERS = 64, 10, 200, 32, 4, 64, 2
rng = np.random.default_rng(0)
src = torch.tensor(rng.integers(3, VOCAB, (BATCH, STEPS)))
tgt = torch.tensor(rng.integers(3, VOCAB, (BATCH, STEPS)))
src_len = torch.tensor(rng.integers(3, STEPS + 1, BATCH))
tgt_len = torch.tensor(rng.integers(3, STEPS + 1, BATCH))


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return nn.functional.softmax(X, dim=-1)
    shape = X.shape
    valid_lens = (torch.repeat_interleave(valid_lens, shape[1]) if valid_lens.dim() == 1
                  else valid_lens.reshape(-1))
    X = X.reshape(-1, shape[-1])
    X[~(torch.arange(shape[-1])[None, :] < valid_lens[:, None])] = -1e6
    return nn.functional.softmax(X.reshape(shape), dim=-1)


class MultiHeadAttention(nn.Module):
    def __init__(self, h, heads, dropout):
        super().__init__()
        self.heads, self.dropout = heads, nn.Dropout(dropout)
        self.W_q, self.W_k, self.W_v, self.W_o = (nn.Linear(h, h, bias=False) for _ in range(4))

    def split(self, X):
        X = X.reshape(X.shape[0], X.shape[1], self.heads, -1).permute(0, 2, 1, 3)
        return X.reshape(-1, X.shape[2], X.shape[3])

    def forward(self, q, k, v, valid_lens):
        q, k, v = self.split(self.W_q(q)), self.split(self.W_k(k)), self.split(self.W_v(v))
        if valid_lens is not None:
            valid_lens = torch.repeat_interleave(valid_lens, repeats=self.heads, dim=0)
        scores = torch.bmm(q, k.transpose(1, 2)) / math.sqrt(q.shape[-1])
        out = torch.bmm(self.dropout(masked_softmax(scores, valid_lens)), v)
        out = out.reshape(-1, self.heads, out.shape[1], out.shape[2]).permute(0, 2, 1, 3)
        return self.W_o(out.reshape(out.shape[0], out.shape[1], -1))


class AddNorm(nn.Module):
    def __init__(self, h, dropout):
        super().__init__()
        self.dropout, self.ln = nn.Dropout(dropout), nn.LayerNorm(h)

    def forward(self, X, Y):
        return self.ln(self.dropout(Y) + X)


def ffn(h):
    return nn.Sequential(nn.Linear(h, FFN), nn.ReLU(), nn.Linear(FFN, h))


class Embed(nn.Module):
    def __init__(self, vocab, h, dropout, max_len=1000):
        super().__init__()
        self.embedding, self.dropout, self.h = nn.Embedding(vocab, h), nn.Dropout(dropout), h
        pos = torch.arange(max_len, dtype=torch.float32).reshape(-1, 1) / torch.pow(
            10000, torch.arange(0, h, 2, dtype=torch.float32) / h)
        self.P = torch.zeros((1, max_len, h))
        self.P[:, :, 0::2] = torch.sin(pos)
        self.P[:, :, 1::2] = torch.cos(pos)

    def forward(self, X):
        X = self.embedding(X) * math.sqrt(self.h)
        return self.dropout(X + self.P[:, :X.shape[1], :])


class EncoderBlock(nn.Module):
    def __init__(self, h, dropout):
        super().__init__()
        self.attention, self.addnorm1 = MultiHeadAttention(h, HEADS, dropout), AddNorm(h, dropout)
        self.ffn, self.addnorm2 = ffn(h), AddNorm(h, dropout)

    def forward(self, X, valid_lens):
        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm2(Y, self.ffn(Y))


class DecoderBlock(nn.Module):
    def __init__(self, h, dropout):
        super().__init__()
        self.attention1, self.addnorm1 = MultiHeadAttention(h, HEADS, dropout), AddNorm(h, dropout)
        self.attention2, self.addnorm2 = MultiHeadAttention(h, HEADS, dropout), AddNorm(h, dropout)
        self.ffn, self.addnorm3 = ffn(h), AddNorm(h, dropout)

    def forward(self, X, enc_outputs, enc_valid_lens):
        dec_valid_lens = torch.arange(1, X.shape[1] + 1).repeat(X.shape[0], 1)
        Y = self.addnorm1(X, self.attention1(X, X, X, dec_valid_lens))
        Z = self.addnorm2(Y, self.attention2(Y, enc_outputs, enc_outputs, enc_valid_lens))
        return self.addnorm3(Z, self.ffn(Z))


class Transformer(nn.Module):
    def __init__(self, h=HIDDENS, dropout=0.1):
        super().__init__()
        self.src_embed, self.tgt_embed = Embed(VOCAB, h, dropout), Embed(VOCAB, h, dropout)
        self.encoder = nn.ModuleList(EncoderBlock(h, dropout) for _ in range(LAYERS))
        self.decoder = nn.ModuleList(DecoderBlock(h, dropout) for _ in range(LAYERS))
        self.dense = nn.Linear(h, VOCAB)

    def forward(self, X, dec_X, valid_lens):
        enc = self.src_embed(X)
        for blk in self.encoder:
            enc = blk(enc, valid_lens)
        Y = self.tgt_embed(dec_X)
        for blk in self.decoder:
            Y = blk(Y, enc, valid_lens)
        return self.dense(Y)


torch.manual_seed(0)
net = Transformer()
optimizer = torch.optim.Adam(net.parameters(), lr=0.005)
ce = nn.CrossEntropyLoss(reduction="none")
weights = (torch.arange(STEPS)[None, :] < tgt_len[:, None]).float()
dec_input = torch.cat([torch.full((BATCH, 1), 1), tgt[:, :-1]], 1)


def step() -> float:
    optimizer.zero_grad()
    Y_hat = net(src, dec_input, src_len)
    loss = (ce(Y_hat.permute(0, 2, 1), tgt) * weights).mean(dim=1)
    loss.sum().backward()
    params = [p for p in net.parameters() if p.grad is not None]
    norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
    if norm > 1:
        for p in params:
            p.grad.mul_(1 / norm)
    optimizer.step()
    return loss.sum().item() / tgt_len.sum().item()


net.train()
for _ in range(2):
    step()
start = time.perf_counter()
for _ in range(5 if quick() else 30):
    loss = step()
seconds = time.perf_counter() - start
report(seconds, loss=loss)
