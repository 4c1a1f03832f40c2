r"""Entropic optimal transport: one log-domain Sinkhorn loop behind ``sinkhorn`` and
``sinkhorn_divergence``.

Same conventions as ``_transport``: ``a`` (n,), ``b`` (m,) weights, ``M``
(n, m) cost, ``reg`` the entropic regularisation :math:`\varepsilon` in the
units of the cost, point clouds ``x`` (n, d), ``y`` (m, d) with the cost
:math:`\|x - y\|^p`.

The plan is written :math:`P_{ij} = a_i b_j \exp((f_i + g_j - M_{ij})/\varepsilon)`
with potentials ``f``, ``g`` in the units of the cost. The weights enter the
log-sum-exp linearly (a matrix-vector product), never through ``log a``, so
a zero weight has a finite gradient. One error measure everywhere: the L1
violation of the marginal that the last update did not fix, relative to the
mass, :math:`\|P^\top \mathbf 1 - b\|_1 / \|b\|_1`.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._numerics import abs_max, cost_matrix, homogeneous_scale
from ._runtime import ConvergenceWarning
from ._validation import (
    as_arrays,
    check_flag,
    check_histograms,
    check_order,
    check_point_cloud,
    check_reg,
    check_same_dimension,
    check_scalar,
    check_tol,
    check_weights,
)


# ---------------------------------------------------------------------------
# arguments
# ---------------------------------------------------------------------------
def _eps_schedule(diam: float, reg: float, scaling: bool):
    """epsilon-scaling: halve from the cost diameter down to ``reg`` (then ``reg``)."""
    if not scaling:
        return [reg]
    return [diam * 0.5**k for k in range(200) if diam * 0.5**k > reg] + [reg]


# ---------------------------------------------------------------------------
# the one Sinkhorn loop
# ---------------------------------------------------------------------------
def _sinkhorn_loop(a, b, C, eps_list, max_iter, tol, nx, *, symmetric=False):
    r"""Potentials (f, g) of entropic OT between the weights a (n,) and b (m,) for the
    cost C (n, m), annealed along ``eps_list`` (one update per intermediate epsilon,
    up to ``max_iter`` at the last, stopping when the relative L1 marginal violation
    is below ``tol``).

    Alternating updates: :math:`f \leftarrow T_b(g)` (rows exact), then
    :math:`g \leftarrow T_a(f)`, the error being the column violation before that.
    ``symmetric`` (a = b, C symmetric): the averaged update
    :math:`f \leftarrow (f + T_a(f))/2`, which converges in a few steps where the
    alternating one crawls; its error is the violation of the plan (f, f).
    Returns (f, g, err, iterations at the last epsilon).
    """
    lse = nx.weighted_lse_inplace(C)  # one work buffer for every iteration
    mass = float(nx.to_numpy(nx.sum(a)))
    f = nx.zeros((C.shape[0],), like=C)
    g = nx.zeros((C.shape[1],), like=C)
    err, it = float("inf"), 0
    for k, eps in enumerate(eps_list):
        K = C / (-eps)
        for it in range(1, (max_iter if k == len(eps_list) - 1 else 1) + 1):  # noqa: B007 (returned)
            if symmetric:
                Tf = -eps * lse(K, f / eps, a, 1)
                err = float(nx.to_numpy(nx.sum(a * nx.abs(nx.expm1((f - Tf) / eps))))) / mass
                f = 0.5 * (f + Tf)
            else:
                f = -eps * lse(K, g / eps, b, 1)
                col = lse(K, f / eps, a, 0)  # column sums of the plan = b exp(g/eps + col)
                err = float(nx.to_numpy(nx.sum(b * nx.abs(nx.expm1(g / eps + col))))) / mass
                g = -eps * col
            if err < tol and k == len(eps_list) - 1:
                break
    return f, (f if symmetric else g), err, it


def _warn_not_converged(func, err, tol, max_iter, reg):
    warnings.warn(
        f"{func} did not converge: relative marginal violation {err:.3g} > tol={tol:g} "
        f"after max_iter={max_iter} iterations at reg={reg:g}; increase max_iter "
        "(a small reg needs about max(M)/reg iterations; eps_scaling=True helps), or "
        "use a larger reg or tol.",
        ConvergenceWarning,
        stacklevel=3,
    )


# ---------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------
def sinkhorn(
    a, b, M, reg, *, max_iter=1000, tol=None, eps_scaling=False, return_plan=False, log=False
):
    r"""Entropic optimal transport by Sinkhorn iterations in the log domain.

    Solves

    .. math::

        P^\star = \arg\min_{P \in U(a, b)} \langle P, M\rangle
        - \varepsilon H(P), \qquad H(P) = -\sum_{ij} P_{ij}(\log P_{ij} - 1),

    with :math:`\varepsilon` = ``reg``, and returns the transport part
    :math:`\langle P^\star, M\rangle` (like POT's ``sinkhorn2``). The plan is
    :math:`P_{ij} = a_i b_j \exp((f_i + g_j - M_{ij})/\varepsilon)` with the
    potentials updated by the soft c-transforms

    .. math::

        f_i \leftarrow -\varepsilon \log \sum_j b_j e^{(g_j - M_{ij})/\varepsilon},\qquad
        g_j \leftarrow -\varepsilon \log \sum_i a_i e^{(f_i - M_{ij})/\varepsilon}.

    Parameters
    ----------
    a : array_like or torch.Tensor, shape (n,)
        Source weights, >= 0.
    b : array_like or torch.Tensor, shape (m,)
        Target weights, >= 0, same total mass as ``a`` (relative tolerance 1e-6).
    M : array_like or torch.Tensor, shape (n, m)
        Ground cost, finite.
    reg : float
        Entropic regularisation :math:`\varepsilon > 0`, in the units of ``M``.
    max_iter : int, default 1000
        Maximum number of (f, g) updates (at the final ``reg``), >= 1.
    tol : float, optional
        Stop when the relative L1 violation of the column marginal,
        :math:`\|P^\top\mathbf 1 - b\|_1 / \|b\|_1`, is below ``tol`` (the rows
        are exact after each f update). Default 1e-9 in float64 and about
        1.2e-4 (1000 machine epsilons) in float32.
    eps_scaling : bool, default False
        Anneal :math:`\varepsilon` from the largest cost down to ``reg``
        (halving, one update each) before iterating at ``reg``: fewer
        iterations for a small ``reg``.
    return_plan : bool, default False
        Also return the plan ``P`` (n, m).
    log : bool, default False
        Also return a dict (last), as POT's ``log=True``: ``"n_iter"``, the
        iterations run at the final ``reg``; ``"n_iter_total"``, with the one
        iteration per annealing level before it; ``"err"``, the relative L1
        marginal violation reached.

    Returns
    -------
    cost : float ndarray (0-d) or torch.Tensor (0-d)
        :math:`\langle P^\star, M\rangle`, in the floating dtype of the inputs.
        Tensors are differentiable (autograd through the iterations, memory
        :math:`O(n m)` per iteration); a zero weight has a finite gradient.
    P : ndarray or torch.Tensor, shape (n, m)
        The plan, if ``return_plan``.
    log : dict
        If ``log``: ``n_iter``, ``n_iter_total`` and ``err`` (see ``log``).

    Raises
    ------
    ValueError
        On bad weights or cost (as :func:`ot_cost`), ``reg <= 0``, ``tol <= 0``
        or NaN, ``max_iter < 1``.
    TypeError
        On complex, bool, object or string inputs, or a ``max_iter``, ``tol``
        or ``reg`` that is not a real number (``max_iter=None`` included).

    Warns
    -----
    ConvergenceWarning
        (a ``UserWarning``) if ``max_iter`` iterations do not reach ``tol``;
        the message names ``max_iter``, ``reg`` and ``tol``.

    Notes
    -----
    The log-domain updates never form :math:`e^{-M/\varepsilon}`, so small
    ``reg`` does not underflow; it only needs more iterations (roughly
    :math:`O(\max M / \varepsilon)`). As :math:`\varepsilon \to 0` the cost
    decreases to the exact :func:`ot_cost`, and it is always >= it. A zero
    weight gives a zero row (column) of the plan.

    References
    ----------
    .. [1] M. Cuturi, "Sinkhorn distances: lightspeed computation of optimal
       transport", NeurIPS 2013.
    .. [2] G. Peyre and M. Cuturi, *Computational Optimal Transport*, 2019, ch. 4.

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import ot_cost, sinkhorn
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(30, 2)), rng.normal(size=(40, 2))
    >>> M = ((x[:, None] - y[None]) ** 2).sum(-1)
    >>> a, b = np.full(30, 1 / 30), np.full(40, 1 / 40)
    >>> bool(sinkhorn(a, b, M, 0.1) >= ot_cost(a, b, M))
    True
    >>> bool(abs(sinkhorn(a, b, M, 0.1) - ot_cost(a, b, M)) < 0.05)
    True
    """
    reg = check_reg(reg)
    max_iter = check_scalar(max_iter, "max_iter", low=1, integer=True)
    return_plan = check_flag(return_plan, "return_plan")
    nx, a, b, M = as_arrays(("a", "b", "M"), a, b, M)
    a, b, M = check_histograms(a, b, M, nx)
    tol = check_tol(tol, nx.to_numpy(M[:0, :0]).dtype, 1e-9)
    Mn = nx.to_numpy(M)
    eps_list = _eps_schedule(
        float(Mn.max() - Mn.min()), reg, check_flag(eps_scaling, "eps_scaling")
    )
    log = check_flag(log, "log")
    f, g, err, n_iter = _sinkhorn_loop(a, b, M, eps_list, max_iter, tol, nx)
    if not err < tol:
        _warn_not_converged("sinkhorn", err, tol, max_iter, reg)
    P = nx.exp((f[:, None] + g[None, :] - M) / reg) * a[:, None] * b[None, :]
    cost = nx.sum(P * M)
    out = (cost, P) if return_plan else (cost,)
    if log:
        info = {"n_iter": n_iter, "n_iter_total": len(eps_list) - 1 + n_iter, "err": err}
        out = (*out, info)
    return out if len(out) > 1 else cost


def sinkhorn_divergence(
    x, y, *, reg, p=2, a=None, b=None, max_iter=1000, tol=None, eps_scaling=True
):
    r"""Debiased Sinkhorn divergence between two weighted point clouds.

    .. math::

        S_\varepsilon(\mu, \nu) = \mathrm{OT}_\varepsilon(\mu, \nu)
        - \tfrac12 \mathrm{OT}_\varepsilon(\mu, \mu) - \tfrac12 \mathrm{OT}_\varepsilon(\nu, \nu),

        \mathrm{OT}_\varepsilon(\mu, \nu) = \min_{P \in U(a, b)}
        \sum_{ij} P_{ij} \|x_i - y_j\|^p + \varepsilon\, \mathrm{KL}(P \,\|\, a \otimes b).

    Parameters
    ----------
    x : array_like or torch.Tensor, shape (n, d) or (n,)
        Source points.
    y : array_like or torch.Tensor, shape (m, d) or (m,)
        Target points, same d.
    reg : float
        :math:`\varepsilon > 0`, in the units of the cost :math:`\|x-y\|^p`.
    p : float, default 2
        Cost exponent, a finite ``p >= 1``; for ``p = 2`` the cost is
        :math:`\|x-y\|^2` (no 1/2), so :math:`S_\varepsilon \to W_2^2`.
    a, b : array_like or torch.Tensor, shape (n,) and (m,), optional
        Probability weights (>= 0, summing to 1); uniform by default.
    max_iter : int, default 1000
        Iterations per OT problem at the final ``reg`` (after annealing), >= 1.
    tol : float, optional
        Relative L1 marginal violation at which each Sinkhorn loop stops (the
        value is then accurate to about ``tol`` times the cost scale).
        Default 1e-6 in float64, about 1.2e-4 in float32.
    eps_scaling : bool, default True
        Anneal :math:`\varepsilon` from the largest cost down to ``reg``.

    Returns
    -------
    S : float ndarray (0-d) or torch.Tensor (0-d)
        The divergence, :math:`\ge 0`; 0 when the clouds coincide. Tensors
        are differentiable in ``x``, ``y``, ``a``, ``b`` (envelope theorem:
        the potentials are held fixed and one last soft c-transform is
        differentiated, so no graph is kept through the iterations), with
        finite gradients also at zero weights.

    Raises
    ------
    ValueError
        On bad points or weights (as :func:`wasserstein_discrete`), ``reg <= 0``,
        ``tol <= 0`` or NaN, ``max_iter < 1``, or points so large that the
        cost overflows float64.
    TypeError
        On complex, bool, object or string inputs, or non-numeric arguments.

    Warns
    -----
    ConvergenceWarning
        If a Sinkhorn loop stops at ``max_iter`` above ``tol``.

    Notes
    -----
    The entropy is measured relative to :math:`a \otimes b`, which makes
    :math:`\mathrm{OT}_\varepsilon \ge 0` and the debiased :math:`S_\varepsilon`
    a positive definite quantity for the kernels :math:`e^{-\|x-y\|^p/\varepsilon}`
    that are positive definite, i.e. :math:`1 \le p \le 2` (for ``p > 2``
    positivity is not guaranteed). :math:`S_\varepsilon \to W_p^p` as
    :math:`\varepsilon \to 0` and to an MMD as :math:`\varepsilon \to \infty`.
    The three problems use the same loop as :func:`sinkhorn` (the symmetric
    ones with the averaged update). Points of extreme scale are rescaled by
    a power of two :math:`s`, using
    :math:`S_\varepsilon(x, y) = s^p S_{\varepsilon/s^p}(x/s, y/s)`.

    References
    ----------
    .. [1] J. Feydy, T. Sejourne, F.-X. Vialard, S. Amari, A. Trouve and
       G. Peyre, "Interpolating between optimal transport and MMD using
       Sinkhorn divergences", AISTATS 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import sinkhorn_divergence
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(100, 2)), rng.normal(size=(80, 2)) + 1.0
    >>> abs(float(sinkhorn_divergence(x, x, reg=0.5))) < 1e-9
    True
    >>> bool(sinkhorn_divergence(x, y, reg=0.5) > 0)
    True
    """
    reg, p = check_reg(reg), check_order(p)
    max_iter = check_scalar(max_iter, "max_iter", low=1, integer=True)
    nx, x, y, a, b = as_arrays(("x", "y", "a", "b"), x, y, a, b, allow_none=True)
    x = check_point_cloud(x, "x", nx, allow_1d=True, allow_scalar=True)
    y = check_point_cloud(y, "y", nx, allow_1d=True, allow_scalar=True)
    check_same_dimension(x, y)
    n, m = x.shape[0], y.shape[0]
    a = nx.full((n,), 1.0 / n, like=x) if a is None else check_weights(a, "a", n, nx)
    b = nx.full((m,), 1.0 / m, like=y) if b is None else check_weights(b, "b", m, nx)
    tol = check_tol(tol, nx.to_numpy(x[:0]).dtype, 1e-6)
    scale = homogeneous_scale(abs_max(nx, x, y), p)
    factor = float(np.float64(scale) ** p) if scale != 1.0 else 1.0
    if not np.isfinite(factor) or factor == 0:
        raise ValueError(
            f"x and y have coordinates up to {abs_max(nx, x, y):.3g}: the cost "
            f"|x - y|^{p:g} overflows float64; rescale the points (and reg with them)."
        )
    if scale != 1.0:
        x, y = x / scale, y / scale
    eps = reg / factor
    C_xy, C_xx, C_yy = (cost_matrix(s, t, p, nx) for s, t in ((x, y), (x, x), (y, y)))
    # potentials on detached copies: no graph through the iterations
    ad, bd = nx.detach(a), nx.detach(b)
    Cd_xy, Cd_xx, Cd_yy = nx.detach(C_xy), nx.detach(C_xx), nx.detach(C_yy)
    diam = max(abs_max(nx, Cd_xy), abs_max(nx, Cd_xx), abs_max(nx, Cd_yy))
    eps_list = _eps_schedule(diam, eps, check_flag(eps_scaling, "eps_scaling"))
    # identical inputs: OT_eps(a, b) is the symmetric problem itself
    same = (n == m) and all(
        np.array_equal(nx.to_numpy(s), nx.to_numpy(t)) for s, t in ((x, y), (a, b))
    )
    f_aa, _, e_aa, _ = _sinkhorn_loop(ad, ad, Cd_xx, eps_list, max_iter, tol, nx, symmetric=True)
    if same:
        g_ab, g_bb, errs = f_aa, f_aa, [e_aa]
    else:
        _, g_ab, e_ab, _ = _sinkhorn_loop(ad, bd, Cd_xy, eps_list, max_iter, tol, nx)
        g_bb, _, e_bb, _ = _sinkhorn_loop(
            bd, bd, Cd_yy, eps_list, max_iter, tol, nx, symmetric=True
        )
        errs = [e_ab, e_aa, e_bb]
    err = max(errs)
    if not err < tol:
        _warn_not_converged("sinkhorn_divergence", err, tol, max_iter, reg)

    # Envelope theorem on the semi-dual OT_eps = max_g <a, T_b(g)> + <b, g>: with the
    # potentials held fixed, one differentiable soft c-transform T_b(g) has
    # d/dC <a, T_b(g)> = P, the exact gradient at convergence (also w.r.t. a, b
    # up to a constant, which the simplex ignores).
    def semi_dual(C, u, w, h):
        lse = nx.weighted_lse_inplace(C)  # differentiable on torch (numpy: no graph)
        Th = -eps * lse(C / (-eps), h / eps, w, 1)  # T_w(h)_i, finite gradient in w
        return nx.sum(u * Th) + nx.sum(w * h)

    ot_ab = semi_dual(C_xy, a, b, g_ab)
    ot_aa = semi_dual(C_xx, a, a, f_aa)
    ot_bb = semi_dual(C_yy, b, b, g_bb)
    return (ot_ab - 0.5 * (ot_aa + ot_bb)) * factor
