r"""Toy 2-D data sets made by divlib itself (nothing is downloaded), and Gaussian mixtures.

The samplers return numpy float64 arrays of shape (n, d) and take a ``seed``
(an int, None, or a ``numpy.random.Generator``): the same seed gives the same
data. :class:`GaussianMixture` also gives the exact log-density and score,
including those of the mixture blurred by Gaussian noise, which makes it the
reference for score matching and annealed Langevin dynamics.
"""

from __future__ import annotations

import math

import numpy as np

from ._backend import get_backend
from ._validation import (
    check_count,
    check_covariance,
    check_distribution,
    check_finite,
    check_length,
    check_nonnegative,
    check_point_cloud,
    check_positive_values,
    check_real_dtype,
    check_seed,
)


def _rng(seed):
    """The numpy generator of a sampler: ``seed`` is None, an integer >= 0 or a Generator."""
    return np.random.default_rng(check_seed(seed))


class GaussianMixture:
    r"""A mixture of Gaussians with exact log-density, score and sampler.

    .. math::

        p(x) = \sum_{k=1}^K w_k\, N(x; m_k, C_k), \qquad
        \nabla \log p(x) = \sum_{k=1}^K r_k(x)\, \big(-C_k^{-1}(x - m_k)\big),

    with responsibilities :math:`r_k(x) = w_k N(x; m_k, C_k) / p(x)`. Blurring
    with noise :math:`N(0, \sigma^2 I)` gives the mixture with covariances
    :math:`C_k + \sigma^2 I`: ``log_prob(x, sigma)`` and ``score(x, sigma)``.

    Parameters
    ----------
    means : array_like, shape (K, d)
        Component means.
    covs : float, array_like of shape (K,) or (K, d, d), default 1.0
        Covariances: one variance for all (isotropic), one variance per
        component, or full symmetric positive definite matrices.
    weights : array_like, shape (K,), optional
        Mixture weights, non-negative, summing to 1 (default uniform).

    Raises
    ------
    TypeError
        If ``means``, ``covs`` or ``weights`` (or, later, ``x`` or ``sigma``) is
        not real (complex, bool, string, object).
    ValueError
        If ``means`` is not (K, d) and finite, a covariance is not positive
        definite or has the wrong shape, or ``weights`` is not a distribution;
        at call time, ``x`` not a finite (n, d) array or ``sigma`` negative,
        not finite or of a shape other than () or (n,).

    Notes
    -----
    Each covariance is diagonalised once, :math:`C_k = U_k \Lambda_k U_k^\top`,
    so the blurred covariances :math:`U_k(\Lambda_k + \sigma^2)U_k^\top` cost
    nothing more, even with one :math:`\sigma` per sample. ``log_prob`` and
    ``score`` accept numpy or torch (differentiable) samples.

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import GaussianMixture
    >>> gm = GaussianMixture([[-2.0], [2.0]], covs=0.25)
    >>> float(gm.score(np.array([[0.0]]))[0, 0])  # symmetric: zero score at 0
    0.0
    >>> x = gm.sample(4, seed=0)
    >>> x.shape
    (4, 1)
    """

    def __init__(self, means, covs=1.0, weights=None):
        m = np.asarray(check_real_dtype(means, "means"), dtype=np.float64)
        if m.ndim != 2 or m.shape[0] == 0 or m.shape[1] == 0:
            raise ValueError(
                f"means must have shape (K, d) (K components in d dimensions), got shape {m.shape}."
            )
        check_finite(m, "means", get_backend(m))
        K, d = m.shape
        c = np.asarray(check_real_dtype(covs, "covs"), dtype=np.float64)
        if c.ndim == 0 or c.shape == (K,):  # isotropic variances
            c = np.broadcast_to(check_positive_values(c, "covs"), (K,))[:, None, None] * np.eye(d)
        if c.shape != (K, d, d):
            raise ValueError(
                f"covs must be a variance, K = {K} variances or K = {K} matrices of shape "
                f"({d}, {d}); got shape {np.shape(covs)}."
            )
        for k in range(K):
            check_covariance(c[k], f"covs[{k}]")
        if weights is None:
            w = np.full(K, 1.0 / K)
        else:
            w = np.asarray(check_real_dtype(weights, "weights"), dtype=np.float64)
            if w.shape != (K,):
                raise ValueError(
                    f"weights must have shape ({K},), one per component, got shape {w.shape}."
                )
            w = check_distribution(w, "weights", get_backend(w))
        self.means, self.covs, self.weights = m, c, w
        lam, U = np.linalg.eigh(c)  # C_k = U_k diag(lam_k) U_k^T; (K, d), (K, d, d)
        self._lam, self._U = lam, U

    @classmethod
    def on_circle(cls, n_components=8, radius=4.0, std=0.5):
        """``n_components`` equal-weight isotropic Gaussians evenly spaced on a circle in 2-D."""
        n_components = check_count(n_components, "n_components")
        radius = check_length(radius, "radius")
        std = check_length(std, "std", positive=True)
        theta = 2 * np.pi * np.arange(n_components) / n_components
        means = radius * np.stack([np.cos(theta), np.sin(theta)], axis=1)
        return cls(means, covs=std**2)

    @property
    def dim(self):
        """The dimension d."""
        return self.means.shape[1]

    def _components(self, x, sigma):
        """Per-component log-densities (n, K) and scores (n, K, d) of the blurred mixture."""
        check_real_dtype(x, "x")
        given = [x] if sigma is None else [x, check_real_dtype(sigma, "sigma")]
        nx = get_backend(*given)
        dtype = nx.result_dtype(*given)  # float32 samples give float32 scores
        x, m, U, var = nx.asarrays(x, self.means, self._U, self._lam, dtype=dtype)
        check_point_cloud(x, "x", nx)
        if x.shape[1] != self.dim:
            raise ValueError(
                f"x must have shape (n, {self.dim}) for this {self.dim}-D mixture, got shape {tuple(x.shape)}."
            )
        var = var[None]  # (1, K, d)
        if sigma is not None:
            (s,) = nx.asarrays(given[1], dtype=dtype)
            if s.ndim > 1 or (s.ndim == 1 and s.shape[0] not in (1, x.shape[0])):
                raise ValueError(
                    f"sigma must be a number or have shape (n,) = ({x.shape[0]},), got shape {tuple(s.shape)}."
                )
            check_finite(s, "sigma", nx)
            check_nonnegative(s, "sigma", nx, what="noise levels")
            s2 = nx.reshape(s**2, (-1, 1, 1))  # (n or 1, 1, 1)
            var = var + s2  # eigenvalues of C_k + sigma^2 I
        # y = U_k^T (x - m_k), coordinates in the eigenbasis: (n, K, d)
        y = nx.einsum("kji,nkj->nki", U, x[:, None, :] - m[None])
        log_N = -0.5 * (
            nx.sum(y**2 / var, axis=-1)
            + nx.sum(nx.log(var), axis=-1)
            + self.dim * math.log(2 * math.pi)
        )  # (n, K)
        score_k = -nx.einsum("kij,nkj->nki", U, y / var)  # -(C_k + s^2 I)^{-1}(x - m_k), (n, K, d)
        return nx, log_N, score_k, (y, var)

    def log_prob(self, x, sigma=None):
        r"""Log-density :math:`\log p(x)` (or of the blurred :math:`p_\sigma`), shape (n,)."""
        nx, log_N, _, _ = self._components(x, sigma)
        with np.errstate(divide="ignore"):  # a zero weight is log 0 = -inf: no mass there
            (log_w,) = nx.asarrays(np.log(self.weights), dtype=log_N.dtype)
        return nx.logsumexp(log_w + log_N, axis=1)

    def score(self, x, sigma=None):
        r"""Score :math:`\nabla_x \log p(x)` (or of :math:`p_\sigma`), shape (n, d).

        ``sigma`` is a number or an array of shape (n,), one noise level per
        sample: the calling convention of :func:`divlib.annealed_langevin_sample`.
        """
        with np.errstate(over="ignore", invalid="ignore"):  # far points: see below
            nx, log_N, score_k, (y, var) = self._components(x, sigma)
        with np.errstate(divide="ignore"):
            (log_w,) = nx.asarrays(np.log(self.weights), dtype=log_N.dtype)
        log_r = log_w + log_N
        with np.errstate(invalid="ignore"):
            r = nx.exp(log_r - nx.logsumexp(log_r, axis=1, keepdims=True))  # (n, K)
        if not bool(nx.all(nx.isfinite(r))):  # ||y||^2 overflowed at a far point
            r = nx.where(nx.isfinite(r), r, self._far_responsibilities(nx, y, var, log_w))
        return nx.sum(r[:, :, None] * score_k, axis=1)

    @staticmethod
    def _far_responsibilities(nx, y, var, log_w):
        """The responsibilities with ||y||^2 / var scaled by c^2, c = max |y| per point:
        log r_k = const + log w_k - log det_k / 2 - c (q_k - q_min) c / 2 never overflows
        into inf - inf (q = the scaled squared Mahalanobis distance)."""
        n = y.shape[0]
        c = nx.max(nx.reshape(nx.abs(y), (n, -1)), axis=1, keepdims=True)  # (n, 1)
        c = nx.where(c > 0, c, 1.0)
        q = nx.sum((y / c[:, :, None]) ** 2 / var, axis=-1)  # (n, K)
        D = q - nx.min(q, axis=1, keepdims=True)  # >= 0
        with np.errstate(over="ignore"):
            log_r = log_w - 0.5 * nx.sum(nx.log(var), axis=-1) - 0.5 * ((c * D) * c)
        return nx.exp(log_r - nx.logsumexp(log_r, axis=1, keepdims=True))

    def sample(self, n, seed=None):
        """Draw ``n`` samples, a numpy array of shape (n, d)."""
        n = check_count(n)
        rng = _rng(seed)
        w = self.weights / np.sum(self.weights)  # within tolerance of 1: numpy wants 1e-8
        k = rng.choice(len(w), size=n, p=w)  # component of each sample
        z = rng.standard_normal((n, self.dim))
        L = np.linalg.cholesky(self.covs)  # (K, d, d)
        return self.means[k] + np.einsum("nij,nj->ni", L[k], z)

    def __repr__(self):
        return f"GaussianMixture(K={len(self.weights)}, d={self.dim})"


