#!/usr/bin/env bash
# The plain install, as a new learner makes it: a fresh virtual environment in a temporary folder,
# `pip install <this repository>` with no extras, then a d2l program (chapter 3's softmax
# regression, shortened to 2 epochs) that trains on Fashion-MNIST, draws its curves, saves a
# checkpoint in PyTorch's format and loads it back. Then the NumPy-only promise: `import
# glasstorch` (and torch.save/torch.load) in an environment with NumPy alone.
#
#   scripts/plain_install_check.sh            # uses python3; PYTHON=/path/to/python to choose
#
# Needs network access to PyPI (or a pip cache / PIP_INDEX_URL) and Debian's dataset-fashion-mnist
# package (or network for the dataset). Exit status 0 when both checks pass.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/glasstorch-plain-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# pip builds from a copy: the repository's own build/ and *.egg-info stay untouched
mkdir "$work/src" && (cd "$repo" && git ls-files -z | xargs -0 cp --parents -t "$work/src")

echo "== plain install: pip install . (no extras)"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check "$work/src"
"$work/venv/bin/python" -m pip list --disable-pip-version-check --format=freeze \
  | sed 's/^/   installed: /'

cat > "$work/softmax.py" <<'PROGRAM'
import torch
from torch import nn
from d2l import torch as d2l

batch_size = 256
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)
loss = nn.CrossEntropyLoss(reduction='none')
trainer = torch.optim.SGD(net.parameters(), lr=0.1)
num_epochs = 2
animator = d2l.Animator(xlabel='epoch', xlim=[1, num_epochs], ylim=[0.3, 0.9],
                        legend=['train loss', 'train acc', 'test acc'])
for epoch in range(num_epochs):
    train_metrics = d2l.train_epoch_ch3(net, train_iter, loss, trainer)
    test_acc = d2l.evaluate_accuracy(net, test_iter)
    animator.add(epoch + 1, train_metrics + (test_acc,))
print(f'trained: train loss {train_metrics[0]:.3f}, test acc {test_acc:.3f}')

torch.save(net.state_dict(), 'softmax.params')
torch.save({'epoch': num_epochs, 'optimizer': trainer.state_dict()}, 'checkpoint.pt')
clone = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
clone.load_state_dict(torch.load('softmax.params'))
trainer.load_state_dict(torch.load('checkpoint.pt')['optimizer'])
assert d2l.evaluate_accuracy(clone, test_iter) == test_acc, 'the loaded model differs'
print('saved and loaded: ok')
PROGRAM
(cd "$work" && MPLBACKEND=Agg "$work/venv/bin/glasstorch" run softmax.py)
test -s "$work/softmax.params" && test -s "$work/checkpoint.pt"

echo "== NumPy alone: import glasstorch, save and load"
"$python" -m venv "$work/numpy-only"
"$work/numpy-only/bin/python" -m pip install -q --disable-pip-version-check numpy
"$work/numpy-only/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
  "$work/src"
(cd "$work" && "$work/numpy-only/bin/python" - <<'PROGRAM'
import sys

import glasstorch as torch

net = torch.nn.Linear(3, 2)
torch.save(net.state_dict(), "linear.pt")
net.load_state_dict(torch.load("linear.pt"))
for optional in ("matplotlib", "tqdm", "safetensors", "PIL"):
    assert optional not in sys.modules, f"import glasstorch imported {optional}"
print("numpy-only import, save and load: ok")
PROGRAM
)
echo "plain install check: ok"
