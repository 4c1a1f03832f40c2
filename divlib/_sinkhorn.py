r"""Entropic optimal transport: log-domain Sinkhorn and the Sinkhorn divergence.

Same conventions as ``_transport``: ``a`` (n,), ``b`` (m,) weights, ``M``
(n, m) cost, ``reg`` the entropic regularisation :math:`\varepsilon` in the
units of the cost, point clouds ``x`` (n, d), ``y`` (m, d) with the cost
:math:`\|x - y\|^p`.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._backend import first_tensor, get_backend
from ._transport import (
    ConvergenceWarning,
    _as_cloud_pair,
    _as_weights,
    _check_hist,
    _check_p,
    _check_reg,
    _cost_matrix,
)


# ---------------------------------------------------------------------------
# entropic OT
# ---------------------------------------------------------------------------
def _make_lse(nx, shape, like):
    """``lse(K, w, axis)``: log sum exp of ``K + w`` along ``axis`` (w broadcast).

    numpy: one work buffer reused in place (4 passes over n*m, no allocation);
    torch: ``torch.logsumexp`` (keeps the autograd graph).
    """
    if nx.name != "numpy":
        return lambda K, w, axis: nx.logsumexp(K + w, axis=axis)
    buf = np.empty(shape)

    def lse(K, w, axis):
        np.add(K, w, out=buf)
        mx = buf.max(axis=axis, keepdims=True)
        mx[~np.isfinite(mx)] = 0.0  # an all -inf line stays -inf below
        np.subtract(buf, mx, out=buf)
        np.exp(buf, out=buf)
        with np.errstate(divide="ignore"):
            return np.log(buf.sum(axis=axis)) + np.squeeze(mx, axis=axis)

    return lse


def sinkhorn(a, b, M, reg, *, max_iter=1000, tol=1e-9, return_plan=False):
    r"""Entropic optimal transport by Sinkhorn iterations in the log domain.

    Solves

    .. math::

        P^\star = \arg\min_{P \in U(a, b)} \langle P, M\rangle
        - \varepsilon H(P), \qquad H(P) = -\sum_{ij} P_{ij}(\log P_{ij} - 1),

    with :math:`\varepsilon` = ``reg``, and returns the transport part
    :math:`\langle P^\star, M\rangle` (like POT's ``sinkhorn2``). The plan is
    :math:`P_{ij} = \exp(u_i + v_j - M_{ij}/\varepsilon)` with the dual
    potentials updated by

    .. math::

        u_i \leftarrow \log a_i - \operatorname{LSE}_j(v_j - M_{ij}/\varepsilon),\qquad
        v_j \leftarrow \log b_j - \operatorname{LSE}_i(u_i - M_{ij}/\varepsilon).

    Parameters
    ----------
    a : array_like or torch.Tensor, shape (n,)
        Source weights, >= 0.
    b : array_like or torch.Tensor, shape (m,)
        Target weights, >= 0, same total mass as ``a``.
    M : array_like or torch.Tensor, shape (n, m)
        Ground cost.
    reg : float
        Entropic regularisation :math:`\varepsilon > 0`, in the units of ``M``.
    max_iter : int, default 1000
        Maximum number of (u, v) updates.
    tol : float, default 1e-9
        Stop when the L1 error of the column marginal, :math:`\|P^\top\mathbf 1 - b\|_1`,
        is below ``tol`` (checked every 10 iterations; the rows are exact).
    return_plan : bool, default False
        Also return the plan ``P`` (n, m).

    Returns
    -------
    cost : float ndarray (0-d) or torch.Tensor (0-d)
        :math:`\langle P^\star, M\rangle`. Tensors are differentiable
        (autograd through the iterations, memory :math:`O(n m)` per iteration).
    P : ndarray or torch.Tensor, shape (n, m)
        The plan, if ``return_plan``.

    Raises
    ------
    ValueError
        On bad weights or cost (as :func:`ot_cost`) or ``reg <= 0``.

    Warns
    -----
    ConvergenceWarning
        (a ``UserWarning``) if ``max_iter`` iterations do not reach ``tol``:
        increase ``max_iter`` or ``reg``.

    Notes
    -----
    The log-domain updates never form :math:`e^{-M/\varepsilon}`, so small
    ``reg`` does not underflow; it only needs more iterations (roughly
    :math:`O(\max M / \varepsilon)`). As :math:`\varepsilon \to 0` the cost
    decreases to the exact :func:`ot_cost`, and it is always >= it.

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
    nx = get_backend(a, b, M)
    like = first_tensor(a, b, M)
    reg = _check_reg(reg)
    a, b, M = _check_hist(a, b, M, nx, like)
    n, m = M.shape
    max_iter = int(max_iter)
    if max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter}.")

    with np.errstate(divide="ignore"):
        log_a, log_b = nx.log(a), nx.log(b)  # -inf on zero weights: empty rows
    K = M / (-reg)  # log kernel, (n, m)
    lse = _make_lse(nx, (n, m), like)
    u, v = nx.zeros((n,), like=M), nx.zeros((m,), like=M)
    err = float("inf")
    for it in range(max_iter):
        u = log_a - lse(K, v[None, :], 1)
        lse_col = lse(K, u[:, None], 0)  # log of the column sums / exp(v)
        if it % 10 == 9 or it == max_iter - 1:
            # rows are exact after the u update; the columns are exp(v + lse_col)
            err = float(nx.to_numpy(nx.sum(nx.abs(nx.exp(v + lse_col) - b))))
        v = log_b - lse_col
        if err < tol:
            break
    else:
        warnings.warn(
            f"sinkhorn did not converge: column marginal error {err:.3g} > tol={tol:g} "
            f"after max_iter={max_iter} iterations with reg={reg:g}; increase max_iter "
            "or reg (small reg needs ~max(M)/reg iterations).",
            ConvergenceWarning,
            stacklevel=2,
        )
    P = nx.exp(K + u[:, None] + v[None, :])
    cost = nx.sum(P * M)
    return (cost, P) if return_plan else cost