def make_gaussian_mixture(n, *, n_components=8, radius=4.0, std=0.5, seed=None):
    r"""Samples of ``n_components`` Gaussians evenly spaced on a circle (2-D).

    Parameters
    ----------
    n : int
        Number of samples.
    n_components : int, default 8
        Number of equal-weight components.
    radius : float, default 4.0
        Radius of the circle of means.
    std : float, default 0.5
        Standard deviation of each (isotropic) component.
    seed : None, int or numpy.random.Generator, optional
        Seed; the same seed gives the same samples.

    Returns
    -------
    x : ndarray, shape (n, 2)

    Raises
    ------
    TypeError
        If an argument is not a number (bool, complex, string, None).
    ValueError
        If ``n`` or ``n_components`` is not a positive integer, ``radius`` or
        ``std`` is negative or infinite (``std`` must be > 0), or ``seed`` is not
        an integer >= 0 (or a Generator).

    Notes
    -----
    The density is ``GaussianMixture.on_circle(n_components, radius, std)``,
    which gives its exact log-density and score.

    Examples
    --------
    >>> from divlib import make_gaussian_mixture
    >>> make_gaussian_mixture(500, seed=0).shape
    (500, 2)
    """
    return GaussianMixture.on_circle(n_components, radius, std).sample(n, seed=seed)


