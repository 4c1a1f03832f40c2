"""Private input checks shared by every module.

Each check names the argument, states the rule it broke, echoes what was
received, and says how to fix it. They raise ``ValueError`` (never ``assert``,
which vanishes under ``python -O``). They read values through ``nx.to_numpy``
so they work on numpy arrays and torch tensors alike and never touch the graph.
"""

from __future__ import annotations

import sys

import numpy as np

from ._backend import get_backend, is_tensor, to_tensors

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
        raise ValueError(f"{name} is empty (shape {shape}); pass at least one entry.")


def _check_no_nan(a, name: str, fix: str) -> None:
    """Raise if the ndarray ``a`` holds NaN entries (the message counts them, then ``fix``)."""
    n_nan = int(np.isnan(a).sum())
    if n_nan:
        raise ValueError(f"{name} has {_entries(n_nan, 'NaN')}; {fix}.")


def check_finite(x, name: str, nx) -> None:
    """Raise if ``x`` holds NaN or infinite entries."""
    a = nx.to_numpy(x)
    _check_no_nan(a, name, "remove or replace them before computing a divergence")
    n_inf = int(np.isinf(a).sum())
    if n_inf:
        raise ValueError(f"{name} has {_entries(n_inf, 'infinite')}; all entries must be finite.")


def check_nonempty_finite(x, name: str, nx):
    """:func:`check_not_empty` and :func:`check_finite`; return ``x``."""
    check_not_empty(x, name)
    check_finite(x, name, nx)
    return x


def check_nonnegative(x, name: str, nx, *, what: str = "probabilities") -> None:
    """Raise if ``x`` has negative entries."""
    a = nx.to_numpy(x)
    n_neg = int((a < 0).sum())
    if n_neg:
        raise ValueError(
            f"{name} has {_entries(n_neg, 'negative')} (smallest {a.min():.3g}); "
            f"{what} must be >= 0."
        )


def sum_tolerance(dtype) -> float:
    """Tolerance of "sums to 1" for an array of ``dtype``: ``SUM_TOL`` (float64),
    wider for low precision (100 ulps of 1: 1.2e-5 for float32)."""
    try:
        eps = float(np.finfo(dtype).eps)
    except (TypeError, ValueError):  # a torch dtype
        torch = sys.modules.get("torch")
        if torch is not None and isinstance(dtype, torch.dtype) and dtype.is_floating_point:
            eps = float(torch.finfo(dtype).eps)
        else:
            eps = float(np.finfo(np.float64).eps)
    return max(SUM_TOL, 100.0 * eps)


def check_distribution(x, name: str, nx, *, axis: int = -1, normalize: bool = False):
    """Validate a discrete distribution along ``axis``; return it (maybe renormalised).

    Rules: not empty, finite, non-negative, and summing to 1 within
    :func:`sum_tolerance` along ``axis``. With ``normalize=True`` a
    distribution with a positive total is divided by its sum instead of
    rejected (first by its largest entry, so that a total beyond float range,
    ``[1e308, 1e308]``, does not overflow); it is never renormalised silently.
    A valid input costs two reads (a sum and a minimum); the detailed checks,
    which name the fault, run only when those show one.
    """
    a = nx.to_numpy(x)
    tol = sum_tolerance(a.dtype)
    if not normalize and a.size:
        with np.errstate(invalid="ignore", over="ignore"):
            total = a.sum(axis=axis, dtype=np.float64)  # finite: no NaN or inf entry
            if np.all(np.abs(total - 1.0) <= tol) and a.min() >= 0:
                return x
    check_nonempty_finite(x, name, nx)
    check_nonnegative(x, name, nx)
    if normalize:
        top = nx.max(x, axis=axis, keepdims=True)
        if np.any(nx.to_numpy(top) <= 0):
            raise ValueError(
                f"{name} has a distribution that sums to 0 along axis {axis}; "
                "it cannot be normalised. Give it at least one positive entry."
            )
        x = x / top  # entries in [0, 1]: the sum below cannot overflow
        return x / nx.sum(x, axis=axis, keepdims=True)
    t = np.asarray(a.sum(axis=axis, keepdims=True, dtype=np.float64))
    bad = ~(np.abs(t - 1.0) <= tol)
    if np.any(bad):
        worst = float(t.reshape(-1)[np.argmax(bad.reshape(-1))])
        _raise_not_unit(
            name,
            worst,
            tol,
            f" along axis {axis}",
            "pass a probability vector, or normalize=True to divide by the sum",
        )
    return x


