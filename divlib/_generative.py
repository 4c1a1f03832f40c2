r"""Generative models: the GAN losses, the VAE's Gaussian KL term, mode coverage.

The pieces that the GAN and VAE chapters reuse, written once for numpy and
torch: the discriminator loss and the three generator losses of a GAN
(saturating, non-saturating, Wasserstein) computed from logits or critic
values, the per-dimension KL of a diagonal Gaussian encoder from the standard
normal prior, and the count of the modes of a mixture that a generator covers.
numpy in gives numpy out, torch in gives torch out (differentiable).
"""

from __future__ import annotations

import numpy as np

from ._backend import _NUMPY, get_backend
from ._numerics import pow2_scale, sq_dists
from ._validation import (
    as_finite_arrays,
    check_choice,
    check_point_cloud,
    check_real_dtype,
    check_same_dimension,
    check_same_shape,
    check_scalar,
)


def _softplus(x, nx):
    """log(1 + e^x) without overflow: max(x, 0) + log1p(e^{-|x|})."""
    return nx.maximum(x, 0.0) + nx.log1p(nx.exp(-nx.abs(x)))


def gan_discriminator_loss(real_logits, fake_logits):
    r"""Discriminator loss of the original GAN, from logits: minus the value :math:`V`.

    With :math:`D = \sigma(\ell)` the logistic sigmoid of the logit :math:`\ell`,

    .. math::

        L_D = -\frac1n \sum_{i=1}^n \log D(x_i) - \frac1m \sum_{j=1}^m \log(1 - D(y_j))
            = \frac1n \sum_i \operatorname{softplus}(-\ell(x_i))
            + \frac1m \sum_j \operatorname{softplus}(\ell(y_j)),

    for data :math:`x_i \sim p` and model samples :math:`y_j \sim q`, where
    :math:`\operatorname{softplus}(t) = \log(1 + e^t)`. It is the binary
    cross-entropy of telling data (label 1) from model (label 0), and minus a
    sample estimate of :math:`V(D, q)`. Against the optimal discriminator
    :math:`\max_D V = 2\,\mathrm{JS}(p, q) - \log 4`, so
    :math:`(\log 4 - L_D)/2` estimates a lower bound on :math:`\mathrm{JS}(p, q)`.

    Parameters
    ----------
    real_logits : array_like or torch.Tensor, shape (n,)
        Logits :math:`\ell(x_i)` of the discriminator on data samples.
    fake_logits : array_like or torch.Tensor, shape (m,)
        Logits :math:`\ell(y_j)` on model samples.

    Returns
    -------
    loss : float64 ndarray (0-d) or torch.Tensor (0-d)
        :math:`L_D \ge 0` in nats; differentiable for tensor inputs.

    Raises
    ------
    TypeError
        If an input is boolean, complex or of object dtype.
    ValueError
        If an input is empty, not finite, or not one-dimensional.

    Notes
    -----
    Logits, not probabilities: :math:`\log \sigma(\ell) = -\operatorname{softplus}(-\ell)`
    stays finite and accurate for a discriminator that is very sure
    (:math:`|\ell| \gg 1`), where :math:`\log D` of a rounded :math:`D` would be
    :math:`-\infty`.

    References
    ----------
    .. [1] I. Goodfellow et al., "Generative adversarial nets", *NeurIPS*, 2014.

    Examples
    --------
    A discriminator that cannot tell (all logits 0, :math:`D = 1/2`) scores
    :math:`\log 4`:

    >>> import numpy as np
    >>> from divlib import gan_discriminator_loss
    >>> loss = gan_discriminator_loss(np.zeros(3), np.zeros(5))
    >>> round(float(loss), 6), round(float(np.log(4)), 6)
    (1.386294, 1.386294)
    """
    nx, lr, lf = as_finite_arrays(("real_logits", "fake_logits"), real_logits, fake_logits)
    for name, v in (("real_logits", lr), ("fake_logits", lf)):
        if v.ndim != 1:
            raise ValueError(
                f"{name} must have shape (n,), one logit per sample, got shape {tuple(v.shape)}; "
                f"squeeze a (n, 1) discriminator output with {name}[:, 0]."
            )
    return nx.mean(_softplus(-lr, nx)) + nx.mean(_softplus(lf, nx))


#: The generator losses, from the discriminator's logits (or the critic's values).
GENERATOR_LOSSES = ("saturating", "non_saturating", "wasserstein")


