r"""f-divergences between discrete distributions: the general D_f and its named members.

Same conventions as ``_information`` (``p`` the target, ``q`` the model, the
distribution along ``axis``, leading axes a batch) and the same validation.
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import (
    as_distribution_pair,
    check_callable,
    check_elementwise_output,
    check_scalar,
)


def f_divergence(p, q, f, *, axis=-1, f_prime_inf=None, normalize=False):
    r"""Csiszar f-divergence :math:`D_f(p \,\|\, q)` for a convex ``f`` with ``f(1) = 0``.

    .. math::

        D_f(p \,\|\, q) = \sum_{i:\, q_i > 0} q_i\, f\!\left(\frac{p_i}{q_i}\right)
        + f'(\infty) \sum_{i:\, q_i = 0} p_i,
        \qquad f'(\infty) = \lim_{t\to\infty} \frac{f(t)}{t}.

    Parameters
    ----------
    p, q : array_like or torch.Tensor, shape (..., n)
        Distributions along ``axis`` (non-negative, summing to 1); they broadcast.
    f : callable
        The generator, applied elementwise to an array of ratios
        :math:`t = p_i / q_i` of the input's kind (ndarray or tensor): write it
        with numpy ufuncs for numpy input and torch functions for tensors, or
        once for both with ``nx = divlib.get_backend(t)`` and ``nx.log``,
        ``nx.xlogy``, ``nx.abs``... It
        must accept ``t = 0`` (where ``p_i = 0``): for :math:`t \log t` use
        ``scipy.special.xlogy(t, t)`` (numpy) or ``torch.special.xlogy``.
    axis : int, default -1
        Axis holding the distributions; the other axes are a batch. A 1-D
        argument next to an N-D one is laid along ``axis`` (shape (n,) is
        compared with each slice along ``axis``, not broadcast on the last axis).
    f_prime_inf : float, optional
        :math:`f'(\infty)`, used for the outcomes with :math:`q_i = 0 < p_i`.
        ``None`` (default) takes it to be ``inf``, so any such outcome gives
        ``inf`` (right for KL, chi^2; for total variation pass 0.5, for the
        reverse KL, :math:`f = -\log t`, pass 0).
    normalize : bool, default False
        Divide ``p`` and ``q`` by their sums instead of rejecting them.

    Returns
    -------
    D : ndarray or torch.Tensor, shape (...)
        The divergence: >= 0 for a convex ``f`` with ``f(1) = 0``, up to
        rounding (the sum is not clipped, so that a non-convex ``f`` shows
        its negative value).

    Raises
    ------
    ValueError
        As :func:`kl_divergence`; also if ``f(1)`` is not 0 (within 1e-8), if
        ``f`` returns an array of another shape than its input, or if
        ``f_prime_inf`` is NaN or ``-inf`` (a convex ``f`` has
        :math:`f'(\infty) > -\infty`).
    TypeError
        If ``f`` is not callable or returns something other than an array of
        its input's kind (ndarray for numpy, tensor for torch: write ``f`` with
        :func:`divlib.get_backend` to serve both); if an array argument is
        complex, bool, object, string or bfloat16, or a scalar argument is
        not a real number.

    Notes
    -----
    Outcomes with :math:`q_i = 0` are the limit
    :math:`q f(p/q) \to p\, f'(\infty)` as :math:`q \to 0`: the term is 0 when
    :math:`p_i = 0` too, and :math:`p_i f'(\infty)` (``inf`` by default) when
    :math:`p_i > 0`; ``f`` is never called on ``inf`` for that limit (a
    ratio beyond float64, :math:`q_i < 10^{-308} p_i`, does overflow to
    ``inf``). Convexity of ``f`` is not checked. Named members: :func:`kl_divergence` (:math:`t\log t`),
    :func:`total_variation` (:math:`|t-1|/2`), :func:`hellinger` squared
    (:math:`(\sqrt t - 1)^2/2`), :func:`chi2_divergence` (:math:`(t-1)^2`),
    and ``kl_divergence(q, p)`` (:math:`-\log t`).

    References
    ----------
    .. [1] I. Csiszar, "Information-type measures of difference of probability
       distributions and indirect observations", *Studia Sci. Math. Hungar.*
       2, 1967, 299-318.
    .. [2] S. M. Ali and S. D. Silvey, "A general class of coefficients of
       divergence of one distribution from another", *J. R. Stat. Soc. B*
       28(1), 1966, 131-142.

    Examples
    --------
    With :math:`f(t) = t \log t` this is the KL divergence:

    >>> import numpy as np
    >>> from scipy.special import xlogy
    >>> from divlib import f_divergence, kl_divergence, total_variation
    >>> p, q = np.array([0.2, 0.5, 0.3]), np.array([0.1, 0.6, 0.3])
    >>> bool(np.isclose(f_divergence(p, q, lambda t: xlogy(t, t)), kl_divergence(p, q)))
    True
    >>> tv = f_divergence([1.0, 0.0], [0.0, 1.0], lambda t: np.abs(t - 1) / 2, f_prime_inf=0.5)
    >>> float(tv), float(total_variation([1.0, 0.0], [0.0, 1.0]))
    (1.0, 1.0)
    """
    check_callable(f, "f")
    f_prime_inf = check_scalar(
        f_prime_inf, "f_prime_inf", low=-math.inf, low_inclusive=False, allow_none=True
    )  # f'(inf) > -inf for a convex f; NaN refused
    if f_prime_inf is None:
        f_prime_inf = math.inf
    nx, p, q, axis = as_distribution_pair(p, q, axis=axis, normalize=normalize)
    one = nx.ones((1,), like=p)
    f_one = f(one)
    check_elementwise_output(f_one, one, "f", nx)
    f1 = float(nx.to_numpy(f_one).reshape(-1)[0])
    if not abs(f1) <= 1e-8:
        raise ValueError(
            f"f(1) = {f1:.6g} but an f-divergence needs f(1) = 0; "
            "use t -> f(t) - f(1) (which shifts D_f by -f(1))."
        )
    q0 = q == 0
    q_safe = nx.where(q0, 1.0, q)  # q_i, with 1 where q_i = 0 (term replaced below)
    with np.errstate(divide="ignore", over="ignore"):  # f(0) = inf is legitimate (-log t)
        t = nx.where(q0, 1.0, p / q_safe)  # ratio t_i = p_i / q_i, shape broadcast(p, q)
        f_t = f(t)
        check_elementwise_output(f_t, t, "f", nx)
        terms = q_safe * f_t  # q_i f(p_i / q_i)
    if f_prime_inf == math.inf:
        limit = nx.where(p > 0, math.inf, 0.0 * p)  # p_i f'(inf): inf, or 0 when p_i = 0
    else:
        limit = p * f_prime_inf
    overflow = ~q0 & nx.isinf(t)  # q_i > 0 but p_i / q_i beyond the dtype's range
    if bool(nx.any(overflow)):
        if f_prime_inf == math.inf:
            raise ValueError(
                "p_i / q_i overflows the floating dtype where q_i > 0 (e.g. q_i = 1e-320): "
                "q_i f(p_i / q_i) cannot be evaluated through f, and it is finite for "
                "f(t) = t log t. Use the divergence's own function (kl_divergence, "
                "chi2_divergence...), or pass f_prime_inf if f'(inf) is finite."
            )
        terms = nx.where(overflow, limit, terms)  # q f(p/q) -> p f'(inf) as q -> 0
    terms = nx.where(q0, limit, terms)
    return nx.sum(terms, axis=axis)


def total_variation(p, q, *, axis=-1, normalize=False):
    r"""Total variation distance :math:`\tfrac12 \sum_i |p_i - q_i|`.

    .. math::

        \mathrm{TV}(p, q) = \tfrac12 \sum_i |p_i - q_i| = \max_A |p(A) - q(A)|.

    Parameters
    ----------
    p, q : array_like or torch.Tensor, shape (..., n)
        Distributions along ``axis`` (non-negative, summing to 1); they broadcast.
    axis : int, default -1
        Axis holding the distributions; the other axes are a batch. A 1-D
        argument next to an N-D one is laid along ``axis`` (shape (n,) is
        compared with each slice along ``axis``, not broadcast on the last axis).
    normalize : bool, default False
        Divide ``p`` and ``q`` by their sums instead of rejecting them.

    Returns
    -------
    tv : ndarray or torch.Tensor, shape (...)
        In :math:`[0, 1]`, 1 for disjoint supports.

    Raises
    ------
    ValueError
        As :func:`kl_divergence`.
    TypeError
        If an array argument is complex, bool, object, string or bfloat16, or
        a scalar argument is not a real number.

    Notes
    -----
    The f-divergence of :math:`f(t) = |t - 1|/2` and a metric. Pinsker's
    inequality bounds it by the KL divergence:
    :math:`\mathrm{TV}(p, q) \le \sqrt{\mathrm{KL}(p \,\|\, q)/2}`.

    References
    ----------
    .. [1] A. B. Tsybakov, *Introduction to Nonparametric Estimation*,
       Springer, 2009, sec. 2.4.

    Examples
    --------
    >>> from divlib import total_variation
    >>> round(float(total_variation([0.5, 0.5, 0.0], [0.25, 0.25, 0.5])), 4)
    0.5
    """
    nx, p, q, axis = as_distribution_pair(p, q, axis=axis, normalize=normalize)
    return 0.5 * nx.sum(nx.abs(p - q), axis=axis)


def hellinger(p, q, *, axis=-1, normalize=False):
    r"""Hellinger distance, in :math:`[0, 1]`.

    .. math::

        H(p, q) = \sqrt{\tfrac12 \sum_i \left(\sqrt{p_i} - \sqrt{q_i}\right)^2}
        = \sqrt{1 - \sum_i \sqrt{p_i q_i}}.

    Parameters
    ----------
    p, q : array_like or torch.Tensor, shape (..., n)
        Distributions along ``axis`` (non-negative, summing to 1); they broadcast.
    axis : int, default -1
        Axis holding the distributions; the other axes are a batch. A 1-D
        argument next to an N-D one is laid along ``axis`` (shape (n,) is
        compared with each slice along ``axis``, not broadcast on the last axis).
    normalize : bool, default False
        Divide ``p`` and ``q`` by their sums instead of rejecting them.

    Returns
    -------
    h : ndarray or torch.Tensor, shape (...)
        The distance (not its square), 1 for disjoint supports.

    Raises
    ------
    ValueError
        As :func:`kl_divergence`.
    TypeError
        If an array argument is complex, bool, object, string or bfloat16, or
        a scalar argument is not a real number.

    Notes
    -----
    A metric; :math:`H^2` is the f-divergence of
    :math:`f(t) = (\sqrt t - 1)^2 / 2`. Some texts omit the factor 1/2 (range
    :math:`[0, \sqrt 2]`); this one keeps it. With torch, the gradient at a
    zero entry (where :math:`\sqrt{\cdot}` has an infinite slope) and at
    ``p = q`` is taken as 0.

    References
    ----------
    .. [1] A. B. Tsybakov, *Introduction to Nonparametric Estimation*,
       Springer, 2009, sec. 2.4.

    Examples
    --------
    >>> from divlib import hellinger
    >>> float(hellinger([1.0, 0.0], [0.0, 1.0]))
    1.0
    >>> round(float(hellinger([0.5, 0.5], [0.5, 0.5])), 4)
    0.0
    """
    nx, p, q, axis = as_distribution_pair(p, q, axis=axis, normalize=normalize)
    diff = nx.sqrt0(p) - nx.sqrt0(q)  # sqrt p_i - sqrt q_i
    h2 = nx.clip(0.5 * nx.sum(diff * diff, axis=axis), 0.0, 1.0)  # squared distance
    return nx.sqrt0(h2)


def chi2_divergence(p, q, *, axis=-1, normalize=False):
    r"""Pearson :math:`\chi^2` divergence :math:`\sum_i (p_i - q_i)^2 / q_i`.

    .. math::

        \chi^2(p \,\|\, q) = \sum_i \frac{(p_i - q_i)^2}{q_i}
        = \sum_i \frac{p_i^2}{q_i} - 1.

    Parameters
    ----------
    p, q : array_like or torch.Tensor, shape (..., n)
        Distributions along ``axis`` (non-negative, summing to 1); they broadcast.
    axis : int, default -1
        Axis holding the distributions; the other axes are a batch. A 1-D
        argument next to an N-D one is laid along ``axis`` (shape (n,) is
        compared with each slice along ``axis``, not broadcast on the last axis).
    normalize : bool, default False
        Divide ``p`` and ``q`` by their sums instead of rejecting them.

    Returns
    -------
    chi2 : ndarray or torch.Tensor, shape (...)
        >= 0; ``inf`` where some ``p_i > 0`` has ``q_i = 0``.

    Raises
    ------
    ValueError
        As :func:`kl_divergence`.
    TypeError
        If an array argument is complex, bool, object, string or bfloat16, or
        a scalar argument is not a real number.

    Notes
    -----
    The f-divergence of :math:`f(t) = (t - 1)^2`; outcomes with
    :math:`p_i = q_i = 0` contribute 0. It bounds KL from above:
    :math:`\mathrm{KL}(p \,\|\, q) \le \log(1 + \chi^2(p \,\|\, q))`.

    References
    ----------
    .. [1] K. Pearson, "On the criterion that a given system of deviations ...",
       *Phil. Mag.* 50(302), 1900, 157-175.

    Examples
    --------
    >>> from divlib import chi2_divergence
    >>> round(float(chi2_divergence([0.5, 0.5], [0.25, 0.75])), 4)
    0.3333
    """
    nx, p, q, axis = as_distribution_pair(p, q, axis=axis, normalize=normalize)
    q0 = q == 0
    q_safe = nx.where(q0, 1.0, q)
    d = p - q
    with np.errstate(over="ignore"):  # q_i < ~1e-308: the term is beyond float64, inf
        terms = d * d / q_safe  # (p_i - q_i)^2 / q_i where q_i > 0
    terms = nx.where(q0 & (p > 0), math.inf, terms)  # q_i = 0 = p_i: d = 0, the term is 0
    return nx.sum(terms, axis=axis)
