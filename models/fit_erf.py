"""Fits the rational erf approximation of Sift's GELU (Sources/CSiftKernels/kernels_internal.h).

erf(x) = x P(x^2) / Q(x^2) on [0, 3.92] (erf(3.92) rounds to 1 in fp32; the kernels clamp x to
that range), P and Q of degree 5 with Q(0) = 1. The fit linearizes x P - erf Q = 0 and solves
it by least squares, reweighting each point by its error to approach the smallest largest
error (Lawson's method). It prints the error in exact arithmetic and with the fp32 Horner
steps the kernels take, then the coefficients as fp32 literals.

    python3 models/fit_erf.py
"""

import numpy as np
from scipy.special import erf

LIMIT = 3.92
DEGREE = 5


def fit():
    x = np.concatenate([np.linspace(0, LIMIT, 20000), np.geomspace(1e-6, LIMIT, 5000)])
    s, f = x * x, erf(x)
    weights, q_values = np.ones_like(x), np.ones_like(x)
    for _ in range(60):
        columns = [x * s**i for i in range(DEGREE + 1)] + [-f * s**j for j in range(1, DEGREE + 1)]
        a = np.stack(columns, 1)
        row_weights = weights / np.abs(q_values)
        coefficients, *_ = np.linalg.lstsq(a * row_weights[:, None], f * row_weights, rcond=None)
        p = coefficients[: DEGREE + 1]
        q = np.concatenate([[1.0], coefficients[DEGREE + 1 :]])
        q_values = np.polyval(q[::-1], s)
        error = x * np.polyval(p[::-1], s) / q_values - f
        weights = weights * (np.abs(error) / np.abs(error).mean()) ** 0.3 + 1e-30
        weights /= weights.mean()
    return p, q, np.abs(error).max()


def horner32(coefficients, s):
    """Horner's rule with a single rounding per step, as fmaf does."""
    value = np.float32(coefficients[-1])
    for c in coefficients[-2::-1]:
        value = np.float32(np.float64(value) * np.float64(s) + np.float64(np.float32(c)))
    return value


def main():
    p, q, exact_error = fit()
    xs = np.linspace(0, LIMIT, 400001).astype(np.float32)
    s = (xs * xs).astype(np.float32)
    values = ((xs * horner32(p, s)).astype(np.float32) / horner32(q, s)).astype(np.float32)
    fp32_error = np.abs(values.astype(np.float64) - erf(xs.astype(np.float64))).max()
    print(f"largest |error|: {exact_error:.3g} exact, {fp32_error:.3g} in fp32")
    for name, values in (("P", p), ("Q", q)):
        for i, c in enumerate(values):
            print(f"#define SK_ERF_{name}{i} {np.float32(c):.9g}f")


if __name__ == "__main__":
    main()
