"""A project as one standalone PyTorch script (File > Export > PyTorch
script…, ``nnsim export FILE --to pytorch OUT.py``).

The script is generated text: the user's numbers are Python literals
(``repr`` of each float, which reads back to the same float), nothing is
pickled. Importing it defines ``build_model()`` (a ``torch.nn.Module`` with the
file's exact weights, float64, whose ``forward`` returns the output layer's
activations), the data (the file's points, or the built-in set's exact
points), ``row_losses`` (the file's loss, written out as nnsim computes it),
``make_optimizer`` (sgd, momentum or adam as nnsim defines them, continuing
from the file's optimiser state) and ``train``. Run as ``python OUT.py
--epochs N`` it trains as ``nnsim train`` does (same batches, same shuffled
order: numpy draws it from nnsim's seed); under ``torchrun ... OUT.py --ddp``
it trains with DistributedDataParallel (gloo, CPU). docs/export.md says what
matches nnsim exactly and what only to rounding.
"""
from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np

from ..core.activations import LEAKY_SLOPE
from ..core.naming import neuron_name
from ..core.project import Project
from .atomic import atomic_write_bytes

# the loss's code, by (loss, computed from the logits z?): each row's loss;
# the loss of a batch is their mean (losses.py: means over the n samples)
_LOSS_CODE = {
    ("mse", False): '''\
def row_losses(z, a, y):
    """Each sample's loss, as nnsim's mse: 1/t sum_j (y_j - a_j)^2 (the batch's
    loss is the mean over its samples)."""
    return ((y - a) ** 2).mean(dim=1)
''',
    ("bce", True): '''\
def row_losses(z, a, y):
    """Each sample's loss, as nnsim's bce with a sigmoid output, from the net
    input z so it stays finite: -1/t sum_j [y log s(z) + (1-y) log(1-s(z))]
    = 1/t sum_j [log(1 + e^z) - y z] (the batch's loss: the mean over samples)."""
    return (torch.logaddexp(torch.zeros_like(z), z) - y * z).mean(dim=1)
''',
    ("bce", False): '''\
EPS = 1e-12  # nnsim clips the output to [EPS, 1 - EPS] before the logs


def row_losses(z, a, y):
    """Each sample's loss, as nnsim's bce: -1/t sum_j [y log a + (1-y) log(1-a)],
    a clipped to [EPS, 1 - EPS] (flat beyond, so its gradient is 0 there)."""
    c = a.clamp(EPS, 1.0 - EPS)
    return -(y * torch.log(c) + (1.0 - y) * torch.log1p(-c)).mean(dim=1)
''',
    ("cross_entropy", True): '''\
def row_losses(z, a, y):
    """Each sample's loss, as nnsim's cross-entropy with a softmax output, from
    the net input z: -sum_j y_j log softmax(z)_j (the batch's loss: the mean)."""
    return -(y * torch.log_softmax(z, dim=1)).sum(dim=1)
''',
    ("cross_entropy", False): '''\
EPS = 1e-12  # nnsim clips the output to [EPS, 1] before the log


def row_losses(z, a, y):
    """Each sample's loss, as nnsim's cross-entropy: -sum_j y_j log a_j, a
    clipped to [EPS, 1]; a target of 0 adds nothing (0 log 0 counts as 0)."""
    log_a = torch.log(a.clamp(EPS, 1.0))
    return -torch.where(y != 0, y * log_a, torch.zeros_like(y)).sum(dim=1)
''',
}

_SLOTS_CODE = '''\
def optimizer_slots(model, kind):
    """The file's optimiser state for the trainable parameters (zeros if none)."""
    params = list(model.parameters())
    slots = OPTIMIZER_STATE["slots"]
    out = []
    for i, p in enumerate(params):
        if p.requires_grad:
            value = None if slots is None else slots[kind][i]
            out.append(torch.zeros_like(p) if value is None
                       else torch.tensor(value, dtype=DTYPE).reshape(p.shape))
    return out


'''

