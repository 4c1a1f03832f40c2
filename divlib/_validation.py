"""Private input checks shared by every module.

Each check names the argument, states the rule it broke, echoes what was
received, and says how to fix it. They raise ``ValueError`` (never ``assert``,
which vanishes under ``python -O``). They read values through ``nx.to_numpy``
so they work on numpy arrays and torch tensors alike and never touch the graph.
"""

from __future__ import annotations

import numpy as np

#: Tolerance for "sums to 1" and "same total mass" checks.
SUM_TOL = 1e-6


def _entries(n: int, adjective: str) -> str:
    return f"{n} {adjective} " + ("entry" if n == 1 else "entries")


def check_not_empty(x, name: str) -> None:
    """Raise if ``x`` has no entries (or a zero-length distribution axis)."""
    shape = tuple(x.shape)
    if len(shape) == 0:
        return
    if 0 in shape:
        raise ValueError(
            f"{name} is empty (shape {shape}); pass at least one entry."
        )


def check_finite(x, name: str, nx) -> None:
    """Raise if ``x`` holds NaN or infinite entries."""
    a = nx.to_numpy(x)
    n_nan = int(np.isnan(a).sum())
    if n_nan:
        raise ValueError(
            f"{name} has {_entries(n_nan, 'NaN')}; "
            "remove or replace them before computing a divergence."
        )
    n_inf = int(np.isinf(a).sum())
    if n_inf:
        raise ValueError(
            f"{name} has {_entries(n_inf, 'infinite')}; "
            "all entries must be finite."
        )


def check_nonnegative(x, name: str, nx, *, what: str = "probabilities") -> None:
    """Raise if ``x`` has negative entries."""
    a = nx.to_numpy(x)
    n_neg = int((a < 0).sum())
    if n_neg:
        raise ValueError(
            f"{name} has {_entries(n_neg, 'negative')} (smallest {a.min():.3g}); "
            f"{what} must be >= 0."
        )


def check_distribution(x, name: str, nx, *, axis: int = -1, normalize: bool = False):
    """Validate a discrete distribution along ``axis``; return it (maybe renormalised).

    Rules: not empty, finite, non-negative, and summing to 1 within
    ``SUM_TOL`` along ``axis``. With ``normalize=True`` a distribution with a
    positive total is divided by its sum instead of rejected; it is never
    renormalised silently.
    """
    check_not_empty(x, name)
    check_finite(x, name, nx)
    check_nonnegative(x, name, nx)
    total = nx.sum(x, axis=axis, keepdims=True)
    t = nx.to_numpy(total)
    if normalize:
        if np.any(t <= 0):
            raise ValueError(
                f"{name} has a distribution that sums to 0 along axis {axis}; "
                "it cannot be normalised. Give it at least one positive entry."
            )
        return x / total
    bad = np.abs(t - 1.0) > SUM_TOL
    if np.any(bad):
        worst = float(t.reshape(-1)[np.argmax(np.abs(t - 1.0).reshape(-1))])
        raise ValueError(
            f"{name} sums to {worst:.6g} along axis {axis}, not 1 "
            f"(tolerance {SUM_TOL:g}); pass a probability vector, or "
            "normalize=True to divide by the sum."
        )
    return x


def check_same_shape(p, q, names=("p", "q")) -> None:
    """Raise unless ``p`` and ``q`` broadcast together."""
    try:
        np.broadcast_shapes(tuple(p.shape), tuple(q.shape))
    except ValueError:
        raise ValueError(
            f"{names[0]} has shape {tuple(p.shape)} and {names[1]} has shape "
            f"{tuple(q.shape)}, which do not broadcast; give them the same "
            "shape (or shapes that broadcast)."
        ) from None


def check_positive_scalar(value, name: str) -> float:
    """Raise unless ``value`` is a finite real number > 0; return it as float."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}.") from None
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")
    return v


def check_base(base) -> float | None:
    """Validate a logarithm base: None (nats) or a positive number other than 1."""
    if base is None:
        return None
    b = check_positive_scalar(base, "base")
    if b == 1.0:
        raise ValueError("base must be a positive number other than 1, got 1; use None for nats.")
    return b


def check_scalar(
    value,
    name: str,
    *,
    low=None,
    high=None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    integer: bool = False,
    allow_none: bool = False,
):
    """Validate one real (or integer) scalar argument and return it as a Python number.

    The one scalar check of divlib: every ``tol``, ``max_iter``, ``reg``,
    ``n_steps``, ``seed``, ``weight``... goes through it. Rules: a real number
    (bool, complex, strings, arrays with more than one entry are refused), not
    NaN, within ``[low, high]`` (bounds optional, each inclusive or not), and a
    whole number when ``integer=True`` (``3.0`` is accepted as 3, ``2.5`` is not).
    ``None`` is returned unchanged when ``allow_none=True``.
    """
    if value is None:
        if allow_none:
            return None
        raise TypeError(f"{name} must be a number, got None.")
    if hasattr(value, "detach"):  # a 0-d tensor
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise TypeError(f"{name} must be a single number, got an array of shape {value.shape}.")
        value = value.reshape(()).item()
    if isinstance(value, (bool, np.bool_)) or isinstance(value, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__}).")
    if not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__}).")
    v = float(value)
    if np.isnan(v):
        raise ValueError(f"{name} must be a number, got NaN.")
    if integer:
        if not np.isfinite(v) or v != int(v):
            raise ValueError(f"{name} must be a whole number, got {value!r}.")
        v = int(v)
    kind = "an integer" if integer else "a number"
    if low is not None and (v < low or (v == low and not low_inclusive)):
        op = ">=" if low_inclusive else ">"
        raise ValueError(f"{name} must be {kind} {op} {low:g}, got {value!r}.")
    if high is not None and (v > high or (v == high and not high_inclusive)):
        op = "<=" if high_inclusive else "<"
        raise ValueError(f"{name} must be {kind} {op} {high:g}, got {value!r}.")
    return v
