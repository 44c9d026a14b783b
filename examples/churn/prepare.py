#!/usr/bin/python3
"""Step 1: a synthetic customer-churn data set, drawn from a known logistic model.

    /usr/bin/python3 prepare.py --seed 42 --rows 4000 --out data/churn.csv

Needs numpy (Debian: python3-numpy; see churn_common.py). The same seed and row
count always give the same file. Each customer has a tenure in months, a monthly
charge, a count of support calls and a contract (an index into month_to_month,
one_year, two_year); whether they churned is drawn from

    P(churn) = sigmoid(TRUE_BIAS + TRUE_WEIGHTS · standardised features + noise)

so a logistic regression can recover the weights, but not perfectly: the noise
term and the Bernoulli draw cap the AUC any model can reach (about 0.85). The
`split` column puts --test-fraction of the rows in `test`, held out for evaluate.py.
"""

import argparse
import csv
import os

import churn_common as cc
from churn_common import np

# The ground truth, per standardised unit (contract: per category, month_to_month = 0).
TRUE_BIAS = -1.2
TRUE_WEIGHTS = {"tenure": -0.9, "monthly_charges": 0.6, "support_calls": 0.7}
TRUE_CONTRACT = {"month_to_month": 0.0, "one_year": -0.8, "two_year": -1.6}
NOISE = 0.5  # std of a latent term no feature explains


def generate(rows, seed, test_fraction):
    rng = np.random.default_rng(seed)
    contract = rng.choice(len(cc.CONTRACTS), size=rows, p=[0.55, 0.25, 0.20])
    # Longer contracts go with longer tenure, as in real churn data.
    tenure = np.clip(np.round(rng.gamma(2.0, 8.0 + 10.0 * contract)), 1, 72)
    monthly = np.round(np.clip(rng.normal(65.0, 25.0, rows), 18.0, 120.0), 2)
    support_calls = rng.poisson(1.2 + 0.02 * np.maximum(monthly - 65.0, 0.0))

    def standard(v):
        return (v - v.mean()) / v.std()

    z = (TRUE_BIAS
         + TRUE_WEIGHTS["tenure"] * standard(tenure)
         + TRUE_WEIGHTS["monthly_charges"] * standard(monthly)
         + TRUE_WEIGHTS["support_calls"] * standard(support_calls.astype(float))
         + np.array([TRUE_CONTRACT[c] for c in cc.CONTRACTS])[contract]
         + rng.normal(0.0, NOISE, rows))
    churn = (rng.random(rows) < cc.sigmoid(z)).astype(int)
    split = np.where(rng.random(rows) < test_fraction, "test", "train")
    return tenure.astype(int), monthly, support_calls, contract, split, churn


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--test-fraction", type=float, default=0.25)
    parser.add_argument("--out", default="data/churn.csv")
    args = parser.parse_args()
    if args.rows < 20 or not 0 < args.test_fraction < 1:
        parser.error("--rows must be at least 20 and --test-fraction between 0 and 1")

    tracking = cc.Tracking()
    tracking.start("prepare")
    tracking.log_params({"seed": args.seed, "rows": args.rows, "test_fraction": args.test_fraction})

    tenure, monthly, calls, contract, split, churn = generate(args.rows, args.seed, args.test_fraction)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(cc.COLUMNS)
        for row in zip(tenure, monthly, calls, contract, split, churn):
            writer.writerow([int(row[0]), "%.2f" % row[1], int(row[2]), int(row[3]), row[4], int(row[5])])

    n_test = int(np.sum(split == "test"))
    stats = {"rows_train": args.rows - n_test, "rows_test": n_test, "churn_rate": float(churn.mean())}
    tracking.log_metrics(stats)
    print("wrote %s: %d rows (%d train, %d test), churn rate %.3f" % (args.out, args.rows, stats["rows_train"], n_test, stats["churn_rate"]))


if __name__ == "__main__":
    main()