_OPTIMIZER_CODE = {
    "sgd": '''\
def make_optimizer(model):
    """nnsim's sgd: w <- w - lr * dL/dw, what torch.optim.SGD does."""
    return torch.optim.SGD(trainable(model), lr=SETTINGS["learning_rate"])
''',
    "momentum": _SLOTS_CODE + '''\
class NnsimMomentum(torch.optim.Optimizer):
    """nnsim's momentum: v <- mu v - lr dL/dw; w <- w + v. (torch.optim.SGD
    with momentum keeps v' = mu v' + dL/dw and steps -lr v': the same steps
    while the learning rate stays, but another velocity in the file.)"""

    def __init__(self, params, lr, momentum):
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                v = self.state[p].setdefault("velocity", torch.zeros_like(p))
                v.mul_(group["momentum"]).sub_(group["lr"] * p.grad)
                p.add_(v)


def make_optimizer(model):
    opt = NnsimMomentum(trainable(model), lr=SETTINGS["learning_rate"],
                        momentum=OPTIMIZER["momentum"])
    for p, v in zip(trainable(model), optimizer_slots(model, 0)):
        opt.state[p]["velocity"] = v
    return opt
''',
    "adam": _SLOTS_CODE + '''\
class NnsimAdam(torch.optim.Optimizer):
    """nnsim's adam: m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
    w <- w - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), with t the
    number of updates so far (one count for the whole network). torch.optim.Adam
    is the same to rounding (it divides sqrt(v) by sqrt(1 - b2^t))."""

    def __init__(self, params, lr, beta1, beta2, epsilon, t=0):
        super().__init__(params, {"lr": lr, "beta1": beta1, "beta2": beta2,
                                  "epsilon": epsilon})
        self.t = t

    @torch.no_grad()
    def step(self):
        self.t += 1
        for group in self.param_groups:
            b1, b2, eps = group["beta1"], group["beta2"], group["epsilon"]
            c1, c2 = 1.0 - b1 ** self.t, 1.0 - b2 ** self.t
            for p in group["params"]:
                state = self.state[p]
                m = state.setdefault("m", torch.zeros_like(p))
                v = state.setdefault("v", torch.zeros_like(p))
                g = p.grad
                m.mul_(b1).add_((1.0 - b1) * g)
                v.mul_(b2).add_((1.0 - b2) * g * g)
                p.add_(-group["lr"] * (m / c1) / (torch.sqrt(v / c2) + eps))


def make_optimizer(model):
    opt = NnsimAdam(trainable(model), lr=SETTINGS["learning_rate"], t=OPTIMIZER_STATE["t"],
                    **OPTIMIZER)
    for p, m, v in zip(trainable(model), optimizer_slots(model, 0), optimizer_slots(model, 1)):
        opt.state[p]["m"], opt.state[p]["v"] = m, v
    return opt
''',
}


def number(v: float) -> str:
    """A float as a Python literal that reads back to the same float."""
    v = float(v)
    if math.isfinite(v):
        return repr(v)
    return "math.nan" if math.isnan(v) else ("math.inf" if v > 0 else "-math.inf")


def _row(values) -> str:
    return "[" + ", ".join(number(v) for v in values) + "]"


def _matrix(rows, indent: str) -> str:
    """A 2-D list literal, one row per line (``[]`` for no rows)."""
    rows = list(rows)
    if not rows:
        return "[]"
    inner = f",\n{indent}    ".join(_row(r) for r in rows)
    return f"[\n{indent}    {inner},\n{indent}]"


def _layer_code(project: Project, k: int) -> str:
    net = project.network
    layer, sizes = net.layers[k - 1], net.sizes
    ins = [neuron_name(sizes, k - 1, i) for i in range(layer.n_in)]
    outs = [neuron_name(sizes, k, j) for j in range(layer.units)]
    kind = "output" if k == len(net.layers) else "hidden"
    ind = " " * 12
    lines = [f"        Layer(  # layer {k} ({kind}): {', '.join(ins)} -> {', '.join(outs)}, "
             f"{layer.activation}",
             f"            # weight[i][j]: from {ins[0]}.. (rows) to {outs[0]}.. (columns)",
             f"            weight={_matrix(layer.W, ind)},",
             f"            bias={_row(layer.b)},  # {', '.join(outs)}",
             f"            activation={layer.activation!r},"]
    if layer.mask is not None:
        mask = ",\n                ".join("[" + ", ".join(str(int(m)) for m in row) + "]"
                                         for row in layer.mask)
        lines.append(f"            # 0: connection removed in nnsim (its weight is kept, not used)\n"
                     f"            mask=[\n                {mask},\n            ],")
    if not layer.train_bias:
        lines.append("            train_bias=False,  # nnsim leaves this layer's biases as they are")
    lines.append("        ),")
    return "\n".join(lines)


