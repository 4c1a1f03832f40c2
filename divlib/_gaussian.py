"""Closed forms between Gaussian distributions N(m, C).

Scalars mean 1-D with C the variance (not the standard deviation); vectors and
matrices mean d dimensions. Every function converts and validates its Gaussians
with ``_two_gaussians`` (``_validation.check_gaussian``: finite, symmetric
positive definite covariances) and computes on inputs rescaled by a power of 2.
"""

from __future__ import annotations

import math

import numpy as np

from ._numerics import pow2_scale
from ._validation import (
    as_arrays,
    check_gaussian,
    check_points_in,
    check_real_dtype,
    check_same_dimension,
)

_NAMES = ("m0", "C0", "m1", "C1")


def _two_gaussians(m0, C0, m1, C1):
    """Convert (one dtype policy) and validate two Gaussians of the same d.

    Returns ``(nx, m0, C0, m1, C1, s)`` with the inputs rescaled by a power of
    2: the means divided by ``s`` and the covariances by ``s**2``, ``s`` chosen
    so that the largest of them is about 1. Every closed form here is
    homogeneous in that scale (KL of degree 0, W2 of degree 1, the Fisher
    divergence of degree -2), so the callers scale back exactly; the products
    of covariances (``L^T C1 L``) then neither overflow at 1e200 nor underflow
    at 1e-200.
    """
    nx, m0, C0, m1, C1 = as_arrays(_NAMES, m0, C0, m1, C1)
    m0, C0 = check_gaussian(m0, C0, nx, ("m0", "C0"))
    m1, C1 = check_gaussian(m1, C1, nx, ("m1", "C1"))
    check_same_dimension(m0, m1, ("m0", "m1"))

    def log2_max(a):
        v = float(np.abs(nx.to_numpy(a)).max())
        return math.log2(v) if v > 0 else -math.inf

    half = max(log2_max(C0) / 2, log2_max(C1) / 2, log2_max(m0), log2_max(m1))  # finite: C > 0
    e = int(np.clip(np.round(half), -500, 500))
    s = 2.0**e  # exact; s**2 = 2**(2e) too
    if e != 0:
        m0, m1 = m0 / s, m1 / s
        C0, C1 = C0 / (s * s), C1 / (s * s)
    return nx, m0, C0, m1, C1, s


def kl_gaussian(m0, C0, m1, C1):
    r"""KL divergence between two Gaussians, KL(N(m0, C0) || N(m1, C1)).

    .. math::

        \mathrm{KL}(p \,\|\, q) = \tfrac12 \Big[ \operatorname{tr}(C_1^{-1} C_0)
        + (m_1 - m_0)^\top C_1^{-1} (m_1 - m_0) - d
        + \log\det C_1 - \log\det C_0 \Big],

    for :math:`p = N(m_0, C_0)` (the target, first argument) and
    :math:`q = N(m_1, C_1)` (the model). The reverse KL is
    ``kl_gaussian(m1, C1, m0, C0)``.

    Parameters
    ----------
    m0, C0 : array_like or torch.Tensor, shapes (d,), (d, d)
        Mean and covariance of ``p``. Scalars mean d = 1, ``C0`` being the
        **variance** (not the standard deviation).
    m1, C1 : array_like or torch.Tensor, shapes (d,), (d, d)
        Mean and covariance of ``q``, same rules and the same ``d``.

    Returns
    -------
    kl : float64 ndarray (0-d) or torch.Tensor (0-d)
        KL(p || q) in nats, >= 0. A tensor input gives a tensor (same device
        and dtype), differentiable in all four arguments.

    Raises
    ------
    ValueError
        If a mean is not a scalar or a vector, a covariance does not have shape
        (d, d), an entry is NaN or infinite, a covariance is not symmetric or
        not positive definite, or the two Gaussians have different ``d``.
    TypeError
        If an array argument is complex, bool, object, string or bfloat16, or
        a scalar argument is not a real number.

    Notes
    -----
    Computed with the Cholesky factors :math:`C_k = L_k L_k^\top` and
    triangular solves, never an explicit inverse:
    :math:`\operatorname{tr}(C_1^{-1} C_0) = \|L_1^{-1} L_0\|_F^2`,
    the Mahalanobis term is :math:`\|L_1^{-1}(m_1 - m_0)\|^2` and
    :math:`\log\det C_k = 2 \sum_j \log (L_k)_{jj}`. Rounding can leave a
    few ulps below 0 for identical Gaussians; the result is clipped at 0.
    In 1-D it reduces to
    :math:`\log(\sigma_1/\sigma_0) + (\sigma_0^2 + (m_0 - m_1)^2)/(2\sigma_1^2) - 1/2`.

    References
    ----------
    .. [1] J. Duchi, "Derivations for linear algebra and optimization",
       Stanford lecture notes, 2007, sec. 9 (KL divergence between Gaussians).
    .. [2] C. M. Bishop, *Pattern Recognition and Machine Learning*,
       Springer, 2006, sec. 2.3 and exercise 2.13 (with 10.1).

    Examples
    --------
    One dimension, against the closed form in the variances:

    >>> import numpy as np
    >>> from divlib import kl_gaussian
    >>> s0, s1 = 1.0, 2.0     # standard deviations; pass the variances
    >>> closed = np.log(s1 / s0) + (s0**2 + (0.0 - 1.0) ** 2) / (2 * s1**2) - 0.5
    >>> bool(np.isclose(kl_gaussian(0.0, s0**2, 1.0, s1**2), closed))
    True
    >>> round(float(kl_gaussian([0.0, 0.0], np.eye(2), [0.0, 0.0], np.eye(2))), 4)
    0.0
    """
    nx, m0, C0, m1, C1, _ = _two_gaussians(m0, C0, m1, C1)  # KL is scale invariant
    d = m0.shape[0]
    L0 = nx.cholesky(C0)  # C0 = L0 L0^T, (d, d)
    L1 = nx.cholesky(C1)  # C1 = L1 L1^T, (d, d)
    A = nx.solve_triangular(L1, L0, lower=True)  # L1^{-1} L0, (d, d)
    z = nx.solve_triangular(L1, nx.reshape(m1 - m0, (d, 1)), lower=True)  # L1^{-1}(m1 - m0), (d, 1)
    trace_term = nx.sum(A * A)  # tr(C1^{-1} C0)
    maha = nx.sum(z * z)  # (m1 - m0)^T C1^{-1} (m1 - m0)
    log_det_ratio = 2.0 * (
        nx.sum(nx.log(nx.einsum("ii->i", L1))) - nx.sum(nx.log(nx.einsum("ii->i", L0)))
    )  # log det C1 - log det C0
    kl = 0.5 * (trace_term + maha - d + log_det_ratio)
    return nx.maximum(kl, 0.0)


