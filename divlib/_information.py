r"""Information measures between discrete distributions.

Conventions (the book's notation page): ``p`` is the target or data
distribution, ``q`` the model; the distribution lies along ``axis`` (the last
one by default) and leading axes are a batch. Results are in nats unless
``base`` is given. ``0 log 0 = 0``.
"""

from __future__ import annotations

import math

import numpy as np

from ._backend import get_backend
from ._validation import (
    as_distribution,
    as_distribution_pair,
    check_base,
    check_distribution_pair,
    check_scalar,
    distribution_stats_ok,
)


def _to_base(h, base):
    """Convert a value in nats to ``base`` (None keeps nats)."""
    base = check_base(base)
    return h if base is None else h / math.log(base)


def entropy(p, *, base=None, axis=-1, normalize=False):
    r"""Shannon entropy of a discrete distribution.

    .. math::

        H(p) = -\sum_i p_i \log p_i, \qquad 0 \log 0 = 0.

    Parameters
    ----------
    p : array_like or torch.Tensor, shape (..., n)
        Probabilities along ``axis``: non-negative, summing to 1.
    base : float, optional
        Base of the logarithm; ``None`` (default) gives nats, ``2`` bits.
    axis : int, default -1
        Axis holding the distribution; the other axes are a batch.
    normalize : bool, default False
        Divide ``p`` by its sum instead of rejecting one that does not sum to 1.

    Returns
    -------
    H : ndarray or torch.Tensor, shape (...)
        The entropy, a float (0-d array) for a single distribution. A tensor
        input gives a tensor on the same device, differentiable.

    Raises
    ------
    ValueError
        If ``p`` is empty, has NaN or negative entries, or does not sum to 1
        (tolerance 1e-6) and ``normalize`` is False; if ``base`` is not a
        positive number other than 1.
    TypeError
        If an array argument is complex, bool, object, string or bfloat16, or
        a scalar argument is not a real number.

    Notes
    -----
    :math:`0 \le H(p) \le \log n`, with 0 for a point mass and :math:`\log n`
    for the uniform distribution on ``n`` outcomes. Zero entries contribute 0
    and, with torch, a gradient of 0 (not NaN). Unlike
    ``scipy.stats.entropy``, ``p`` is never renormalised silently.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, ch. 2.

    Examples
    --------
    A fair coin carries one bit, and the sum can be checked by hand:

    >>> import numpy as np
    >>> from divlib import entropy
    >>> float(entropy([0.5, 0.5], base=2))
    1.0
    >>> p = np.array([0.5, 0.25, 0.25])
    >>> bool(np.isclose(entropy(p), -np.sum(p * np.log(p))))
    True
    """
    check_base(base)
    nx, p, axis = as_distribution(p, axis=axis, normalize=normalize)
    h = 0.0 - nx.sum(nx.xlogy(p, p), axis=axis)  # 0 - x, not -x: no -0.0 for a point mass
    return _to_base(h, base)


# -- KL, cross-entropy, Jensen-Shannon --------------------------------------


