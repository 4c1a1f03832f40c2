r"""Score-based diffusion: a variance-preserving noise schedule, its denoising loss and samplers.

The variance-preserving (VP) SDE of Song et al. (2021) noises data :math:`x_0 \sim p`
on :math:`t \in [0, 1]`,

.. math::

    dx = -\tfrac12 \beta(t)\, x\, dt + \sqrt{\beta(t)}\, dW_t, \qquad
    \beta(t) = \beta_{\min} + t\, (\beta_{\max} - \beta_{\min}),

so that :math:`x_t = \alpha_t x_0 + \sigma_t z` with :math:`z \sim N(0, I)`,
:math:`\alpha_t^2 = \bar\alpha(t) = e^{-\int_0^t \beta}` and
:math:`\sigma_t^2 = 1 - \bar\alpha(t)`; DDPM (Ho et al., 2020) is its discretisation.
A *time-conditional score function* here is any callable ``score_fn(x, t)``
mapping samples of shape (n, d) and times of shape (n,) (same backend) to
scores of shape (n, d), an approximation of :math:`\nabla_x \log p_t(x)`.

Everything works with numpy and torch (torch in, torch out). The noise is
drawn by numpy from ``seed`` (an int or a ``numpy.random.Generator``), so a
seed gives the same numbers in both backends.
"""

from __future__ import annotations

import math

import numpy as np

from ._backend import get_backend, is_tensor
from ._runtime import check_chain_flags, run_chain
from ._validation import (
    as_point_cloud,
    check_callable,
    check_finite,
    check_flag,
    check_in_range,
    check_instance,
    check_output,
    check_output_form,
    check_real_dtype,
    check_scalar,
    check_seed,
)

__all__ = [
    "VPSchedule",
    "vp_denoising_loss",
    "reverse_sde_sample",
    "probability_flow_sample",
]


SCHEDULE_HOW = "build one with divlib.VPSchedule(beta_min=0.1, beta_max=20.0)."


