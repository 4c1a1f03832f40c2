r"""Score functions: Fisher divergence, score matching losses, Langevin sampling.

The score of a density :math:`p` on :math:`\mathbb{R}^d` is
:math:`s_p(x) = \nabla_x \log p(x)`, shape (d,) per point; it does not depend
on the normalising constant of :math:`p`. A *score function* here is any
callable mapping samples of shape (n, d) to scores of shape (n, d).

``fisher_divergence`` and the Langevin samplers work with numpy and torch;
the score matching losses are torch only (they differentiate through the
score model) and return a scalar tensor to minimise.
"""

from __future__ import annotations

import math

import numpy as np

from ._backend import first_tensor, get_backend, import_torch
from ._runtime import check_chain_flags, run_chain, torch_generator
from ._validation import (
    as_point_cloud,
    as_tensor_cloud,
    check_callable,
    check_choice,
    check_finite,
    check_flag,
    check_output,
    check_output_form,
    check_positive_values,
    check_scalar,
    check_seed,
)


def _differentiable_score(score_fn, x, torch, what):
    """``score_fn(x)`` checked: a finite (n, d) tensor that depends on ``x`` through autograd."""
    s = score_fn(x)  # (n, d)
    check_output(s, "score_fn", [tuple(x.shape)], get_backend(s))
    if not (isinstance(s, torch.Tensor) and s.requires_grad):
        raise ValueError(
            f"score_fn(x) does not depend on x through torch autograd; {what} needs a "
            "differentiable torch score function."
        )
    return s


# -- Fisher divergence ---------------------------------------------------------------


def fisher_divergence(score_p, score_q, x):
    r"""Monte Carlo estimate of the Fisher divergence from samples of ``p``.

    .. math::

        F(p \,\|\, q) = \mathbb{E}_{x \sim p}\,
        \big\| \nabla_x \log p(x) - \nabla_x \log q(x) \big\|^2
        \approx \frac{1}{n} \sum_{i=1}^n \| s_p(x_i) - s_q(x_i) \|^2 .

    Parameters
    ----------
    score_p, score_q : callable
        Score functions :math:`s_p = \nabla \log p` and :math:`s_q = \nabla \log q`:
        map an array of shape (n, d) to an array of shape (n, d) (numpy or torch,
        like ``x``). Unnormalised log-densities give the same scores.
    x : array_like or torch.Tensor, shape (n, d)
        Samples :math:`x_i \sim p` (the expectation is under ``p``).

    Returns
    -------
    F : ndarray or torch.Tensor, shape ()
        The estimate, :math:`\ge 0`. A tensor ``x`` (or a score returning
        tensors) gives a tensor, differentiable through the score functions;
        float32 scores give a float32 estimate.

    Raises
    ------
    TypeError
        If a score is not callable or returns no real array, or ``x`` is not
        real (complex, bool, string, object or bfloat16 dtypes).
    ValueError
        If ``x`` is not a non-empty, finite (n, d) array, or a score returns an
        array whose shape differs from that of ``x`` or holds NaN or infinite
        entries.

    Notes
    -----
    There is **no factor 1/2**: :math:`F` is the squared distance between the
    scores averaged under ``p``. Papers on score matching often write
    :math:`\tfrac12 F`; Hyvarinen's loss equals :math:`\tfrac12 F(p\|q)` minus a
    constant that does not depend on ``q``. Like the forward KL, :math:`F` is not
    symmetric, is 0 iff :math:`p = q` (for smooth, positive densities), and
    needs no normalising constant. The standard error of the estimate is
    ``np.std(terms) / sqrt(n)`` of the per-sample terms. The Gaussian closed form
    is :func:`divlib.fisher_divergence_gaussian`.

    References
    ----------
    .. [1] A. Hyvarinen, "Estimation of non-normalized statistical models by
       score matching", *JMLR* 6:695-709, 2005.
    .. [2] S. Lyu, "Interpretation and generalization of score matching",
       *UAI*, 2009.

    Examples
    --------
    Two unit Gaussians one apart in 1-D: :math:`s_p - s_q = m_0 - m_1` everywhere,
    so :math:`F = 1` exactly, whatever the samples:

    >>> import numpy as np
    >>> from divlib import fisher_divergence
    >>> x = np.random.default_rng(0).normal(size=(1000, 1))
    >>> float(fisher_divergence(lambda x: -x, lambda x: -(x - 1.0), x))
    1.0
    """
    check_callable(score_p, "score_p")
    check_callable(score_q, "score_q")
    _, x = as_point_cloud(x, "x")
    s_p, s_q = score_p(x), score_q(x)  # (n, d) each
    for s, name in ((s_p, "score_p"), (s_q, "score_q")):
        check_output(s, name, [tuple(x.shape)], get_backend(s))
    nx = get_backend(s_p, s_q)  # a tensor score gives a tensor (differentiable)
    like = first_tensor(s_p, s_q)
    s_p, s_q = nx.asarray(s_p, like=like), nx.asarray(s_q, like=like)
    # F = mean_i ||s_p(x_i) - s_q(x_i)||^2
    return nx.mean(nx.sum((s_p - s_q) ** 2, axis=-1))