def _raise_not_unit(name: str, total: float, tol: float, where: str, fix: str):
    """The one message of the rule "sums to 1" (distributions and unit weights)."""
    raise ValueError(f"{name} sums to {total!r}{where}, not 1 (tolerance {tol:.3g}); {fix}.")


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


def check_equal_shapes(xs, names) -> None:
    """Raise unless every array of ``xs`` has the shape of the first (no broadcasting:
    for per-sample inputs, where (n, 1) next to (n,) would silently give (n, n))."""
    first = tuple(xs[0].shape)
    for x, name in zip(xs[1:], names[1:]):
        if tuple(x.shape) != first:
            raise ValueError(
                f"{names[0]} has shape {first} and {name} has shape {tuple(x.shape)}; "
                "give them the same shape (one entry per sample)."
            )


def check_base(base) -> float | None:
    """Validate a logarithm base: None (nats) or a finite number > 0 other than 1."""
    if base is None:
        return None
    b = check_scalar(base, "base", low=0.0, low_inclusive=False, high=np.inf, high_inclusive=False)
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
    finite: bool = False,
):
    """Validate one real (or integer) scalar argument and return it as a Python number.

    The one scalar check of divlib: every ``tol``, ``max_iter``, ``reg``,
    ``n_steps``, ``seed``, ``weight``... goes through it. Rules: a real number
    (bool, complex, strings, arrays with more than one entry are refused), not
    NaN, within ``[low, high]`` (bounds optional, each inclusive or not), and a
    whole number when ``integer=True`` (``3.0`` is accepted as 3, ``2.5`` is not),
    and not infinite when ``finite=True``.
    ``None`` is returned unchanged when ``allow_none=True``.
    """
    if value is None:
        if allow_none:
            return None
        raise TypeError(f"{name} must be a number, got None.")
    if is_tensor(value):  # a 0-d tensor: read its value
        value = constant_values(value, name)
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
    if finite and not np.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
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


# -- dtypes, point clouds, callables, seeds (score, duality, toy data) --------------


def check_real_dtype(x, name: str):
    """Refuse anything but real numbers (integer or floating) with a ``TypeError``.

    bool, complex, object, string and torch's bfloat16 are refused (never cast:
    a cast drops the imaginary part or turns a mask into numbers). A tensor is
    returned as it is; anything else as an ndarray (``np.asarray``).
    """
    if is_tensor(x):
        dt = str(x.dtype).replace("torch.", "")
        if dt == "bfloat16":
            raise TypeError(
                f"{name} has dtype bfloat16, which divlib does not support; "
                f"convert it with {name}.float() (or .double())."
            )
        if x.dtype.is_complex or dt == "bool" or not (x.dtype.is_floating_point or "int" in dt):
            raise TypeError(
                f"{name} has dtype {dt}; divlib takes real numbers: pass an integer or "
                f"floating-point tensor (e.g. {name}.real, or {name}.double() for a mask)."
            )
        return x
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as err:  # ragged nested lists
        raise ValueError(
            f"{name} could not be read as an array ({err}); pass a rectangular array of numbers."
        ) from None
    if a.dtype.kind not in "iuf":
        what = {"b": "bool", "c": "complex", "O": "object", "U": "string", "S": "bytes"}
        raise TypeError(
            f"{name} has dtype {a.dtype} ({what.get(a.dtype.kind, 'not a number')}); "
            "divlib takes real numbers: pass an integer or floating-point array "
            f"(e.g. np.real({name}), or np.asarray({name}, dtype=float) for a mask)."
        )
    return a


def check_point_cloud(x, name: str, nx, *, allow_1d: bool = False, allow_scalar: bool = False):
    """Validate samples as an (n, d) point cloud: non-empty and finite; return it.

    ``x`` is an array already converted by the backend (floating). With
    ``allow_1d`` a 1-D ``x`` is n points on the line and is returned as (n, 1);
    with ``allow_scalar`` too, a scalar is one point on the line, (1, 1).
    """
    if allow_scalar and x.ndim == 0:
        x = nx.reshape(x, (1,))
    if allow_1d and x.ndim == 1:
        x = nx.reshape(x, (-1, 1))
    if x.ndim != 2:
        extra = " (or (n,) for points on the line)" if allow_1d else ""
        raise ValueError(
            f"{name} must have shape (n, d) (n samples in d dimensions){extra}, got shape "
            f"{tuple(x.shape)}; for 1-D data pass {name}.reshape(-1, 1)."
        )
    return check_nonempty_finite(x, name, nx)


