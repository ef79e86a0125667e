"""d2l 8.2-8.3: The Time Machine as lines, tokens, a vocabulary and language-model minibatches."""

import random

from d2l import torch as d2l

lines = d2l.read_time_machine()
print(f"# text lines: {len(lines)}")
print(lines[0])
print(lines[10])

tokens = d2l.tokenize(lines)
for i in range(11):
    print(tokens[i])

vocab = d2l.Vocab(tokens)
print(list(vocab.token_to_idx.items())[:10])
for i in [0, 10]:
    print("words:", tokens[i])
    print("indices:", vocab[tokens[i]])

corpus, vocab = d2l.load_corpus_time_machine()
print(len(corpus), len(vocab))

# 8.3: word frequencies, bigrams and trigrams
corpus_words = [token for line in tokens for token in line]
print(vocab.token_freqs[:5])
words = d2l.Vocab(corpus_words)
print(words.token_freqs[:10])
bigram_tokens = [pair for pair in zip(corpus_words[:-1], corpus_words[1:])]
print(d2l.Vocab(bigram_tokens).token_freqs[:10])
trigram_tokens = [triple for triple in zip(corpus_words[:-2], corpus_words[1:-1],
                                           corpus_words[2:])]
print(d2l.Vocab(trigram_tokens).token_freqs[:10])

random.seed(0)
my_seq = list(range(35))
for X, Y in d2l.seq_data_iter_random(my_seq, batch_size=2, num_steps=5):
    print("X: ", X, "\nY:", Y)
for X, Y in d2l.seq_data_iter_sequential(my_seq, batch_size=2, num_steps=5):
    print("X: ", X, "\nY:", Y)
train_iter, vocab = d2l.load_data_time_machine(batch_size=32, num_steps=35)
print(sum(1 for _ in train_iter), len(vocab))