def cross_entropy(p, q, *, base=None, axis=-1, normalize=False):
    r"""Cross-entropy of a model ``q`` under the data distribution ``p``.

    .. math::

        H(p, q) = -\sum_i p_i \log q_i = H(p) + \mathrm{KL}(p \,\|\, q).

    Parameters
    ----------
    p : array_like or torch.Tensor, shape (..., n)
        Target (data) distribution along ``axis``: non-negative, summing to 1.
    q : array_like or torch.Tensor, shape (..., n)
        Model distribution, same rules; broadcasts against ``p``.
    base : float, optional
        Base of the logarithm; ``None`` (default) gives nats, ``2`` bits.
    axis : int, default -1
        Axis holding the distributions; the other axes are a batch. A 1-D
        argument next to an N-D one is laid along ``axis`` (shape (n,) is
        compared with each slice along ``axis``, not broadcast on the last axis).
    normalize : bool, default False
        Divide ``p`` and ``q`` by their sums instead of rejecting them.

    Returns
    -------
    H : ndarray or torch.Tensor, shape (...)
        The cross-entropy; ``inf`` where some ``p_i > 0`` has ``q_i = 0``.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is empty, a scalar, has NaN, infinite or negative
        entries, does not sum to 1 (tolerance 1e-6, unless ``normalize``), if
        the shapes do not broadcast, or if ``base`` is invalid.
    TypeError
        If an array argument is complex, bool, object, string or bfloat16, or
        a scalar argument is not a real number.

    Notes
    -----
    Terms with :math:`p_i = 0` are 0 whatever :math:`q_i` is. Minimising
    :math:`H(p, q)` over ``q`` is minimising the forward KL, since
    :math:`H(p)` does not depend on ``q``: this is maximum likelihood.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, ch. 2.

    Examples
    --------
    >>> from divlib import cross_entropy, entropy, kl_divergence
    >>> p, q = [0.5, 0.5], [0.9, 0.1]
    >>> round(float(cross_entropy(p, q)), 4)
    1.204
    >>> bool(abs(cross_entropy(p, q) - entropy(p) - kl_divergence(p, q)) < 1e-12)
    True
    """
    check_base(base)
    nx, p, q, axis = as_distribution_pair(p, q, axis=axis, normalize=normalize)
    h = 0.0 - nx.sum(nx.xlogy(p, q), axis=axis)  # -sum_i p_i log q_i, shape (...)
    return _to_base(h, base)


def kl_divergence(p, q, *, base=None, axis=-1, normalize=False):
    r"""Kullback-Leibler divergence KL(p || q), the forward KL.

    .. math::

        \mathrm{KL}(p \,\|\, q) = \sum_i p_i \log \frac{p_i}{q_i},
        \qquad 0 \log \frac{0}{q} = 0, \quad p \log \frac{p}{0} = \infty \ (p > 0).

    **Direction.** ``p`` is the target (data) distribution and ``q`` the
    model: ``kl_divergence(p, q)`` is the forward (inclusive, mass-covering)
    KL that maximum likelihood minimises. The **reverse** (exclusive,
    mode-seeking) KL, :math:`\mathrm{KL}(q \,\|\, p)`, is
    ``kl_divergence(q, p)``; there is no separate function.

    Parameters
    ----------
    p : array_like or torch.Tensor, shape (..., n)
        Target distribution along ``axis``: non-negative, summing to 1.
    q : array_like or torch.Tensor, shape (..., n)
        Model distribution, same rules; broadcasts against ``p``.
    base : float, optional
        Base of the logarithm; ``None`` (default) gives nats, ``2`` bits.
    axis : int, default -1
        Axis holding the distributions; the other axes are a batch. A 1-D
        argument next to an N-D one is laid along ``axis`` (shape (n,) is
        compared with each slice along ``axis``, not broadcast on the last axis).
    normalize : bool, default False
        Divide ``p`` and ``q`` by their sums instead of rejecting them.

    Returns
    -------
    kl : ndarray or torch.Tensor, shape (...)
        KL(p || q) >= 0, ``inf`` when ``p`` puts mass where ``q`` has none.
        A tensor input gives a tensor (same device and dtype), differentiable.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is empty, a scalar, has NaN, infinite or negative
        entries, does not sum to 1 (tolerance 1e-6, unless ``normalize``), if
        the shapes do not broadcast or the numbers of outcomes differ, or if
        ``base`` is invalid.
    TypeError
        If an array argument is complex, bool, object, string or bfloat16, or
        a scalar argument is not a real number.

    Notes
    -----
    Equals ``scipy.special.rel_entr(p, q).sum(axis)`` but never renormalises
    silently (``scipy.stats.entropy(p, q)`` does). Two 1-D inputs (numpy, or
    CPU tensors without a graph) are read once: the sum and the checks of
    both vectors come from one pass in cache-sized blocks (about 1.3 times
    the time of a single ``np.log`` over the array, validation included);
    batches, ``normalize`` and gradients take the general path. KL is 0 iff ``p = q``, is not symmetric, and does not satisfy the
    triangle inequality. With torch, entries with :math:`p_i = 0` get a
    gradient of 0 (not NaN); where :math:`p_i > 0 = q_i` the value is ``inf``
    and the gradient is not finite. When ``q`` is ``p`` up to rounding the sum
    can come out a few ulps below 0; it is clipped to 0, as Gibbs' inequality
    requires (where it was negative, the torch gradient is then 0).

    References
    ----------
    .. [1] S. Kullback and R. A. Leibler, "On information and sufficiency",
       *Ann. Math. Statist.* 22(1), 1951, 79-86.
    .. [2] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, sec. 2.3.

    Examples
    --------
    Two Bernoullis against the closed form, and the two directions:

    >>> import numpy as np
    >>> from divlib import kl_divergence
    >>> a, b = 0.3, 0.6
    >>> closed = a * np.log(a / b) + (1 - a) * np.log((1 - a) / (1 - b))
    >>> bool(np.isclose(kl_divergence([a, 1 - a], [b, 1 - b]), closed))
    True
    >>> p, q = [0.5, 0.5, 0.0], [0.25, 0.25, 0.5]
    >>> round(float(kl_divergence(p, q, base=2)), 4)   # forward: finite
    1.0
    >>> float(kl_divergence(q, p))                      # reverse: q has mass where p has none
    inf
    """
    check_base(base)
    nx, p, q, axis = as_distribution_pair(p, q, axis=axis, normalize=normalize, values=False)
    fused = None if normalize else nx.rel_entr_sum_1d(p, q)  # one pass: value and checks
    if (
        fused is not None
        and math.isfinite(fused[0])
        and distribution_stats_ok(fused[1], fused[2], p.dtype)
        and distribution_stats_ok(fused[3], fused[4], p.dtype)
    ):
        kl = nx.scalar(max(fused[0], 0.0), like=p)  # rounding only: KL >= 0 (Gibbs)
        return _to_base(kl, base)
    # general path (batches, normalize, zeros of q, gradients): full checks, then the sum
    p, q = check_distribution_pair(p, q, nx, axis=axis, normalize=normalize)
    kl = nx.sum(nx.rel_entr(p, q), axis=axis)  # sum_i p_i log(p_i / q_i), shape (...)
    kl = nx.clip(kl, 0.0)  # rounding only: KL >= 0 (Gibbs); clamp keeps the gradient at 0
    return _to_base(kl, base)