def check_same_dimension(x, y, names=("x", "y")) -> None:
    """Raise unless ``x`` and ``y`` live in the same dimension d (their last axis).

    The one same-dimension check: (n, d) and (m, d') point clouds, or the (d,)
    and (d',) means of two Gaussians.
    """
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(
            f"{names[0]} lives in d = {x.shape[-1]} dimensions but {names[1]} in "
            f"d = {y.shape[-1]}; both must live in the same space (the same d)."
        )


def check_callable(f, name: str) -> None:
    """Raise a ``TypeError`` unless ``f`` can be called."""
    if not callable(f):
        raise TypeError(
            f"{name} must be callable (a function or a torch.nn.Module), got "
            f"{type(f).__name__} {f!r:.40}."
        )


def check_output(out, name: str, shapes, nx) -> None:
    """Validate what a user's callable returned: an array, real, of an allowed shape, finite.

    ``shapes`` is the list of accepted shapes (tuples); ``name`` names the
    callable (``score_fn``, ``critic``...) and the messages say ``name(x)``.
    """
    check_output_form(out, name, shapes, nx)
    check_finite(out, f"{name}(x)", nx)


def check_output_form(out, name: str, shapes, nx=None) -> None:
    """:func:`check_output` without the finiteness check (for callers that report
    non-finite output themselves, e.g. a diverging Langevin chain). With ``nx``,
    the output must also be of that backend (numpy in, numpy out)."""
    if not hasattr(out, "shape") or not hasattr(out, "dtype"):
        raise TypeError(
            f"{name} returned {type(out).__name__}, not an array; it must return an "
            f"array of shape {shapes[0]}."
        )
    if nx is not None and get_backend(out) is not nx:
        got = "a torch.Tensor" if is_tensor(out) else f"a {type(out).__name__}"
        want = "a torch.Tensor" if nx.name == "torch" else "a numpy array"
        raise TypeError(
            f"{name} returned {got} for {want}; it must return the same kind of "
            "array as its input (write it with divlib.get_backend)."
        )
    check_real_dtype(out, f"{name}(x)")
    if tuple(out.shape) not in [tuple(s) for s in shapes]:
        want = " or ".join(str(tuple(s)) for s in shapes)
        raise ValueError(
            f"{name} returned shape {tuple(out.shape)} for its input; it must return "
            f"shape {want} (one value per sample, same layout as its input)."
        )


def constant_values(x, name: str):
    """The values of a tensor that divlib uses as constants (a scalar setting, noise
    levels) as an ndarray; refused when it is being differentiated, whose gradient
    would silently be 0 (torch.func) or None."""
    nx = get_backend(x)
    if nx.is_differentiated(x):
        raise TypeError(
            f"{name} is a tensor being differentiated (requires_grad, or inside a "
            f"torch.func transform); divlib takes {name} as a constant, so its gradient "
            f"would silently be 0 or None: pass plain numbers ({name}.detach())."
        )
    return nx.to_numpy(x)


def check_seed(seed, name: str = "seed"):
    """A seed (divlib's one randomness rule): None, an integer in [0, 2**64) kept exact
    (never through float64), or a ``numpy.random.Generator``, returned as given."""
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)):
        v = int(seed)
    else:  # 3.0, a 0-d array or tensor: whole numbers below 2**53 only
        v = check_scalar(seed, name, low=0, integer=True)
    if not 0 <= v < 2**64:
        raise ValueError(
            f"{name} must be an integer >= 0 and < 2**64 (or None, or a "
            f"numpy.random.Generator), got {seed!r}."
        )
    return v


def check_positive_values(values, name: str):
    """A number or a non-empty 1-D sequence of finite numbers > 0, as a float64 ndarray (1-D).

    Used for noise levels, radii and variances. The message names the first
    bad entry.
    """
    a = check_real_dtype(values, name)  # before reading: numpy has no bfloat16
    if is_tensor(a):
        a = constant_values(a, name)
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(
            f"{name} must be a number or a non-empty 1-D sequence of numbers, got shape {a.shape}."
        )
    bad = ~np.isfinite(a) | (a <= 0)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ValueError(
            f"{name} must be finite and > 0, got {name}[{i}] = {a[i]:g}; pass positive values."
        )
    return a


def check_flag(value, name: str) -> bool:
    """A switch: ``True`` or ``False`` (numpy bools too); anything else is a ``TypeError``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__}).")
    return bool(value)


def check_choice(value, name: str, choices):
    """One of the strings in ``choices``; the message lists them."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}.")
    return value