class VPSchedule:
    r"""The variance-preserving noise schedule with a linear :math:`\beta(t)`, :math:`t \in [0, 1]`.

    .. math::

        \beta(t) = \beta_{\min} + t\,(\beta_{\max} - \beta_{\min}), \qquad
        B(t) = \int_0^t \beta(s)\, ds = \beta_{\min} t + \tfrac12 (\beta_{\max} - \beta_{\min}) t^2,

        \bar\alpha(t) = e^{-B(t)}, \qquad
        x_t = \alpha_t x_0 + \sigma_t z, \quad \alpha_t = \sqrt{\bar\alpha(t)}, \quad
        \sigma_t = \sqrt{1 - \bar\alpha(t)} .

    This is the marginal law of the VP SDE
    :math:`dx = -\frac12 \beta(t) x\, dt + \sqrt{\beta(t)}\, dW_t` started at
    :math:`x_0`: the signal shrinks by :math:`\alpha_t` while Gaussian noise of
    variance :math:`\sigma_t^2` is added, so a unit-variance input keeps unit
    variance ("variance preserving") and :math:`x_1 \approx N(0, I)`. The
    samplers run on :math:`[t_{\min}, 1]`; the methods accept any time
    :math:`t \ge 0` (:math:`\beta` extends linearly), which the discrete DDPM
    chain needs: its :math:`\bar\alpha_N` lies below :math:`\bar\alpha(1)`.

    Parameters
    ----------
    beta_min : float, default 0.1
        :math:`\beta(0) \ge 0`.
    beta_max : float, default 20.0
        :math:`\beta(1) \ge \beta_{\min}`, > 0.

    Raises
    ------
    ValueError
        If a rate is negative, NaN or infinite, or ``beta_max < beta_min``, or
        both are 0 (no noise at all).

    Notes
    -----
    The defaults are those of Song et al. (2021), the continuous limit of the
    DDPM schedule of Ho et al. (2020): :meth:`ddpm_betas` with 1000 steps gives
    their :math:`\beta_k` = ``linspace(1e-4, 0.02, 1000)``. At :math:`t = 1`,
    :math:`\bar\alpha = e^{-10.05} \approx 4 \times 10^{-5}`.

    References
    ----------
    .. [1] Y. Song, J. Sohl-Dickstein, D. P. Kingma, A. Kumar, S. Ermon and
       B. Poole, "Score-based generative modeling through stochastic
       differential equations", *ICLR*, 2021.
    .. [2] J. Ho, A. Jain and P. Abbeel, "Denoising diffusion probabilistic
       models", *NeurIPS*, 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import VPSchedule
    >>> sch = VPSchedule()
    >>> alpha, sigma = sch.marginal(np.array([0.0, 0.5, 1.0]))
    >>> np.round(alpha**2 + sigma**2, 12)  # variance preserving
    array([1., 1., 1.])
    >>> bool(np.isclose(sch.alpha_bar(1.0), np.exp(-(0.1 + 19.9 / 2))))  # e^{-B(1)}
    True
    """

    T = 1.0

    def __init__(self, beta_min=0.1, beta_max=20.0):
        finite = {"low": 0.0, "high": np.inf, "high_inclusive": False}
        self.beta_min = check_scalar(beta_min, "beta_min", **finite)
        self.beta_max = check_scalar(beta_max, "beta_max", **finite)
        if self.beta_max < self.beta_min:
            raise ValueError(
                f"beta_max must be >= beta_min (beta(t) increases from beta_min to beta_max), "
                f"got beta_min={beta_min!r} and beta_max={beta_max!r}; swap them."
            )
        if self.beta_max == 0:
            raise ValueError("beta_max must be > 0: with beta = 0 nothing is ever noised.")

    def __repr__(self):
        return f"VPSchedule(beta_min={self.beta_min:g}, beta_max={self.beta_max:g})"

    def _time(self, t, name="t"):
        t = check_real_dtype(t, name)
        nx = get_backend(t)
        t = nx.asarray(t)
        check_finite(t, name, nx)
        check_in_range(t, name, nx, low=0.0)
        return nx, t

    def beta(self, t):
        r""":math:`\beta(t)`, same shape and backend as ``t`` (times >= 0)."""
        _, t = self._time(t)
        return self.beta_min + t * (self.beta_max - self.beta_min)

    def integral(self, t):
        r""":math:`B(t) = \int_0^t \beta(s)\,ds`, same shape and backend as ``t``."""
        _, t = self._time(t)
        return self.beta_min * t + 0.5 * (self.beta_max - self.beta_min) * t**2

    def alpha_bar(self, t):
        r""":math:`\bar\alpha(t) = e^{-B(t)}`, the signal variance left at time ``t``."""
        nx, _ = self._time(t)
        return nx.exp(-self.integral(t))

    def marginal(self, t):
        r"""Coefficients :math:`(\alpha_t, \sigma_t)` of :math:`x_t = \alpha_t x_0 + \sigma_t z`.

        Returns
        -------
        alpha, sigma : ndarray or torch.Tensor, shape of ``t``
            :math:`\alpha_t = e^{-B(t)/2}` and :math:`\sigma_t = \sqrt{1 - e^{-B(t)}}`
            (computed with ``expm1``, accurate for small ``t``).
        """
        nx, _ = self._time(t)
        B = self.integral(t)
        return nx.exp(-0.5 * B), nx.sqrt(-nx.expm1(-B))

    def t_from_alpha_bar(self, alpha_bar):
        r"""The time :math:`t` at which :math:`\bar\alpha(t)` equals ``alpha_bar``.

        Solves :math:`\beta_{\min} t + \frac12 (\beta_{\max} - \beta_{\min}) t^2 = -\log\bar\alpha`
        for ``alpha_bar`` in :math:`(0, 1]`; below :math:`\bar\alpha(1)` the answer is a
        time after 1 (the schedule extends linearly). Useful to map a
        noise-to-signal ratio :math:`\sigma_t / \alpha_t = \sqrt{1/\bar\alpha - 1}`
        (the noise level of a variance-exploding model) to a VP time.
        """
        a = check_real_dtype(alpha_bar, "alpha_bar")
        nx = get_backend(a)
        a = nx.asarray(a)
        check_finite(a, "alpha_bar", nx)
        check_in_range(a, "alpha_bar", nx, high=1.0)
        if float(nx.to_numpy(nx.min(a))) <= 0:
            raise ValueError(
                "alpha_bar must be > 0: the signal never vanishes completely "
                "(alpha_bar = 0 is reached only as t -> infinity)."
            )
        B = -nx.log(a)
        k = self.beta_max - self.beta_min
        if k == 0:
            return B / self.beta_min
        if self.beta_min == 0:
            return nx.sqrt(2 * B / k)
        # positive root of k t^2 / 2 + beta_min t - B = 0, written without cancellation
        return 2 * B / (self.beta_min + nx.sqrt(self.beta_min**2 + 2 * k * B))

    def perturb(self, x0, t, *, seed=None):
        r"""Draw :math:`x_t = \alpha_t x_0 + \sigma_t z` from the forward marginal.

        Parameters
        ----------
        x0 : array_like or torch.Tensor, shape (n, d)
            Clean samples.
        t : float or array_like, shape (n,)
            Time(s) >= 0, one for all or one per sample.
        seed : None, int or numpy.random.Generator, optional
            Seed of the noise :math:`z` (drawn by numpy).

        Returns
        -------
        x_t, z : ndarray or torch.Tensor, shape (n, d)
            The noised samples and the noise that made them.
        """
        nx, x0 = as_point_cloud(x0, "x0")
        like = x0
        t = self._per_sample_time(t, x0.shape[0], nx, like)
        rng = np.random.default_rng(check_seed(seed))
        z = nx.asarray(rng.standard_normal(tuple(x0.shape)), like=like)
        alpha, sigma = self.marginal(t)
        return alpha[:, None] * x0 + sigma[:, None] * z, z

    def _per_sample_time(self, t, n, nx, like, name="t"):
        """``t`` (a number or shape (n,)) as an array of shape (n,) in ``x``'s backend."""
        t = check_real_dtype(t, name)
        if not is_tensor(like) and is_tensor(t):  # numpy samples, a tensor of times
            t = get_backend(t).to_numpy(t)
        t = nx.asarray(t, like=like)
        if t.ndim == 0:
            t = nx.full((n,), float(t), like=like)
        if t.ndim != 1 or t.shape[0] != n:
            raise ValueError(
                f"{name} must be a number or have shape (n,) = ({n},), one time per sample, "
                f"got shape {tuple(t.shape)}."
            )
        self._time(t, name)
        return t

    def ddpm_betas(self, n_steps):
        r"""The DDPM schedule with ``n_steps`` steps: :math:`\beta_k` and :math:`\bar\alpha_k`.

        .. math::

            \beta_k = \frac{1}{N}\, \beta\Big(\frac{k - 1}{N - 1}\Big), \quad k = 1, \dots, N,
            \qquad \bar\alpha_k = \prod_{j=1}^k (1 - \beta_j),

        the Riemann sum of :math:`B(1)` on the grid of :math:`\beta`'s endpoints:
        :math:`\bar\alpha_k \to \bar\alpha(k/N)` as :math:`N \to \infty`
        (Song et al., 2021, Appendix B), and with the defaults and
        :math:`N = 1000`, Ho et al.'s ``linspace(1e-4, 0.02, 1000)``. The forward
        chain is :math:`x_k = \sqrt{1 - \beta_k}\, x_{k-1} + \sqrt{\beta_k}\, z_k`,
        so :math:`x_k = \sqrt{\bar\alpha_k}\, x_0 + \sqrt{1 - \bar\alpha_k}\, z`.

        Parameters
        ----------
        n_steps : int
            :math:`N \ge 2`, with :math:`\beta_{\max} / N < 1`.

        Returns
        -------
        betas, alpha_bars : ndarray, shape (n_steps,)
            float64 numpy arrays.
        """
        n = check_scalar(n_steps, "n_steps", low=2, integer=True)
        if self.beta_max / n >= 1:
            raise ValueError(
                f"n_steps = {n} gives beta_N = beta_max / n_steps = {self.beta_max / n:.3g} >= 1, "
                f"not a valid noise variance; use n_steps > {math.floor(self.beta_max)}."
            )
        grid = np.linspace(0.0, 1.0, n)
        betas = (self.beta_min + grid * (self.beta_max - self.beta_min)) / n
        return betas, np.cumprod(1.0 - betas)