def _optimizer_state_code(project: Project) -> str:
    cfg, state = project.training, project.optimizer_state
    if cfg.optimizer == "sgd":
        return ""
    kinds = {"momentum": 1, "adam": 2}[cfg.optimizer]
    if not state or len(state.get("slots", [])) != kinds:
        return ("# The optimiser starts afresh (the file holds no state for it).\n"
                f"OPTIMIZER_STATE = {{\"t\": {int((state or {}).get('t', 0))}, \"slots\": None}}\n")
    names = {"momentum": ["velocity"], "adam": ["m (first moment)", "v (second moment)"]}
    parts = []
    for kind, slot in enumerate(state["slots"]):
        arrays = []
        for p, arr in enumerate(slot):
            arr = np.atleast_2d(np.asarray(arr, dtype=float))
            what = f"W{p // 2 + 1}" if p % 2 == 0 else f"b{p // 2 + 1}"
            arrays.append(f"        # {what}\n        {_matrix(arr, ' ' * 8)},")
        parts.append(f"    [  # {names[cfg.optimizer][kind]}, per parameter\n"
                     + "\n".join(arrays) + "\n    ],")
    return ("# The file's optimiser state (nnsim continues from it): updates done so far\n"
            "# and, per slot, one array per parameter W1, b1, W2, b2, ...\n"
            f"OPTIMIZER_STATE = {{\"t\": {int(state['t'])}, \"slots\": [\n"
            + "\n".join(parts) + "\n]}\n")


def _docstring_safe(text: str) -> str:
    """One line that cannot end the script's docstring."""
    return " ".join(text.replace("\\", "/").replace('"' * 3, "'" * 3).split())


def pytorch_script(project: Project, source: str = "", script: str = "model.py") -> str:
    """The script's text (see the module docstring); ``source``: the .nnsim
    file's name, ``script``: the script's own (for its usage lines)."""
    net, cfg = project.network, project.training
    # the rows as the network sees them: feature inputs and standardisation
    # (core/input_transform.py) applied, as nnsim trains
    data, transform = project.network_data()
    title = project.title or (Path(source).stem if source else "nnsim network")
    fused = net.layers[-1].activation == {"bce": "sigmoid", "cross_entropy": "softmax"}.get(net.loss)
    name = Path(source).name if source else "nnsim"
    data_from = (f"the built-in set {data.name!r} (its exact points)" if data.name != "imported"
                 else "the file's points")
    layers = "\n".join(_layer_code(project, k) for k in range(1, len(net.layers) + 1))
    settings = {"learning_rate": cfg.learning_rate, "batch_size": cfg.batch_size,
                "epochs": cfg.epochs, "seed": cfg.seed, "shuffle": cfg.shuffle,
                "stop_loss": cfg.stop_loss, "regularization": cfg.regularization,
                "regularization_rate": cfg.regularization_rate}
    settings_code = "\n".join(f"    {k!r}: {number(v) if isinstance(v, float) else repr(v)},"
                              for k, v in settings.items())
    opt_params = ", ".join(f"{k!r}: {number(v)}" for k, v in
                           sorted(project.make_optimizer().params.items()))
    about = textwrap.fill(
        "build_model() gives the network with the file's exact weights (float64); its "
        "forward(x) returns the output layer's activations, as nnsim's forward pass. "
        f"The data is {data_from}. The loss is nnsim's {net.loss} and the optimiser "
        f"nnsim's {cfg.optimizer}, with the file's settings and optimiser state."
        + (f" Each update adds the {cfg.penalty.title} penalty's term to the weights' "
           f"gradients (rate {number(cfg.regularization_rate)}), as nnsim does."
           if cfg.penalty.active else "")
        + (" The data's rows are the network's inputs, as nnsim computes them from the "
           "file's points: " + (f"feature inputs {', '.join(transform.features)} added"
                                if transform.features else "")
           + (" and " if transform.features and transform.mean is not None else "")
           + ("standardised with the training rows' means and deviations"
              if transform.mean is not None else "") + "; new inputs need the same."
           if not transform.is_identity else ""), 79)
    text = _TEMPLATE.format(about=about,
        title=_docstring_safe(title), name=_docstring_safe(name), script=Path(script).name,
        module=Path(script).stem, data_from=data_from, loss=net.loss,
        optimizer=cfg.optimizer, slope=number(LEAKY_SLOPE), layers=layers,
        loss_code=_LOSS_CODE[(net.loss, fused)], optimizer_code=_OPTIMIZER_CODE[cfg.optimizer],
        settings=settings_code, opt_params=opt_params,
        optimizer_state=_optimizer_state_code(project),
        kind=data.kind, input_names=list(data.input_names),
        target_names=list(data.target_names),
        x_train=_matrix(data.X_train, ""), y_train=_matrix(data.Y_train, ""),
        x_test=_matrix(data.X_test, ""), y_test=_matrix(data.Y_test, ""),
        n_train=len(data.X_train), n_test=len(data.X_test),
        dtype_note=("\nnnsim trains this file in float32 (training.dtype); the script trains in "
                    "float64,\nso its numbers differ from nnsim's by float32's rounding.\n"
                    if cfg.dtype == "float32" else ""))
    # (every number is a repr, every name a repr or docstring-safe: the tests
    # compile the scripts of every example and combination; compiling here
    # would double the export's time for a big network)
    return text


