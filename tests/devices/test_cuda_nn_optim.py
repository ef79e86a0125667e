"""nn layers, losses, optimizers, schedulers, checkpoints and data loading on the CUDA device.

Each test builds the same model on the CPU and on cuda (same seed, then ``.to('cuda')``), trains
both a few steps on the same data, and compares the parameters (the CPU run is the oracle, checked
against PyTorch by the main suite). It also checks where things live, as torch places them:
parameters, gradients and the optimizer's state tensors on the parameter's device — except the
``step`` counters torch keeps on the CPU (Adam's ``step``, NAdam's ``mu_product``...: 0-d CPU
tensors unless ``capturable``/``fused``), which glasstorch keeps on the CPU too.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

import glasstorch as gt
from glasstorch import nn

RTOL, ATOL = 1e-5, 1e-6


def _cpu(t):
    return t.detach().cpu().numpy()


def _close(a, b, what="", rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(_cpu(a), _cpu(b), rtol=rtol, atol=atol, err_msg=what)


def _on_cuda(t, what=""):
    assert t.device.type == "cuda", f"{what} is on {t.device}"
    assert t.is_cuda


def _twins(make, seed=0):
    """The same module twice: on the CPU and moved to cuda."""
    gt.manual_seed(seed)
    cpu = make()
    gt.manual_seed(seed)
    cuda = make().to("cuda")
    for name, p in cuda.named_parameters():
        _on_cuda(p, name)
    for name, b in cuda.named_buffers():
        _on_cuda(b, name)
    return cpu, cuda


# ---- layers ------------------------------------------------------------------------------------

def _conv_net():
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 2 * 2, 3))


class _Seq(nn.Module):
    """An embedding, a recurrent layer and a linear head, as a d2l language model."""

    def __init__(self, rnn):
        super().__init__()
        self.emb = nn.Embedding(10, 6)
        self.rnn = rnn
        self.head = nn.Linear(8, 10)

    def forward(self, x):
        out, _ = self.rnn(self.emb(x))
        return self.head(out)


class _Attn(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(8, 2, batch_first=True)
        self.norm = nn.LayerNorm(8)

    def forward(self, x):
        out, _ = self.mha(x, x, x)
        return self.norm(out + x)


LAYERS = {
    "linear": (lambda: nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3)),
               lambda: gt.randn(4, 5)),
    "conv_bn_pool": (_conv_net, lambda: gt.randn(3, 2, 4, 4)),
    "layernorm": (lambda: nn.Sequential(nn.Linear(5, 6), nn.LayerNorm(6), nn.GELU()),
                  lambda: gt.randn(4, 5)),
    "embedding": (lambda: nn.Sequential(nn.Embedding(10, 4), nn.Flatten(), nn.Linear(12, 2)),
                  lambda: gt.randint(0, 10, (5, 3))),
    "lstm": (lambda: _Seq(nn.LSTM(6, 8, num_layers=2, batch_first=True)),
             lambda: gt.randint(0, 10, (3, 5))),
    "gru": (lambda: _Seq(nn.GRU(6, 8)), lambda: gt.randint(0, 10, (5, 3))),
    "rnn": (lambda: _Seq(nn.RNN(6, 8)), lambda: gt.randint(0, 10, (5, 3))),
    "mha": (_Attn, lambda: gt.randn(2, 4, 8)),
    "transformer": (lambda: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                                       batch_first=True),
                    lambda: gt.randn(2, 4, 8)),
    "dropout_eval": (lambda: nn.Sequential(nn.Linear(5, 5), nn.Dropout(0.5)).eval(),
                     lambda: gt.randn(4, 5)),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_forward_backward_matches_cpu(name):
    make, data = LAYERS[name]
    cpu, cuda = _twins(make)
    gt.manual_seed(1)
    x = data()
    xc = x.to("cuda")
    y_cpu, y_cuda = cpu(x), cuda(xc)
    _on_cuda(y_cuda, "output")
    _close(y_cuda, y_cpu, "output", rtol=1e-4, atol=1e-5)
    y_cpu.square().sum().backward()
    y_cuda.square().sum().backward()
    for (n, p), q in zip(cpu.named_parameters(), cuda.parameters()):
        assert q.grad is not None, n
        _on_cuda(q.grad, f"grad of {n}")
        _close(q.grad, p.grad, f"grad of {n}", rtol=1e-4, atol=1e-5)
    for (n, b), c in zip(cpu.named_buffers(), cuda.buffers()):
        _on_cuda(c, n)
        _close(c, b, f"buffer {n}")


def test_module_cuda_cpu_and_to_round_trip():
    m = nn.Linear(3, 2).cuda()
    assert m.weight.is_cuda and m.bias.is_cuda
    assert isinstance(m.weight, nn.Parameter)
    m.cpu()
    assert m.weight.device.type == "cpu"
    m.to(gt.device("cuda:0"))
    assert m.weight.device == gt.device("cuda", 0)
    bn = nn.BatchNorm1d(3).to("cuda")
    _on_cuda(bn.num_batches_tracked, "num_batches_tracked")
    bn(gt.randn(4, 3, device="cuda"))
    assert int(bn.num_batches_tracked) == 1


@pytest.mark.parametrize("make", [
    lambda: nn.Linear(3, 4, device="cuda"), lambda: nn.Conv2d(1, 2, 3, device="cuda"),
    lambda: nn.BatchNorm2d(3, device="cuda"), lambda: nn.LayerNorm(4, device="cuda"),
    lambda: nn.Embedding(5, 2, device="cuda"), lambda: nn.PReLU(device="cuda"),
    lambda: nn.LSTM(3, 4, device="cuda"), lambda: nn.MultiheadAttention(4, 2, device="cuda"),
    lambda: nn.TransformerEncoderLayer(4, 2, 8, device="cuda"),
], ids=["linear", "conv", "batchnorm", "layernorm", "embedding", "prelu", "lstm", "mha",
        "transformer"])
def test_modules_made_with_device_cuda(make):
    m = make()
    for name, t in [*m.named_parameters(), *m.named_buffers()]:
        _on_cuda(t, name)


def test_lazy_module_moved_to_cuda_materializes_there():
    m = nn.Sequential(nn.LazyLinear(4), nn.Tanh(), nn.LazyLinear(2)).double().cuda()
    assert m[0].weight.device.type == "cuda"  # a placeholder knows where it will be made
    m(gt.randn(2, 3, device="cuda", dtype=gt.float64))
    for name, t in m.named_parameters():
        _on_cuda(t, name)
        assert t.dtype == gt.float64, name
    lazy = nn.LazyLinear(2, device="cuda")
    lazy(gt.randn(1, 3, device="cuda"))
    _on_cuda(lazy.weight, "weight")


# ---- losses ------------------------------------------------------------------------------------

def _cls_target():
    return gt.tensor([0, 2, 1, 2])


LOSSES = {
    "mse": (nn.MSELoss(), lambda: gt.randn(4, 3)),
    "l1": (nn.L1Loss(), lambda: gt.randn(4, 3)),
    "smooth_l1": (nn.SmoothL1Loss(), lambda: gt.randn(4, 3)),
    "huber": (nn.HuberLoss(delta=0.5), lambda: gt.randn(4, 3)),
    "cross_entropy": (nn.CrossEntropyLoss(), _cls_target),
    "cross_entropy_smooth": (nn.CrossEntropyLoss(label_smoothing=0.1), _cls_target),
    "cross_entropy_probs": (nn.CrossEntropyLoss(), lambda: gt.softmax(gt.randn(4, 3), 1)),
    "nll": (nn.NLLLoss(), _cls_target),
    "bce_logits": (nn.BCEWithLogitsLoss(), lambda: gt.rand(4, 3).round()),
    "kl_div": (nn.KLDivLoss(reduction="batchmean"), lambda: gt.softmax(gt.randn(4, 3), 1)),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_matches_cpu(name):
    loss, target = LOSSES[name]
    gt.manual_seed(2)
    x = gt.randn(4, 3)
    t = target()
    if name == "kl_div":
        x = gt.log_softmax(x, 1)
    a = x.clone().requires_grad_()
    b = x.to("cuda").requires_grad_()
    la, lb = loss(a, t), loss(b, t.to("cuda"))
    _on_cuda(lb, "loss")
    _close(lb, la, "loss")
    la.backward()
    lb.backward()
    _on_cuda(b.grad, "grad")
    _close(b.grad, a.grad, "grad")


# ---- optimizers --------------------------------------------------------------------------------

OPTIMIZERS = {
    "sgd": lambda p: gt.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda p: gt.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-2),
    "sgd_nesterov": lambda p: gt.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda p: gt.optim.Adam(p, lr=1e-2),
    "adam_amsgrad": lambda p: gt.optim.Adam(p, lr=1e-2, amsgrad=True, weight_decay=1e-2),
    "adamw": lambda p: gt.optim.AdamW(p, lr=1e-2),
    "rmsprop": lambda p: gt.optim.RMSprop(p, lr=1e-2, momentum=0.5, centered=True),
    "adagrad": lambda p: gt.optim.Adagrad(p, lr=0.1, lr_decay=1e-3, weight_decay=1e-3),
    "adadelta": lambda p: gt.optim.Adadelta(p, lr=1.0, weight_decay=1e-3),
    "adamax": lambda p: gt.optim.Adamax(p, lr=1e-2),
    "nadam": lambda p: gt.optim.NAdam(p, lr=1e-2),
    "nadam_decoupled": lambda p: gt.optim.NAdam(p, lr=1e-2, weight_decay=1e-2,
                                                decoupled_weight_decay=True),
    "radam": lambda p: gt.optim.RAdam(p, lr=1e-2),
    "asgd": lambda p: gt.optim.ASGD(p, lr=1e-2, t0=1),
    "rprop": lambda p: gt.optim.Rprop(p, lr=1e-2, etas=(0.4, 1.3)),
    "lbfgs": lambda p: gt.optim.LBFGS(p, lr=0.5, max_iter=4, history_size=3),
    "lbfgs_wolfe": lambda p: gt.optim.LBFGS(p, lr=1, max_iter=4, line_search_fn="strong_wolfe"),
}

# state entries torch keeps as 0-d CPU tensors (unless capturable/fused); ASGD keeps its on the
# parameter's device
HOST_STATE = {"step", "mu_product"}


def _train(model, opt, x, y, steps=4):
    for _ in range(steps):
        def closure():
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            return loss
        opt.step(closure)


def _mlp():
    return nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))


def _check_state_on_cuda(opt, what, loaded=False):
    """Every state tensor on cuda but torch's CPU counters; after ``load_state_dict`` torch moves
    everything to the parameter's device but ``step``, which stays where the checkpoint had it."""
    host = set() if isinstance(opt, gt.optim.ASGD) or loaded else HOST_STATE
    for p, state in opt.state.items():
        _on_cuda(p, what)
        for key, v in state.items():
            if loaded and key == "step":
                continue
            if isinstance(v, gt.Tensor):
                if key in host:
                    assert v.device.type == "cpu", f"{what}: state {key} on {v.device}"
                else:
                    _on_cuda(v, f"{what}: state {key}")
            elif isinstance(v, (list, tuple)):  # LBFGS's histories
                for t in v:
                    if isinstance(t, gt.Tensor):
                        _on_cuda(t, f"{what}: state {key}")