def check_covariance(C, name: str) -> None:
    """Raise unless the (d, d) ndarray ``C`` is finite, symmetric and positive definite.

    The test is a Cholesky factorisation, which is also what a caller should do
    to fix it (add ``eps * I``).
    """
    C = np.asarray(C)
    check_finite(C, name, _NumpyView)
    absC = np.abs(C)
    scale = float(absC.max()) if C.size else 0.0  # relative: C at 1e-200 is still checked
    # np.allclose(C, C.T, rtol=1e-7, atol=1e-10 * scale), without its overhead
    if not np.all(np.abs(C - C.T) <= 1e-10 * scale + 1e-7 * absC.T):
        raise ValueError(
            f"{name} is not symmetric (max |C - C^T| = {np.abs(C - C.T).max():.3g}); "
            "a covariance must be symmetric: use (C + C.T) / 2."
        )
    try:
        np.linalg.cholesky(C)
    except np.linalg.LinAlgError:
        lam = np.linalg.eigvalsh(C).min()
        raise ValueError(
            f"{name} is not positive definite (smallest eigenvalue {lam:.3g}); "
            "a covariance must have all eigenvalues > 0: add a small multiple of the identity."
        ) from None


class _NumpyView:
    """The one backend method the checks use (``to_numpy``), for plain ndarrays."""

    to_numpy = staticmethod(np.asarray)


# -- optimal transport: weights of points and equal masses --------------------------


def check_positive_mass(w, name: str, nx, *, n: int | None = None):
    """Validate a 1-D array of weights of any positive total mass; return it.

    The general rule of weights (histograms of ``ot_cost``, ``sinkhorn``, and
    through :func:`check_weights` the weights of points): 1-D, of length ``n``
    when given, non-empty, finite, >= 0, and a total > 0.
    """
    if w.ndim != 1 or (n is not None and w.shape[0] != n):
        if n is None:
            raise ValueError(
                f"{name} must be a 1-D histogram of weights, got shape {tuple(w.shape)}."
            )
        raise ValueError(
            f"{name} has shape {tuple(w.shape)} but there are {n} points; "
            f"give one weight per point, shape ({n},)."
        )
    check_nonempty_finite(w, name, nx)
    check_nonnegative(w, name, nx, what="weights")
    if not float(nx.to_numpy(nx.sum(w))) > 0:
        raise ValueError(f"{name} sums to 0; give at least one positive weight.")
    return w


def check_weights(w, name: str, n: int, nx, *, unit: bool = True):
    """Validate the weights ``w`` (a converted 1-D array) of ``n`` points; return it.

    :func:`check_positive_mass` with length ``n``, and with ``unit`` (W_p
    compares probability distributions) the rule of :func:`check_distribution`:
    a total of 1 within :func:`sum_tolerance` of the dtype.
    """
    check_positive_mass(w, name, nx, n=n)
    if unit:
        total = float(nx.to_numpy(nx.sum(w)))
        tol = sum_tolerance(w.dtype)
        if not abs(total - 1.0) <= tol:
            _raise_not_unit(
                name, total, tol, "", f"it must be a probability vector: divide {name} by its sum"
            )
    return w


def check_same_mass(a, b, nx, names=("a", "b")) -> float:
    """Raise unless the weights ``a`` and ``b`` have the same total mass, *relatively*
    (within ``SUM_TOL`` of the larger mass, so a = (5e-8, 5e-8) and b = (1e-7, 1e-7)
    are refused); return the mass of ``a``."""
    sa, sb = float(nx.to_numpy(nx.sum(a))), float(nx.to_numpy(nx.sum(b)))
    if abs(sa - sb) > SUM_TOL * max(sa, sb):
        raise ValueError(
            f"{names[0]} sums to {sa:.10g} but {names[1]} sums to {sb:.10g} (relative "
            f"difference {abs(sa - sb) / max(sa, sb):.3g} > {SUM_TOL:g}): a transport plan "
            "needs the same total mass on both sides (unbalanced OT is not supported); "
            "rescale them, e.g. divide each by its sum."
        )
    return sa


def check_in_range(x, name: str, nx, *, low=None, high=None) -> None:
    """Raise if an array ``x`` has entries outside ``[low, high]`` (bounds optional).

    The array counterpart of ``check_scalar``'s range rule (times in [0, 1],
    probabilities...); the message counts the bad entries and echoes the worst.
    """
    a = nx.to_numpy(x)
    for bound, bad, word in (
        (low, a < low if low is not None else None, ">="),
        (high, a > high if high is not None else None, "<="),
    ):
        if bound is None or not np.any(bad):
            continue
        worst = a[bad].min() if word == ">=" else a[bad].max()
        raise ValueError(
            f"{name} has {_entries(int(bad.sum()), 'out-of-range')} (e.g. {float(worst):.6g}); "
            f"every entry must be {word} {bound:g}."
        )