_LOG2 = math.log(2.0)


def js_divergence(p, q, *, base=None, axis=-1, normalize=False):
    r"""Jensen-Shannon divergence (the divergence, not its square root).

    .. math::

        \mathrm{JS}(p, q) = \tfrac12 \mathrm{KL}(p \,\|\, m) + \tfrac12 \mathrm{KL}(q \,\|\, m),
        \qquad m = \tfrac12 (p + q).

    Parameters
    ----------
    p, q : array_like or torch.Tensor, shape (..., n)
        Distributions along ``axis`` (non-negative, summing to 1); they broadcast.
    base : float, optional
        Base of the logarithm; ``None`` (default) gives nats, ``2`` bits.
    axis : int, default -1
        Axis holding the distributions; the other axes are a batch. A 1-D
        argument next to an N-D one is laid along ``axis`` (shape (n,) is
        compared with each slice along ``axis``, not broadcast on the last axis).
    normalize : bool, default False
        Divide ``p`` and ``q`` by their sums instead of rejecting them.

    Returns
    -------
    js : ndarray or torch.Tensor, shape (...)
        In :math:`[0, \log 2]` (``[0, 1]`` with ``base=2``); always finite.

    Raises
    ------
    ValueError
        As :func:`kl_divergence`.
    TypeError
        If an array argument is complex, bool, object, string or bfloat16, or
        a scalar argument is not a real number.

    Notes
    -----
    Symmetric, bounded by :math:`\log 2` (reached for disjoint supports) and
    finite even where one distribution has zeros, since :math:`m > 0` wherever
    ``p`` or ``q`` is. Rounding can make the sum a few ulps negative or above
    :math:`\log 2`; the result is clipped to :math:`[0, \log 2]`, so
    near-identical inputs give 0 (``scipy.spatial.distance.jensenshannon``,
    which returns the *distance*, can give NaN there). The square root is a
    metric: :func:`js_distance`.

    References
    ----------
    .. [1] J. Lin, "Divergence measures based on the Shannon entropy",
       *IEEE Trans. Inf. Theory* 37(1), 1991, 145-151.

    Examples
    --------
    >>> import math
    >>> from divlib import js_divergence
    >>> float(js_divergence([1.0, 0.0], [0.0, 1.0], base=2))   # disjoint supports
    1.0
    >>> p, q = [0.1, 0.9], [0.6, 0.4]
    >>> bool(js_divergence(p, q) == js_divergence(q, p) and js_divergence(p, q) < math.log(2))
    True
    """
    check_base(base)
    nx, p, q, axis = as_distribution_pair(p, q, axis=axis, normalize=normalize)
    m = 0.5 * (p + q)  # mixture, shape broadcast(p, q)
    # (5e-324 + 0) / 2 underflows to 0: m_i >= max(p_i, q_i) / 2 > 0 there, and taking
    # m_i = max(p_i, q_i) changes the terms by at most 5e-324 log 2, not by inf
    m = nx.where(m > 0, m, nx.maximum(p, q))
    js = 0.5 * (nx.sum(nx.rel_entr(p, m), axis=axis) + nx.sum(nx.rel_entr(q, m), axis=axis))
    js = nx.clip(js, 0.0, _LOG2)  # rounding only: JS is in [0, log 2]
    return _to_base(js, base)


