"""The reference implementations: PyTorch CPU and scikit-learn's MLP, doing the
work of one nnsim epoch (shuffle, mini-batch forward + backward + SGD update,
record each batch loss, then the loss and accuracy on the whole training set).

Each ``prepare_*`` returns an object whose ``run(epochs)`` trains from the same
initial weights and returns the seconds it took. Imports are lazy: a missing
package raises ImportError, which the caller reports as "skipped".
"""
from __future__ import annotations

import time
import warnings

import numpy as np

from .cases import Case


def available(framework: str) -> str | None:
    """The version of ``framework`` if it can be imported here, else None."""
    try:
        if framework == "torch":
            import torch
            return torch.__version__
        if framework == "sklearn":
            import sklearn
            return sklearn.__version__
    except ImportError:
        return None
    raise ValueError(framework)


class TorchRun:
    def __init__(self, case: Case, weights, X, Y, dtype: str, threads: int):
        import torch
        from torch import nn
        self.torch = torch
        torch.set_num_threads(threads)
        try:
            torch.set_num_interop_threads(threads)
        except RuntimeError:  # only allowed once per process
            pass
        self.tdtype = {"float64": torch.float64, "float32": torch.float32}[dtype]
        self.case, self.weights = case, weights
        acts = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}
        layers = []
        for k, (a, b) in enumerate(zip(case.sizes, case.sizes[1:])):
            layers.append(nn.Linear(a, b))
            name = case.activations[k]
            if k < len(case.sizes) - 2:
                layers.append(acts[name]())
        # the output activation is fused into the loss, as one writes it in PyTorch
        self.model = nn.Sequential(*layers).to(self.tdtype)
        self.linears = [m for m in self.model if isinstance(m, nn.Linear)]
        self.X = torch.from_numpy(np.ascontiguousarray(X)).to(self.tdtype)
        if case.loss == "cross_entropy":
            self.Y = torch.from_numpy(Y.argmax(axis=1))
            self.loss_fn = nn.CrossEntropyLoss()
        else:
            self.Y = torch.from_numpy(np.ascontiguousarray(Y)).to(self.tdtype)
            self.loss_fn = nn.BCEWithLogitsLoss() if case.loss == "bce" else nn.MSELoss()
        self.gen = torch.Generator().manual_seed(0)

    def _reset(self):
        with self.torch.no_grad():
            for lin, (W, b) in zip(self.linears, self.weights):
                lin.weight.copy_(self.torch.from_numpy(W.T.copy()))
                lin.bias.copy_(self.torch.from_numpy(b))

    def run(self, epochs: int) -> float:
        torch = self.torch
        self._reset()
        model, X, Y, loss_fn, B = self.model, self.X, self.Y, self.loss_fn, self.case.batch
        opt = torch.optim.SGD(model.parameters(), lr=self.case.learning_rate)
        n = len(X)
        step_losses, results = [], []
        t0 = time.perf_counter()
        for _ in range(epochs):
            order = torch.randperm(n, generator=self.gen)
            for start in range(0, n, B):
                idx = order[start:start + B]
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(X[idx]), Y[idx])
                loss.backward()
                opt.step()
                step_losses.append(loss.item())
            with torch.no_grad():  # what nnsim reports after each epoch
                out = model(X)
                train_loss = loss_fn(out, Y).item()
                if self.case.loss == "cross_entropy":
                    acc = (out.argmax(dim=1) == Y).double().mean().item()
                else:
                    acc = ((out > 0) == (Y > 0.5)).double().mean().item()
                results.append((train_loss, acc))
        return time.perf_counter() - t0


class SklearnRun:
    def __init__(self, case: Case, weights, X, Y, dtype: str, threads: int):
        from sklearn.neural_network import MLPClassifier
        self.case = case
        self.X = np.ascontiguousarray(X, dtype=dtype)
        if case.sizes[-1] == 1:
            self.y = Y[:, 0].astype(int)  # one logistic output, like ours
        elif case.sizes[-1] == 2:
            # sklearn turns two classes into ONE logistic output; one-hot
            # targets keep two outputs (two logistic units, not a softmax)
            self.y = Y.astype(int)
        else:
            self.y = Y.argmax(axis=1)  # softmax output
        hidden = case.sizes[1:-1]
        self.make = lambda epochs: MLPClassifier(
            hidden_layer_sizes=hidden, activation=case.hidden_activation, solver="sgd",
            alpha=0.0, batch_size=case.batch, learning_rate="constant",
            learning_rate_init=case.learning_rate, momentum=0.0, nesterovs_momentum=False,
            max_iter=epochs, shuffle=True, tol=0.0, n_iter_no_change=10**9,
            early_stopping=False, random_state=0)

    def run(self, epochs: int) -> float:
        clf = self.make(epochs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: we stop by max_iter
            t0 = time.perf_counter()
            clf.fit(self.X, self.y)
            return time.perf_counter() - t0


def prepare(framework: str, case: Case, weights, X, Y, dtype: str, threads: int):
    cls = {"torch": TorchRun, "sklearn": SklearnRun}[framework]
    return cls(case, weights, X, Y, dtype, threads)
