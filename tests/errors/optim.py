"""Optimizers and learning-rate schedulers: bad hyper-parameters, parameters that are not an
iterable of leaf tensors, parameter groups, ``load_state_dict`` mismatches, and the two warnings
(scheduler stepped before the optimizer, duplicate parameters) that are not errors."""

from . import ErrorCase


def _case(name, fn, exc, contains=(), **kw):
    return ErrorCase("optim", name, fn, exc, contains, **kw)


def _hyper(opt, kw, exc_text):
    """``opt(Linear(2, 1).parameters(), **kw)`` must fail with ValueError ``exc_text``."""
    return _case(f"{opt}/{exc_text.split(':')[0].replace(' ', '-').lower()}",
                 lambda lib: getattr(lib.optim, opt)(lib.nn.Linear(2, 1).parameters(), **kw),
                 ValueError, exc_text)


def _lbfgs_armijo(lib):
    """LBFGS(model.parameters(), line_search_fn="armijo").step(closure)"""
    model = lib.nn.Linear(2, 1)
    opt = lib.optim.LBFGS(model.parameters(), line_search_fn="armijo")

    def closure():
        opt.zero_grad()
        loss = model(lib.ones(1, 2)).sum()
        loss.backward()
        return loss

    opt.step(closure)


CASES = [
    # ---- hyper-parameters ----
    _hyper("SGD", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    _hyper("SGD", {"lr": 0.1, "momentum": -1}, "Invalid momentum value: -1"),
    _hyper("SGD", {"lr": 0.1, "weight_decay": -1}, "Invalid weight_decay value: -1"),
    _case("SGD/nesterov-without-momentum",
          lambda lib: lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1, nesterov=True),
          ValueError, "Nesterov momentum requires a momentum and zero dampening"),
    _case("SGD/nesterov-with-dampening",
          lambda lib: lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1, momentum=0.9,
                                    dampening=0.1, nesterov=True),
          ValueError, "Nesterov momentum requires a momentum and zero dampening"),
    _case("SGD/lr-as-string",
          lambda lib: lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr="0.1"),
          TypeError, "not supported between instances of"),
    _case("SGD/lr-tensor-of-two",
          lambda lib: lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=lib.ones(2)),
          ValueError, "Tensor lr must be 1-element"),
    _hyper("Adam", {"lr": -1}, "Invalid learning rate: -1"),
    _hyper("Adam", {"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    _hyper("Adam", {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    _hyper("Adam", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    _case("Adam/beta-1-negative",
          lambda lib: lib.optim.Adam(lib.nn.Linear(2, 1).parameters(), betas=(0.9, -0.1)),
          ValueError, "Invalid beta parameter at index 1: -0.1"),
    _hyper("AdamW", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    _hyper("AdamW", {"betas": (0.9, 1.5)}, "Invalid beta parameter at index 1: 1.5"),
    _hyper("AdamW", {"lr": -1}, "Invalid learning rate: -1"),
    _hyper("Adagrad", {"lr": -1}, "Invalid learning rate: -1"),
    _hyper("Adagrad", {"lr_decay": -1}, "Invalid lr_decay value: -1"),
    _hyper("Adagrad", {"eps": -1}, "Invalid epsilon value: -1"),
    _hyper("Adagrad", {"initial_accumulator_value": -1},
           "Invalid initial_accumulator_value value: -1"),
    _hyper("Adagrad", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    _hyper("RMSprop", {"lr": -1}, "Invalid learning rate: -1"),
    _hyper("RMSprop", {"alpha": -1}, "Invalid alpha value: -1"),
    _hyper("RMSprop", {"momentum": -1}, "Invalid momentum value: -1"),
    _hyper("RMSprop", {"eps": -1}, "Invalid epsilon value: -1"),
    _hyper("RMSprop", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    _hyper("ASGD", {"lr": -1}, "Invalid learning rate: -1"),
    _hyper("ASGD", {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    _hyper("LBFGS", {"lr": -1}, "Invalid learning rate: -1"),
    _case("LBFGS/parameter-groups",
          lambda lib: lib.optim.LBFGS([{"params": lib.nn.Linear(2, 1).parameters()},
                                       {"params": lib.nn.Linear(2, 1).parameters()}]),
          ValueError, "LBFGS doesn't support per-parameter options (parameter groups)"),
    _case("LBFGS/step-without-closure",
          lambda lib: lib.optim.LBFGS(lib.nn.Linear(2, 1).parameters()).step(),
          TypeError, "missing 1 required positional argument: 'closure'"),
    _case("LBFGS/unknown-line-search", _lbfgs_armijo,
          RuntimeError, "only 'strong_wolfe' is supported"),
    # ---- what is optimized ----
    _case("SGD/one-tensor-not-a-list",
          lambda lib: lib.optim.SGD(lib.nn.Parameter(lib.ones(2)), lr=0.1),
          TypeError, "params argument given to the optimizer should be an iterable of Tensors or "
                     "dicts, but got torch.FloatTensor"),
    _case("SGD/empty-list",
          lambda lib: lib.optim.SGD([], lr=0.1),
          ValueError, "optimizer got an empty parameter list"),
    _case("SGD/module-without-parameters",
          lambda lib: lib.optim.SGD(lib.nn.ReLU().parameters(), lr=0.1),
          ValueError, "optimizer got an empty parameter list"),
    _case("SGD/the-module-itself",
          lambda lib: lib.optim.SGD(lib.nn.Linear(2, 1), lr=0.1),
          TypeError, "is not iterable"),
    _case("SGD/numbers",
          lambda lib: lib.optim.SGD([1.0, 2.0], lr=0.1),
          TypeError, "optimizer can only optimize Tensors, but one of the params is float"),
    _case("SGD/non-leaf",
          lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True) * 2], lr=0.1),
          ValueError, "can't optimize a non-leaf Tensor"),
    _case("SGD/duplicate-parameters-warns",
          lambda lib: [lib.optim.SGD([p, p], lr=0.1) for p in [lib.nn.Parameter(lib.ones(2))]],
          UserWarning, "optimizer contains a parameter group with duplicate parameters"),
    _case("SGD/parameter-in-two-groups",
          lambda lib: [lib.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
                       for p in [lib.nn.Parameter(lib.ones(2))]],
          ValueError, "some parameters appear in more than one parameter group"),
    _case("SGD/group-without-params",
          lambda lib: lib.optim.SGD([{"lr": 0.1}], lr=0.1),
          KeyError, "'params'"),
    _case("add_param_group/list",
          lambda lib: lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1).add_param_group([1]),
          TypeError, "param_group must be a dict, but got <class 'list'>"),
    _case("add_param_group/same-parameters-again",
          lambda lib: [o.add_param_group({"params": o.param_groups[0]["params"]})
                       for o in [lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1)]],
          ValueError, "some parameters appear in more than one parameter group"),
    _case("Optimizer/base-class-step",
          lambda lib: lib.optim.Optimizer(lib.nn.Linear(2, 1).parameters(), {}).step(),
          NotImplementedError, (), fix=("Optimizer.step", "subclass")),
    _case("step/closure-not-callable",
          lambda lib: lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1).step(closure=3),
          TypeError, "'int' object is not callable"),
    # ---- optimizer state dicts ----
    _case("load_state_dict/group-count",
          lambda lib: lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1).load_state_dict(
              {"state": {}, "param_groups": []}),
          ValueError, "loaded state dict has a different number of parameter groups"),
    _case("load_state_dict/group-size",
          lambda lib: lib.optim.SGD([lib.nn.Parameter(lib.ones(2))], lr=0.1).load_state_dict(
              {"state": {}, "param_groups": [{"params": [0, 1], "lr": 0.1}]}),
          ValueError, "loaded state dict contains a parameter group that doesn't match the size "
                      "of optimizer's group"),
    _case("load_state_dict/missing-param-groups",
          lambda lib: lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1).load_state_dict(
              {"state": {}}),
          KeyError, "'param_groups'"),
    _case("load_state_dict/model-state-dict",
          lambda lib: lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1).load_state_dict(
              lib.nn.Linear(2, 1).state_dict()),
          KeyError, "'param_groups'"),
    # ---- schedulers ----
    _case("StepLR/not-an-optimizer",
          lambda lib: lib.optim.lr_scheduler.StepLR("sgd", step_size=1),
          TypeError, "str is not an Optimizer"),
    _case("StepLR/model-instead-of-optimizer",
          lambda lib: lib.optim.lr_scheduler.StepLR(lib.nn.Linear(2, 1), step_size=1),
          TypeError, "Linear is not an Optimizer"),
    _case("StepLR/missing-step-size",
          lambda lib: lib.optim.lr_scheduler.StepLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1)),
          TypeError, "missing 1 required positional argument: 'step_size'"),
    _case("StepLR/step-before-optimizer-warns",
          lambda lib: lib.optim.lr_scheduler.StepLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), 1).step(),
          UserWarning, ("Detected call of `lr_scheduler.step()` before `optimizer.step()`",
                        "call them in the opposite order")),
    _case("StepLR/last-epoch-without-initial-lr",
          lambda lib: lib.optim.lr_scheduler.StepLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), 1, last_epoch=3),
          KeyError, "param 'initial_lr' is not specified in param_groups[0] when resuming "
                    "scheduler with last_epoch >= 0"),
    _case("LambdaLR/one-lambda-per-group",
          lambda lib: lib.optim.lr_scheduler.LambdaLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1),
              lr_lambda=[lambda e: 1.0, lambda e: 1.0]),
          ValueError, "Expected 1 lr_lambdas, but got 2"),
    _case("MultiplicativeLR/not-a-function",
          lambda lib: lib.optim.lr_scheduler.MultiplicativeLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), lr_lambda=3),
          TypeError, "lr_lambda should be a function, but got int"),
    _case("ReduceLROnPlateau/mode",
          lambda lib: lib.optim.lr_scheduler.ReduceLROnPlateau(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), mode="big"),
          ValueError, "mode big is unknown!"),
    _case("ReduceLROnPlateau/factor",
          lambda lib: lib.optim.lr_scheduler.ReduceLROnPlateau(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), factor=1.5),
          ValueError, "Factor should be < 1.0."),
    _case("ReduceLROnPlateau/threshold-mode",
          lambda lib: lib.optim.lr_scheduler.ReduceLROnPlateau(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), threshold_mode="x"),
          ValueError, "threshold mode x is unknown!"),
    _case("ReduceLROnPlateau/min-lr-per-group",
          lambda lib: lib.optim.lr_scheduler.ReduceLROnPlateau(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), min_lr=[0.1, 0.2]),
          ValueError, "expected 1 min_lrs, got 2"),
    _case("CosineAnnealingWarmRestarts/T_0",
          lambda lib: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), T_0=0),
          ValueError, "Expected positive integer T_0, but got 0"),
    _case("CosineAnnealingWarmRestarts/T_mult",
          lambda lib: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), T_0=2, T_mult=0),
          ValueError, "Expected integer T_mult >= 1, but got 0"),
    _case("OneCycleLR/no-length",
          lambda lib: lib.optim.lr_scheduler.OneCycleLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), max_lr=0.1),
          ValueError, "You must define either total_steps OR (epochs AND steps_per_epoch)"),
    _case("OneCycleLR/total-steps",
          lambda lib: lib.optim.lr_scheduler.OneCycleLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), max_lr=0.1,
              total_steps=0),
          ValueError, "Expected positive integer total_steps, but got 0"),
    _case("OneCycleLR/pct-start",
          lambda lib: lib.optim.lr_scheduler.OneCycleLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), max_lr=0.1,
              total_steps=10, pct_start=1.5),
          ValueError, "Expected float between 0 and 1 pct_start, but got 1.5"),
    _case("OneCycleLR/anneal-strategy",
          lambda lib: lib.optim.lr_scheduler.OneCycleLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), max_lr=0.1,
              total_steps=10, anneal_strategy="x"),
          ValueError, "anneal_strategy must be one of 'cos' or 'linear', instead got x"),
    _case("OneCycleLR/stepped-too-often",
          lambda lib: [[s.optimizer.step(), s.step()] for s in [lib.optim.lr_scheduler.OneCycleLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), max_lr=0.1,
              total_steps=2)] for _ in range(3)],
          ValueError, "Tried to step 3 times. The specified number of total steps is 2"),
    _case("LinearLR/start-factor",
          lambda lib: lib.optim.lr_scheduler.LinearLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), start_factor=1.5),
          ValueError, "Starting multiplicative factor expected to be greater than 0 and less or "
                      "equal to 1."),
    _case("LinearLR/end-factor",
          lambda lib: lib.optim.lr_scheduler.LinearLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), end_factor=1.5),
          ValueError, "Ending multiplicative factor expected to be between 0 and 1."),
    _case("ConstantLR/factor",
          lambda lib: lib.optim.lr_scheduler.ConstantLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), factor=1.5),
          ValueError, "Constant multiplicative factor expected to be between 0 and 1."),
    _case("SequentialLR/milestone-count",
          lambda lib: [lib.optim.lr_scheduler.SequentialLR(
              o, [lib.optim.lr_scheduler.ConstantLR(o), lib.optim.lr_scheduler.ConstantLR(o)],
              milestones=[1, 2]) for o in [lib.optim.SGD(lib.nn.Linear(2, 1).parameters(),
                                                         lr=0.1)]],
          ValueError, "Sequential Schedulers expects number of schedulers provided to be one more "
                      "than the number of milestone points"),
    _case("SequentialLR/no-schedulers",
          lambda lib: lib.optim.lr_scheduler.SequentialLR(
              lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1), [], milestones=[]),
          ValueError, "SequentialLR expects at least one scheduler, but got no scheduler."),
    _case("ChainedScheduler/two-optimizers",
          lambda lib: lib.optim.lr_scheduler.ChainedScheduler([
              lib.optim.lr_scheduler.ConstantLR(lib.optim.SGD(lib.nn.Linear(2, 1).parameters(),
                                                              lr=0.1)),
              lib.optim.lr_scheduler.ConstantLR(lib.optim.SGD(lib.nn.Linear(2, 1).parameters(),
                                                              lr=0.1))]),
          ValueError, "ChainedScheduler expects all schedulers to belong to the same optimizer"),
    _case("StepLR/step-with-epoch-warns",
          lambda lib: [[o.step(), s.step(1)] for o in [lib.optim.SGD(
              lib.nn.Linear(2, 1).parameters(), lr=0.1)]
              for s in [lib.optim.lr_scheduler.StepLR(o, 1)]],
          UserWarning, "The epoch parameter in `scheduler.step()` was not necessary and is being "
                       "deprecated"),
]