def _sym_potential(log_w, C, eps, lse, max_iter, tol, nx, f=None):
    r"""Potential f of OT_eps(w, w) by the averaged symmetric update (detached)."""
    f = nx.zeros(log_w.shape, like=C) if f is None else f
    Ke = C / (-eps)
    err = float("inf")
    for _ in range(max_iter):
        # soft c-transform T(f)_i = -eps LSE_j(log w_j + (f_j - C_ij)/eps)
        Tf = -eps * lse(Ke, (log_w + f / eps)[None, :], 1)
        err = float(nx.to_numpy(nx.sum(nx.exp(log_w) * nx.abs(nx.expm1((f - Tf) / eps)))))
        f = 0.5 * (f + Tf)
        if err < tol:
            break
    return f, err


def _pair_potentials(log_a, log_b, C, eps, lse, max_iter, tol, nx, f=None, g=None):
    """Potentials (f, g) of OT_eps(a, b) by alternating soft c-transforms (detached)."""
    n, m = C.shape
    f = nx.zeros((n,), like=C) if f is None else f
    g = nx.zeros((m,), like=C) if g is None else g
    Ke = C / (-eps)
    err = float("inf")
    for _ in range(max_iter):
        f = -eps * lse(Ke, (log_b + g / eps)[None, :], 1)  # T_b(g): rows exact
        g_new = -eps * lse(Ke, (log_a + f / eps)[:, None], 0)  # T_a(f)
        # column marginal of the plan (f, g): b_j exp((g_j - T_a(f)_j)/eps)
        err = float(nx.to_numpy(nx.sum(nx.exp(log_b) * nx.abs(nx.expm1((g - g_new) / eps)))))
        g = g_new
        if err < tol:
            break
    return f, g, err