def _quadratic_step(params, opt):
    """One ``opt.step`` on ``f(w) = sum(w²/2 - a·w + cos w)``, its gradient set by hand (computed on
    the host): the optimizers alone, without the ops of a model's forward and backward."""
    def closure():
        opt.zero_grad()
        total = 0.0
        for i, p in enumerate(params):
            w = p.detach().cpu().numpy().astype(np.float64)
            a = np.linspace(-1, 1, w.size).reshape(w.shape) * (i + 1)
            total += float((w * w / 2 - a * w + np.cos(w)).sum())
            p.grad = gt.tensor((w - a - np.sin(w)).astype(np.float32)).to(p.device)
        return gt.tensor(total)
    return opt.step(closure)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_step_alone_matches_cpu(name):
    gt.manual_seed(6)
    start = [gt.randn(3, 4), gt.randn(4), gt.randn(())]
    runs = []
    for dev in ("cpu", "cuda"):
        params = [nn.Parameter(t.clone().to(dev)) for t in start]
        opt = OPTIMIZERS[name](params)
        for _ in range(5):
            _quadratic_step(params, opt)
        runs.append((params, opt))
    (cpu, _), (cuda, opt) = runs
    for i, (p, q) in enumerate(zip(cpu, cuda)):
        _on_cuda(q, f"param {i}")
        _close(q, p, f"param {i}", rtol=1e-5, atol=1e-6)
    _check_state_on_cuda(opt, name)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_matches_cpu(name):
    cpu, cuda = _twins(_mlp)
    gt.manual_seed(3)
    x, y = gt.randn(6, 5), gt.randint(0, 3, (6,))
    opt_cpu, opt_cuda = OPTIMIZERS[name](cpu.parameters()), OPTIMIZERS[name](cuda.parameters())
    _train(cpu, opt_cpu, x, y)
    _train(cuda, opt_cuda, x.cuda(), y.cuda())
    for (n, p), q in zip(cpu.named_parameters(), cuda.parameters()):
        _on_cuda(q, n)
        _on_cuda(q.grad, f"grad of {n}")
        _close(q, p, n, rtol=1e-4, atol=1e-5)
    assert opt_cuda.state or name == "sgd", name  # plain SGD keeps no state
    _check_state_on_cuda(opt_cuda, name)

    # a checkpoint of the cuda optimizer loads into a cpu one and back into a cuda one
    buf = io.BytesIO()
    gt.save(opt_cuda.state_dict(), buf)
    buf.seek(0)
    on_cpu = gt.load(buf, map_location="cpu")
    for state in on_cpu["state"].values():
        for v in state.values():
            if isinstance(v, gt.Tensor):
                assert v.device.type == "cpu"
    opt2 = OPTIMIZERS[name](cuda.parameters())
    opt2.load_state_dict(on_cpu)  # torch moves the state to the parameter's device
    _check_state_on_cuda(opt2, f"{name} after load_state_dict", loaded=True)