# -- array arguments: dtype, conversion, axis alignment (information measures,
#    f-divergences, Gaussians, estimators) ----------------------------------------------


def as_arrays(names, *xs, allow_none: bool = False):
    """Check the dtypes of the array arguments and convert them with one policy.

    Returns ``(nx, *arrays)``: the backend of the inputs and the arrays in one
    floating dtype (``nx.result_dtype`` of the *raw* inputs: a list never
    forces float64 on a float32 tensor, an integer never truncates a float).
    bool, complex, object, string, None and bfloat16 are refused by
    :func:`check_real_dtype` with a ``TypeError`` naming the argument; with
    ``allow_none`` a None (an optional argument left out) stays None.
    """

    given = [(name, x) for name, x in zip(names, xs) if not (allow_none and x is None)]
    checked = iter([check_real_dtype(x, name) for name, x in given])
    raw = [x for _, x in given]
    nx = get_backend(*raw)
    conv = iter(nx.asarrays(*checked, dtype=nx.result_dtype(*raw)))
    return (nx, *[None if (allow_none and x is None) else next(conv) for x in xs])


def as_finite_arrays(names, *xs):
    """:func:`as_arrays` (dtypes checked, one floating dtype), then every array
    non-empty and finite (logits, critic values, log-probabilities, advantages...);
    returns ``(nx, *arrays)``."""
    nx, *arrays = as_arrays(names, *xs)
    for name, x in zip(names, arrays):
        check_nonempty_finite(x, name, nx)
    return (nx, *arrays)


def check_axis(axis, ndim: int, name: str = "axis") -> int:
    """An axis of an array with ``ndim`` dimensions, returned as a negative index."""
    a = check_scalar(axis, name, integer=True)
    if not -ndim <= a < ndim:
        raise ValueError(
            f"{name} = {axis!r} is out of range for an array with {ndim} "
            f"dimension{'s' if ndim != 1 else ''}; use an axis in [{-ndim}, {ndim - 1}]."
        )
    return a - ndim if a >= 0 else a


def check_has_axis(x, name: str, what: str | None = None) -> None:
    """Refuse a 0-d (scalar) array argument: every such argument has an axis."""
    if x.ndim == 0:
        if what is None:
            what = (
                "a distribution needs an axis of outcomes, "
                f"e.g. [{name}, 1 - {name}] for a Bernoulli"
            )
        raise ValueError(f"{name} is a scalar; {what}.")


def align_to_axis(p, q, axis, nx, names=("p", "q"), *, unit="outcomes", what=None):
    """Align two array arguments along ``axis``; return ``(p, q, axis)`` (axis negative).

    Both must have an axis (scalars are refused). With the same number of
    dimensions nothing changes. A 1-D argument next to an N-D one is laid along
    ``axis`` of the other (shape (n,) becomes (n, 1, ..., 1)), never broadcast
    along the last axis by accident. An argument of 2 or more dimensions that
    lacks ``axis`` (counted from the end) is refused. The returned ``axis`` is
    negative, so it means the same axis in both.
    """
    check_has_axis(p, names[0], what)
    check_has_axis(q, names[1], what)
    nd = max(p.ndim, q.ndim)
    neg = check_axis(axis, nd)
    if p.ndim != q.ndim:
        small, big = (0, 1) if p.ndim < q.ndim else (1, 0)
        arrs = [p, q]
        s = arrs[small]
        if s.ndim == 1:
            arrs[small] = nx.reshape(s, (s.shape[0],) + (1,) * (-neg - 1))
        elif -neg > s.ndim:
            raise ValueError(
                f"{names[small]} has shape {tuple(s.shape)} and {names[big]} has shape "
                f"{tuple(arrs[big].shape)}: axis {axis} of {names[big]} has no counterpart "
                f"in {names[small]}; give {names[small]} the same number of dimensions "
                f"(np.expand_dims), or a 1-D {names[small]}, which is laid along axis {axis}."
            )
        p, q = arrs
    n_p, n_q = p.shape[neg], q.shape[neg]
    if n_p != n_q:
        raise ValueError(
            f"{names[0]} has {n_p} {unit} and {names[1]} has {n_q} along axis {axis}; "
            f"both must be over the same {unit} (same length)."
        )
    check_same_shape(p, q, names)
    return p, q, neg