_WEIGHTINGS = ("sigma2", "likelihood", "none")


def vp_denoising_loss(score_fn, x, schedule, *, t=None, t_min=1e-3, weighting="sigma2", seed=None):
    r"""Denoising score matching loss of a time-conditional score on the VP forward process.

    With :math:`x_t = \alpha_t x + \sigma_t z`, so that
    :math:`\nabla_{x_t} \log p(x_t \mid x) = -z / \sigma_t`,

    .. math::

        \mathcal{L}(\theta) = \tfrac12\, \mathbb{E}_{t, x, z}\Big[\lambda(t)\,
        \Big\| s_\theta(x_t, t) + \frac{z}{\sigma_t} \Big\|^2\Big]
        = \tfrac12\, \mathbb{E}_t\big[\lambda(t)\, F(p_t \,\|\, q_{\theta, t})\big] + C,

    where :math:`p_t` is the law of :math:`x_t`, :math:`F` the Fisher divergence
    to the density whose score is :math:`s_\theta(\cdot, t)`, and :math:`C` does
    not depend on :math:`\theta` (Vincent, 2011): the minimiser is the score of
    :math:`p_t` at every :math:`t`.

    Parameters
    ----------
    score_fn : callable
        ``score_fn(x_t, t)`` with ``x_t`` (n, d) and ``t`` (n,), same backend as
        ``x``; returns (n, d).
    x : array_like or torch.Tensor, shape (n, d)
        Clean data samples.
    schedule : VPSchedule
        The noise schedule.
    t : float or array_like of shape (n,), optional
        Fixed time(s) > 0. By default each sample gets a time drawn
        uniformly in :math:`[t_{\min}, 1]`.
    t_min : float, default 1e-3
        Smallest time drawn (:math:`\sigma_t \to 0` as :math:`t \to 0`, where the
        target :math:`-z/\sigma_t` blows up).
    weighting : {"sigma2", "likelihood", "none"}, default "sigma2"
        :math:`\lambda(t) = \sigma_t^2` (Song et al.; the loss is then
        :math:`\frac12\|\sigma_t s_\theta + z\|^2`, DDPM's noise-prediction loss),
        :math:`\beta(t)` (the likelihood weighting of Song et al., 2021b, which
        makes the loss an upper bound on the negative log-likelihood up to a
        constant), or 1.
    seed : None, int or numpy.random.Generator, optional
        Seed of the times and the noise, drawn by numpy (pass one Generator for
        all the steps of a training loop).

    Returns
    -------
    L : float ndarray (0-d) or torch.Tensor (0-d)
        The loss; differentiable in the parameters of a torch ``score_fn``.

    Raises
    ------
    ValueError
        Bad ``x``, ``t`` not > 0, ``t_min`` outside :math:`(0, 1)`,
        an unknown ``weighting``, or a score of the wrong shape or not finite.
    TypeError
        If ``score_fn`` is not callable or ``schedule`` not a :class:`VPSchedule`.

    References
    ----------
    .. [1] P. Vincent, "A connection between score matching and denoising
       autoencoders", *Neural Computation* 23(7):1661-1674, 2011.
    .. [2] Y. Song, J. Sohl-Dickstein, D. P. Kingma, A. Kumar, S. Ermon and
       B. Poole, "Score-based generative modeling through stochastic
       differential equations", *ICLR*, 2021.
    .. [3] Y. Song, C. Durkan, I. Murray and S. Ermon, "Maximum likelihood
       training of score-based diffusion models", *NeurIPS*, 2021.

    Examples
    --------
    For N(0, I) data every :math:`p_t` is N(0, I) (variance preserving), whose
    score :math:`-x` is the minimiser; the minimum of the unweighted loss at a
    fixed :math:`t` is :math:`\frac12 d (1/\sigma_t^2 - 1)` (= 1.0 at
    :math:`\sigma_t^2 = 1/2`, d = 2):

    >>> import numpy as np
    >>> from divlib import VPSchedule, vp_denoising_loss
    >>> sch = VPSchedule()
    >>> t_half = float(sch.t_from_alpha_bar(0.5))
    >>> x = np.random.default_rng(0).normal(size=(200_000, 2))
    >>> L = vp_denoising_loss(lambda y, t: -y, x, sch, t=t_half, weighting="none", seed=1)
    >>> round(float(L), 2)
    1.0
    """
    check_callable(score_fn, "score_fn")
    check_instance(schedule, VPSchedule, "schedule", SCHEDULE_HOW)
    nx, x = as_point_cloud(x, "x")
    like = x
    if weighting not in _WEIGHTINGS:
        raise ValueError(f"weighting must be one of {_WEIGHTINGS}, got {weighting!r}.")
    n = x.shape[0]
    rng = np.random.default_rng(check_seed(seed))
    t_min = check_scalar(
        t_min, "t_min", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False
    )
    if t is None:
        t = nx.asarray(rng.uniform(t_min, schedule.T, size=n), like=like)
    else:
        t = schedule._per_sample_time(t, n, nx, like)
        if float(nx.to_numpy(nx.min(t))) <= 0:
            raise ValueError(
                "t must be > 0: at t = 0 there is no noise and the target -z/sigma_t is infinite."
            )
    z = nx.asarray(rng.standard_normal(tuple(x.shape)), like=like)  # (n, d)
    alpha, sigma = schedule.marginal(t)  # (n,), (n,)
    x_t = alpha[:, None] * x + sigma[:, None] * z
    s = score_fn(x_t, t)
    check_output(s, "score_fn", [tuple(x.shape)], nx)
    s = nx.asarray(s, like=like)
    if weighting == "sigma2":  # sigma^2 ||s + z / sigma||^2 = ||sigma s + z||^2
        per_sample = nx.sum((sigma[:, None] * s + z) ** 2, axis=1)
    else:
        lam = schedule.beta(t) if weighting == "likelihood" else nx.ones((n,), like=x)
        per_sample = lam * nx.sum((s + z / sigma[:, None]) ** 2, axis=1)
    return 0.5 * nx.mean(per_sample)


