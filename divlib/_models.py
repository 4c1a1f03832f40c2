r"""Small trainable score models (torch) and a training loop for the score matching losses.

This module imports torch: ``divlib/__init__.py`` loads it lazily, on first
access to ``divlib.ScoreMLP``, ``divlib.LinearScore`` or
``divlib.train_score_model``, so that ``import divlib`` never imports torch.
"""

from __future__ import annotations

import math

import numpy as np

from ._backend import get_backend, import_torch, to_tensors
from ._runtime import int_seed, progress_bar, torch_generator
from ._score import (
    denoising_score_matching_loss,
    hyvarinen_loss,
    sliced_score_matching_loss,
)
from ._validation import (
    as_model_input,
    check_choice,
    check_flag,
    check_param_dtype,
    check_point_cloud,
    check_positive_values,
    check_real_dtype,
    check_scalar,
)

torch = import_torch()
nn = torch.nn


class LinearScore(nn.Module):
    r"""Linear score model :math:`s(x) = -A (x - b)`, the score family of the Gaussians.

    If :math:`A` is symmetric positive definite it is the score of
    :math:`N(b, A^{-1})`; score matching on data from :math:`N(m, C)` recovers
    :math:`A = C^{-1}` and :math:`b = m` (the loss is a quadratic in :math:`(A, b)`).

    Parameters
    ----------
    d : int
        Dimension.
    dtype : torch.dtype, optional
        Parameter dtype (default: torch's default, float32).

    Attributes
    ----------
    A : torch.nn.Parameter, shape (d, d)
        The precision matrix, initialised to the identity (not constrained).
    b : torch.nn.Parameter, shape (d,)
        The mean, initialised to zero.

    Examples
    --------
    >>> import torch
    >>> from divlib import LinearScore
    >>> model = LinearScore(2, dtype=torch.float64)
    >>> model(torch.ones(3, 2, dtype=torch.float64)).shape
    torch.Size([3, 2])
    """

    noise_conditional = False

    def __init__(self, d, *, dtype=None):
        super().__init__()
        self.d = check_scalar(d, "d", low=1, integer=True)
        dtype = check_param_dtype(dtype)
        self.A = nn.Parameter(torch.eye(self.d, dtype=dtype))
        self.b = nn.Parameter(torch.zeros(self.d, dtype=dtype))

    def forward(self, x):
        """Score at ``x`` of shape (n, d): -(x - b) A^T, shape (n, d)."""
        x = as_model_input(x, next(self.parameters()).dtype, self.d, "LinearScore")
        return -(x - self.b) @ self.A.T


