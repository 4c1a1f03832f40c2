r"""Policy optimisation with a KL trust region: the pieces TRPO and PPO share.

``clipped_surrogate`` (PPO's clipped objective), ``adaptive_kl_coef`` (the
adaptive penalty of PPO's KL variant), ``categorical_fisher`` (the Fisher
information of a softmax policy in its logits), ``conjugate_gradient`` (solve
:math:`F x = g` from products :math:`v \mapsto F v` only) and
``trust_region_step`` (the natural-gradient step of TRPO scaled to a KL budget).
numpy in gives numpy out, torch in gives torch out.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._numerics import pow2_scale
from ._runtime import ConvergenceWarning
from ._validation import (
    as_distribution,
    as_finite_arrays,
    check_callable,
    check_equal_shapes,
    check_output,
    check_scalar,
)


def clipped_surrogate(log_prob_new, log_prob_old, advantages, *, eps=0.2):
    r"""PPO's clipped surrogate objective (to be maximised).

    With the probability ratio :math:`r_i = \pi_\theta(a_i \mid s_i) /
    \pi_{\text{old}}(a_i \mid s_i)` of sampled actions and their advantages
    :math:`\hat A_i`,

    .. math::

        L^{\text{CLIP}}(\theta) = \frac1n \sum_{i=1}^n
        \min\big(r_i \hat A_i,\ \operatorname{clip}(r_i, 1 - \epsilon, 1 + \epsilon)\, \hat A_i\big).

    For :math:`\hat A_i > 0` the term stops growing once :math:`r_i > 1 + \epsilon`,
    for :math:`\hat A_i < 0` once :math:`r_i < 1 - \epsilon`: a step gains
    nothing by moving an action's probability further than a factor
    :math:`1 \pm \epsilon`, while a move in the harmful direction is never clipped.

    Parameters
    ----------
    log_prob_new : array_like or torch.Tensor, shape (n,)
        :math:`\log \pi_\theta(a_i \mid s_i)`, the policy being optimised
        (differentiable when a tensor).
    log_prob_old : array_like or torch.Tensor, shape (n,)
        :math:`\log \pi_{\text{old}}(a_i \mid s_i)` of the policy that sampled
        the actions (treated as a constant).
    advantages : array_like or torch.Tensor, shape (n,)
        :math:`\hat A_i`; the three inputs have the same shape.
    eps : float, default 0.2
        Clip range :math:`\epsilon`, in (0, 1).

    Returns
    -------
    objective : float64 ndarray (0-d) or torch.Tensor (0-d)
        :math:`L^{\text{CLIP}}`; a tensor input gives a differentiable tensor.

    Raises
    ------
    TypeError
        If an input is complex, boolean or of object dtype.
    ValueError
        If an input is empty or has NaN or infinite entries, if the shapes do
        differ, or if ``eps`` is not in (0, 1).

    Notes
    -----
    At :math:`\theta = \theta_{\text{old}}` (all :math:`r_i = 1`) the value
    and the gradient are those of the unclipped surrogate
    :math:`\frac1n\sum_i r_i \hat A_i`, the importance-sampled policy gradient.

    References
    ----------
    .. [1] J. Schulman, F. Wolski, P. Dhariwal, A. Radford and O. Klimov,
       "Proximal policy optimization algorithms", arXiv:1707.06347, 2017, eq. (7).

    Examples
    --------
    Ratios 0.5, 1 and 1.5 with advantages +1, +1, -1 and eps = 0.2 give
    min(0.5, 0.8), min(1, 1) and min(-1.5, -1.2), averaged:

    >>> import numpy as np
    >>> from divlib import clipped_surrogate
    >>> r = np.array([0.5, 1.0, 1.5])
    >>> L = clipped_surrogate(np.log(r), np.zeros(3), np.array([1.0, 1.0, -1.0]))
    >>> round(float(L), 6), round((0.5 + 1.0 - 1.5) / 3, 6)
    (0.0, 0.0)
    """
    eps = check_scalar(eps, "eps", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    names = ("log_prob_new", "log_prob_old", "advantages")
    nx, lp_new, lp_old, adv = as_finite_arrays(names, log_prob_new, log_prob_old, advantages)
    check_equal_shapes((lp_new, lp_old, adv), names)
    log_r = lp_new - nx.detach(lp_old)  # log r_i
    # Where the clip decides the term, move log r_i inside a bound the clip does not
    # see, so that exp cannot overflow into inf * 0 (value) or 0 * inf (gradient):
    # A > 0 uses min(r, 1 + eps), A < 0 uses max(r, 1 - eps), A = 0 gives 0.
    hi, lo = float(np.log1p(eps)) + 1.0, float(np.log1p(-eps)) - 1.0
    log_r = nx.where(adv > 0, nx.minimum(log_r, hi), nx.where(adv < 0, nx.maximum(log_r, lo), 0.0))
    ratio = nx.exp(log_r)  # r_i
    unclipped = ratio * adv
    clipped = nx.clip(ratio, 1.0 - eps, 1.0 + eps) * adv
    return nx.mean(nx.minimum(unclipped, clipped))


def adaptive_kl_coef(beta, kl, kl_target, *, tolerance=1.5, factor=2.0):
    r"""The adaptive KL coefficient of PPO's penalty variant: one update.

    After an update that maximised :math:`L(\theta) - \beta\,
    \mathrm{KL}(\pi_{\text{old}} \,\|\, \pi_\theta)` and reached the KL :math:`d`,

    .. math::

        \beta \leftarrow \begin{cases}
        \beta / f & d < d_{\text{targ}} / \tau, \\
        \beta \cdot f & d > d_{\text{targ}} \cdot \tau, \\
        \beta & \text{otherwise,}
        \end{cases}

    with :math:`\tau` = ``tolerance`` and :math:`f` = ``factor``: a step that
    moved too far doubles the penalty, one that barely moved halves it.

    Parameters
    ----------
    beta : float
        Current coefficient, > 0.
    kl : float
        Measured KL of the last update (e.g. ``mc_kl`` on the old policy's
        samples), >= 0.
    kl_target : float
        Target :math:`d_{\text{targ}} > 0`.
    tolerance : float, default 1.5
        :math:`\tau > 1`.
    factor : float, default 2.0
        :math:`f > 1`.

    Returns
    -------
    beta : float
        The new coefficient.

    Raises
    ------
    ValueError
        If a number is NaN or out of its range (``kl`` may be 0 or inf, the
        others must be finite and > 0, ``tolerance`` and ``factor`` > 1).

    References
    ----------
    .. [1] J. Schulman, F. Wolski, P. Dhariwal, A. Radford and O. Klimov,
       "Proximal policy optimization algorithms", arXiv:1707.06347, 2017, sec. 4.

    Examples
    --------
    >>> from divlib import adaptive_kl_coef
    >>> adaptive_kl_coef(1.0, 0.05, 0.01), adaptive_kl_coef(1.0, 0.001, 0.01)
    (2.0, 0.5)
    >>> adaptive_kl_coef(1.0, 0.012, 0.01)
    1.0
    """
    beta = check_scalar(beta, "beta", low=0.0, low_inclusive=False, finite=True)
    kl = check_scalar(kl, "kl", low=0.0)
    kl_target = check_scalar(kl_target, "kl_target", low=0.0, low_inclusive=False, finite=True)
    tolerance = check_scalar(tolerance, "tolerance", low=1.0, low_inclusive=False, finite=True)
    factor = check_scalar(factor, "factor", low=1.0, low_inclusive=False, finite=True)
    if not np.isfinite(kl):
        return beta * factor
    if kl < kl_target / tolerance:
        return beta / factor
    if kl > kl_target * tolerance:
        return beta * factor
    return beta


def categorical_fisher(probs):
    r"""Fisher information of a categorical (softmax) policy in its logits.

    For :math:`\pi = \operatorname{softmax}(z)` on :math:`K` actions the score
    is :math:`\nabla_z \log \pi_a = e_a - \pi`, so

    .. math::

        F(z) = \mathbb{E}_{a \sim \pi}\big[(e_a - \pi)(e_a - \pi)^\top\big]
        = \operatorname{diag}(\pi) - \pi \pi^\top ,

    which is also the Hessian of :math:`z' \mapsto \mathrm{KL}(\pi_z \,\|\,
    \pi_{z'})` at :math:`z' = z`: for a small change :math:`\delta` of the logits,
    :math:`\mathrm{KL}(\pi_z \,\|\, \pi_{z+\delta}) = \tfrac12 \delta^\top F \delta
    + O(\|\delta\|^3)`.

    Parameters
    ----------
    probs : array_like or torch.Tensor, shape (..., K)
        Action probabilities along the last axis (one row per state); each row
        sums to 1.

    Returns
    -------
    F : ndarray or torch.Tensor, shape (..., K, K)
        Symmetric positive semi-definite, singular along :math:`(1, \dots, 1)`
        (adding a constant to every logit leaves the policy unchanged).

    Raises
    ------
    TypeError
        If ``probs`` is complex, boolean or of object dtype.
    ValueError
        If ``probs`` is empty, not finite, negative, or a row does not sum to 1.

    References
    ----------
    .. [1] S. Kakade, "A natural policy gradient", *NeurIPS* 14, 2001.
    .. [2] S. Amari, "Natural gradient works efficiently in learning",
       *Neural Computation* 10(2):251-276, 1998.

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import categorical_fisher
    >>> F = categorical_fisher(np.array([0.5, 0.5]))
    >>> F.tolist(), F @ np.ones(2)
    ([[0.25, -0.25], [-0.25, 0.25]], array([0., 0.]))
    """
    nx, p, _ = as_distribution(probs, axis=-1, normalize=False, name="probs")
    K = p.shape[-1]
    eye = nx.eye(K, like=p)
    outer = nx.einsum("...i,...j->...ij", p, p)  # pi pi^T
    return p[..., :, None] * eye - outer


def conjugate_gradient(Avp, b, *, n_iter=10, tol=1e-10):
    r"""Solve :math:`A x = b` for symmetric positive definite :math:`A` known by products.

    The conjugate-gradient method builds :math:`x` in the Krylov space
    :math:`\{b, Ab, A^2 b, \dots\}`, minimising
    :math:`\tfrac12 x^\top A x - b^\top x` over it; it needs only
    :math:`v \mapsto A v`. In exact arithmetic it is exact after :math:`d`
    iterations for :math:`A \in \mathbb{R}^{d \times d}`, and the error in the
    :math:`A`-norm falls at least like
    :math:`2\big((\sqrt{\kappa}-1)/(\sqrt{\kappa}+1)\big)^k` with :math:`\kappa`
    the condition number. TRPO uses it with :math:`A = F`, the Fisher matrix,
    given by Fisher-vector products, to get the natural gradient
    :math:`F^{-1} g` without forming :math:`F`.

    Parameters
    ----------
    Avp : callable
        :math:`v \mapsto A v`, vector (d,) -> vector (d,), same backend as ``b``.
    b : array_like or torch.Tensor, shape (d,)
        Right-hand side.
    n_iter : int, default 10
        Maximum number of iterations, >= 1; a :class:`ConvergenceWarning` says
        when they did not reach ``tol``.
    tol : float, default 1e-10
        Stop when the relative squared residual
        :math:`\|b - Ax\|^2 / \|b\|^2` is at most ``tol``, a finite number >= 0
        (``b = 0`` returns 0).

    Returns
    -------
    x : ndarray or torch.Tensor, shape (d,)
        Approximate solution (torch: detached if ``Avp`` is not differentiable).
        The scale of ``b`` does not matter: ``b`` is divided by a power of two
        (exactly) before the iterations and ``x`` multiplied back.

    Warns
    -----
    ConvergenceWarning
        If the residual is still above ``tol`` after ``n_iter`` iterations (too
        few iterations, or ``A`` not symmetric positive definite).

    Raises
    ------
    TypeError
        If ``Avp`` is not callable, returns the other backend (a tensor for an
        ndarray ``b`` or the reverse), or ``b`` (or what ``Avp`` returns) is
        complex, boolean or of object dtype.
    ValueError
        If ``b`` is not a finite vector, ``n_iter``/``tol`` are out of range,
        ``Avp`` returns another shape or a non-finite vector, or a direction of
        non-positive curvature :math:`p^\top A p \le 0` is met (``A`` is not
        positive definite: add damping, :math:`A + \lambda I`).

    References
    ----------
    .. [1] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed.,
       Springer, 2006, algorithm 5.2.
    .. [2] J. Schulman, S. Levine, P. Moritz, M. Jordan and P. Abbeel, "Trust
       region policy optimization", *ICML*, 2015, appendix C.

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import conjugate_gradient
    >>> A = np.array([[4.0, 1.0], [1.0, 3.0]])
    >>> x = conjugate_gradient(lambda v: A @ v, np.array([1.0, 2.0]), n_iter=2)
    >>> bool(np.allclose(x, np.linalg.solve(A, [1.0, 2.0])))
    True
    """
    x, converged = _conjugate_gradient(Avp, b, n_iter, tol, names=("Avp", "b"))
    if not converged:
        warnings.warn(
            f"conjugate_gradient stopped after n_iter = {n_iter} iterations with a "
            f"relative squared residual above tol = {tol:g}: increase n_iter, or check "
            "that A is symmetric positive definite (x is not a solution).",
            ConvergenceWarning,
            stacklevel=2,
        )
    return x


def _conjugate_gradient(Avp, b, n_iter, tol, *, names):
    """CG on ``b`` scaled by a power of two (exact), so that the result does not
    depend on the scale of ``b``; returns ``(x, converged)``. ``names`` name the
    product and the right-hand side in messages."""
    check_callable(Avp, names[0])
    n_iter = check_scalar(n_iter, "n_iter", low=1, integer=True)
    tol = check_scalar(tol, "tol", low=0.0, finite=True)
    nx, b = as_finite_arrays((names[1],), b)
    if len(tuple(b.shape)) != 1:
        raise ValueError(f"{names[1]} must be a vector of shape (d,), got shape {tuple(b.shape)}.")
    s = pow2_scale(nx, b)  # A x = b  <=>  A (x / s) = b / s
    b = b / s
    x = b * 0.0
    r = nx.copy(b)  # residual b - A x
    p = nx.copy(b)  # search direction
    rr = nx.sum(r * r)
    stop = tol * float(nx.to_numpy(rr))  # ||r||^2 <= tol ||b||^2
    for _ in range(n_iter):
        if float(nx.to_numpy(rr)) <= stop:
            break
        Ap = Avp(p)
        check_output(Ap, names[0], [tuple(b.shape)], nx)
        pAp = nx.sum(p * Ap)
        curv = float(nx.to_numpy(pAp))
        if curv <= 0:
            raise ValueError(
                f"conjugate gradient met a direction of curvature p^T A p = {curv:.3g} "
                f"<= 0 for {names[0]}: A is not positive definite. Add damping "
                "(A + lambda I, lambda > 0)."
            )
        alpha = rr / pAp
        x = x + alpha * p
        r = r - alpha * Ap
        rr_new = nx.sum(r * r)
        p = r + (rr_new / rr) * p
        rr = rr_new
    converged = float(nx.to_numpy(rr)) <= stop
    return x * s, converged


def trust_region_step(Fvp, g, max_kl, *, n_iter=10, damping=0.0):
    r"""TRPO's step: the natural gradient scaled to a KL budget.

    Maximise the linearised objective :math:`g^\top \delta` subject to the
    quadratic model of the KL constraint
    :math:`\tfrac12 \delta^\top F \delta \le \delta_{\max}`. The solution is

    .. math::

        \delta^\star = \sqrt{\frac{2\,\delta_{\max}}{x^\top F x}}\; x,
        \qquad x = F^{-1} g ,

    with :math:`x` computed by :func:`conjugate_gradient` on Fisher-vector
    products, so :math:`\tfrac12 \delta^{\star\top} F \delta^\star = \delta_{\max}`.

    Parameters
    ----------
    Fvp : callable
        :math:`v \mapsto F v` (the Fisher matrix of the policy in its parameters).
    g : array_like or torch.Tensor, shape (d,)
        Gradient of the surrogate objective; not all zero.
    max_kl : float
        KL budget :math:`\delta_{\max} > 0` in nats.
    n_iter : int, default 10
        Conjugate-gradient iterations.
    damping : float, default 0.0
        :math:`\lambda \ge 0`: solve with :math:`F + \lambda I` (needed when
        :math:`F` is singular, e.g. softmax logits). The step is scaled with the
        same damped matrix.

    Returns
    -------
    step : ndarray or torch.Tensor, shape (d,)
        :math:`\delta^\star`. TRPO then backtracks along it until the true
        KL is within the budget and the surrogate improves.

    Raises
    ------
    ValueError
        As :func:`conjugate_gradient`, or if ``g`` is all zero, ``max_kl`` is
        not > 0 or ``damping`` is negative.

    References
    ----------
    .. [1] J. Schulman, S. Levine, P. Moritz, M. Jordan and P. Abbeel, "Trust
       region policy optimization", *ICML*, 2015, sec. 6 and appendix C.
    .. [2] S. Kakade, "A natural policy gradient", *NeurIPS* 14, 2001.

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import trust_region_step
    >>> F = np.diag([1.0, 4.0])
    >>> s = trust_region_step(lambda v: F @ v, np.array([1.0, 1.0]), 0.01)
    >>> round(float(0.5 * s @ F @ s), 6)        # on the KL budget
    0.01
    >>> bool(np.allclose(s / np.linalg.norm(s), [0.9701425, 0.2425356]))  # F^{-1} g
    True
    """
    max_kl = check_scalar(max_kl, "max_kl", low=0.0, low_inclusive=False, finite=True)
    damping = check_scalar(damping, "damping", low=0.0, finite=True)
    check_callable(Fvp, "Fvp")
    nx, g = as_finite_arrays(("g",), g)
    if not np.any(nx.to_numpy(g) != 0):
        raise ValueError("g is all zero: there is no ascent direction to scale.")

    def Avp(v):
        Fv = Fvp(v)
        check_output(Fv, "Fvp", [tuple(g.shape)], nx)
        return Fv + damping * v

    # x ~ F^{-1} g by truncated CG (n_iter steps, as TRPO: no warning when cut short),
    # scaled by a power of two (exact) so that x^T F x neither under- nor overflows
    x, _ = _conjugate_gradient(Avp, g, n_iter, 1e-10, names=("Fvp", "g"))
    x = x / pow2_scale(nx, x)
    xFx = nx.sum(x * Avp(x))
    if not float(nx.to_numpy(xFx)) > 0:
        raise ValueError(
            f"x^T F x = {float(nx.to_numpy(xFx)):.3g} <= 0 for x = F^{{-1}} g: the Fisher "
            "matrix is singular along the gradient. Pass damping > 0."
        )
    return nx.sqrt(2.0 * max_kl / xFx) * x
