"""d2l 9.5-9.7: machine-translation data and an RNN encoder-decoder (seq2seq) trained with
train_seq2seq, on a small English-French corpus written here (the book's fra-eng.zip is not
available offline).

The forward pass runs on weights from NumPy; train_seq2seq then re-initialises them randomly
(Xavier), so its loss differs from library to library, but the translations it learns do not.
"""

import numpy as np
import torch
from d2l import torch as d2l
from torch import nn

raw_text = "\n".join([
    "Go.\tVa !", "Go now.\tVa maintenant !", "Hi.\tSalut !", "Run!\tCours\u202f!",
    "Run now!\tCours maintenant\u202f!", "I lost.\tJ'ai perdu.", "I won.\tJ'ai gagné.",
    "He's calm.\tIl est calme.", "He's cold.\tIl a froid.", "I'm home.\tJe suis chez moi.",
    "I'm calm.\tJe suis calme.", "I'm cold.\tJ'ai froid.", "He won.\tIl a gagné.",
    "He lost.\tIl a perdu.", "Go home.\tVa chez toi !"])
text = d2l.preprocess_nmt(raw_text)
print(text[:60])
source, target = d2l.tokenize_nmt(text)
print(source[:4], target[:4])
src_vocab = d2l.Vocab(source, min_freq=1, reserved_tokens=["<pad>", "<bos>", "<eos>"])
tgt_vocab = d2l.Vocab(target, min_freq=1, reserved_tokens=["<pad>", "<bos>", "<eos>"])
print(len(src_vocab), len(tgt_vocab))
print(d2l.truncate_pad(src_vocab[source[0]], 10, src_vocab["<pad>"]))
num_steps = 8
src_array, src_valid_len = d2l.build_array_nmt(source, src_vocab, num_steps)
tgt_array, tgt_valid_len = d2l.build_array_nmt(target, tgt_vocab, num_steps)
print(src_array[:2], src_valid_len[:4])
train_iter = d2l.load_array((src_array, src_valid_len, tgt_array, tgt_valid_len), 5)


class Seq2SeqDecoder(d2l.Decoder):
    """The RNN decoder for sequence to sequence learning."""

    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, *args):
        return enc_outputs[1]

    def forward(self, X, state):
        X = self.embedding(X).permute(1, 0, 2)
        context = state[-1].repeat(X.shape[0], 1, 1)
        X_and_context = torch.cat((X, context), 2)
        output, state = self.rnn(X_and_context, state)
        output = self.dense(output).permute(1, 0, 2)
        return output, state


encoder = d2l.Seq2SeqEncoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
encoder.eval()
X = torch.zeros((4, 7), dtype=torch.long)
output, state = encoder(X)
print(output.shape, state.shape)
decoder = Seq2SeqDecoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
decoder.eval()
state = decoder.init_state(encoder(X))
output, state = decoder(X, state)
print(output.shape, state.shape)

X = torch.tensor([[1, 2, 3], [4, 5, 6]])
print(d2l.sequence_mask(X, torch.tensor([1, 2])))
X = torch.ones(2, 3, 4)
print(d2l.sequence_mask(X, torch.tensor([1, 2]), value=-1))
loss = d2l.MaskedSoftmaxCELoss()
print(loss(torch.ones(3, 4, 10), torch.ones((3, 4), dtype=torch.long), torch.tensor([4, 2, 0])))

embed_size, num_hiddens, num_layers, dropout = 32, 32, 2, 0.0
net = d2l.EncoderDecoder(d2l.Seq2SeqEncoder(len(src_vocab), embed_size, num_hiddens, num_layers),
                         Seq2SeqDecoder(len(tgt_vocab), embed_size, num_hiddens, num_layers))
rng = np.random.default_rng(0)
with torch.no_grad():
    for param in net.parameters():
        param.copy_(torch.tensor(rng.uniform(-0.2, 0.2, param.shape).astype(np.float32)))
X, X_valid_len, Y, Y_valid_len = src_array[:3], src_valid_len[:3], tgt_array[:3], tgt_valid_len[:3]
bos = torch.tensor([tgt_vocab["<bos>"]] * 3).reshape(-1, 1)
Y_hat, _ = net(X, torch.cat([bos, Y[:, :-1]], 1), X_valid_len)
print("loss before training:", loss(Y_hat, Y, Y_valid_len))

torch.manual_seed(0)
d2l.train_seq2seq(net, train_iter, 0.005, 150, tgt_vocab, d2l.try_gpu())
engs = ["go .", "i lost .", "he's calm .", "i'm home ."]
fras = ["va !", "j'ai perdu .", "il est calme .", "je suis chez moi ."]
for eng, fra in zip(engs, fras):
    translation, attention_weight_seq = d2l.predict_seq2seq(
        net, eng, src_vocab, tgt_vocab, num_steps, d2l.try_gpu())
    print(f"{eng} => {translation}, bleu {d2l.bleu(translation, fra, k=2):.3f}")
