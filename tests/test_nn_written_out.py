"""nn behaviour with torch's answers written out, so these run without the oracle installed.

Each expected string or list below was produced by PyTorch 2.13 for the same code.
"""

from __future__ import annotations

import numpy as np
import pytest

import glasstorch as gt

nn = gt.nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.ReLU())
        self.heads = nn.ModuleList([nn.Linear(3, 1) for _ in range(2)])
        self.register_buffer("steps", gt.zeros(1))

    def forward(self, x):
        return self.heads[0](self.body(x))


def test_nested_printed_form():
    assert repr(Net()) == (
        "Net(\n"
        "  (body): Sequential(\n"
        "    (0): Flatten(start_dim=1, end_dim=-1)\n"
        "    (1): Linear(in_features=4, out_features=3, bias=True)\n"
        "    (2): ReLU()\n"
        "  )\n"
        "  (heads): ModuleList(\n"
        "    (0-1): 2 x Linear(in_features=3, out_features=1, bias=True)\n"
        "  )\n"
        ")"
    )


def test_state_dict_keys_and_shapes():
    got = [(k, tuple(v.shape)) for k, v in Net().state_dict().items()]
    assert got == [
        ("steps", (1,)), ("body.1.weight", (3, 4)), ("body.1.bias", (3,)),
        ("heads.0.weight", (1, 3)), ("heads.0.bias", (1,)), ("heads.1.weight", (1, 3)),
        ("heads.1.bias", (1,)),
    ]


def test_load_state_dict_error_text():
    with pytest.raises(RuntimeError) as info:
        nn.Linear(2, 3).load_state_dict({"weight": gt.zeros(3, 3), "foo": gt.zeros(1)})
    assert str(info.value) == (
        "Error(s) in loading state_dict for Linear:\n"
        '\tMissing key(s) in state_dict: "bias". \n'
        '\tUnexpected key(s) in state_dict: "foo". \n'
        "\tsize mismatch for weight: copying a param with shape torch.Size([3, 3]) from "
        "checkpoint, the shape in current model is torch.Size([3, 2])."
    )


def test_parameter_assignment_error_text():
    lin = nn.Linear(2, 3)
    with pytest.raises(TypeError) as info:
        lin.weight = gt.zeros(3, 2)
    assert str(info.value) == (
        "cannot assign 'torch.FloatTensor' as parameter 'weight' (torch.nn.Parameter or None "
        "expected)"
    )


def test_linear_forward_and_backward_by_hand():
    lin = nn.Linear(2, 2)
    with gt.no_grad():
        lin.weight.copy_(gt.tensor([[1.0, 2.0], [3.0, 4.0]]))
        lin.bias.copy_(gt.tensor([0.5, -0.5]))
    x = gt.tensor([[1.0, 1.0], [2.0, 0.0]], requires_grad=True)
    y = lin(x)
    assert y.tolist() == [[3.5, 6.5], [2.5, 5.5]]
    y.sum().backward()
    assert lin.weight.grad.tolist() == [[3.0, 1.0], [3.0, 1.0]]
    assert lin.bias.grad.tolist() == [2.0, 2.0]
    assert x.grad.tolist() == [[4.0, 6.0], [4.0, 6.0]]


def test_sgd_steps_on_a_tiny_mlp_reduce_the_loss():
    gt.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
    x = gt.randn(32, 3)
    y = x.sum(1, keepdim=True)
    losses = []
    for _ in range(50):
        net.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        losses.append(loss.item())
        with gt.no_grad():
            for p in net.parameters():
                p -= 0.05 * p.grad
    assert losses[-1] < 0.2 * losses[0]


def test_clip_grad_norm_by_hand():
    p = nn.Parameter(gt.zeros(3))
    p.grad = gt.tensor([3.0, 4.0, 0.0])
    total = nn.utils.clip_grad_norm_([p], max_norm=1.0)
    assert total.item() == 5.0
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8, 0.0], rtol=1e-5)
    q = nn.Parameter(gt.zeros(2))
    q.grad = gt.tensor([-2.0, 1.0])
    assert nn.utils.clip_grad_norm_([q], 10.0, norm_type=float("inf")).item() == 2.0
    nn.utils.clip_grad_value_([q], 0.5)
    assert q.grad.tolist() == [-0.5, 0.5]


def test_calculate_gain_values():
    assert nn.init.calculate_gain("relu") == 2 ** 0.5
    assert nn.init.calculate_gain("tanh") == 5 / 3
    assert nn.init.calculate_gain("leaky_relu", 0.2) == (2 / 1.04) ** 0.5
    with pytest.raises(ValueError, match="Unsupported nonlinearity conv4d"):
        nn.init.calculate_gain("conv4d")
