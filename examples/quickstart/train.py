"""A small, real training loop: logistic regression on a synthetic data set,
in plain Python (no packages to install), logged with the bundled client.

Run it with tracking from VS Code ("MLOps: Run Current File with Tracking",
the button in the editor title) or from a terminal:

    mlops run --param lr=0.3 -- python3 train.py --lr 0.3 --epochs 40

Inside `mlops run`, `import mlops_workbench` logs to this workspace's store;
an unchanged MLflow script would too (MLFLOW_TRACKING_URI is set for it).
Params given to the run (`--param lr=0.3`, or asked by the editor) arrive as
JSON in MLOPS_PARAMS and become this script's defaults; they are recorded
already, so only the others are logged here.
"""

import argparse
import json
import math
import os
import random

import mlops_workbench as mw


def make_data(n, features, seed):
    rng = random.Random(seed)
    true_w = [rng.uniform(-2, 2) for _ in range(features)]
    rows = []
    for _ in range(n):
        x = [rng.gauss(0, 1) for _ in range(features)]
        z = sum(w * v for w, v in zip(true_w, x)) + rng.gauss(0, 0.5)
        rows.append((x, 1 if z > 0 else 0))
    return rows


def sigmoid(z):
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def evaluate(w, b, rows):
    loss, correct = 0.0, 0
    for x, y in rows:
        p = sigmoid(sum(wi * xi for wi, xi in zip(w, x)) + b)
        loss -= y * math.log(p + 1e-12) + (1 - y) * math.log(1 - p + 1e-12)
        correct += (p >= 0.5) == (y == 1)
    return loss / len(rows), correct / len(rows)


def main():
    given = json.loads(os.environ.get("MLOPS_PARAMS") or "{}")
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=float(given.get("lr", 0.1)))
    parser.add_argument("--epochs", type=int, default=int(given.get("epochs", 30)))
    parser.add_argument("--features", type=int, default=int(given.get("features", 8)))
    parser.add_argument("--seed", type=int, default=int(given.get("seed", 7)))
    args = parser.parse_args()

    used = {"lr": args.lr, "epochs": args.epochs, "features": args.features, "seed": args.seed}
    mw.log_params({k: v for k, v in used.items() if k not in given})
    data = make_data(2000, args.features, args.seed)
    train, val = data[:1600], data[1600:]
    w, b = [0.0] * args.features, 0.0
    for epoch in range(args.epochs):
        for x, y in train:
            g = sigmoid(sum(wi * xi for wi, xi in zip(w, x)) + b) - y
            w = [wi - args.lr * g * xi / 100 for wi, xi in zip(w, x)]
            b -= args.lr * g / 100
        train_loss, train_acc = evaluate(w, b, train)
        val_loss, val_acc = evaluate(w, b, val)
        mw.log_metrics({"train_loss": train_loss, "val_loss": val_loss, "train_accuracy": train_acc, "val_accuracy": val_acc}, step=epoch)
        print(f"epoch {epoch:3d}  train_loss {train_loss:.4f}  val_loss {val_loss:.4f}  val_accuracy {val_acc:.3f}")
    mw.log_dict({"weights": w, "bias": b}, "model/weights.json")
    mw.set_tag("model", "logistic-regression")


if __name__ == "__main__":
    main()
