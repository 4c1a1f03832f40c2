r"""Variational inference: the reparameterised ELBO of a Gaussian approximation.

``gaussian_elbo`` estimates :math:`\mathrm{ELBO}(q) = \mathbb{E}_q[\log p(x, z)]
+ H(q)` for :math:`q = N(m, LL^\top)` by the reparameterisation trick, with the
entropy in closed form. numpy in gives numpy out, torch in gives torch out
(differentiable in ``mean`` and ``scale_tril``), so the same function is the
training loss of a torch optimiser and a numpy check.
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import (
    as_gaussian_factor,
    check_callable,
    check_output,
    check_scalar,
    check_seed,
)


def gaussian_elbo(log_joint, mean, scale_tril, *, n_samples=100, seed=None):
    r"""Reparameterised Monte Carlo estimate of the ELBO of a Gaussian :math:`q`.

    For :math:`q = N(m, C)` with :math:`C = L L^\top` (``L`` lower triangular with
    a positive diagonal) and an unnormalised log posterior
    :math:`\log p(x, z)`,

    .. math::

        \mathrm{ELBO}(q) = \mathbb{E}_{z \sim q}[\log p(x, z)] + H(q),
        \qquad H(q) = \tfrac d2 \log(2\pi e) + \sum_{j=1}^d \log L_{jj},

    estimated with :math:`z_s = m + L \varepsilon_s`,
    :math:`\varepsilon_s \sim N(0, I)`, :math:`s = 1, \dots, S`:
    :math:`\widehat{\mathrm{ELBO}} = \frac1S \sum_s \log p(x, z_s) + H(q)`.
    The noise does not depend on :math:`(m, L)`, so the estimate is
    differentiable in them (the reparameterisation trick), and
    :math:`\mathrm{ELBO}(q) = \log p(x) - \mathrm{KL}(q \,\|\, p(\cdot \mid x))`:
    maximising it is reverse-KL variational inference.

    Parameters
    ----------
    log_joint : callable
        :math:`z \mapsto \log p(x, z)`: array (S, d) -> array (S,), same backend
        as ``mean``; any constant offset shifts the ELBO by that constant.
    mean : array_like or torch.Tensor, shape (d,)
        :math:`m`.
    scale_tril : array_like or torch.Tensor, shape (d, d)
        :math:`L`, lower triangular with a positive diagonal (a diagonal
        matrix gives the mean-field family). Entries above the diagonal are
        refused, not ignored.
    n_samples : int, default 100
        :math:`S \ge 1`.
    seed : None, int or numpy.random.Generator, optional
        Seed of the noise :math:`\varepsilon`, drawn by numpy (the same draws for
        numpy and torch inputs). Pass a ``Generator`` to draw fresh noise at
        every step of an optimiser.

    Returns
    -------
    elbo : float64 ndarray (0-d) or torch.Tensor (0-d)
        The estimate, unbiased for :math:`\mathrm{ELBO}(q)`; differentiable for
        tensor inputs.

    Raises
    ------
    TypeError
        If ``log_joint`` is not callable or an array is complex, boolean or of
        object dtype.
    ValueError
        If ``mean`` is not a finite vector, ``scale_tril`` not a finite (d, d)
        lower-triangular matrix with a positive diagonal, ``n_samples`` not an
        integer >= 1, or ``log_joint`` does not return a finite (S,) array.

    Notes
    -----
    The entropy is exact, so for a Gaussian posterior the estimator's variance
    comes only from :math:`\mathbb{E}_q[\log p(x, z)]`; it vanishes when
    :math:`\log p(x, z)` is constant, and stays small near the optimum.

    References
    ----------
    .. [1] D. P. Kingma and M. Welling, "Auto-encoding variational Bayes",
       *ICLR*, 2014.
    .. [2] M. Titsias and M. Lazaro-Gredilla, "Doubly stochastic variational
       Bayes for non-conjugate inference", *ICML*, 2014.
    .. [3] D. M. Blei, A. Kucukelbir and J. D. McAuliffe, "Variational
       inference: a review for statisticians", *JASA* 112(518):859-877, 2017.

    Examples
    --------
    For a Gaussian "posterior" :math:`N(0, I)` with :math:`\log p(x) = 0` the
    ELBO of :math:`q = N(m, s^2 I)` is :math:`-\mathrm{KL}(q \,\|\, N(0, I))`:

    >>> import numpy as np
    >>> from divlib import gaussian_elbo, kl_gaussian
    >>> log_joint = lambda z: -0.5 * np.sum(z**2, axis=1) - np.log(2 * np.pi)
    >>> m, L = np.array([0.5, -0.5]), 0.8 * np.eye(2)
    >>> elbo = gaussian_elbo(log_joint, m, L, n_samples=200_000, seed=0)
    >>> exact = -float(kl_gaussian(m, L @ L.T, np.zeros(2), np.eye(2)))
    >>> round(exact, 4), bool(abs(float(elbo) - exact) < 0.01)
    (-0.3363, True)
    """
    check_callable(log_joint, "log_joint")
    n_samples = check_scalar(n_samples, "n_samples", low=1, integer=True)
    rng = np.random.default_rng(check_seed(seed))
    nx, m, L = as_gaussian_factor(mean, scale_tril)
    d = m.shape[0]
    eps = nx.asarray(rng.standard_normal((n_samples, d)), like=m)  # (S, d)
    z = m + nx.matmul(eps, nx.transpose(L))  # z_s = m + L eps_s, (S, d)
    lj = log_joint(z)
    check_output(lj, "log_joint", [(n_samples,)], nx)
    entropy = 0.5 * d * math.log(2 * math.pi * math.e) + nx.sum(nx.log(L.diagonal()))  # H(q)
    return nx.mean(lj) + entropy