# -- score matching losses (torch) ----------------------------------------------------


def hyvarinen_loss(score_fn, x):
    r"""Exact (implicit) score matching loss of Hyvarinen, by automatic differentiation.

    .. math::

        J(\theta) = \mathbb{E}_{x \sim p}\Big[ \operatorname{tr} \nabla_x s_\theta(x)
        + \tfrac12 \| s_\theta(x) \|^2 \Big]
        = \tfrac12 F(p \,\|\, q_\theta) - \tfrac12 \mathbb{E}_p \| \nabla \log p \|^2 .

    Parameters
    ----------
    score_fn : callable
        Differentiable torch score model :math:`s_\theta`: tensor (n, d) -> tensor (n, d).
    x : array_like or torch.Tensor, shape (n, d)
        Data samples :math:`x_i \sim p`. numpy becomes a float64 tensor.

    Returns
    -------
    J : torch.Tensor, shape ()
        The sample mean of :math:`\operatorname{tr}\nabla s + \tfrac12\|s\|^2`,
        differentiable with respect to the parameters of ``score_fn``.

    Raises
    ------
    TypeError
        If ``score_fn`` is not callable or returns no real array, or ``x`` is not real.
    ValueError
        If ``x`` is not a non-empty finite (n, d) array, or ``score_fn`` returns a
        shape other than (n, d), NaN or infinite values, or a tensor that does not
        depend on its input through autograd.

    Notes
    -----
    The trace of the Jacobian needs one backward pass per dimension (d in
    all), so the cost grows linearly with ``d``: the reason for sliced and
    denoising score matching in high dimension. The identity with the Fisher
    divergence is integration by parts and assumes
    :math:`p(x) s_\theta(x) \to 0` as :math:`\|x\| \to \infty`. The loss is
    unbounded below and can be negative; only differences between models mean
    something.

    References
    ----------
    .. [1] A. Hyvarinen, "Estimation of non-normalized statistical models by
       score matching", *JMLR* 6:695-709, 2005.

    Examples
    --------
    For the true score of N(0, I) in d dimensions,
    :math:`\operatorname{tr}\nabla s = -d` and :math:`\mathbb{E}\|x\|^2 = d`, so
    :math:`J = -d/2`:

    >>> import torch
    >>> from divlib import hyvarinen_loss
    >>> x = torch.randn(20000, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    >>> round(hyvarinen_loss(lambda x: -x, x).item(), 1)
    -1.5
    """
    check_callable(score_fn, "score_fn")
    torch = import_torch()
    x = as_tensor_cloud(x).detach().requires_grad_(True)
    s = _differentiable_score(score_fn, x, torch, "the Hyvarinen loss")  # (n, d)
    d = x.shape[1]
    # tr grad s(x_i) = sum_k d s_k / d x_k, one backward pass per coordinate k
    trace = torch.zeros(x.shape[0], dtype=s.dtype, device=s.device)
    for k in range(d):
        (g,) = torch.autograd.grad(s[:, k].sum(), x, create_graph=True, allow_unused=True)
        if g is not None:  # s_k may not depend on x at all
            trace = trace + g[:, k]
    return torch.mean(trace + 0.5 * torch.sum(s**2, dim=1))