def gaussian_w2(m0, C0, m1, C1):
    r"""2-Wasserstein distance between two Gaussians, in closed form (Bures).

    .. math::

        W_2^2\big(\mathcal N(m_0, C_0), \mathcal N(m_1, C_1)\big)
        = \|m_0 - m_1\|^2
        + \operatorname{tr}\big(C_0 + C_1 - 2 (C_0^{1/2} C_1 C_0^{1/2})^{1/2}\big)

    Parameters
    ----------
    m0, m1 : array_like or torch.Tensor, shape (d,) or scalar
        Means.
    C0, C1 : array_like or torch.Tensor, shape (d, d) or scalar
        Covariances, symmetric positive definite (a scalar is a variance).

    Returns
    -------
    W : float ndarray (0-d) or torch.Tensor (0-d)
        :math:`W_2` (not squared). Differentiable for tensors, with finite
        gradients also at :math:`C_0 = C_1` and :math:`C_0 = C_1 = I`.

    Raises
    ------
    ValueError
        If a covariance is not symmetric positive definite, shapes disagree,
        or the two Gaussians have different dimensions.
    TypeError
        If an array argument is complex, bool, object, string or bfloat16, or
        a scalar argument is not a real number.

    Notes
    -----
    The trace term is computed without any matrix square root: with the
    Cholesky factor :math:`C_0 = L L^\top`, :math:`L^\top C_1 L` is similar to
    :math:`C_0^{1/2} C_1 C_0^{1/2}`, so
    :math:`\operatorname{tr}(\cdot)^{1/2} = \sum_k \sqrt{\lambda_k(L^\top C_1 L)}`
    (eigenvalues clamped at 0). Only eigenvalues are differentiated, whose
    gradient :math:`V \operatorname{diag}(\cdot) V^\top` stays finite for
    repeated eigenvalues (eigenvector gradients do not). At :math:`W_2 = 0`
    the gradient of the root is set to 0. In 1-D this is
    :math:`\sqrt{(m_0 - m_1)^2 + (\sigma_0 - \sigma_1)^2}`.

    References
    ----------
    .. [1] D. C. Dowson and B. V. Landau, "The Frechet distance between
       multivariate normal distributions", J. Multivariate Anal. 12, 1982.
    .. [2] R. Bhatia, T. Jain and Y. Lim, "On the Bures-Wasserstein distance
       between positive definite matrices", Expo. Math. 37, 2019.

    Examples
    --------
    In 1-D (``C`` is the variance) the distance is that of (mean, std) points:

    >>> import numpy as np
    >>> from divlib import gaussian_w2
    >>> round(float(gaussian_w2(0.0, 1.0, 3.0, 25.0)), 6)  # sqrt(3^2 + (1 - 5)^2)
    5.0
    >>> float(gaussian_w2(np.zeros(2), np.eye(2), np.zeros(2), np.eye(2)))
    0.0
    """
    nx, m0, C0, m1, C1, s = _two_gaussians(m0, C0, m1, C1)  # W2 is homogeneous of degree 1
    L = nx.cholesky(C0)  # C0 = L L^T
    B = nx.matmul(nx.transpose(L), nx.matmul(C1, L))  # L^T C1 L ~ C0^1/2 C1 C0^1/2
    B = 0.5 * (B + nx.transpose(B))
    lam = nx.maximum(nx.eigh(B)[0], 0.0)  # eigenvalues only: stable gradients
    root_lam = nx.sqrt0(lam)
    dm = m0 - m1
    bures2 = nx.trace(C0) + nx.trace(C1) - 2.0 * nx.sum(root_lam)  # covariance term
    # below the rounding level of tr C0 + tr C1 the difference is noise, not a distance:
    # identical covariances gave sqrt(2e-16) = 1.5e-8 (found by hypothesis)
    floor = 16.0 * float(np.finfo(nx.to_numpy(dm).dtype).eps) * (nx.trace(C0) + nx.trace(C1))
    bures2 = nx.where(bures2 > floor, bures2, 0.0)  # also clears round-off's -1e-16
    w2sq = nx.sum(dm * dm) + bures2  # the mean term added last: 1e-18 is not lost in 2 - 2
    return nx.sqrt0(w2sq) * s