def js_distance(p, q, *, base=None, axis=-1, normalize=False):
    r"""Jensen-Shannon distance, the square root of :func:`js_divergence`.

    .. math::

        d_{\mathrm{JS}}(p, q) = \sqrt{\mathrm{JS}(p, q)}.

    Parameters
    ----------
    p, q : array_like or torch.Tensor, shape (..., n)
        Distributions along ``axis`` (non-negative, summing to 1); they broadcast.
    base : float, optional
        Base of the logarithm inside JS; ``None`` (default) gives nats.
    axis : int, default -1
        Axis holding the distributions; the other axes are a batch. A 1-D
        argument next to an N-D one is laid along ``axis`` (shape (n,) is
        compared with each slice along ``axis``, not broadcast on the last axis).
    normalize : bool, default False
        Divide ``p`` and ``q`` by their sums instead of rejecting them.

    Returns
    -------
    d : ndarray or torch.Tensor, shape (...)
        In :math:`[0, \sqrt{\log 2}]`; ``[0, 1]`` with ``base=2``.

    Raises
    ------
    ValueError
        As :func:`kl_divergence`.
    TypeError
        If an array argument is complex, bool, object, string or bfloat16, or
        a scalar argument is not a real number.

    Notes
    -----
    A metric on distributions (symmetric, zero iff ``p = q``, triangle
    inequality) [1]_. This is what ``scipy.spatial.distance.jensenshannon``
    returns. With torch, the gradient at ``p = q`` is 0 (a subgradient)
    rather than the infinite one of :math:`\sqrt{\cdot}` at 0.

    References
    ----------
    .. [1] D. M. Endres and J. E. Schindelin, "A new metric for probability
       distributions", *IEEE Trans. Inf. Theory* 49(7), 2003, 1858-1860.

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import js_distance, js_divergence
    >>> p, q = [0.2, 0.8], [0.5, 0.5]
    >>> bool(np.isclose(js_distance(p, q) ** 2, js_divergence(p, q)))
    True
    """
    js = js_divergence(p, q, base=base, axis=axis, normalize=normalize)
    return get_backend(js).sqrt0(js)


# -- Renyi ----------------------------------------------------------------------