def sliced_score_matching_loss(
    score_fn,
    x,
    *,
    n_projections=1,
    projection="gaussian",
    variance_reduction=True,
    generator=None,
    seed=None,
):
    r"""Sliced score matching loss (Song et al., 2019): score matching along random directions.

    .. math::

        J_{\mathrm{SSM}}(\theta) = \mathbb{E}_{x \sim p}\,\mathbb{E}_{v}
        \Big[ v^\top \nabla_x s_\theta(x)\, v + \tfrac12 (v^\top s_\theta(x))^2 \Big],
        \qquad \mathbb{E}[v v^\top] = I .

    With ``variance_reduction=True`` (SSM-VR) the second term is replaced by
    its exact expectation over :math:`v`, :math:`\tfrac12\|s_\theta(x)\|^2`.
    Both have the same expectation as :func:`hyvarinen_loss`.

    Parameters
    ----------
    score_fn : callable
        Differentiable torch score model: tensor (n, d) -> tensor (n, d).
    x : array_like or torch.Tensor, shape (n, d)
        Data samples (numpy becomes a float64 tensor).
    n_projections : int, default 1
        Number of random directions :math:`v` per sample.
    projection : {"gaussian", "rademacher"}, default "gaussian"
        Distribution of :math:`v`: standard normal, or uniform on :math:`\{-1, 1\}^d`.
    variance_reduction : bool, default True
        Use :math:`\tfrac12\|s\|^2` (SSM-VR) instead of :math:`\tfrac12(v^\top s)^2`.
    generator : torch.Generator, optional
        Source of the directions (for training: one generator for all steps).
    seed : None, int or numpy.random.Generator, optional
        Seed a new generator (reproducible single evaluation); not with ``generator``.

    Returns
    -------
    J : torch.Tensor, shape ()
        Unbiased estimate of the Hyvarinen loss, differentiable in the parameters.

    Raises
    ------
    TypeError
        ``score_fn`` not callable; ``x`` not real; ``n_projections`` or ``seed``
        not a number; ``variance_reduction`` not True/False; ``generator`` not a
        ``torch.Generator``.
    ValueError
        Bad ``x``; a score of the wrong shape, not finite or not differentiable
        in ``x``; ``n_projections`` not an integer >= 1; an unknown
        ``projection``; ``seed`` not an integer >= 0; both ``generator`` and ``seed``.

    Notes
    -----
    One backward pass for all directions (the samples are repeated
    ``n_projections`` times), whatever ``d``: the Hessian-vector product
    :math:`v^\top \nabla s\, v = v \cdot \nabla_x (v \cdot s)`.

    References
    ----------
    .. [1] Y. Song, S. Garg, J. Shi and S. Ermon, "Sliced score matching: a
       scalable approach to density and score estimation", *UAI*, 2019.

    Examples
    --------
    >>> import torch
    >>> from divlib import sliced_score_matching_loss
    >>> x = torch.randn(20000, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    >>> round(sliced_score_matching_loss(lambda x: -x, x, seed=0).item(), 1)
    -1.5
    """
    check_callable(score_fn, "score_fn")
    torch = import_torch()
    n_projections = check_scalar(n_projections, "n_projections", low=1, integer=True)
    check_choice(projection, "projection", ("gaussian", "rademacher"))
    variance_reduction = check_flag(variance_reduction, "variance_reduction")
    x = as_tensor_cloud(x).detach()
    gen = torch_generator(generator, seed, x.device)
    # repeat the samples: x_rep (m n, d), one direction v per row
    x_rep = x.repeat(n_projections, 1).requires_grad_(True)
    v = torch.randn(x_rep.shape, generator=gen, dtype=x.dtype, device=x.device)
    if projection == "rademacher":
        v = torch.sign(v)
    s = _differentiable_score(score_fn, x_rep, torch, "sliced score matching")  # (m n, d)
    vs = torch.sum(v * s, dim=1)  # v^T s, (m n,)
    (g,) = torch.autograd.grad(vs.sum(), x_rep, create_graph=True, allow_unused=True)
    vJv = torch.sum(v * g, dim=1) if g is not None else torch.zeros_like(vs)  # v^T grad s v
    second = 0.5 * torch.sum(s**2, dim=1) if variance_reduction else 0.5 * vs**2
    return torch.mean(vJv + second)