def _sampler_setup(score_fn, x_T, schedule, n_steps, t_min, seed, flags):
    """The checks every diffusion sampler shares; returns ``(nx, x, times, rng,
    score, flags)`` with ``flags = (progress, return_path, denoise)`` checked."""
    progress, return_path, denoise = flags
    progress, return_path = check_chain_flags(progress, return_path)
    denoise = check_flag(denoise, "denoise")
    check_callable(score_fn, "score_fn")
    check_instance(schedule, VPSchedule, "schedule", SCHEDULE_HOW)
    nx, x = as_point_cloud(x_T, "x_T")
    x = nx.copy(nx.detach(x))
    n_steps = check_scalar(n_steps, "n_steps", low=1, integer=True)
    t_min = check_scalar(t_min, "t_min", low=0.0, high=1.0, high_inclusive=False)
    rng = np.random.default_rng(check_seed(seed))
    times = np.linspace(schedule.T, t_min, n_steps + 1)  # t_0 = 1 > ... > t_N = t_min
    n = x.shape[0]

    def score(y, t_i, finite=False):  # in the chain, run_chain reports non-finite values
        s = score_fn(y, nx.full((n,), float(t_i), like=y))
        if finite:
            check_output(s, "score_fn", [tuple(y.shape)], nx)
        else:
            check_output_form(s, "score_fn", [tuple(y.shape)], nx)
        return nx.asarray(s, like=x)

    return nx, x, times, rng, score, (progress, return_path, denoise)