def test_optimizer_load_state_dict_from_cpu_checkpoint_continues_on_cuda():
    cpu, cuda = _twins(_mlp)
    gt.manual_seed(3)
    x, y = gt.randn(6, 5), gt.randint(0, 3, (6,))
    opt_cpu = gt.optim.Adam(cpu.parameters(), lr=1e-2)
    _train(cpu, opt_cpu, x, y, steps=2)
    cuda.load_state_dict(cpu.state_dict())
    opt_cuda = gt.optim.Adam(cuda.parameters(), lr=1e-2)
    # through a checkpoint file: a state_dict() holds the optimizer's own tensors, and torch's
    # load_state_dict keeps the ``step`` tensor it is given (the two would share it)
    opt_cuda.load_state_dict(gt.load(_saved(opt_cpu.state_dict())))
    _check_state_on_cuda(opt_cuda, "adam", loaded=True)
    _train(cpu, opt_cpu, x, y, steps=2)
    _train(cuda, opt_cuda, x.cuda(), y.cuda(), steps=2)
    for p, q in zip(cpu.parameters(), cuda.parameters()):
        _on_cuda(q)
        _close(q, p, rtol=1e-4, atol=1e-5)


SCHEDULERS = {
    "step": lambda o: gt.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5),
    "cosine": lambda o: gt.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5),
    "onecycle": lambda o: gt.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10),
    "plateau": lambda o: gt.optim.lr_scheduler.ReduceLROnPlateau(o, patience=0),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_scheduler_on_cuda_matches_cpu(name):
    cpu, cuda = _twins(_mlp)
    gt.manual_seed(3)
    x, y = gt.randn(6, 5), gt.randint(0, 3, (6,))
    lrs = []
    for model, xx, yy in ((cpu, x, y), (cuda, x.cuda(), y.cuda())):
        opt = gt.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        sched = SCHEDULERS[name](opt)
        seen = []
        for _ in range(4):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xx), yy)
            loss.backward()
            opt.step()
            sched.step(loss) if name == "plateau" else sched.step()
            seen.append(opt.param_groups[0]["lr"])
        lrs.append(seen)
    assert lrs[0] == lrs[1]
    for p, q in zip(cpu.parameters(), cuda.parameters()):
        _close(q, p, rtol=1e-4, atol=1e-5)