def denoising_score_matching_loss(
    score_fn, x, sigma, *, noise_conditional=False, generator=None, seed=None
):
    r"""Denoising score matching loss (Vincent, 2011), one or several noise levels.

    With one noise level :math:`\sigma` and :math:`\tilde x = x + \sigma z`,
    :math:`z \sim N(0, I)`,

    .. math::

        J_{\mathrm{DSM}}(\theta) = \tfrac12\, \mathbb{E}_{x, z}
        \Big\| s_\theta(\tilde x) + \frac{\tilde x - x}{\sigma^2} \Big\|^2
        = \tfrac12 F(p_\sigma \,\|\, q_\theta) + C(\sigma),

    where :math:`p_\sigma = p * N(0, \sigma^2 I)` is the noised data density and
    :math:`C` does not depend on :math:`\theta`: the minimiser is the score of
    :math:`p_\sigma`. With a sequence of levels :math:`\sigma_1 > \dots > \sigma_L`
    (Song and Ermon, 2019) each sample gets a level drawn uniformly and the
    loss is weighted by :math:`\lambda(\sigma) = \sigma^2`:
    :math:`\tfrac12\,\mathbb{E}\, \| \sigma s_\theta(\tilde x, \sigma) + z \|^2`.

    Parameters
    ----------
    score_fn : callable
        torch score model. Called as ``score_fn(x_noisy)``, or as
        ``score_fn(x_noisy, sigma)`` with ``sigma`` a tensor of shape (n,) when
        ``noise_conditional`` is true.
    x : array_like or torch.Tensor, shape (n, d)
        Clean data samples (numpy becomes a float64 tensor).
    sigma : float or sequence of float
        Noise standard deviation(s), > 0. A scalar gives Vincent's loss above
        (unweighted); a sequence (even of length 1) gives the weighted
        multi-level loss and needs a noise-conditional model if it has more
        than one level.
    noise_conditional : bool, default False
        Pass the per-sample noise level to ``score_fn``.
    generator : torch.Generator, optional
        Source of the noise (for training: one generator for all steps).
    seed : None, int or numpy.random.Generator, optional
        Seed a new generator; not with ``generator``.

    Returns
    -------
    J : torch.Tensor, shape ()
        The loss, differentiable in the parameters of ``score_fn``.

    Raises
    ------
    TypeError
        ``score_fn`` not callable; ``x`` or ``sigma`` not real; a flag not
        True/False; ``generator`` not a ``torch.Generator``.
    ValueError
        Bad ``x``; ``sigma`` not positive and finite; several levels without
        ``noise_conditional``; a score of the wrong shape or not finite; a bad
        ``seed``; both ``generator`` and ``seed``.

    Notes
    -----
    No derivative of the model with respect to ``x``: one forward and one
    backward pass whatever ``d``. The price is that it learns the score of the
    *noised* density: small :math:`\sigma` is close to :math:`p` but gives a
    high-variance loss (the target :math:`-z/\sigma` blows up).

    References
    ----------
    .. [1] P. Vincent, "A connection between score matching and denoising
       autoencoders", *Neural Computation* 23(7):1661-1674, 2011.
    .. [2] Y. Song and S. Ermon, "Generative modeling by estimating gradients
       of the data distribution", *NeurIPS*, 2019.

    Examples
    --------
    For N(0, I) data the noised density is N(0, (1 + sigma^2) I), whose score
    :math:`-x/(1+\sigma^2)` is the minimiser, and the minimum is
    :math:`d / (2\sigma^2(1+\sigma^2))` (= 3.2 for d = 2, sigma = 0.5):

    >>> import torch
    >>> from divlib import denoising_score_matching_loss
    >>> x = torch.randn(100000, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    >>> J = denoising_score_matching_loss(lambda y: -y / 1.25, x, 0.5, seed=1)
    >>> round(J.item(), 1)
    3.2
    """
    check_callable(score_fn, "score_fn")
    torch = import_torch()
    sigmas = check_positive_values(sigma, "sigma")
    scalar = np.ndim(sigma) == 0
    noise_conditional = check_flag(noise_conditional, "noise_conditional")
    if sigmas.size > 1 and not noise_conditional:
        raise ValueError(
            f"sigma has {sigmas.size} noise levels but noise_conditional is False; a "
            "model that does not see sigma cannot learn several noise levels: pass "
            "one sigma, or a noise-conditional score_fn with noise_conditional=True."
        )
    x = as_tensor_cloud(x).detach()
    gen = torch_generator(generator, seed, x.device)
    n = x.shape[0]
    levels = torch.as_tensor(sigmas, dtype=x.dtype, device=x.device)
    if levels.numel() == 1:
        sig = levels.expand(n)  # (n,)
    else:  # one level per sample, uniform over the list
        idx = torch.randint(levels.numel(), (n,), generator=gen, device=x.device)
        sig = levels[idx]
    z = torch.randn(x.shape, generator=gen, dtype=x.dtype, device=x.device)  # (n, d)
    x_noisy = x + sig[:, None] * z
    s = score_fn(x_noisy, sig) if noise_conditional else score_fn(x_noisy)
    check_output(s, "score_fn", [tuple(x.shape)], get_backend(s))
    if not isinstance(s, torch.Tensor):
        raise TypeError(
            f"score_fn returned {type(s).__name__}; the denoising loss needs a torch score "
            "function (tensor in, tensor out) to be differentiable in its parameters."
        )
    if scalar:
        # 1/2 ||s(x~) + (x~ - x)/sigma^2||^2 = 1/2 ||s + z/sigma||^2
        per_sample = 0.5 * torch.sum((s + z / sig[:, None]) ** 2, dim=1)
    else:
        # lambda(sigma) = sigma^2: 1/2 ||sigma s + z||^2
        per_sample = 0.5 * torch.sum((sig[:, None] * s + z) ** 2, dim=1)
    return torch.mean(per_sample)


