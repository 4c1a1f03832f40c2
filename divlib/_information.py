r"""Information measures between discrete distributions.

Conventions (the book's notation page): ``p`` is the target or data
distribution, ``q`` the model; the distribution lies along ``axis`` (the last
one by default) and leading axes are a batch. Results are in nats unless
``base`` is given. ``0 log 0 = 0``.
"""

from __future__ import annotations

import math

from ._backend import get_backend
from ._validation import check_base, check_distribution


def _to_base(h, base, nx):
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
    nx = get_backend(p)
    p = nx.asarray(p)
    p = check_distribution(p, "p", nx, axis=axis, normalize=normalize)
    h = 0.0 - nx.sum(nx.xlogy(p, p), axis=axis)  # 0 - x, not -x: no -0.0 for a point mass
    return _to_base(h, base, nx)


def cross_entropy(*args, **kwargs):  # STUB: replaced by issue 3
    raise NotImplementedError("divlib.cross_entropy is not written yet (issue 3).")


def kl_divergence(*args, **kwargs):  # STUB: replaced by issue 3
    raise NotImplementedError("divlib.kl_divergence is not written yet (issue 3).")


def js_divergence(*args, **kwargs):  # STUB: replaced by issue 3
    raise NotImplementedError("divlib.js_divergence is not written yet (issue 3).")


def js_distance(*args, **kwargs):  # STUB: replaced by issue 3
    raise NotImplementedError("divlib.js_distance is not written yet (issue 3).")


def f_divergence(*args, **kwargs):  # STUB: replaced by issue 3
    raise NotImplementedError("divlib.f_divergence is not written yet (issue 3).")


def total_variation(*args, **kwargs):  # STUB: replaced by issue 3
    raise NotImplementedError("divlib.total_variation is not written yet (issue 3).")


def hellinger(*args, **kwargs):  # STUB: replaced by issue 3
    raise NotImplementedError("divlib.hellinger is not written yet (issue 3).")


def chi2_divergence(*args, **kwargs):  # STUB: replaced by issue 3
    raise NotImplementedError("divlib.chi2_divergence is not written yet (issue 3).")


def renyi_divergence(*args, **kwargs):  # STUB: replaced by issue 3
    raise NotImplementedError("divlib.renyi_divergence is not written yet (issue 3).")