# ---- nn.utils ----------------------------------------------------------------------------------

def test_clip_grad_norm_and_value_on_cuda():
    cpu, cuda = _twins(_mlp)
    x = gt.randn(6, 5)
    cpu(x).sum().backward()
    cuda(x.cuda()).sum().backward()
    na = nn.utils.clip_grad_norm_(cpu.parameters(), 0.1)
    nb = nn.utils.clip_grad_norm_(cuda.parameters(), 0.1)
    _on_cuda(nb, "total norm")
    _close(nb, na)
    na = nn.utils.clip_grad_norm_(cpu.parameters(), 0.05, norm_type="inf")
    nb = nn.utils.clip_grad_norm_(cuda.parameters(), 0.05, norm_type="inf")
    _close(nb, na)
    nn.utils.clip_grad_value_(cpu.parameters(), 0.01)
    nn.utils.clip_grad_value_(cuda.parameters(), 0.01)
    for p, q in zip(cpu.parameters(), cuda.parameters()):
        _on_cuda(q.grad)
        _close(q.grad, p.grad)


def test_parameters_to_vector_and_back_on_cuda():
    cpu, cuda = _twins(_mlp)
    v = nn.utils.parameters_to_vector(cuda.parameters())
    _on_cuda(v, "vector")
    _close(v, nn.utils.parameters_to_vector(cpu.parameters()))
    nn.utils.vector_to_parameters(v * 2, cuda.parameters())
    for p, q in zip(cpu.parameters(), cuda.parameters()):
        _on_cuda(q)
        _close(q, p * 2)