def make_rings(n, *, radii=(2.0, 4.0), noise=0.2, seed=None):
    r"""Concentric noisy circles in 2-D, uniform along their union.

    Each point is :math:`r_j(\cos t, \sin t) + \text{noise}\cdot z` with
    :math:`t` uniform on :math:`[0, 2\pi)`, :math:`z \sim N(0, I)`, and ring
    :math:`j` chosen with probability proportional to its radius (its length).

    Parameters
    ----------
    n : int
        Number of samples.
    radii : sequence of float, default (2.0, 4.0)
        Radii of the rings, > 0.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise added to each point, >= 0.
    seed : None, int or numpy.random.Generator, optional
        Seed; the same seed gives the same samples.

    Returns
    -------
    x : ndarray, shape (n, 2)

    Raises
    ------
    TypeError
        If an argument is not a number (bool, complex, string, None).
    ValueError
        If ``n`` is not a positive integer, ``radii`` is empty or not positive
        and finite, ``noise`` is negative or infinite, or ``seed`` is bad.

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import make_rings
    >>> x = make_rings(1000, radii=(1.0,), noise=0.0, seed=0)
    >>> bool(np.allclose(np.hypot(x[:, 0], x[:, 1]), 1.0))
    True
    """
    n = check_count(n)
    r = check_positive_values(radii, "radii")
    noise = check_length(noise, "noise")
    rng = _rng(seed)
    j = rng.choice(r.size, size=n, p=r / r.sum())  # ring of each point
    t = rng.uniform(0.0, 2 * np.pi, size=n)
    x = r[j, None] * np.stack([np.cos(t), np.sin(t)], axis=1)
    return x + noise * rng.standard_normal((n, 2))


def make_two_moons(n, *, noise=0.1, seed=None):
    r"""Two interleaving half circles in 2-D (the classic "two moons").

    The upper moon is :math:`(\cos t, \sin t)`, the lower one
    :math:`(1 - \cos t, \tfrac12 - \sin t)`, :math:`t` uniform on :math:`[0, \pi]`,
    each point on either moon with probability 1/2, plus Gaussian noise.
    The geometry of ``sklearn.datasets.make_moons``.

    Parameters
    ----------
    n : int
        Number of samples.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise, >= 0.
    seed : None, int or numpy.random.Generator, optional
        Seed; the same seed gives the same samples.

    Returns
    -------
    x : ndarray, shape (n, 2)

    Raises
    ------
    TypeError
        If an argument is not a number (bool, complex, string, None).
    ValueError
        If ``n`` is not a positive integer, ``noise`` is negative or infinite,
        or ``seed`` is bad.

    Examples
    --------
    >>> from divlib import make_two_moons
    >>> make_two_moons(300, noise=0.05, seed=0).shape
    (300, 2)
    """
    n = check_count(n)
    noise = check_length(noise, "noise")
    rng = _rng(seed)
    lower = rng.random(n) < 0.5
    t = rng.uniform(0.0, np.pi, size=n)
    x = np.stack([np.cos(t), np.sin(t)], axis=1)
    x[lower] = np.stack([1.0 - np.cos(t[lower]), 0.5 - np.sin(t[lower])], axis=1)
    return x + noise * rng.standard_normal((n, 2))