def as_distribution(p, *, axis, normalize, name: str = "p"):
    """Convert and validate one distribution argument; return ``(nx, p, axis)``."""
    check_flag(normalize, "normalize")
    nx, p = as_arrays((name,), p)
    check_has_axis(p, name)
    axis = check_axis(axis, p.ndim)
    return nx, check_distribution(p, name, nx, axis=axis, normalize=normalize), axis


def as_distribution_pair(p, q, *, axis, normalize, names=("p", "q"), values: bool = True):
    """Convert, align and validate two distributions; return ``(nx, p, q, axis)``.

    The one entry point of every two-distribution measure: dtypes and
    conversion (:func:`as_arrays`), alignment along ``axis``
    (:func:`align_to_axis`), then :func:`check_distribution` on each. With
    ``values=False`` the value checks are left to the caller (a one-pass
    kernel that computes them with the result, see :func:`distribution_stats_ok`).
    """
    check_flag(normalize, "normalize")
    nx, p, q = as_arrays(names, p, q)
    p, q, axis = align_to_axis(p, q, axis, nx, names)
    if values:
        p, q = check_distribution_pair(p, q, nx, axis=axis, normalize=normalize, names=names)
    return nx, p, q, axis


def check_distribution_pair(p, q, nx, *, axis, normalize, names=("p", "q")):
    """:func:`check_distribution` on both (the value checks of :func:`as_distribution_pair`)."""
    p = check_distribution(p, names[0], nx, axis=axis, normalize=normalize)
    q = check_distribution(q, names[1], nx, axis=axis, normalize=normalize)
    return p, q


def distribution_stats_ok(total: float, minimum: float, dtype) -> bool:
    """True if a sum and a minimum, computed in one pass, show a valid distribution
    (finite sum within :func:`sum_tolerance` of 1, no negative entry)."""
    return abs(total - 1.0) <= sum_tolerance(dtype) and minimum >= 0


def check_gaussian(m, C, nx, names=("m", "C")):
    """Validate one Gaussian N(m, C) (converted arrays); return ``(m, C)``, shapes (d,), (d, d).

    A scalar mean with a scalar ``C`` is 1-D, ``C`` being the variance. The
    mean must be finite, ``C`` finite, symmetric and positive definite
    (:func:`check_covariance`).
    """
    mname, cname = names
    if m.ndim == 0:
        m = nx.reshape(m, (1,))
    if C.ndim == 0:
        C = nx.reshape(C, (1, 1))
    check_mean_and_matrix(m, C, names, "a covariance", scalar=True)
    check_finite(m, mname, nx)
    check_covariance(nx.to_numpy(C), cname)
    return m, C


def check_mean_and_matrix(m, C, names, what: str, *, scalar: bool = False) -> None:
    """The shapes of a Gaussian's parameters: a non-empty mean ``m`` (d,) and a (d, d)
    matrix ``C`` (``what``: a covariance, a Cholesky factor). ``scalar`` says in the
    message that the caller accepts a scalar mean and variance (d = 1)."""
    mname, cname = names
    if m.ndim != 1:
        kind = "a scalar or a vector" if scalar else "a vector"
        raise ValueError(f"{mname} must be {kind} of shape (d,), got shape {tuple(m.shape)}.")
    d = m.shape[0]
    check_not_empty(m, mname)
    if tuple(C.shape) != (d, d):
        extra = " (a variance for d = 1)" if scalar else ""
        raise ValueError(
            f"{cname} has shape {tuple(C.shape)} but {mname} has d = {d}; "
            f"{what} must be a ({d}, {d}) matrix{extra}."
        )


def check_log_density(x, name: str, nx, *, allow_minus_inf: bool) -> None:
    """Validate log densities at samples: no NaN, never ``+inf``, ``-inf`` only if allowed."""
    check_not_empty(x, name)
    a = nx.to_numpy(x)
    _check_no_nan(a, name, "evaluate the log density at valid samples")
    if np.any(a == np.inf):
        raise ValueError(f"{name} has +inf entries; a log density must be finite or -inf.")
    if not allow_minus_inf and np.any(a == -np.inf):
        raise ValueError(
            f"{name} has -inf entries; the samples must come from p, so log p(x_i) must be finite."
        )


