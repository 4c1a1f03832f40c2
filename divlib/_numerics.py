"""Shared numerics of several families (not dispatch): scales, distances, costs.

Every helper takes the backend ``nx`` (or works on Python floats), so it serves
numpy and torch alike.
"""

from __future__ import annotations

import numpy as np


def abs_max(nx, *xs) -> float:
    """max |x| over the arrays, as a float."""
    return max(float(nx.to_numpy(nx.max(nx.abs(x)))) for x in xs)


def pow2_scale(nx, *xs) -> float:
    """A power of two near max |x| over the arrays (1.0 if that is 0 or not finite).

    Dividing by it is exact in floating point, so a computation that is
    homogeneous in its input (a linear solve, a ratio of norms, a median
    distance) can run at scale about 1 and be scaled back without changing a
    bit of the result, while 1e-200 and 1e200 no longer under- or overflow.
    """
    s = abs_max(nx, *xs)
    if not (s > 0 and np.isfinite(s)):
        return 1.0
    return float(np.ldexp(1.0, int(np.frexp(s)[1]) - 1))


def homogeneous_scale(s: float, p: float) -> float:
    """A power of two close to ``s`` when ``s^p`` risks overflow or underflow, else 1.

    W_p and the costs are homogeneous in the points: dividing them by a power
    of two (exact in floating point) and multiplying the result back keeps
    1e-200 and 1e300 from underflowing to 0 or overflowing to inf.
    """
    if not (s > 0 and np.isfinite(s)) or p * abs(np.log2(s)) <= 200:
        return 1.0
    return float(np.ldexp(1.0, int(np.frexp(s)[1]) - 1))


def sq_dists(nx, x, y):
    r"""The one pairwise distance of divlib: ``(sq, diff)`` with
    :math:`\mathrm{sq}_{ij} = \|x_i - y_j\|^2`, shape (n, m), and
    :math:`\mathrm{diff}_{ij} = x_i - y_j`, shape (n, m, d)."""
    diff = x[:, None, :] - y[None, :, :]  # (n, m, d)
    return nx.sum(diff * diff, axis=-1), diff


def cost_matrix(x, y, p, nx):
    r"""M_ij = ||x_i - y_j||^p, shape (n, m), differentiable and finite-gradient."""
    sq, _ = sq_dists(nx, x, y)  # ||x_i - y_j||^2
    if p == 2:
        return sq
    pos = sq > 0
    return nx.where(pos, nx.power(nx.where(pos, sq, 1.0), p / 2.0), 0.0)