def gan_generator_loss(fake_out, *, kind="non_saturating"):
    r"""Generator loss of a GAN on its own samples: saturating, non-saturating or Wasserstein.

    For logits :math:`\ell_j = \ell(y_j)` of the discriminator
    :math:`D = \sigma(\ell)` on model samples :math:`y_j = G(z_j)`, or critic
    values :math:`h(y_j)` for ``"wasserstein"``:

    .. math::

        L_G^{\mathrm{sat}} = \frac1m \sum_j \log(1 - D(y_j))
            = -\frac1m \sum_j \operatorname{softplus}(\ell_j), \qquad
        L_G^{\mathrm{ns}} = -\frac1m \sum_j \log D(y_j)
            = \frac1m \sum_j \operatorname{softplus}(-\ell_j), \qquad
        L_G^{W} = -\frac1m \sum_j h(y_j).

    The saturating loss is the generator's side of the minimax game
    :math:`\min_G \max_D V(D, G)`; its derivative in a logit is
    :math:`\partial L_G^{\mathrm{sat}} / \partial \ell_j = -D(y_j)/m`, which
    vanishes when the discriminator confidently rejects the sample
    (:math:`D(y_j) \to 0`). The non-saturating loss has derivative
    :math:`-(1 - D(y_j))/m`, close to :math:`-1/m` there. The Wasserstein loss
    is the generator's side of the Kantorovich-Rubinstein dual, for a critic
    :math:`h` kept near 1-Lipschitz (e.g. by :func:`divlib.gradient_penalty`).

    Parameters
    ----------
    fake_out : array_like or torch.Tensor, shape (m,)
        Discriminator logits (``"saturating"``, ``"non_saturating"``) or critic
        values (``"wasserstein"``) on the generator's samples.
    kind : {"saturating", "non_saturating", "wasserstein"}, default "non_saturating"
        Which loss.

    Returns
    -------
    loss : float64 ndarray (0-d) or torch.Tensor (0-d)
        The loss to minimise; differentiable for tensor inputs.

    Raises
    ------
    TypeError
        If ``fake_out`` is boolean, complex or of object dtype.
    ValueError
        If ``fake_out`` is empty, not finite or not one-dimensional, or
        ``kind`` is not one of the three names.

    References
    ----------
    .. [1] I. Goodfellow et al., "Generative adversarial nets", *NeurIPS*, 2014
       (the saturating loss and the non-saturating fix, sec. 3).
    .. [2] M. Arjovsky and L. Bottou, "Towards principled methods for training
       generative adversarial networks", *ICLR*, 2017.
    .. [3] I. Gulrajani et al., "Improved training of Wasserstein GANs",
       *NeurIPS*, 2017.

    Examples
    --------
    At :math:`D = 1/2` (logit 0) the saturating loss is :math:`\log(1/2)` and the
    non-saturating one :math:`\log 2`:

    >>> import numpy as np
    >>> from divlib import gan_generator_loss
    >>> l = np.zeros(4)
    >>> round(float(gan_generator_loss(l, kind="saturating")), 6), round(float(np.log(0.5)), 6)
    (-0.693147, -0.693147)
    >>> round(float(gan_generator_loss(l, kind="non_saturating")), 6)
    0.693147
    >>> float(gan_generator_loss(np.array([1.0, 3.0]), kind="wasserstein"))
    -2.0
    """
    kind = check_choice(kind, "kind", GENERATOR_LOSSES)
    nx, out = as_finite_arrays(("fake_out",), fake_out)
    if out.ndim != 1:
        raise ValueError(
            f"fake_out must have shape (m,), one value per sample, got shape {tuple(out.shape)}; "
            "squeeze a (m, 1) network output with fake_out[:, 0]."
        )
    if kind == "saturating":
        return -nx.mean(_softplus(out, nx))  # mean log(1 - sigma(l))
    if kind == "non_saturating":
        return nx.mean(_softplus(-out, nx))  # -mean log sigma(l)
    s = pow2_scale(nx, out)  # exact: the mean of values near 1e308 cannot overflow
    return -nx.mean(out / s) * s  # -mean h(y)


