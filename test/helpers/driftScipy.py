"""The scipy side of the drift statistics tests and benchmark.

Reads {"cases": [...]} as JSON on stdin, writes {"results": [...]} on stdout.
Each case is {"test", "type", "reference", "current"}; values are numbers,
strings, or null / "nan" / "inf" / "-inf" for missing and infinite values.
The stattests are Evidently's definitions written out over scipy and numpy
(Evidently itself is not a Debian package): missing and infinite values dropped,
then scipy's function on the rest.
"""
import json
import sys
import time

import numpy as np
from scipy import stats
from scipy.spatial import distance

SPECIAL = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}


def numeric(values):
    arr = np.array([np.nan if v is None else SPECIAL.get(v, v) for v in values], dtype=float)
    return arr[np.isfinite(arr)]


def categorical(values):
    return [v for v in values if v is not None and v not in SPECIAL]


def counts_over(keys, values):
    """Counts of each of the sorted `keys` in `values` (numpy's unique, then placed by key)."""
    found, counts = np.unique(values, return_counts=True)
    out = np.zeros(len(keys))
    out[np.searchsorted(keys, found)] = counts
    return out


def value_shares(ref, cur):
    keys = np.union1d(ref, cur)
    return counts_over(keys, ref) / len(ref), counts_over(keys, cur) / len(cur)


def binned(ref, cur, kind, fill):
    if kind == "numerical" and len(np.unique(ref)) > 20:
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        r = np.histogram(ref, edges)[0] / len(ref)
        c = np.histogram(cur, edges)[0] / len(cur)
    else:
        r, c = value_shares(ref, cur)
    if fill:
        for a in (r, c):
            smallest = min(a[a != 0])
            np.place(a, a == 0, smallest / 10**6 if smallest <= 0.0001 else 0.0001)
    return r, c


def stattest(test, kind, ref, cur):
    """Evidently's stattest `test` on clean numpy arrays (missing values already dropped)."""
    if test == "ks":
        r = stats.ks_2samp(ref, cur)
        return {"score": float(r.pvalue), "statistic": float(r.statistic)}
    if test == "wasserstein":
        return {"score": float(stats.wasserstein_distance(ref, cur) / max(float(np.std(ref)), 0.001))}
    if test == "chisquare":
        keys = np.union1d(ref, cur)
        observed = counts_over(keys, cur)
        expected = counts_over(keys, ref) * (len(cur) / len(ref))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = stats.chisquare(observed, expected)
        return {"score": float(r.pvalue), "statistic": float(r.statistic)}
    if test == "z":
        keys = np.union1d(ref, cur)
        if len(keys) == 1:
            return {"score": 1.0, "statistic": 0.0}
        n1, n2 = len(ref), len(cur)
        p1 = float(np.sum(ref != keys[0])) / n1
        p2 = float(np.sum(cur != keys[0])) / n2
        p = float(p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(p * (1 - p) * (1.0 / n1 + 1.0 / n2))
        return {"score": float(2 * (1 - stats.norm.cdf(np.abs(z)))), "statistic": float(z)}
    if test == "jensenshannon":
        r, c = binned(ref, cur, kind, False)
        return {"score": float(distance.jensenshannon(r, c))}
    if test == "psi":
        r, c = binned(ref, cur, kind, True)
        return {"score": float(np.sum((r - c) * np.log(r / c)))}
    if test == "kl_div":
        r, c = binned(ref, cur, kind, True)
        return {"score": float(stats.entropy(r, c))}
    raise ValueError(test)


def run(case):
    kind = case["type"]
    if kind == "numerical":
        ref, cur = numeric(case["reference"]), numeric(case["current"])
    else:
        ref, cur = np.array(categorical(case["reference"])), np.array(categorical(case["current"]))
    return stattest(case["test"], kind, ref, cur)


def encode(value):
    """JSON has no NaN or infinity: send them as strings the TypeScript side decodes."""
    if isinstance(value, float) and not np.isfinite(value):
        return "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


def special(fn, args):
    from scipy import special as sp
    f = {
        "chi2_sf": lambda x, df: stats.chi2.sf(x, df),
        "kstwo_sf": lambda n, x: stats.kstwo.sf(x, n),
        "smirnov": lambda n, x: sp.smirnov(n, x),
        "norm_cdf": lambda x: stats.norm.cdf(x),
        "gammaln": lambda x: sp.gammaln(x),
    }[fn]
    return [float(f(*a)) for a in args]


def main():
    request = json.load(sys.stdin)
    started = time.perf_counter()
    out = {"results": [run(c) for c in request.get("cases", [])]}
    out["seconds"] = time.perf_counter() - started
    out["special"] = {k: special(k, v) for k, v in request.get("special", {}).items()}
    json.dump(encode(out), sys.stdout, allow_nan=False)


if __name__ == "__main__":
    main()