def _run_sampler(nx, x, times, step, flags, desc):
    """The one chain of the samplers: ``x <- step(x, (t_i, t_next))`` from t = 1 down."""
    progress, return_path, _ = flags

    def diverged(k):
        raise ValueError(
            f"the {desc} diverged at step {k} (t = {times[k]:.4g}): the samples or the "
            f"score overflowed to infinity or NaN. Increase n_steps = {len(times) - 1} "
            "(smaller steps), or check that score_fn is finite where the chain goes."
        )

    steps = list(zip(times[:-1], times[1:]))
    return run_chain(
        nx,
        x,
        steps,
        step,
        progress=progress,
        desc=desc,
        return_path=return_path,
        diverged=diverged,
    )


def _tweedie(nx, x, score, schedule, t):
    """E[x_0 | x_t] = (x_t + sigma_t^2 s(x_t, t)) / alpha_t (Tweedie's formula)."""
    alpha, sigma = schedule.marginal(float(t))
    return nx.detach((x + float(sigma) ** 2 * score(x, t, finite=True)) / float(alpha))


def reverse_sde_sample(
    score_fn,
    x_T,
    schedule,
    *,
    n_steps,
    t_min=1e-3,
    seed=None,
    denoise=False,
    progress=False,
    return_path=False,
):
    r"""Sample by integrating the reverse-time VP SDE with Euler-Maruyama.

    Anderson's (1982) reverse of :math:`dx = -\frac12\beta x\,dt + \sqrt\beta\, dW`
    runs from :math:`t = 1` down to :math:`t_{\min}`:

    .. math::

        dx = \big[-\tfrac12 \beta(t)\, x - \beta(t)\, \nabla_x \log p_t(x)\big]\, dt
        + \sqrt{\beta(t)}\, d\bar W_t ,

    discretised on ``n_steps`` equal steps :math:`h = (1 - t_{\min}) / N` as

    .. math::

        x \leftarrow x + h\,\beta(t)\,\big[\tfrac12 x + s(x, t)\big] + \sqrt{h\,\beta(t)}\; z,
        \qquad z \sim N(0, I),

    with the score model ``score_fn`` in place of :math:`\nabla \log p_t`.

    Parameters
    ----------
    score_fn : callable
        ``score_fn(x, t)``, ``x`` (n, d), ``t`` (n,) -> (n, d), same backend as ``x_T``.
    x_T : array_like or torch.Tensor, shape (n, d)
        Starting points at :math:`t = 1`, normally draws of :math:`N(0, I)`.
    schedule : VPSchedule
        The forward schedule.
    n_steps : int
        Number of Euler-Maruyama steps, >= 1.
    t_min : float, default 1e-3
        Final time, in :math:`[0, 1)`.
    seed : None, int or numpy.random.Generator, optional
        Seed of the noise (numpy; the same chains for numpy and torch).
    denoise : bool, default False
        Finish with Tweedie's denoising step
        :math:`x \leftarrow (x + \sigma_{t_{\min}}^2 s(x, t_{\min})) / \alpha_{t_{\min}}`,
        the posterior mean of :math:`x_0`, which removes the noise left at :math:`t_{\min}`.
    progress : bool, default False
        Show a ``tqdm.auto`` progress bar.
    return_path : bool, default False
        Return every state, shape (n_steps + 1, n, d) (before the denoising step).

    Returns
    -------
    x : ndarray or torch.Tensor, shape (n, d)
        The samples (detached); the path instead with ``return_path``.

    Raises
    ------
    ValueError
        Bad ``x_T``, ``n_steps`` or ``t_min``; a score of the wrong shape or not finite.
    TypeError
        If ``score_fn`` is not callable or ``schedule`` not a :class:`VPSchedule`.

    Notes
    -----
    The local error is :math:`O(h)` in law; a few hundred steps suffice in
    low dimension. Call a torch network inside ``torch.no_grad()``.

    References
    ----------
    .. [1] B. D. O. Anderson, "Reverse-time diffusion equation models",
       *Stochastic Processes and their Applications* 12(3):313-326, 1982.
    .. [2] Y. Song, J. Sohl-Dickstein, D. P. Kingma, A. Kumar, S. Ermon and
       B. Poole, "Score-based generative modeling through stochastic
       differential equations", *ICLR*, 2021.

    Examples
    --------
    Data N(3, 0.25): then :math:`p_t = N(3\alpha_t, 0.25\alpha_t^2 + \sigma_t^2)`
    and its exact score turns N(0, 1) noise back into the data:

    >>> import numpy as np
    >>> from divlib import VPSchedule, reverse_sde_sample
    >>> sch = VPSchedule()
    >>> def score(x, t):
    ...     a, s = sch.marginal(t)
    ...     return -(x - 3 * a[:, None]) / (0.25 * a[:, None] ** 2 + s[:, None] ** 2)
    >>> x_T = np.random.default_rng(0).normal(size=(20_000, 1))
    >>> x = reverse_sde_sample(score, x_T, sch, n_steps=500, seed=1)
    >>> round(float(x.mean()), 1), round(float(x.std()), 1)
    (3.0, 0.5)
    """
    flags = (progress, return_path, denoise)
    nx, x, times, rng, score, flags = _sampler_setup(
        score_fn, x_T, schedule, n_steps, t_min, seed, flags
    )

    def step(x, times_k, _k):  # Euler-Maruyama from t_i down to t_next
        t_i, t_next = times_k
        h = float(t_i - t_next)  # Python floats keep float32 samples float32
        b = float(schedule.beta(t_i))
        z = nx.asarray(rng.standard_normal(tuple(x.shape)), like=x)
        return nx.detach(x + h * b * (0.5 * x + score(x, t_i)) + math.sqrt(h * b) * z)

    x = _run_sampler(nx, x, times, step, flags, "reverse SDE")
    if flags[1]:  # return_path
        return x
    return _tweedie(nx, x, score, schedule, times[-1]) if flags[2] else x