def sinkhorn_divergence(x, y, *, reg, p=2, a=None, b=None, max_iter=1000, tol=1e-6):
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
        Cost exponent, ``p >= 1``; for ``p = 2`` the cost is
        :math:`\|x-y\|^2` (no 1/2), so :math:`S_\varepsilon \to W_2^2`.
    a, b : array_like or torch.Tensor, shape (n,) and (m,), optional
        Probability weights (>= 0, summing to 1); uniform by default.
    max_iter : int, default 1000
        Iterations per OT problem at the final ``reg`` (after annealing).
    tol : float, default 1e-6
        L1 marginal error at which each Sinkhorn loop stops (the value is
        then accurate to about ``tol`` times the cost scale).

    Returns
    -------
    S : float ndarray (0-d) or torch.Tensor (0-d)
        The divergence, :math:`\ge 0`; 0 when the clouds coincide. Tensors
        are differentiable in ``x``, ``y``, ``a``, ``b`` (envelope theorem:
        the potentials are held fixed and one last soft c-transform is
        differentiated, so no graph is kept through the iterations).

    Raises
    ------
    ValueError
        On bad points or weights (as :func:`wasserstein_discrete`) or ``reg <= 0``.

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
    :math:`\varepsilon`-scaling (annealing from the diameter down to ``reg``)
    warm-starts the potentials.

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
    nx = get_backend(x, y, a, b)
    like = first_tensor(x, y, a, b)
    reg, p = _check_reg(reg), _check_p(p)
    x, y = _as_cloud_pair(x, y, nx, like)
    n, m = x.shape[0], y.shape[0]
    a = _as_weights(a, "a", n, nx, like)
    b = _as_weights(b, "b", m, nx, like)
    with np.errstate(divide="ignore"):
        log_a, log_b = nx.log(a), nx.log(b)
    C_xy, C_xx, C_yy = (_cost_matrix(s, t, p, nx) for s, t in ((x, y), (x, x), (y, y)))
    # potentials on detached copies: no graph through the iterations
    la, lb = nx.detach(log_a), nx.detach(log_b)
    Cd_xy, Cd_xx, Cd_yy = nx.detach(C_xy), nx.detach(C_xx), nx.detach(C_yy)
    lse_xy, lse_xx, lse_yy = (_make_lse(nx, s, like) for s in ((n, m), (n, n), (m, m)))
    # eps-scaling: anneal from the squared diameter down to reg, one sweep each
    diam = float(nx.to_numpy(nx.max(Cd_xy)))
    eps_list = [diam * 0.5**k for k in range(200) if diam * 0.5**k > reg] + [reg]
    # identical inputs: OT_eps(a, b) is the symmetric problem, whose averaged update
    # converges in a few steps (the alternating one crawls when the plan is ~identity)
    same = (n == m) and all(
        np.array_equal(nx.to_numpy(s), nx.to_numpy(t)) for s, t in ((x, y), (a, b))
    )
    f_ab = g_ab = f_aa = g_bb = None
    e1 = 0.0
    for i, eps in enumerate(eps_list):
        iters = max_iter if i == len(eps_list) - 1 else 1  # converge at reg only
        if not same:
            f_ab, g_ab, e1 = _pair_potentials(la, lb, Cd_xy, eps, lse_xy, iters, tol, nx, f_ab, g_ab)
        f_aa, e2 = _sym_potential(la, Cd_xx, eps, lse_xx, iters, tol, nx, f_aa)
        g_bb, e3 = (f_aa, e2) if same else _sym_potential(lb, Cd_yy, eps, lse_yy, iters, tol, nx, g_bb)
    if same:
        f_ab = g_ab = f_aa
    err = max(e1, e2, e3)
    if err > tol:
        warnings.warn(
            f"sinkhorn_divergence did not converge: marginal error {err:.3g} > tol={tol:g} "
            f"after max_iter={max_iter} iterations with reg={reg:g}; increase max_iter or reg.",
            ConvergenceWarning,
            stacklevel=2,
        )
    # Envelope theorem on the semi-dual OT_eps = max_g <a, T_b(g)> + <b, g>: with the
    # potentials held fixed, one differentiable soft c-transform T_b(g) has
    # d/dC <a, T_b(g)> = P, the exact gradient at convergence (also w.r.t. a, b
    # up to a constant, which the simplex ignores).
    eps = reg

    def semi_dual(C, log_u, log_w, u, w, h):
        # <u, T_w(h)> + <w, h>,  T_w(h)_i = -eps LSE_j(log w_j + (h_j - C_ij)/eps)
        Th = -eps * nx.logsumexp(C / (-eps) + (log_w + h / eps)[None, :], axis=1)
        return nx.sum(u * Th) + nx.sum(w * h)

    ot_ab = semi_dual(C_xy, log_a, log_b, a, b, g_ab)
    ot_aa = semi_dual(C_xx, log_a, log_a, a, a, f_aa)
    ot_bb = semi_dual(C_yy, log_b, log_b, b, b, g_bb)
    return ot_ab - 0.5 * (ot_aa + ot_bb)