def test_packed_sequence_on_cuda():
    from glasstorch.nn.utils import rnn as rnn_utils

    gt.manual_seed(4)
    seqs = [gt.randn(n, 3) for n in (4, 2, 3)]
    lengths = gt.tensor([4, 2, 3])
    cpu, cuda = _twins(lambda: nn.LSTM(3, 5, batch_first=True))
    outs = []
    for model, dev in ((cpu, "cpu"), (cuda, "cuda")):
        padded = rnn_utils.pad_sequence([s.to(dev) for s in seqs], batch_first=True)
        packed = rnn_utils.pack_padded_sequence(padded, lengths, batch_first=True,
                                                enforce_sorted=False)
        out, (h, c) = model(packed)
        unpacked, lens = rnn_utils.pad_packed_sequence(out, batch_first=True)
        assert lens.device.type == "cpu"  # torch keeps the lengths on the CPU
        outs.append((unpacked, h))
    _on_cuda(outs[1][0], "unpacked")
    _close(outs[1][0], outs[0][0], rtol=1e-4, atol=1e-5)
    _close(outs[1][1], outs[0][1], rtol=1e-4, atol=1e-5)


# ---- init --------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ["uniform_", "normal_", "xavier_uniform_", "xavier_normal_",
                                "kaiming_uniform_", "kaiming_normal_", "zeros_", "ones_",
                                "constant_", "orthogonal_", "trunc_normal_", "eye_"])
def test_init_on_cuda_matches_cpu(fn):
    args = (0.3,) if fn == "constant_" else ()
    a, b = gt.empty(4, 6), gt.empty(4, 6, device="cuda")
    gt.manual_seed(5)
    getattr(nn.init, fn)(a, *args)
    gt.manual_seed(5)
    out = getattr(nn.init, fn)(b, *args)
    assert out is b
    _on_cuda(b, fn)
    _close(b, a, fn, rtol=1e-5, atol=1e-6)


# ---- checkpoints -------------------------------------------------------------------------------

def _saved(obj):
    buf = io.BytesIO()
    gt.save(obj, buf)
    buf.seek(0)
    return buf


@pytest.mark.parametrize("where", ["none", "cpu", "cuda", "device", "dict", "callable",
                                   "device_cuda", "callable_cuda", "dict_cuda"])
def test_save_load_cuda_state_dict_map_location(where):
    _, cuda = _twins(_conv_net)
    sd = cuda.state_dict()
    mapping = {
        "none": None, "cpu": "cpu", "cuda": "cuda", "device": gt.device("cpu"),
        "dict": {"cuda:0": "cpu"}, "callable": lambda storage, loc: storage,
        "device_cuda": gt.device("cuda", 0), "callable_cuda": lambda storage, loc: storage.cuda(),
        "dict_cuda": {"cuda:0": gt.device("cuda:0")},
    }[where]
    loaded = gt.load(_saved(sd), map_location=mapping)
    expect = {"none": "cuda", "cpu": "cpu", "cuda": "cuda", "device": "cpu", "dict": "cpu",
              "callable": "cpu", "device_cuda": "cuda", "callable_cuda": "cuda",
              "dict_cuda": "cuda"}[where]
    for k, v in loaded.items():
        assert v.device.type == expect, f"{k}: {v.device} with map_location={mapping!r}"
        _close(v, sd[k], k)