# -- Langevin sampling ------------------------------------------------------------------


def _langevin_setup(score_fn, x0, step_size, seed, progress, return_path):
    check_callable(score_fn, "score_fn")
    nx, x = as_point_cloud(x0, "x0")
    step = check_scalar(
        step_size, "step_size", low=0, low_inclusive=False, high=math.inf, high_inclusive=False
    )
    rng = np.random.default_rng(check_seed(seed))
    flags = check_chain_flags(progress, return_path)
    return nx, nx.copy(nx.detach(x)), step, rng, flags


def _diverged(t, step_size, what):
    """The error of a chain that left the floating-point range: name the step to lower."""
    raise ValueError(
        f"the Langevin chain diverged at step {t}: {what}. step_size = {step_size:g} is "
        "too large for this score: lower it (the chain is stable for steps below 2 / L, "
        "L the Lipschitz constant of the score: twice the smallest variance of a "
        "Gaussian target); or score_fn is not finite everywhere the chain goes."
    )


def _chain_score(score, x, nx, t, step_size):
    """``score(x)`` checked: (n, d), real and finite; non-finite after step 0 is divergence."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # reported below
        s = score(x)
    check_output_form(s, "score_fn", [tuple(x.shape)], nx)
    if t == 0:  # at the validated start: the score's own fault
        check_finite(s, "score_fn(x)", nx)
    elif not bool(nx.all(nx.isfinite(s))):
        _diverged(t, step_size, "score_fn(x) returned NaN or infinite values")
    return nx.asarray(s, like=x)


def _moved(nx, x, delta, t, step_size):
    """``x + delta`` in a new array of ``x``'s dtype (float32 stays float32), checked finite."""
    out = nx.copy(x)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
        out[...] = x + delta
    if not bool(nx.all(nx.isfinite(out))):
        _diverged(t, step_size, "the samples overflowed to infinity or NaN")
    return out


