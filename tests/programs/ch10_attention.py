"""d2l 10.1-10.7: attention pooling (Nadaraya-Watson), scoring functions, Bahdanau attention,
multi-head and self-attention with positional encoding, the Transformer encoder.

Data and weights come from NumPy (seeded) and dropout is off, so the numbers are the same on any
library.
"""

import math

import numpy as np
import torch
from d2l import torch as d2l
from torch import nn

rng = np.random.default_rng(0)


def numpy_init(net, scale=0.3):
    with torch.no_grad():
        for param in net.parameters():
            param.copy_(torch.tensor(rng.uniform(-scale, scale, param.shape).astype(np.float32)))
    return net


# 10.2 Nadaraya-Watson kernel regression
n_train = 50
x_train = torch.tensor(np.sort(rng.uniform(0, 5, n_train)).astype(np.float32))


def f(x):
    return 2 * torch.sin(x) + x ** 0.8


y_train = f(x_train) + torch.tensor(rng.normal(0.0, 0.5, (n_train,)).astype(np.float32))
x_test = torch.arange(0, 5, 0.1)
n_test = len(x_test)
X_repeat = x_test.repeat_interleave(n_train).reshape((-1, n_train))
attention_weights = nn.functional.softmax(-(X_repeat - x_train) ** 2 / 2, dim=1)
y_hat = torch.matmul(attention_weights, y_train)
print(n_test, [round(v, 4) for v in y_hat[:5].tolist()])
X, Y = torch.ones((2, 1, 4)), torch.ones((2, 4, 6))
print(torch.bmm(X, Y).shape)
weights = torch.ones((2, 10)) * 0.1
values = torch.arange(20.0).reshape((2, 10))
print(torch.bmm(weights.unsqueeze(1), values.unsqueeze(-1)))


class NWKernelRegression(nn.Module):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w = nn.Parameter(torch.tensor([0.5]), requires_grad=True)

    def forward(self, queries, keys, values):
        queries = queries.repeat_interleave(keys.shape[1]).reshape((-1, keys.shape[1]))
        self.attention_weights = nn.functional.softmax(
            -((queries - keys) * self.w) ** 2 / 2, dim=1)
        return torch.bmm(self.attention_weights.unsqueeze(1), values.unsqueeze(-1)).reshape(-1)


X_tile = x_train.repeat((n_train, 1))
Y_tile = y_train.repeat((n_train, 1))
mask = (1 - torch.eye(n_train)).type(torch.bool)
keys = X_tile[mask].reshape((n_train, -1))
values = Y_tile[mask].reshape((n_train, -1))
net = NWKernelRegression()
loss = nn.MSELoss(reduction="none")
trainer = torch.optim.SGD(net.parameters(), lr=0.5)
for epoch in range(5):
    trainer.zero_grad()
    l = loss(net(x_train, keys, values), y_train)
    l.sum().backward()
    trainer.step()
    print(f"epoch {epoch + 1}, loss {float(l.sum()):.4f}, w {net.w.item():.4f}")

# 10.3 scoring functions
print(d2l.masked_softmax(torch.tensor(rng.uniform(size=(2, 2, 4)).astype(np.float32)),
                         torch.tensor([2, 3])))
queries = torch.tensor(rng.normal(0, 1, (2, 1, 20)).astype(np.float32))
keys = torch.ones((2, 10, 2))
values = torch.arange(40, dtype=torch.float32).reshape(1, 10, 4).repeat(2, 1, 1)
valid_lens = torch.tensor([2, 6])
attention = numpy_init(d2l.AdditiveAttention(key_size=2, query_size=20, num_hiddens=8,
                                             dropout=0.1))
attention.eval()
print(attention(queries, keys, values, valid_lens))
queries = torch.tensor(rng.normal(0, 1, (2, 1, 2)).astype(np.float32))
attention = d2l.DotProductAttention(dropout=0.5)
attention.eval()
print(attention(queries, keys, values, valid_lens))