def check_elementwise_output(out, t, name: str, nx) -> None:
    """Validate what a user's elementwise callable ``name`` returned for the array ``t``:
    an array of the same kind (ndarray or tensor), real, and of ``t``'s shape.

    Non-finite values are allowed (``-log t`` is ``inf`` at 0).
    """

    if not hasattr(out, "shape") or not hasattr(out, "dtype") or is_tensor(out) != is_tensor(t):
        kind = "a torch.Tensor" if is_tensor(t) else "a numpy array"
        raise TypeError(
            f"{name} returned {type(out).__name__} for {kind} input; it must return {kind} "
            f"of the same shape (write it with divlib.get_backend({name}'s input) to "
            "serve both)."
        )
    check_real_dtype(out, f"{name}(t)")
    if tuple(out.shape) != tuple(t.shape):
        raise ValueError(
            f"{name} returned shape {tuple(out.shape)} for an input of shape "
            f"{tuple(t.shape)}; it must act elementwise (same shape out as in)."
        )


def check_neighbour_rank(k, n: int, m: int, names=("x", "y")) -> int:
    """The rank ``k`` of a k-nearest-neighbour estimate from n samples of one side
    (excluding the point itself: n >= k + 1) and m of the other (m >= k)."""
    k = check_scalar(k, "k", low=1, integer=True)
    if n < k + 1:
        raise ValueError(
            f"{names[0]} has n = {n} samples but k = {k} needs n >= k + 1 = {k + 1}; "
            "pass more samples or a smaller k."
        )
    if m < k:
        raise ValueError(
            f"{names[1]} has m = {m} samples but k = {k} needs m >= k; "
            "pass more samples or a smaller k."
        )
    return k


def check_points_in(x, d: int, name: str = "x") -> None:
    """Raise unless the points ``x`` have shape (..., d) (their last axis is d)."""
    if x.ndim == 0 or x.shape[-1] != d:
        raise ValueError(
            f"{name} must have shape (..., {d}) for a map in d = {d}, got {tuple(x.shape)}."
        )


# -- optimal transport: order, sample values, histograms, Sinkhorn's arguments -------


def check_order(p, name: str = "p") -> float:
    """The order p of W_p: a finite number >= 1."""
    return check_scalar(p, name, low=1, high=np.inf, high_inclusive=False)


def check_sample_values(x, name: str, nx):
    """1-D sample values (n,) (a scalar is one sample), non-empty and finite; return them."""
    if x.ndim == 0:
        x = nx.reshape(x, (1,))
    if x.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-D array of sample values, got shape {tuple(x.shape)}; "
            f"for points in d dimensions use wasserstein_discrete or sliced_wasserstein."
        )
    return check_nonempty_finite(x, name, nx)


def check_histograms(a, b, M, nx):
    """Histograms a (n,), b (m,) of equal mass (relative check, :func:`check_same_mass`)
    and a finite cost M (n, m); return ``(a, b, M)``."""
    check_positive_mass(a, "a", nx)
    check_positive_mass(b, "b", nx)
    n, m = a.shape[0], b.shape[0]
    if tuple(M.shape) != (n, m):
        raise ValueError(
            f"M has shape {tuple(M.shape)} but a has n = {n} and b has m = {m} entries; "
            f"the cost matrix must have shape ({n}, {m})."
        )
    check_finite(M, "M", nx)
    check_same_mass(a, b, nx)
    return a, b, M


def check_reg(reg, name: str = "reg") -> float:
    """An entropic regularisation: a finite number > 0."""
    return check_scalar(reg, name, low=0, low_inclusive=False, high=np.inf, high_inclusive=False)


def check_tol(tol, dtype, default: float, name: str = "tol") -> float:
    """``tol`` > 0; None gives ``default`` (for float64), raised to 1000 machine
    epsilons of ``dtype`` for a lower precision (float32: about 1.2e-4), which it can reach."""
    if tol is None:
        return max(default, 1e3 * float(np.finfo(dtype).eps))
    return check_scalar(tol, name, low=0, low_inclusive=False)


def check_param_dtype(dtype, name: str = "dtype"):
    """None (torch's default) or a floating torch dtype other than bfloat16."""
    if dtype is None:
        return None
    torch = sys.modules.get("torch")
    if (
        torch is None
        or not isinstance(dtype, torch.dtype)
        or not dtype.is_floating_point
        or dtype == torch.bfloat16
    ):
        raise TypeError(
            f"{name} must be None or a floating torch dtype (torch.float32, torch.float64), "
            f"got {dtype!r}."
        )
    return dtype