class _BlowUpWatch:
    """Flags a chain whose largest |x| doubles at 10 steps in a row (2^10 = 1000-fold).

    An unstable step multiplies the distance to the mode by a constant factor
    > 1 at every step; a stable chain started far away or at a point grows at
    most for a step or two (then sub-geometrically), so this catches a blow-up
    long before it overflows without flagging a converging chain.
    """

    def __init__(self):
        self.last, self.run = 0.0, 0

    def __call__(self, nx, x, t, step_size):
        m = float(nx.max(nx.abs(x)))
        self.run = self.run + 1 if (self.last > 0 and m >= 2 * self.last) else 0
        self.last = m
        if self.run >= 10:
            _diverged(
                t, step_size, f"the largest |x| doubled at each of the last 10 steps (now {m:.3g})"
            )


def _langevin_step(nx, x, score, step, rng, t, step_size, watch):
    """x <- x + step s(x) + sqrt(2 step) z, z ~ N(0, I) drawn by numpy (same chain in both backends)."""
    s = _chain_score(score, x, nx, t, step_size)
    z = nx.asarray(rng.standard_normal(tuple(x.shape)), like=x)
    with np.errstate(over="ignore", invalid="ignore"):
        delta = step * s + math.sqrt(2.0 * step) * z
    x = _moved(nx, x, delta, t, step_size)
    watch(nx, x, t, step_size)
    return x


def langevin_sample(
    score_fn, x0, *, step_size, n_steps, seed=None, progress=False, return_path=False
):
    r"""Unadjusted Langevin algorithm: sample from a density known through its score.

    .. math::

        x_{t+1} = x_t + \epsilon\, s(x_t) + \sqrt{2\epsilon}\, z_t,
        \qquad z_t \sim N(0, I),

    which for small :math:`\epsilon` and many steps draws (approximately) from
    the density :math:`p \propto e^{\log p}` whose score is :math:`s = \nabla\log p`.

    Parameters
    ----------
    score_fn : callable
        Score :math:`s`: array (n, d) -> array (n, d), same backend as ``x0``.
    x0 : array_like or torch.Tensor, shape (n, d)
        Starting points of ``n`` independent chains.
    step_size : float
        :math:`\epsilon > 0`.
    n_steps : int
        Number of steps, >= 0.
    seed : None, int or numpy.random.Generator, optional
        Seed of the Gaussian noise. The noise is drawn by numpy, so a seed gives
        the same chains for numpy and torch inputs.
    progress : bool, default False
        Show a ``tqdm.auto`` progress bar.
    return_path : bool, default False
        Also return every state, shape (n_steps + 1, n, d).

    Returns
    -------
    x : ndarray or torch.Tensor, shape (n, d)
        The final states (detached from any graph); with ``return_path``, the
        stacked path instead.

    Raises
    ------
    TypeError
        If ``score_fn`` is not callable, ``x0`` is not real, a number argument
        is not a number or a flag not True/False.
    ValueError
        If ``x0`` is not a finite (n, d) array, ``step_size`` is not finite and
        > 0, ``n_steps`` is not an integer >= 0, ``seed`` is not an integer >= 0,
        or ``score_fn`` returns another shape or non-finite values at ``x0``.
        If the chain diverges (a step beyond stability: the samples or the
        score become infinite or NaN), the error says at which step and asks
        for a smaller ``step_size``; all-NaN samples are never returned.

    Notes
    -----
    Without a Metropolis correction the chain is biased: its stationary law
    differs from :math:`p` by :math:`O(\epsilon)`. For N(m, C) and
    :math:`\epsilon` small against the smallest variance it is
    :math:`N(m, C(I - \epsilon C^{-1}/2)^{-1})`, exactly (a linear recursion). For a
    torch network, call it inside ``torch.no_grad()`` to skip building graphs.

    References
    ----------
    .. [1] G. O. Roberts and R. L. Tweedie, "Exponential convergence of Langevin
       distributions and their discrete approximations", *Bernoulli*
       2(4):341-363, 1996.

    Examples
    --------
    Chains started far away forget their start and sample N(3, 1):

    >>> import numpy as np
    >>> from divlib import langevin_sample
    >>> x = langevin_sample(lambda x: -(x - 3.0), np.zeros((5000, 1)), step_size=0.05,
    ...                     n_steps=400, seed=0)
    >>> round(float(x.mean()), 1), round(float(x.var()), 1)
    (3.0, 1.0)
    """
    nx, x, step, rng, flags = _langevin_setup(score_fn, x0, step_size, seed, progress, return_path)
    n_steps = check_scalar(n_steps, "n_steps", low=0, integer=True)
    watch = _BlowUpWatch()

    def one_step(x, _item, t):
        return _langevin_step(nx, x, score_fn, step, rng, t, step, watch)

    return _run_langevin(nx, x, range(n_steps), one_step, flags, step, "Langevin")