def test_load_onto_a_gpu_that_does_not_exist_is_torchs_error():
    with pytest.raises(RuntimeError, match="Attempting to deserialize object on CUDA device 5 "
                                           "but torch.cuda.device_count\\(\\) is 1"):
        gt.load(_saved({"t": gt.ones(2)}), map_location="cuda:5")


def test_load_cpu_checkpoint_onto_cuda_and_state_dict_into_cuda_module():
    cpu, cuda = _twins(_conv_net)
    with gt.no_grad():
        for p in cpu.parameters():
            p.mul_(2)
    loaded = gt.load(_saved(cpu.state_dict()), map_location="cuda")
    for v in loaded.values():
        _on_cuda(v)
    weights = {id(p): p for p in cuda.parameters()}
    cuda.load_state_dict(cpu.state_dict())  # copies into the cuda parameters
    for name, p in cuda.named_parameters():
        assert id(p) in weights, name
        _on_cuda(p, name)
    for name, b in cuda.named_buffers():
        _on_cuda(b, name)
    for (n, p), q in zip(cpu.state_dict().items(), cuda.state_dict().values()):
        _close(q, p, n)


@pytest.mark.parametrize("where", [None, "cpu", "cuda", {"cpu": "cuda:0"}])
def test_safetensors_file_of_cuda_tensors(tmp_path, where):
    """glasstorch's safetensors files record no device: tensors load on the CPU, or where
    ``map_location`` says."""
    _, cuda = _twins(_mlp)
    path = tmp_path / "m.safetensors"
    gt.save(cuda.state_dict(), path)
    back = gt.load(path, map_location=where)
    expect = "cpu" if where in (None, "cpu") else "cuda"
    for k, v in back.items():
        assert v.device.type == expect, k
        _close(v, cuda.state_dict()[k], k)


def test_loaded_views_share_their_cuda_storage():
    t = gt.arange(6.0)
    back = gt.load(_saved({"t": t, "view": t[2:5]}), map_location="cuda")
    _on_cuda(back["t"])
    back["t"].fill_(7.0)
    _close(back["view"], gt.full((3,), 7.0))  # one storage on the GPU, as torch loads it


def test_save_whole_cuda_module_and_tensor_views():
    m = nn.Linear(3, 2).cuda()
    t = gt.arange(6.0, device="cuda")
    back = gt.load(_saved({"m": m, "view": t[2:5], "t": t}), map_location=None, weights_only=False)
    _on_cuda(back["m"].weight)
    _on_cuda(back["view"])
    _close(back["view"], t[2:5])


# ---- data, backends, pinned memory -------------------------------------------------------------

def test_dataloader_pin_memory_and_pinned_tensors():
    from glasstorch.utils.data import DataLoader, TensorDataset

    x, y = gt.randn(10, 3), gt.arange(10)
    loader = DataLoader(TensorDataset(x, y), batch_size=4, pin_memory=True)
    for xb, _ in loader:
        assert xb.device.type == "cpu"
        assert xb.is_pinned()
        xb.to("cuda", non_blocking=True)
    p = x.pin_memory()
    assert p.is_pinned() and p.device.type == "cpu"
    _close(p, x)


def test_dataloader_over_cuda_tensors_gives_cuda_batches():
    """d2l keeps a whole data set on the GPU: batches are fancy-indexed there."""
    from glasstorch.utils.data import DataLoader, TensorDataset

    x, y = gt.randn(10, 3), gt.arange(10)
    ds = TensorDataset(x.cuda(), y.cuda())
    seen = []
    gen = gt.Generator().manual_seed(0)
    for xb, yb in DataLoader(ds, batch_size=4, shuffle=True, generator=gen):
        _on_cuda(xb, "features")
        _on_cuda(yb, "labels")
        _close(xb, x[yb.cpu()])
        seen += yb.cpu().tolist()
    assert sorted(seen) == list(range(10))
    items = [(x[i].cuda(), int(y[i])) for i in range(4)]
    xb, yb = next(iter(DataLoader(items, batch_size=4)))  # samples stacked on the GPU
    _on_cuda(xb, "collated")
    _close(xb, x[:4])