_METHODS = ("euler", "heun")


def probability_flow_sample(
    score_fn,
    x_T,
    schedule,
    *,
    n_steps,
    t_min=1e-3,
    method="heun",
    denoise=False,
    progress=False,
    return_path=False,
):
    r"""Sample by integrating the probability-flow ODE of the VP SDE backwards in time.

    .. math::

        \frac{dx}{dt} = -\tfrac12 \beta(t)\, \big[x + \nabla_x \log p_t(x)\big],

    a deterministic flow whose solution has the same marginals :math:`p_t` as the
    SDE (Song et al., 2021), integrated from :math:`t = 1` to :math:`t_{\min}` on
    ``n_steps`` equal steps with the score model ``score_fn`` in place of
    :math:`\nabla \log p_t`, by Heun's method (second order, two score
    evaluations per step) or Euler's (first order, one).

    Parameters
    ----------
    score_fn : callable
        ``score_fn(x, t)``, ``x`` (n, d), ``t`` (n,) -> (n, d), same backend as ``x_T``.
    x_T : array_like or torch.Tensor, shape (n, d)
        Starting points at :math:`t = 1`, normally draws of :math:`N(0, I)`.
    schedule : VPSchedule
        The forward schedule.
    n_steps : int
        Number of steps, >= 1.
    t_min : float, default 1e-3
        Final time, in :math:`[0, 1)`.
    method : {"heun", "euler"}, default "heun"
        The integrator.
    denoise : bool, default False
        Finish with Tweedie's step, as in :func:`reverse_sde_sample`.
    progress : bool, default False
        Show a ``tqdm.auto`` progress bar.
    return_path : bool, default False
        Return every state, shape (n_steps + 1, n, d) (before the denoising step).

    Returns
    -------
    x : ndarray or torch.Tensor, shape (n, d)
        The samples (detached); the path instead with ``return_path``.

    Raises
    ------
    ValueError
        Bad ``x_T``, ``n_steps``, ``t_min`` or ``method``; a score of the wrong
        shape or not finite.
    TypeError
        If ``score_fn`` is not callable or ``schedule`` not a :class:`VPSchedule`.

    Notes
    -----
    The map :math:`x_1 \mapsto x_{t_{\min}}` is deterministic and invertible,
    which is what makes exact likelihoods and latent codes possible. For Gaussian
    data :math:`N(m, C)` it is the affine map
    :math:`x_t = \alpha_t m + \Sigma_t^{1/2} \Sigma_1^{-1/2} (x_1 - \alpha_1 m)`,
    :math:`\Sigma_t = \alpha_t^2 C + \sigma_t^2 I`.

    References
    ----------
    .. [1] Y. Song, J. Sohl-Dickstein, D. P. Kingma, A. Kumar, S. Ermon and
       B. Poole, "Score-based generative modeling through stochastic
       differential equations", *ICLR*, 2021.

    Examples
    --------
    Data N(3, 0.25): the flow of the exact score is affine, each point is
    carried to :math:`3\alpha_t + \sqrt{0.25\alpha_t^2 + \sigma_t^2}\, \xi` with
    :math:`\xi` fixed by the start:

    >>> import numpy as np
    >>> from divlib import VPSchedule, probability_flow_sample
    >>> sch = VPSchedule()
    >>> def score(x, t):
    ...     a, s = sch.marginal(t)
    ...     return -(x - 3 * a[:, None]) / (0.25 * a[:, None] ** 2 + s[:, None] ** 2)
    >>> x1 = np.array([[-1.0], [0.0], [1.0]])
    >>> x = probability_flow_sample(score, x1, sch, n_steps=200, t_min=1e-3)
    >>> (a1, s1), (a, s) = sch.marginal(1.0), sch.marginal(1e-3)
    >>> xi = (x1 - 3 * a1) / np.sqrt(0.25 * a1**2 + s1**2)
    >>> bool(np.allclose(x, 3 * a + np.sqrt(0.25 * a**2 + s**2) * xi, atol=1e-3))
    True
    >>> np.round(x[:, 0], 2)
    array([2.49, 2.99, 3.49])
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")
    flags = (progress, return_path, denoise)
    nx, x, times, _, score, flags = _sampler_setup(
        score_fn, x_T, schedule, n_steps, t_min, None, flags
    )

    def velocity(y, t):  # dx/dt = -beta(t) (x + s(x, t)) / 2
        return -0.5 * float(schedule.beta(t)) * (y + score(y, t))

    def step(x, times_k, _k):  # Euler or Heun from t_i down to t_next
        t_i, t_next = times_k
        h = float(t_next - t_i)  # < 0: backwards in time
        v = velocity(x, t_i)
        if method == "euler":
            return nx.detach(x + h * v)
        x_pred = x + h * v
        return nx.detach(x + 0.5 * h * (v + velocity(x_pred, t_next)))

    x = _run_sampler(nx, x, times, step, flags, "probability flow")
    if flags[1]:  # return_path
        return x
    return _tweedie(nx, x, score, schedule, times[-1]) if flags[2] else x
