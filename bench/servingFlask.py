"""The serving benchmark's Flask contender: the textbook recipe for serving a
scikit-learn model, run by gunicorn (sync workers). POST /predict takes one row
as a JSON list of numbers and answers {"label": ..., "probabilities": [...]}.

Environment: BENCH_SKLEARN_MODEL, the model.joblib that bench/servingModel.py wrote.
Run: python3 -m gunicorn --workers 2 --worker-class sync --bind 127.0.0.1:PORT servingFlask:app
"""
import os

import joblib
import numpy as np
from flask import Flask, jsonify, request

app = Flask(__name__)
model = joblib.load(os.environ["BENCH_SKLEARN_MODEL"])
width = model.coef_.shape[1]


@app.post("/predict")
def predict():
    row = request.get_json(silent=True)
    if not isinstance(row, list) or len(row) != width:
        return jsonify(error=f"send one row: a JSON list of {width} numbers"), 400
    try:
        proba = model.predict_proba(np.array([row], dtype=np.float64))[0]
    except (TypeError, ValueError) as err:
        return jsonify(error=str(err)), 400
    return jsonify(label=int(proba.argmax()), probabilities=proba.tolist())


@app.get("/health")
def health():
    return jsonify(ok=True)