def kl_standard_normal(mean, log_var):
    r"""Per-dimension KL of a diagonal Gaussian from the standard normal.

    For :math:`r = \mathcal{N}(\mu, \operatorname{diag}(\sigma^2))` and the prior
    :math:`\mathcal{N}(0, I)`, the KL splits over the dimensions :math:`k`:

    .. math::

        \mathrm{KL}\big(r \,\|\, \mathcal{N}(0, I)\big) = \sum_k \kappa_k, \qquad
        \kappa_k = \tfrac12 \big(\mu_k^2 + \sigma_k^2 - 1 - \log \sigma_k^2\big) \ge 0.

    This is the KL term of a VAE with a Gaussian encoder; ``kl_standard_normal``
    returns the terms :math:`\kappa_k` elementwise (sum the last axis for the
    KL of each encoding), so that a dimension whose KL is 0 for every input,
    a collapsed dimension, can be seen.

    Parameters
    ----------
    mean : array_like or torch.Tensor, shape (..., k)
        Encoder means :math:`\mu`.
    log_var : array_like or torch.Tensor, shape (..., k)
        Encoder log-variances :math:`\log \sigma^2` (the log of the
        **variance**), the same shape as ``mean`` or one that broadcasts with it.

    Returns
    -------
    kl : float64 ndarray or torch.Tensor, the broadcast shape
        :math:`\kappa_k` in nats, each :math:`\ge 0`, 0 exactly when
        :math:`\mu_k = 0` and :math:`\sigma_k = 1`. Differentiable for tensor
        inputs.

    Raises
    ------
    TypeError
        If an input is boolean, complex or of object dtype.
    ValueError
        If an input is empty or not finite, or the shapes do not broadcast.

    Notes
    -----
    The 1-D case of the closed form of :func:`divlib.kl_gaussian`:
    ``kl_gaussian(mu, s2, 0, 1)`` equals ``kl_standard_normal(mu, log(s2))``.
    Taking the log-variance rather than the variance keeps :math:`\sigma^2 > 0`
    for any real network output.

    References
    ----------
    .. [1] D. P. Kingma and M. Welling, "Auto-encoding variational Bayes",
       *ICLR*, 2014, appendix B.

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import kl_gaussian, kl_standard_normal
    >>> mu, log_var = np.array([0.0, 1.0, 0.5]), np.array([0.0, 0.0, np.log(0.25)])
    >>> np.round(kl_standard_normal(mu, log_var), 6)
    array([0.      , 0.5     , 0.443147])
    >>> bool(np.isclose(kl_standard_normal(mu, log_var).sum(),
    ...                 kl_gaussian(mu, np.diag(np.exp(log_var)), np.zeros(3), np.eye(3))))
    True
    """
    nx, mu, lv = as_finite_arrays(("mean", "log_var"), mean, log_var)
    check_same_shape(mu, lv, names=("mean", "log_var"))
    # e^v - 1 - v without cancellation: its Taylor series where |v| < 1e-4 (relative
    # error < 1e-18 there), expm1(v) - v elsewhere (exact 0 at v = 0 either way)
    small = nx.abs(lv) < 1e-4
    v = nx.where(small, lv, 0.0)
    series = v * v * (0.5 + v * (1 / 6 + v * (1 / 24 + v / 120)))
    return 0.5 * (mu**2 + nx.where(small, series, nx.expm1(lv) - lv))


def mode_coverage(samples, centers, *, radius, min_count=1):
    r"""How many modes of a mixture a generator covers, and how many of its samples are good.

    A sample :math:`y_j` is **high quality** when it lies within ``radius`` of
    its nearest mode centre :math:`c_k`; mode :math:`k` is **covered** when at
    least ``min_count`` high-quality samples have it as nearest centre:

    .. math::

        N_k = \#\{j : \|y_j - c_k\| \le r,\ k = \arg\min_{k'} \|y_j - c_{k'}\|\},
        \qquad
        \text{covered} = \#\{k : N_k \ge n_{\min}\}, \qquad
        \text{quality} = \frac1m \sum_k N_k .

    Parameters
    ----------
    samples : array_like or torch.Tensor, shape (m, d)
        Generated samples :math:`y_j` (a tensor is detached; the counts have no
        gradient).
    centers : array_like or torch.Tensor, shape (K, d)
        Mode centres :math:`c_k`.
    radius : float
        :math:`r > 0`; with Gaussian modes of standard deviation :math:`s`,
        :math:`3s` is the usual choice.
    min_count : int, default 1
        :math:`n_{\min} \ge 1`: how many samples a mode needs to count as covered.

    Returns
    -------
    covered : int
        Number of covered modes, between 0 and K.
    quality : float
        Fraction of high-quality samples, in [0, 1].

    Raises
    ------
    TypeError
        If an input is boolean, complex or of object dtype, or ``radius`` or
        ``min_count`` is not a number.
    ValueError
        If ``samples`` or ``centers`` is not a finite (n, d) array, their
        dimensions differ, ``radius <= 0`` or ``min_count`` is not an integer >= 1.

    References
    ----------
    .. [1] A. Srivastava, L. Valkov, C. Russell, M. U. Gutmann and C. Sutton,
       "VEEGAN: reducing mode collapse in GANs using implicit variational
       learning", *NeurIPS*, 2017 (the "modes" and "high-quality samples" counts).

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import mode_coverage
    >>> centers = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    >>> y = np.array([[0.1, 0.0], [0.0, -0.2], [5.1, 0.1], [2.5, 2.5]])
    >>> mode_coverage(y, centers, radius=0.5)
    (2, 0.75)
    >>> mode_coverage(y, centers, radius=0.5, min_count=2)
    (1, 0.75)
    """
    radius = check_scalar(radius, "radius", low=0, low_inclusive=False, finite=True)
    min_count = check_scalar(min_count, "min_count", low=1, integer=True)
    arrays = []
    for name, v in (("samples", samples), ("centers", centers)):
        v = check_real_dtype(v, name)
        v = get_backend(v).to_numpy(v)  # a tensor is read without its graph
        arrays.append(check_point_cloud(_NUMPY.asarray(v), name, _NUMPY))
    y, c = arrays
    check_same_dimension(y, c, names=("samples", "centers"))
    s = pow2_scale(_NUMPY, y, c)  # distances at scale 1 (exact): 1e-200 is not 0
    y, c, radius = y / s, c / s, radius / s
    dist = np.sqrt(sq_dists(_NUMPY, y, c)[0])  # (m, K)
    nearest = dist.argmin(axis=1)  # (m,)
    good = dist[np.arange(len(y)), nearest] <= radius
    counts = np.bincount(nearest[good], minlength=len(c))  # N_k
    return int((counts >= min_count).sum()), float(good.mean())