def gaussian_monge_map(m0, C0, m1, C1):
    r"""The optimal (Monge) transport map from :math:`\mathcal N(m_0, C_0)` to :math:`\mathcal N(m_1, C_1)`.

    .. math::

        T(x) = m_1 + A (x - m_0), \qquad
        A = C_0^{-1/2} \big(C_0^{1/2} C_1 C_0^{1/2}\big)^{1/2} C_0^{-1/2}

    Parameters
    ----------
    m0, m1 : array_like or torch.Tensor, shape (d,) or scalar
        Means.
    C0, C1 : array_like or torch.Tensor, shape (d, d) or scalar
        Covariances, symmetric positive definite (a scalar is a variance).

    Returns
    -------
    T : callable
        ``T(x)`` for ``x`` of shape (..., d) returns shape (..., d); for
        d = 1 any shape is accepted (elementwise). Attributes ``T.A`` (d, d),
        ``T.m0``, ``T.m1``. Tensors in, tensors out (differentiable).

    Raises
    ------
    ValueError
        As :func:`gaussian_w2`.
    TypeError
        If an array argument is complex, bool, object, string or bfloat16, or
        a scalar argument is not a real number.

    Notes
    -----
    ``A`` is symmetric positive definite with :math:`A C_0 A = C_1`, so ``T``
    is the gradient of a convex function and pushes
    :math:`\mathcal N(m_0, C_0)` onto :math:`\mathcal N(m_1, C_1)` (Brenier);
    its transport cost :math:`\mathbb E\|T(X) - X\|^2` is :math:`W_2^2`. It is
    computed as :math:`A = L^{-\top} (L^\top C_1 L)^{1/2} L^{-1}` with
    :math:`C_0 = L L^\top` and the square root by ``eigh`` with clamped
    eigenvalues. In 1-D, :math:`A = \sigma_1 / \sigma_0`.

    References
    ----------
    .. [1] I. Olkin and F. Pukelsheim, "The distance between two random
       vectors with given dispersion matrices", Linear Algebra Appl. 48, 1982.

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import gaussian_monge_map
    >>> T = gaussian_monge_map(0.0, 1.0, 2.0, 9.0)  # x -> 2 + 3 x
    >>> T(np.array([0.0, 1.0])).tolist()
    [2.0, 5.0]
    >>> C0, C1 = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([[1.0, -0.3], [-0.3, 0.5]])
    >>> T = gaussian_monge_map(np.zeros(2), C0, np.ones(2), C1)
    >>> bool(np.allclose(T.A @ C0 @ T.A, C1))
    True
    """
    nx, m0, C0, m1, C1, s = _two_gaussians(m0, C0, m1, C1)  # A is scale invariant
    m0, m1 = m0 * s, m1 * s  # T uses the means as given
    d = m0.shape[0]
    L = nx.cholesky(C0)  # C0 = L L^T
    B = nx.matmul(nx.transpose(L), nx.matmul(C1, L))
    lam, V = nx.eigh(0.5 * (B + nx.transpose(B)))
    sqrtB = nx.matmul(V * nx.sqrt(nx.maximum(lam, 0.0))[None, :], nx.transpose(V))
    Linv = nx.solve(L, nx.eye(d, like=C0))
    A = nx.matmul(nx.transpose(Linv), nx.matmul(sqrtB, Linv))
    A = 0.5 * (A + nx.transpose(A))

    def T(x):
        # the points join the map's arrays under the one dtype policy (a list is weak)
        x_, A_, m0_, m1_ = nx.asarrays(
            check_real_dtype(x, "x"), A, m0, m1, dtype=nx.result_dtype(x, A)
        )
        if d == 1:
            return m1_[0] + A_[0, 0] * (x_ - m0_[0])
        check_points_in(x_, d)
        return m1_ + nx.matmul(x_ - m0_, nx.transpose(A_))

    T.A, T.m0, T.m1 = A, m0, m1
    return T