def renyi_divergence(p, q, alpha, *, base=None, axis=-1, normalize=False):
    r"""Renyi divergence of order :math:`\alpha > 0`.

    .. math::

        D_\alpha(p \,\|\, q) = \frac{1}{\alpha - 1} \log \sum_i p_i^\alpha q_i^{1-\alpha},
        \qquad D_1 = \mathrm{KL}(p \,\|\, q), \quad
        D_\infty = \log \max_{i:\, p_i > 0} \frac{p_i}{q_i}.

    Parameters
    ----------
    p, q : array_like or torch.Tensor, shape (..., n)
        Distributions along ``axis`` (non-negative, summing to 1); they broadcast.
    alpha : float
        Order, ``> 0``; ``1`` gives :func:`kl_divergence`, ``math.inf`` the
        max log-ratio.
    base : float, optional
        Base of the logarithm; ``None`` (default) gives nats, ``2`` bits.
    axis : int, default -1
        Axis holding the distributions; the other axes are a batch. A 1-D
        argument next to an N-D one is laid along ``axis`` (shape (n,) is
        compared with each slice along ``axis``, not broadcast on the last axis).
    normalize : bool, default False
        Divide ``p`` and ``q`` by their sums instead of rejecting them.

    Returns
    -------
    D : ndarray or torch.Tensor, shape (...)
        >= 0, non-decreasing in ``alpha``. ``inf`` if the supports are
        disjoint, or if :math:`\alpha \ge 1` and some :math:`p_i > 0 = q_i`.

    Raises
    ------
    ValueError
        As :func:`kl_divergence`; also if ``alpha`` is not a number > 0 (NaN, 0,
        negative).
    TypeError
        If ``alpha`` is not a real number (a string, None, bool, complex).

    Notes
    -----
    Three forms, each exact, chosen so that no step overflows or cancels.
    With :math:`\ell_i = \log(p_i / q_i)` and :math:`t = \alpha - 1`:

    - **Near 1** (the band :math:`|\alpha - 1| \le 1/2`, ``RENYI_KL_BAND``):
      the KL limit form
      :math:`D_\alpha = \log(1 + S)/t` with
      :math:`S = \sum_i p_i \,\mathrm{expm1}(t \ell_i)`, computed with
      ``log1p`` and ``expm1``. It tends to :math:`\sum_i p_i \ell_i =
      \mathrm{KL}` as :math:`t \to 0` with no cancellation, so
      :math:`\alpha = 1 \pm 10^{-15}` gives KL to rounding (the direct sum
      loses every digit there). ``p`` is taken normalised in this form.
    - **Above the band**: the max-log-ratio form
      :math:`D_\alpha = M + (M + L)/t` with :math:`M = \max_i \ell_i` and
      :math:`L = \log \sum_i q_i e^{\alpha(\ell_i - M)}`: no overflow for
      any finite :math:`\alpha`, and :math:`D_\alpha \to M = D_\infty`.
    - **Below the band**: a ``logsumexp`` of
      :math:`\alpha \log p_i + (1 - \alpha) \log q_i`.

    Sums run over the outcomes where both are positive. For
    :math:`\alpha < 1` outcomes with :math:`q_i = 0` contribute 0 (so
    :math:`D_\alpha` stays finite unless the supports are disjoint);
    for :math:`\alpha > 1` they make it infinite. :math:`D_{1/2} =
    -2 \log(1 - H^2)` with :math:`H` the :func:`hellinger` distance. The
    value is non-decreasing in :math:`\alpha` (up to rounding).

    References
    ----------
    .. [1] A. Renyi, "On measures of entropy and information", *Proc. 4th
       Berkeley Symp. Math. Stat. Prob.* 1, 1961, 547-561.
    .. [2] T. van Erven and P. Harremoes, "Renyi divergence and
       Kullback-Leibler divergence", *IEEE Trans. Inf. Theory* 60(7), 2014,
       3797-3820.

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import renyi_divergence, kl_divergence, hellinger
    >>> p, q = np.array([0.2, 0.5, 0.3]), np.array([0.4, 0.4, 0.2])
    >>> bool(np.isclose(renyi_divergence(p, q, 1.0), kl_divergence(p, q)))
    True
    >>> bool(np.isclose(renyi_divergence(p, q, 0.5), -2 * np.log(1 - hellinger(p, q) ** 2)))
    True
    >>> bool(np.isclose(renyi_divergence(p, q, np.inf), np.log(np.max(p / q))))
    True
    """
    alpha = check_scalar(alpha, "alpha", low=0.0, low_inclusive=False)
    if alpha == 1.0:
        return kl_divergence(p, q, base=base, axis=axis, normalize=normalize)
    check_base(base)
    nx, p, q, axis = as_distribution_pair(p, q, axis=axis, normalize=normalize)
    p_pos, q_pos = p > 0, q > 0
    both = p_pos & q_pos  # outcomes where log p_i and log q_i are finite
    log_p = nx.log(nx.where(both, p, 1.0))
    log_q = nx.log(nx.where(both, q, 1.0))
    p_only = p_pos & ~q_pos  # p_i > 0 = q_i
    log_ratio = log_p - log_q  # log(p_i / q_i) where both > 0 (0 elsewhere)
    p_only_any = nx.any(p_only, axis=axis)
    if alpha == math.inf:
        lr = nx.where(both, log_ratio, -math.inf)
        D = nx.max(nx.where(p_only, math.inf, lr), axis=axis)
    elif abs(alpha - 1.0) <= RENYI_KL_BAND:
        # KL limit form: sum_i p_i^a q_i^(1-a) = sum_i p_i exp(t l_i) = 1 + S, t = a - 1,
        # S = sum_i p_i expm1(t l_i), and D = log1p(S) / t -> sum_i p_i l_i = KL as t -> 0,
        # with no cancellation (|t l_i| <= 745 / 2: expm1 cannot overflow in the band).
        t = alpha - 1.0
        terms = nx.where(both, p * nx.expm1(t * log_ratio), 0.0)
        terms = nx.where(p_only, 0.0 - p, terms)  # q_i = 0: p_i^a q_i^(1-a) = 0 (a < 1)
        S = nx.sum(terms, axis=axis) / nx.sum(p, axis=axis)  # p taken as normalised
        with np.errstate(divide="ignore"):  # S = -1: disjoint supports, D = inf
            D = nx.log1p(nx.maximum(S, -1.0)) / t
        if alpha > 1.0:
            D = nx.where(p_only_any, math.inf, D)
    elif alpha > 1.0:
        # max-log-ratio form: with M = max_i l_i, log sum_i q_i exp(a l_i)
        # = a M + logsumexp(log q_i + a (l_i - M)), so D = M + (M + lse) / (a - 1):
        # no overflow for any finite a, and D -> M = D_inf as a -> inf.
        lr = nx.where(both, log_ratio, -math.inf)
        M = nx.max(lr, axis=axis, keepdims=True)
        M_safe = nx.where(nx.isfinite(M), M, 0.0)
        diff = log_ratio - M_safe  # <= 0, and 0 at the largest ratio
        # alpha * 0 = 0 also when alpha overflows the dtype (1e39 in float32: inf * 0)
        scaled = nx.where(diff < 0, alpha * nx.where(diff < 0, diff, -1.0), 0.0)
        a = nx.where(both, log_q + scaled, -math.inf)
        with np.errstate(divide="ignore", invalid="ignore"):
            lse = nx.logsumexp(a, axis=axis)
        M_safe = nx.sum(M_safe, axis=axis)  # drop the kept axis
        D = M_safe + (M_safe + lse) / (alpha - 1.0)
        D = nx.where(p_only_any, math.inf, D)
    else:  # 0 < alpha < 1/2: both exponents in (0, 1), no overflow
        a = nx.where(both, alpha * log_p + (1.0 - alpha) * log_q, -math.inf)
        with np.errstate(divide="ignore"):
            lse = nx.logsumexp(a, axis=axis)  # log sum_i p_i^alpha q_i^(1-alpha)
        D = lse / (alpha - 1.0)
    D = nx.maximum(D, 0.0)  # rounding only: D_alpha >= 0
    return _to_base(D, base)


#: Half-width of the band around alpha = 1 where ``renyi_divergence`` uses the KL limit form.
RENYI_KL_BAND = 0.5
