"""scipy's side of the drift benchmark: the same stattests on the same data.

Argument: a folder with manifest.json and, per feature, reference and current
columns as raw float64 (numerical) or int32 codes (categorical, -1 missing).
Prints JSON: per feature the score, and scipy's time for the whole window.
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "helpers"))
from driftScipy import encode, stattest  # noqa: E402


def load(folder, entry, which):
    path = os.path.join(folder, entry[which])
    if entry["type"] == "numerical":
        values = np.fromfile(path, dtype=np.float64)
        return values[np.isfinite(values)]
    codes = np.fromfile(path, dtype=np.int32)
    return codes[codes >= 0]


def main():
    folder = sys.argv[1]
    manifest = json.load(open(os.path.join(folder, "manifest.json")))
    data = [(f, load(folder, f, "reference"), load(folder, f, "current")) for f in manifest["features"]]
    runs = []
    results = None
    for _ in range(int(manifest.get("repeat", 3))):
        started = time.perf_counter()
        results = [stattest(f["test"], f["type"], ref, cur) for f, ref, cur in data]
        runs.append(time.perf_counter() - started)
    json.dump(encode({"results": results, "seconds": runs}), sys.stdout, allow_nan=False)


main()