def fisher_divergence_gaussian(m0, C0, m1, C1):
    r"""Fisher divergence between two Gaussians, in closed form.

    For :math:`p = N(m_0, C_0)` and :math:`q = N(m_1, C_1)` in :math:`d`
    dimensions, with :math:`D = C_1^{-1} - C_0^{-1}`,

    .. math::

        F(p \,\|\, q) = \mathbb{E}_{x\sim p} \| \nabla\log p(x) - \nabla\log q(x) \|^2
        = \operatorname{tr}(D\, C_0\, D) + \| C_1^{-1} (m_0 - m_1) \|^2 .

    Parameters
    ----------
    m0, C0 : array_like or torch.Tensor, shapes (d,), (d, d)
        Mean and covariance of ``p`` (the distribution the expectation is over).
        Scalars are 1-D, ``C0`` being the variance.
    m1, C1 : array_like or torch.Tensor, shapes (d,), (d, d)
        Mean and covariance of ``q``.

    Returns
    -------
    F : ndarray or torch.Tensor, shape ()
        :math:`F(p\|q) \ge 0`; a tensor (differentiable) if any input is one.

    Raises
    ------
    ValueError
        If a mean is not a vector, a covariance is not (d, d), symmetric and
        positive definite, or the two Gaussians have different dimensions.
    TypeError
        If an array argument is complex, bool, object, string or bfloat16, or
        a scalar argument is not a real number.

    Notes
    -----
    Derivation: :math:`s_p(x) - s_q(x) = -C_0^{-1}(x - m_0) + C_1^{-1}(x - m_1)`.
    Writing :math:`x = m_0 + y` with :math:`y \sim N(0, C_0)`, this is
    :math:`D y + C_1^{-1}(m_0 - m_1)`; the cross term has mean zero and
    :math:`\mathbb{E}\|Dy\|^2 = \operatorname{tr}(D C_0 D)` (:math:`D` symmetric).
    No factor 1/2 (as in :func:`divlib.fisher_divergence`). Not symmetric in
    ``p`` and ``q``; in 1-D with equal variances :math:`\sigma^2` it is
    :math:`(m_0 - m_1)^2/\sigma^4`, against :math:`(m_0-m_1)^2/(2\sigma^2)` for KL.

    References
    ----------
    .. [1] S. Lyu, "Interpretation and generalization of score matching",
       *UAI*, 2009.

    Examples
    --------
    Same covariance: only the mean term remains.

    >>> import numpy as np
    >>> from divlib import fisher_divergence_gaussian
    >>> float(fisher_divergence_gaussian([0.0, 0.0], np.eye(2), [3.0, 4.0], np.eye(2)))
    25.0
    >>> float(fisher_divergence_gaussian(0.0, 1.0, 0.0, 2.0))  # D = 1/2 - 1 = -1/2
    0.25
    """
    nx, m0, C0, m1, C1, s = _two_gaussians(m0, C0, m1, C1)  # F is homogeneous of degree -2
    eye = nx.eye(m0.shape[0], like=C0)
    P0 = nx.solve(C0, eye)  # C0^{-1}, (d, d)
    P1 = nx.solve(C1, eye)  # C1^{-1}, (d, d)
    D = P1 - P0
    D = 0.5 * (D + nx.transpose(D))  # symmetric up to round-off
    trace_term = nx.trace(nx.matmul(nx.matmul(D, C0), D))  # tr(D C0 D)
    u = nx.solve(C1, m0 - m1)  # C1^{-1} (m0 - m1), (d,)
    t = pow2_scale(nx, u)  # ||u||^2 = ||u / t||^2 t^2: no overflow for far means
    return trace_term / (s * s) + nx.sum((u / t) ** 2) * ((t / s) * (t / s))