def test_backends_agree_with_torch_cuda():
    assert gt.backends.cuda.is_built() == gt.cuda.is_available()
    assert gt.backends.cudnn.is_available() in (True, False)
    gt.backends.cudnn.benchmark = True
    gt.backends.cudnn.deterministic = True
    try:
        m = nn.Conv2d(1, 1, 3).cuda()
        m(gt.randn(1, 1, 5, 5, device="cuda"))
    finally:
        gt.backends.cudnn.benchmark = False
        gt.backends.cudnn.deterministic = False
    gt.backends.cuda.matmul.allow_tf32 = True
    gt.backends.cuda.matmul.allow_tf32 = False


# ---- distributions -----------------------------------------------------------------------------

def test_distributions_on_cuda():
    from glasstorch import distributions as D

    loc = gt.zeros(3, device="cuda")
    scale = gt.ones(3, device="cuda")
    n = D.Normal(loc, scale)
    s = n.sample((2,))
    _on_cuda(s, "sample")
    lp = n.log_prob(s)
    _on_cuda(lp, "log_prob")
    _close(lp, D.Normal(gt.zeros(3), gt.ones(3)).log_prob(s.cpu()))
    c = D.Categorical(logits=gt.randn(4, 5, device="cuda"))
    _on_cuda(c.sample(), "categorical sample")
    _on_cuda(c.entropy(), "entropy")


# ---- DistributedDataParallel -------------------------------------------------------------------

_DDP_SCRIPT = '''
import numpy as np
import glasstorch as torch
import glasstorch.distributed as dist
from glasstorch import nn
from glasstorch.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()

def make():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3))

gen = np.random.default_rng(1)
X = torch.tensor(gen.standard_normal((4, 6, 5)), dtype=torch.float32)
Y = torch.tensor(gen.standard_normal((4, 6, 3)), dtype=torch.float32)
torch.manual_seed(100 + rank)  # rank 0's weights must reach every rank
local = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3)).cuda()
if rank == 0:
    local.load_state_dict(make().state_dict())
model = DDP(local, device_ids=[0], bucket_cap_mb=0.0001)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
share = 6 // world
for s in range(4):
    xs, ys = X[s, rank * share:(rank + 1) * share], Y[s, rank * share:(rank + 1) * share]
    opt.zero_grad()
    out = model(xs)  # DDP moves the inputs to cuda:0
    assert out.is_cuda
    ((out - ys.cuda()) ** 2).mean().backward()
    for p in model.parameters():
        assert p.is_cuda and p.grad.is_cuda
    opt.step()
single = make()
opt1 = torch.optim.SGD(single.parameters(), lr=0.05, momentum=0.9)
for s in range(4):
    opt1.zero_grad()
    ((single(X[s]) - Y[s]) ** 2).mean().backward()
    opt1.step()
for p, q in zip(model.module.parameters(), single.parameters()):
    np.testing.assert_allclose(p.detach().cpu().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6)
try:
    DDP(nn.Linear(2, 2), device_ids=[0])
except ValueError as e:
    assert "device_ids and output_device arguments only work" in str(e)
else:
    raise AssertionError("device_ids with a CPU module")
if rank == 0:
    print("ok ddp cuda")
'''


def test_ddp_with_device_ids_on_cuda(tmp_path):
    """Two MPI ranks, each with the model on cuda:0 (the double), end where one CPU process with
    the whole batch ends."""
    import importlib.util
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("mpirun") is None or importlib.util.find_spec("mpi4py") is None:
        if os.environ.get("GLASSTORCH_REQUIRE_MPI") == "1":
            pytest.fail("GLASSTORCH_REQUIRE_MPI=1 but mpirun or mpi4py is missing")
        pytest.skip("Open MPI (mpirun) or mpi4py not installed (as tests/test_distributed.py)")
    script = tmp_path / "ddp_cuda.py"
    script.write_text(_DDP_SCRIPT)
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(os.path.dirname(os.path.dirname(here)), "src")
    env = dict(os.environ, OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([src, here]))
    res = subprocess.run(["mpirun", "-n", "2", sys.executable, str(script)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "ok ddp cuda" in res.stdout
