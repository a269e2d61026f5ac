#!/usr/bin/env python3
"""Independent reference for StudentT and StandardNormal (Sources/Experiments/Statistics):
quantiles and CDF values computed by scipy.stats.

Regenerate:  python3 Tests/ExperimentsTests/Fixtures/student_t_reference.py > Tests/ExperimentsTests/Fixtures/student_t_reference.json
(needs scipy; CI has no Python, so the output is committed).
"""
import json

import scipy
from scipy import stats

DFS = [1, 2, 3, 4, 5, 6, 7, 9, 10, 14, 19, 29, 50, 100, 1000, 2.5]
PS = [0.0005, 0.005, 0.025, 0.05, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995]
TS = [-30.0, -4.0, -2.0, -0.5, 0.0, 0.3, 1.0, 1.96, 2.5, 6.0, 50.0]

out = {
    "scipy": scipy.__version__,
    "t_quantiles": [{"df": df, "p": p, "t": float(stats.t.ppf(p, df))} for df in DFS for p in PS],
    "t_cdf": [{"df": df, "t": t, "p": float(stats.t.cdf(t, df))} for df in DFS for t in TS],
    "normal_quantiles": [{"p": p, "z": float(stats.norm.ppf(p))} for p in PS + [0.8, 0.2]],
}
print(json.dumps(out, indent=1))
