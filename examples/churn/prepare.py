#!/usr/bin/python3
"""Step 1: a synthetic customer-churn data set, drawn from a known logistic model.

    /usr/bin/python3 prepare.py --seed 42 --rows 4000 --out data/churn.csv
    /usr/bin/python3 prepare.py --seed 42 --rows 4000 --shift 1 --out data/retrain.csv

Needs numpy (Debian: python3-numpy; see churn_common.py). The same seed, row
count and shift always give the same file. Each customer has a tenure in months,
a monthly charge, a count of support calls and a contract (an index into
month_to_month, one_year, two_year); whether they churned is drawn from

    P(churn) = sigmoid(TRUE_BIAS + TRUE_WEIGHTS · standardised features + noise)

so a logistic regression can recover the weights, but not perfectly: the noise
term and the Bernoulli draw cap the AUC any model can reach (about 0.85). The
features are standardised with the fixed POPULATION constants, so the true model
is one function of the raw features, whatever population they come from.

`--shift S` moves the population (the "new regime" a deployment drifts into):
shorter tenure, higher monthly charges, more support calls and more
month-to-month contracts, by an amount scaled by S (1: clearly another
population; 0: the original one). Who churns still follows the same true model,
so a model retrained on shifted data fits the new regime. traffic.py draws its
requests with the same functions.

The `split` column puts --test-fraction of the rows in `test`, held out for evaluate.py.
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
# Mean and std of each numeric feature in the unshifted population (20 million
# draws of draw_customers with shift 0): the true model's standardisation.
POPULATION = {"tenure": (26.55, 20.62), "monthly_charges": (65.17, 24.03), "support_calls": (1.40, 1.22)}
CONTRACT_SHARES = [0.55, 0.25, 0.20]


def draw_customers(rng, rows, shift=0.0):
    """Features of `rows` customers: tenure, monthly charges, support calls, contract index."""
    # A shift tilts the contracts towards month-to-month: x2.2 for it, x0.45 for two years at S=1.
    shares = np.array(CONTRACT_SHARES) * np.exp(shift * np.array([0.8, 0.0, -0.8]))
    contract = rng.choice(len(cc.CONTRACTS), size=rows, p=shares / shares.sum())
    # Longer contracts go with longer tenure, as in real churn data; a shift shortens it.
    tenure = np.clip(np.round(rng.gamma(2.0, (8.0 + 10.0 * contract) * np.exp(-0.5 * shift))), 1, 72)
    monthly = np.round(np.clip(rng.normal(65.0 + 15.0 * shift, 25.0, rows), 18.0, 120.0), 2)
    support_calls = rng.poisson(np.maximum(1.2 + 0.6 * shift + 0.02 * np.maximum(monthly - 65.0, 0.0), 0.05))
    return tenure.astype(int), monthly, support_calls, contract


def draw_churn(rng, tenure, monthly, support_calls, contract):
    """Whether each customer churns, drawn from the true model (noise included)."""
    def standard(v, feature):
        mean, std = POPULATION[feature]
        return (np.asarray(v, dtype=np.float64) - mean) / std

    z = (TRUE_BIAS
         + TRUE_WEIGHTS["tenure"] * standard(tenure, "tenure")
         + TRUE_WEIGHTS["monthly_charges"] * standard(monthly, "monthly_charges")
         + TRUE_WEIGHTS["support_calls"] * standard(support_calls, "support_calls")
         + np.array([TRUE_CONTRACT[c] for c in cc.CONTRACTS])[contract]
         + rng.normal(0.0, NOISE, len(tenure)))
    return (rng.random(len(tenure)) < cc.sigmoid(z)).astype(int)


def generate(rows, seed, test_fraction, shift=0.0):
    rng = np.random.default_rng(seed)
    tenure, monthly, support_calls, contract = draw_customers(rng, rows, shift)
    churn = draw_churn(rng, tenure, monthly, support_calls, contract)
    split = np.where(rng.random(rows) < test_fraction, "test", "train")
    return tenure, monthly, support_calls, contract, split, churn


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--test-fraction", type=float, default=0.25)
    parser.add_argument("--shift", type=float, default=0.0, help="move the customer population by this much (1: the new regime; default 0)")
    parser.add_argument("--out", default="data/churn.csv")
    args = parser.parse_args()
    if args.rows < 20 or not 0 < args.test_fraction < 1:
        parser.error("--rows must be at least 20 and --test-fraction between 0 and 1")
    if not -2 <= args.shift <= 3:
        parser.error("--shift must be between -2 and 3")

    tracking = cc.Tracking()
    tracking.start("prepare")
    tracking.log_params({"seed": args.seed, "rows": args.rows, "test_fraction": args.test_fraction, "shift": args.shift})

    tenure, monthly, calls, contract, split, churn = generate(args.rows, args.seed, args.test_fraction, args.shift)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(cc.COLUMNS)
        for row in zip(tenure, monthly, calls, contract, split, churn):
            writer.writerow([int(row[0]), "%.2f" % row[1], int(row[2]), int(row[3]), row[4], int(row[5])])

    n_test = int(np.sum(split == "test"))
    stats = {"rows_train": args.rows - n_test, "rows_test": n_test, "churn_rate": float(churn.mean())}
    tracking.log_metrics(stats)
    print("wrote %s: %d rows (%d train, %d test), churn rate %.3f%s" % (
        args.out, args.rows, stats["rows_train"], n_test, stats["churn_rate"], ", shift %g" % args.shift if args.shift else ""))


if __name__ == "__main__":
    main()