def export_pytorch(project: Project, path: str | Path, source: str = "") -> None:
    """Write the script to ``path`` (atomically: the old file, if any, stays
    whole when writing fails)."""
    text = pytorch_script(project, source, Path(path).name)
    atomic_write_bytes(str(path), text.encode("utf-8"))


_TEMPLATE = '''\
#!/usr/bin/env python3
"""{title}: an nnsim network as a PyTorch script.

Exported by nnsim from {name}.

    python {script} --epochs 100                                  # train on this machine
    torchrun --nproc_per_node=2 {script} --ddp --epochs 100       # DistributedDataParallel
    python -c "import {module}; print({module}.build_model())"           # just the model

{about}

Training follows `nnsim train`: mini-batches of SETTINGS["batch_size"] rows
(the last one of an epoch may be smaller), each epoch in a new shuffled order
drawn by numpy from the file's seed exactly as nnsim draws it, the loss of a
batch the mean over its rows, one update per batch. The numbers agree with
nnsim's to rounding (about 1e-15 relative per step: PyTorch sums and
multiplies in another order), so over many epochs the two drift apart slowly,
as any two float programs do. Under --ddp each process takes every
WORLD_SIZE-th row of each batch and the gradients are averaged so that every
update is the batch mean, as above; the batches and their order are the same.
Not exported: the loss history, nnsim's step-back marks and the place inside
an epoch (training starts at an epoch's beginning).{dtype_note}
Needs torch and numpy.
"""
import argparse
import math
import os

import numpy as np
import torch
from torch import nn

DTYPE = torch.float64
LEAKY_SLOPE = {slope}


# -- the network -----------------------------------------------------------------

def activate(name, z):
    """nnsim's activations."""
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "relu":
        return torch.relu(z)
    if name == "leaky_relu":
        return torch.where(z > 0, z, LEAKY_SLOPE * z)
    if name == "softmax":
        return torch.softmax(z, dim=1)
    return z  # linear


class Layer(nn.Module):
    """One nnsim layer: z = x @ weight + bias, a = activation(z). weight is
    (inputs, neurons) as nnsim stores it: weight[i][j] is the weight from
    neuron i of the previous layer to neuron j of this one. A mask of 0 marks
    a connection removed in nnsim: its weight is kept but used as 0 (and so
    it never changes)."""

    def __init__(self, weight, bias, activation, mask=None, train_bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.tensor(weight, dtype=DTYPE))
        self.bias = nn.Parameter(torch.tensor(bias, dtype=DTYPE), requires_grad=train_bias)
        self.register_buffer("mask", None if mask is None else torch.tensor(mask, dtype=torch.bool))
        self.activation = activation

    def net_input(self, x):
        w = self.weight if self.mask is None else torch.where(self.mask, self.weight, 0.0)
        return x @ w + self.bias

    def forward(self, x):
        return activate(self.activation, self.net_input(x))


class Network(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, x, with_net_input=False):
        """The output layer's activations a (with_net_input: (z, a), z its net input)."""
        for layer in self.layers[:-1]:
            x = layer(x)
        z = self.layers[-1].net_input(x)
        a = activate(self.layers[-1].activation, z)
        return (z, a) if with_net_input else a


def build_model():
    """The network with the file's weights."""
    return Network([
{layers}
    ])


def trainable(model):
    """The parameters nnsim trains, in its order W1, b1, W2, b2, ..."""
    return [p for p in model.parameters() if p.requires_grad]


# -- the loss ------------------------------------------------------------------------

{loss_code}

# -- training settings and the optimiser -----------------------------------------

SETTINGS = {{
{settings}
}}
OPTIMIZER = {{{opt_params}}}
{optimizer_state}

{optimizer_code}

# -- the data ----------------------------------------------------------------------

KIND = {kind!r}  # binary, multiclass or regression
INPUT_NAMES = {input_names!r}
TARGET_NAMES = {target_names!r}


def load_data():
    """(X_train, Y_train, X_test, Y_test) as float64 tensors."""
    def t(rows, width):
        return torch.tensor(rows, dtype=DTYPE).reshape(len(rows), width)
    n_in, n_out = len(INPUT_NAMES), len(TARGET_NAMES)
    return t(X_TRAIN, n_in), t(Y_TRAIN, n_out), t(X_TEST, n_in), t(Y_TEST, n_out)


def accuracy(y, a):
    """nnsim's accuracy: one output, class 1 above 0.5; several, the largest."""
    if a.shape[1] == 1:
        return ((a[:, 0] > 0.5) == (y[:, 0] > 0.5)).double().mean().item()
    return (a.argmax(dim=1) == y.argmax(dim=1)).double().mean().item()


def measure(model, X, Y):
    """Loss (and accuracy for classification) on whole sets, as nnsim reports them."""
    if len(X) == 0:
        return None, None
    with torch.no_grad():
        z, a = model(X, with_net_input=True)
        loss = row_losses(z, a, Y).mean().item()
    return loss, (accuracy(Y, a) if KIND != "regression" else None)


# -- training --------------------------------------------------------------------------

def add_penalty(model):
    """L1/L2 regularisation as nnsim adds it, after the loss's gradient: each
    weight's gradient gains rate*w (L2) or rate*sign(w) (L1); biases and
    removed connections get nothing."""
    kind, rate = SETTINGS["regularization"], SETTINGS["regularization_rate"]
    if kind == "none" or rate == 0:
        return
    with torch.no_grad():
        for layer in model.layers:
            w = layer.weight
            g = rate * (w if kind == "l2" else torch.sign(w))
            if layer.mask is not None:
                g = torch.where(layer.mask, g, 0.0)
            w.grad.add_(g)


def train(model, epochs, ddp=False, report=print):
    """Train as `nnsim train` does; returns the training loss after each epoch.
    ddp: the process group is set up (torchrun); each process trains its share."""
    X, Y, X_test, Y_test = load_data()
    rank, world = 0, 1
    net = model
    if ddp:
        import torch.distributed as dist
        rank, world = dist.get_rank(), dist.get_world_size()
        net = nn.parallel.DistributedDataParallel(model)
    opt = make_optimizer(model)
    rng = np.random.default_rng([SETTINGS["seed"], 1])  # nnsim's shuffling stream
    n = len(X)
    if n == 0:
        raise ValueError("the data has no training rows to train on")
    size = min(SETTINGS["batch_size"], n)
    losses = []
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n) if SETTINGS["shuffle"] else np.arange(n)
        for start in range(0, n, size):
            batch = order[start:start + size]
            mine = torch.as_tensor(batch[rank::world], dtype=torch.long)
            z, a = net(X[mine], with_net_input=True)
            # the batch's mean loss: this process's rows' sum over the batch's
            # size; DDP averages the processes' gradients, hence * world
            loss = row_losses(z, a, Y[mine]).sum() * (world / len(batch))
            opt.zero_grad()
            loss.backward()
            add_penalty(model)
            opt.step()
        train_loss, train_acc = measure(model, X, Y)
        test_loss, test_acc = measure(model, X_test, Y_test)
        losses.append(train_loss)
        if rank == 0 and report is not None:
            line = f"epoch {{epoch}}/{{epochs}}  train loss {{train_loss:.6g}}"
            if test_loss is not None:
                line += f"  test loss {{test_loss:.6g}}"
            if train_acc is not None:
                line += f"  train accuracy {{100 * train_acc:.1f}}%"
            report(line)
        stop = SETTINGS["stop_loss"]
        if train_loss is not None and (not math.isfinite(train_loss)
                                       or (stop is not None and train_loss < stop)):
            break
    return losses


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=SETTINGS["epochs"],
                        help="epochs to train (default: the file's, %(default)s)")
    parser.add_argument("--ddp", action="store_true",
                        help="DistributedDataParallel over the processes torchrun starts "
                             "(gloo, CPU)")
    args = parser.parse_args()
    if not X_TRAIN:
        parser.exit(2, "the data has no training rows to train on\\n")
    if args.ddp:
        import torch.distributed as dist
        if "RANK" not in os.environ:
            parser.error("--ddp runs under torchrun: "
                         "torchrun --nproc_per_node=2 {script} --ddp")
        dist.init_process_group("gloo")
        try:
            train(build_model(), args.epochs, ddp=True)
        finally:
            dist.destroy_process_group()
    else:
        train(build_model(), args.epochs)


# -- the data's numbers ({n_train} training rows, {n_test} test rows) ----------------------

X_TRAIN = {x_train}
Y_TRAIN = {y_train}
X_TEST = {x_test}
Y_TEST = {y_test}

if __name__ == "__main__":
    main()
'''