def as_gaussian_factor(mean, scale_tril, names=("mean", "scale_tril")):
    """A Gaussian :math:`N(m, LL^\\top)` given by its mean (d,) and Cholesky factor (d, d):
    converted with :func:`as_arrays`, finite, ``L`` lower triangular with a positive
    diagonal; returns ``(nx, m, L)``."""
    mname, lname = names
    nx, m, L = as_arrays(names, mean, scale_tril)
    check_mean_and_matrix(m, L, names, "a Cholesky factor")
    check_finite(m, mname, nx)
    check_nonempty_finite(L, lname, nx)
    La = nx.to_numpy(L)
    n_upper = int(np.count_nonzero(np.triu(La, 1)))
    if n_upper:
        raise ValueError(
            f"{lname} has {n_upper} nonzero entries above the diagonal; it must be lower "
            "triangular (pass np.linalg.cholesky(C) for a covariance C)."
        )
    diag = np.diagonal(La)
    if np.any(diag <= 0):
        raise ValueError(
            f"{lname} has {int(np.sum(diag <= 0))} diagonal entries <= 0 (smallest "
            f"{diag.min():.3g}); the diagonal of a Cholesky factor must be > 0."
        )
    return nx, m, L


def as_model_input(x, dtype, d: int, owner: str):
    """The input ``x`` of a torch score model ``owner`` whose parameters have ``dtype``:
    a real, finite tensor of shape (n, d) in that dtype; returned (an integer tensor is
    promoted to ``dtype``; a floating tensor of another dtype is refused, since torch
    would fail inside the matrix product)."""

    torch = sys.modules.get("torch")
    if torch is None or not isinstance(x, torch.Tensor):
        raise TypeError(
            f"{owner} takes a torch.Tensor x, got {type(x).__name__}; convert it with "
            "torch.as_tensor(x, dtype=...) (the dtype of the model's parameters)."
        )
    check_real_dtype(x, "x")
    if not x.is_floating_point():
        x = x.to(dtype)
    if x.dtype != dtype:
        raise TypeError(
            f"x has dtype {x.dtype} but the parameters of {owner} are {dtype}; pass "
            f"x.to({dtype}) or build the model with dtype={x.dtype}."
        )
    check_point_cloud(x, "x", get_backend(x))  # (n, d), not empty, finite
    if x.shape[1] != d:
        raise ValueError(f"{owner} expects x of shape (n, {d}), got shape {tuple(x.shape)}.")
    return x


# -- point clouds and sampler arguments (scores, diffusion, flows, duality, toy data) ------


def as_point_cloud(x, name: str, nx=None, like=None):
    """``x`` as a real, finite, non-empty (n, d) cloud of its backend (or of ``nx``,
    converted like ``like``); returns ``(nx, x)``. The one conversion of a sample array
    in the samplers and score losses."""

    x = check_real_dtype(x, name)
    nx = get_backend(x) if nx is None else nx
    return nx, check_point_cloud(nx.asarray(x, like=like), name, nx)


def as_tensor_cloud(x, name: str = "x"):
    """``x`` as a floating torch tensor (n, d) under the backend's dtype policy, validated."""

    check_real_dtype(x, name)
    (x,) = to_tensors(x)
    return check_point_cloud(x, name, get_backend(x))


def as_tensor_cloud_pair(x, y, names=("x", "y"), dtype=None):
    """Two point clouds as torch tensors (n, d), (m, d) of one floating dtype (a 1-D input
    is points on the line), of the same dimension."""

    check_real_dtype(x, names[0])
    check_real_dtype(y, names[1])
    x, y = to_tensors(x, y, dtype=dtype)
    nx = get_backend(x)
    x = check_point_cloud(x, names[0], nx, allow_1d=True)
    y = check_point_cloud(y, names[1], nx, allow_1d=True)
    check_same_dimension(x, y, names)
    return x, y


def check_instance(value, cls, name: str, how: str):
    """Raise a ``TypeError`` unless ``value`` is a ``cls``; ``how`` says how to build one."""
    if not isinstance(value, cls):
        raise TypeError(
            f"{name} must be a divlib.{cls.__name__}, got {type(value).__name__}; {how}"
        )
    return value


def check_count(n, name: str = "n"):
    """A number of samples or components: an integer >= 1."""
    return check_scalar(n, name, low=1, integer=True)


def check_length(value, name: str, *, positive: bool = False):
    """A finite standard deviation or radius: >= 0 (> 0 with ``positive``)."""
    return check_scalar(
        value, name, low=0, low_inclusive=not positive, high=np.inf, high_inclusive=False
    )