# 10.4 Bahdanau attention: the decoder the section defines
class Seq2SeqAttentionDecoder(d2l.AttentionDecoder):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.attention = d2l.AdditiveAttention(num_hiddens, num_hiddens, num_hiddens, dropout)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, enc_valid_lens, *args):
        outputs, hidden_state = enc_outputs
        return (outputs.permute(1, 0, 2), hidden_state, enc_valid_lens)

    def forward(self, X, state):
        enc_outputs, hidden_state, enc_valid_lens = state
        X = self.embedding(X).permute(1, 0, 2)
        outputs, self._attention_weights = [], []
        for x in X:
            query = torch.unsqueeze(hidden_state[-1], dim=1)
            context = self.attention(query, enc_outputs, enc_outputs, enc_valid_lens)
            x = torch.cat((context, torch.unsqueeze(x, dim=1)), dim=-1)
            out, hidden_state = self.rnn(x.permute(1, 0, 2), hidden_state)
            outputs.append(out)
            self._attention_weights.append(self.attention.attention_weights)
        outputs = self.dense(torch.cat(outputs, dim=0))
        return outputs.permute(1, 0, 2), [enc_outputs, hidden_state, enc_valid_lens]

    @property
    def attention_weights(self):
        return self._attention_weights


encoder = numpy_init(d2l.Seq2SeqEncoder(vocab_size=10, embed_size=8, num_hiddens=16,
                                        num_layers=2))
encoder.eval()
decoder = numpy_init(Seq2SeqAttentionDecoder(vocab_size=10, embed_size=8, num_hiddens=16,
                                             num_layers=2))
decoder.eval()
X = torch.tensor(rng.integers(0, 10, (4, 7)))
state = decoder.init_state(encoder(X), None)
output, state = decoder(X, state)
print(output.shape, len(state), state[0].shape, len(state[1]), state[1][0].shape)
print([round(v, 4) for v in output[0, 0, :5].tolist()])

# 10.5 multi-head attention
num_hiddens, num_heads = 100, 5
attention = numpy_init(d2l.MultiHeadAttention(num_hiddens, num_hiddens, num_hiddens,
                                              num_hiddens, num_heads, 0.5), 0.1)
attention.eval()
batch_size, num_queries, num_kvpairs, valid_lens = 2, 4, 6, torch.tensor([3, 2])
X = torch.tensor(rng.normal(0, 1, (batch_size, num_queries, num_hiddens)).astype(np.float32))
Y = torch.tensor(rng.normal(0, 1, (batch_size, num_kvpairs, num_hiddens)).astype(np.float32))
out = attention(X, Y, Y, valid_lens)
print(out.shape, [round(v, 4) for v in out[1, 2, :4].tolist()])

# 10.6 self-attention and positional encoding
attention.eval()
print(attention(X, X, X, valid_lens).shape)
encoding_dim, num_steps = 32, 60
pos_encoding = d2l.PositionalEncoding(encoding_dim, 0)
pos_encoding.eval()
X = pos_encoding(torch.zeros((1, num_steps, encoding_dim)))
P = pos_encoding.P[:, :X.shape[1], :]
print([round(v, 4) for v in P[0, 10, 6:10].tolist()])
for i in range(8):
    print(f"{i} in binary is {i:>03b}")

# 10.7 the Transformer encoder
ffn = numpy_init(d2l.PositionWiseFFN(4, 4, 8))
ffn.eval()
print(ffn(torch.ones((2, 3, 4)))[0])
ln = nn.LayerNorm(2)
bn = nn.BatchNorm1d(2)
X = torch.tensor([[1, 2], [2, 3]], dtype=torch.float32)
print("layer norm:", ln(X), "\nbatch norm:", bn(X))
add_norm = d2l.AddNorm([3, 4], 0.5)
add_norm.eval()
print(add_norm(torch.ones((2, 3, 4)), torch.ones((2, 3, 4))).shape)
X = torch.ones((2, 100, 24))
valid_lens = torch.tensor([3, 2])
encoder_blk = numpy_init(d2l.EncoderBlock(24, 24, 24, 24, [100, 24], 24, 48, 8, 0.5), 0.1)
encoder_blk.eval()
print(encoder_blk(X, valid_lens).shape)
encoder = numpy_init(d2l.TransformerEncoder(200, 24, 24, 24, 24, [100, 24], 24, 48, 8, 2, 0.5),
                     0.1)
encoder.eval()
tokens = torch.tensor(rng.integers(0, 200, (2, 100)))
out = encoder(tokens, valid_lens)
print(out.shape, [round(v, 4) for v in out[0, 0, :4].tolist()])
weights = encoder.attention_weights[0].reshape((2, 8, 100, 100))
print(weights.shape, round(weights[0, 0, 0, :3].sum().item(), 4), math.isclose(
    weights[0, 0, 0, 3:].sum().item(), 0, abs_tol=1e-6))