class ScoreMLP(nn.Module):
    r"""Multilayer perceptron score model :math:`s_\theta: \mathbb{R}^d \to \mathbb{R}^d`.

    Smooth activations (SiLU), so :math:`\nabla_x s_\theta` is continuous, as the
    Hyvarinen and sliced losses need. With ``noise_conditional=True`` the model
    takes the noise level too and follows Song and Ermon (2020):

    .. math::

        s_\theta(x, \sigma) = \mathrm{MLP}_\theta(x, \log\sigma) / \sigma ,

    since the score of data blurred by :math:`N(0, \sigma^2 I)` scales as
    :math:`1/\sigma`.

    Parameters
    ----------
    d : int
        Dimension of the data.
    hidden : int or sequence of int, default (64, 64)
        Widths of the hidden layers (an int means two layers of that width).
    noise_conditional : bool, default False
        Take ``sigma`` as a second argument (a number or a tensor of shape (n,)).
    seed : None, int or numpy.random.Generator, optional
        Seed of the initial weights (uses a forked RNG: torch's global state is
        left untouched).
    dtype : torch.dtype, optional
        Parameter dtype (default: torch's default, float32).

    Raises
    ------
    TypeError
        ``d``, ``hidden`` or ``seed`` not a number; ``dtype`` not a floating
        torch dtype; at call time, ``x`` not a real tensor of the parameters'
        dtype (an integer tensor is promoted).
    ValueError
        Bad ``d`` or ``hidden``; at call time, ``x`` not a finite (n, d) tensor,
        or ``sigma`` missing (noise-conditional), given (not noise-conditional),
        not finite and > 0, or of a shape other than () or (n,).

    References
    ----------
    .. [1] Y. Song and S. Ermon, "Improved techniques for training score-based
       generative models", *NeurIPS*, 2020.

    Examples
    --------
    >>> import torch
    >>> from divlib import ScoreMLP
    >>> model = ScoreMLP(2, hidden=16, noise_conditional=True, seed=0)
    >>> model(torch.zeros(5, 2), torch.full((5,), 0.5)).shape
    torch.Size([5, 2])
    """

    def __init__(self, d, *, hidden=(64, 64), noise_conditional=False, seed=None, dtype=None):
        super().__init__()
        self.d = check_scalar(d, "d", low=1, integer=True)
        if np.ndim(hidden) == 0:
            widths = [check_scalar(hidden, "hidden", low=1, integer=True)] * 2
        else:
            if len(hidden) == 0:
                raise ValueError(
                    "hidden must be a positive int or a non-empty sequence of them, got ()."
                )
            widths = [
                check_scalar(w, f"hidden[{i}]", low=1, integer=True) for i, w in enumerate(hidden)
            ]
        self.noise_conditional = check_flag(noise_conditional, "noise_conditional")
        seed = int_seed(seed)
        dtype = check_param_dtype(dtype)
        sizes = [self.d + self.noise_conditional, *widths, self.d]
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(seed)
            layers = []
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
                layers.append(nn.Linear(a, b, dtype=dtype))
                if i < len(sizes) - 2:
                    layers.append(nn.SiLU())
            self.net = nn.Sequential(*layers)

    def forward(self, x, sigma=None):
        """Score at ``x`` (n, d) [and noise level ``sigma``, number or (n,)]: shape (n, d)."""
        x = as_model_input(x, next(self.parameters()).dtype, self.d, "ScoreMLP")
        if not self.noise_conditional:
            if sigma is not None:
                raise ValueError(
                    "this ScoreMLP was built with noise_conditional=False and takes no sigma; "
                    "build ScoreMLP(d, noise_conditional=True) to condition on the noise level."
                )
            return self.net(x)
        if sigma is None:
            raise ValueError("this ScoreMLP is noise-conditional: call it as model(x, sigma).")
        levels = check_positive_values(sigma, "sigma")  # finite, > 0
        if levels.size not in (1, x.shape[0]) or np.ndim(sigma) > 1:
            raise ValueError(
                f"sigma must be a number or have shape (n,) = ({x.shape[0]},), got shape "
                f"{tuple(np.shape(levels) if np.ndim(sigma) <= 1 else sigma.shape)}."
            )
        if not isinstance(sigma, torch.Tensor):
            sigma = levels
        sigma = (
            torch.as_tensor(sigma, dtype=x.dtype, device=x.device)
            .reshape(-1, 1)
            .expand(x.shape[0], 1)
        )
        h = torch.cat([x, torch.log(sigma)], dim=1)  # (n, d + 1)
        return self.net(h) / sigma


_LOSSES = ("denoising", "sliced", "hyvarinen")