def _run_langevin(nx, x, items, one_step, flags, step_size, desc):
    """The Langevin chains on the one chain runner (divergence named by ``step_size``)."""

    def diverged(t):
        _diverged(t, step_size, "the samples overflowed to infinity or NaN")

    progress, return_path = flags
    return run_chain(
        nx,
        x,
        items,
        one_step,
        progress=progress,
        desc=desc,
        return_path=return_path,
        diverged=diverged,
    )


def annealed_langevin_sample(
    score_fn,
    x0,
    sigmas,
    *,
    step_size,
    n_steps_each,
    seed=None,
    noise_conditional=True,
    denoise=False,
    progress=False,
    return_path=False,
):
    r"""Annealed Langevin dynamics (Song and Ermon, 2019) over decreasing noise levels.

    For :math:`\sigma_1 > \dots > \sigma_L`, run ``n_steps_each`` Langevin steps
    with the score of the noised density :math:`p_{\sigma_i}` and step

    .. math::

        \alpha_i = \epsilon\, \sigma_i^2 / \sigma_L^2, \qquad
        x \leftarrow x + \alpha_i\, s(x, \sigma_i) + \sqrt{2\alpha_i}\, z ,

    each level starting where the previous one stopped.

    Parameters
    ----------
    score_fn : callable
        Noise-conditional score ``score_fn(x, sigma)`` with ``x`` (n, d) and
        ``sigma`` an array of shape (n,) (same backend as ``x``), returning
        (n, d). With ``noise_conditional=False``, called as ``score_fn(x)``.
    x0 : array_like or torch.Tensor, shape (n, d)
        Starting points, typically uniform noise or :math:`N(0, \sigma_1^2 I)`.
    sigmas : sequence of float
        Noise levels, > 0 and non-increasing (largest first).
    step_size : float
        :math:`\epsilon > 0`, the step at the smallest level.
    n_steps_each : int
        Steps per level, >= 1.
    seed : None, int or numpy.random.Generator, optional
        Seed of the noise (numpy, so numpy and torch give the same chains).
    noise_conditional : bool, default True
        Pass ``sigma`` to ``score_fn``.
    denoise : bool, default False
        Finish with one Tweedie denoising step
        :math:`x \leftarrow x + \sigma_L^2 s(x, \sigma_L)` (Jolicoeur-Martineau et al.,
        2021), which removes the :math:`\sigma_L` noise left in the samples.
    progress : bool, default False
        Show a ``tqdm.auto`` progress bar.
    return_path : bool, default False
        Return every state instead, shape (L * n_steps_each + 1, n, d), as
        :func:`langevin_sample` (without the final denoising step).

    Returns
    -------
    x : ndarray or torch.Tensor, shape (n, d)
        The samples (detached); with ``return_path`` the stacked path.

    Raises
    ------
    TypeError
        ``score_fn`` not callable; ``x0`` or ``sigmas`` not real; a number
        argument not a number; a flag not True/False.
    ValueError
        Bad ``x0``; ``sigmas`` empty, not positive or increasing; ``step_size``
        not finite and > 0; ``n_steps_each`` not an integer >= 1; a score of the
        wrong shape; a diverging chain (as in :func:`langevin_sample`: lower
        ``step_size``).

    Notes
    -----
    Large :math:`\sigma` smooths the density so chains move between modes
    and land in low-density regions where a learned score is accurate; the
    schedule keeps the signal-to-noise ratio of each step constant.

    References
    ----------
    .. [1] Y. Song and S. Ermon, "Generative modeling by estimating gradients
       of the data distribution", *NeurIPS*, 2019.
    .. [2] A. Jolicoeur-Martineau, R. Piche-Taillefer, I. Mitliagkas and
       R. Tachet des Combes, "Adversarial score matching and improved sampling
       for image generation", *ICLR*, 2021.

    Examples
    --------
    For N(0, 1) data the noised score is exact, :math:`-x/(1+\sigma^2)`:

    >>> import numpy as np
    >>> from divlib import annealed_langevin_sample
    >>> score = lambda x, s: -x / (1.0 + s[:, None] ** 2)
    >>> x = annealed_langevin_sample(score, np.full((4000, 1), 5.0), [3.0, 1.0, 0.1],
    ...                              step_size=0.01, n_steps_each=300, seed=0)
    >>> bool(abs(x.mean()) < 0.1), round(float(x.std()), 1)
    (True, 1.0)
    """
    nx, x, step, rng, flags = _langevin_setup(score_fn, x0, step_size, seed, progress, return_path)
    n_steps_each = check_scalar(n_steps_each, "n_steps_each", low=1, integer=True)
    levels = check_positive_values(sigmas, "sigmas")
    noise_conditional = check_flag(noise_conditional, "noise_conditional")
    denoise = check_flag(denoise, "denoise")
    if np.any(np.diff(levels) > 0):
        raise ValueError(
            f"sigmas must be non-increasing (largest noise first), got {levels.tolist()}; "
            "sort them in decreasing order."
        )
    n = x.shape[0]

    def score(x, sigma_i):
        if not noise_conditional:
            return score_fn(x)
        return score_fn(x, nx.full((n,), float(sigma_i), like=x))

    sigma_L = levels[-1]
    with np.errstate(over="ignore"):
        alphas = step * (levels / sigma_L) ** 2  # alpha_i = eps sigma_i^2 / sigma_L^2
    if not np.all(np.isfinite(alphas)):
        raise ValueError(
            f"step_size * (sigmas[0] / sigmas[-1])^2 overflows (sigmas from {levels[0]:g} "
            f"to {sigma_L:g}); use a narrower range of noise levels or a smaller step_size."
        )
    steps = [(s_i, a_i) for s_i, a_i in zip(levels, alphas) for _ in range(n_steps_each)]
    watch = _BlowUpWatch()

    def one_step(x, level, t):
        sigma_i, alpha_i = level
        return _langevin_step(nx, x, lambda x: score(x, sigma_i), alpha_i, rng, t, step, watch)

    x = _run_langevin(nx, x, steps, one_step, flags, step, "annealed Langevin")
    if flags[1]:  # return_path
        return x
    if denoise:  # Tweedie: E[x | x~] = x~ + sigma^2 grad log p_sigma(x~)
        s = _chain_score(lambda x: score(x, sigma_L), x, nx, len(steps), step)
        with np.errstate(over="ignore", invalid="ignore"):
            delta = sigma_L**2 * s
        x = _moved(nx, x, delta, len(steps), step)
    return x