def train_score_model(
    model,
    x,
    *,
    loss="denoising",
    sigma=None,
    n_steps=1000,
    lr=1e-3,
    batch_size=256,
    n_projections=1,
    lr_schedule="cosine",
    seed=None,
    progress=False,
):
    r"""Fit a torch score model to data with a score matching loss and Adam.

    Parameters
    ----------
    model : torch.nn.Module
        Score model, e.g. :class:`ScoreMLP` or :class:`LinearScore`. Trained in place.
        If it has ``noise_conditional = True`` it is called as ``model(x, sigma)``.
    x : array_like or torch.Tensor, shape (n, d)
        Training data; converted to the dtype and device of the model's parameters.
    loss : {"denoising", "sliced", "hyvarinen"}, default "denoising"
        :func:`denoising_score_matching_loss`, :func:`sliced_score_matching_loss`
        (SSM-VR, ``n_projections`` directions) or :func:`hyvarinen_loss`.
    sigma : float or sequence of float, optional
        Noise level(s) of the denoising loss (required for it, ignored otherwise).
    n_steps : int, default 1000
        Number of Adam steps.
    lr : float, default 1e-3
        Learning rate.
    batch_size : int or None, default 256
        Minibatch size (sampled with replacement each step); None for full batch.
    n_projections : int, default 1
        Directions per sample for the sliced loss.
    lr_schedule : {"cosine", "constant"}, default "cosine"
        Learning rate decayed from ``lr`` to 0 along a half cosine (it averages
        out the noise of the stochastic losses), or kept constant.
    seed : None, int or numpy.random.Generator, optional
        Seed of the minibatches and of the noise or directions (divlib's one
        randomness rule; None draws from torch's global generator).
    progress : bool, default False
        Show a ``tqdm.auto`` progress bar.

    Returns
    -------
    losses : ndarray, shape (n_steps,)
        The loss at each step (useful for a training curve).

    Raises
    ------
    TypeError
        ``model`` not a ``torch.nn.Module`` with parameters; ``x`` not real; a
        number argument not a number; ``progress`` not True/False.
    ValueError
        Unknown ``loss`` or ``lr_schedule``; ``sigma`` missing (or not finite and
        > 0) for the denoising loss; ``lr`` not finite and > 0; ``n_steps``,
        ``batch_size`` or ``n_projections`` not a positive integer; bad ``x``;
        training that diverges (the loss or the parameters become infinite or
        NaN: the message asks for a smaller ``lr``).

    Examples
    --------
    Fit the Gaussian score family to N(1, 0.25) data with the exact loss. Full
    batch, its minimiser is the moment estimate: :math:`A = 1/\hat{\sigma}^2`,
    :math:`b = \bar{x}`:

    >>> import numpy as np, torch
    >>> from divlib import LinearScore, train_score_model
    >>> x = 1.0 + 0.5 * np.random.default_rng(0).normal(size=(1000, 1))
    >>> model = LinearScore(1, dtype=torch.float64)
    >>> losses = train_score_model(model, x, loss="hyvarinen", n_steps=200, lr=0.1, batch_size=None)
    >>> bool(abs(model.A.item() - 1 / x.var()) < 0.01), bool(abs(model.b.item() - x.mean()) < 0.001)
    (True, True)
    >>> round(model.A.item(), 1), round(model.b.item(), 1)  # near C^{-1} = 4 and m = 1
    (4.2, 1.0)
    """
    param = next(model.parameters(), None) if isinstance(model, nn.Module) else None
    if param is None:
        raise TypeError(
            f"model must be a torch.nn.Module with parameters (e.g. ScoreMLP or LinearScore), "
            f"got {type(model).__name__}."
        )
    check_choice(loss, "loss", _LOSSES)
    check_choice(lr_schedule, "lr_schedule", ("cosine", "constant"))
    if loss == "denoising":
        if sigma is None:
            raise ValueError(
                "the denoising loss needs sigma (a noise level, or a sequence of them)."
            )
        check_positive_values(sigma, "sigma")
    n_steps = check_scalar(n_steps, "n_steps", low=1, integer=True)
    lr = check_scalar(lr, "lr", low=0, low_inclusive=False, high=math.inf, high_inclusive=False)
    batch_size = check_scalar(batch_size, "batch_size", low=1, integer=True, allow_none=True)
    n_projections = check_scalar(n_projections, "n_projections", low=1, integer=True)
    progress = check_flag(progress, "progress")
    check_real_dtype(x, "x")
    (data,) = to_tensors(x, dtype=param.dtype)
    data = check_point_cloud(data.to(device=param.device), "x", get_backend(data))
    n = data.shape[0]
    gen = torch_generator(None, seed, param.device)
    conditional = bool(getattr(model, "noise_conditional", False))
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = (
        torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=n_steps)
        if lr_schedule == "cosine"
        else None
    )
    losses = np.empty(n_steps)
    for step in progress_bar(range(n_steps), progress, f"{loss} score matching"):
        if batch_size is None:
            batch = data
        else:
            idx = torch.randint(n, (batch_size,), generator=gen, device=param.device)
            batch = data[idx]
        if loss == "denoising":
            value = denoising_score_matching_loss(
                model, batch, sigma, noise_conditional=conditional, generator=gen
            )
        elif loss == "sliced":
            value = sliced_score_matching_loss(
                model, batch, n_projections=n_projections, generator=gen
            )
        else:
            value = hyvarinen_loss(model, batch)
        optimiser.zero_grad()
        value.backward()
        optimiser.step()
        if not (torch.isfinite(value) and all(torch.isfinite(p).all() for p in model.parameters())):
            raise ValueError(
                f"training diverged at step {step}: the loss or the model's parameters are "
                f"no longer finite (loss {value.item():.3g}); lower lr (now {lr:g})."
            )
        if scheduler is not None:
            scheduler.step()
        losses[step] = value.item()
    return losses
