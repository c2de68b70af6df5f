#!/usr/bin/env python3
"""Per-test comparison of wasi-testsuite JSON logs (WASI_TESTSUITE_JSON of run-wasi-testsuite.sh).

    Conformance/compare-results.py capsule.json wasmtime.json [more.json ...]

Prints one row per test (suite name without its "[...]" tail, test name, one outcome per log),
then the tests whose outcome differs between the first two logs, with each log's first failure
line, and the pass count of each log.
"""
import json
import re
import sys


def load(path):
    outcomes, messages, runtime = {}, {}, None
    for suite in json.load(open(path, encoding="utf-8"))["results"]:
        runtime = runtime or f'{suite["runtime"]["name"]} {suite["runtime"]["version"]}'
        group = re.sub(r"\s*\[.*", "", suite["name"]).removeprefix("WASI ").removesuffix(" tests")
        for test in suite["tests"]:
            key = (group, test["name"])
            # An expected failure (xfail) still failed; an unexpected pass (xpass) passed.
            outcomes[key] = {"xfail": "FAIL", "xpass": "PASS"}.get(test["outcome"], test["outcome"].upper())
            first = next((line for f in test["failures"] for line in f.splitlines() if line.strip()), "")
            messages[key] = first
    return runtime, outcomes, messages


logs = [load(p) for p in sys.argv[1:]]
if len(logs) < 2:
    sys.exit(__doc__)
keys = sorted(set().union(*(o.keys() for _, o, _ in logs)))
labels = [f"{name} ({path.rsplit('/', 1)[-1]})" for (name, _, _), path in zip(logs, sys.argv[1:])]
width = max(len(f"{g}/{t}") for g, t in keys)
print(f'{"test":{width}}  ' + "  ".join(f"L{i + 1}" for i in range(len(logs))))
for key in keys:
    print(f"{key[0] + '/' + key[1]:{width}}  " + "  ".join(f'{o.get(key, "-"):4}' for _, o, _ in logs))
print()
for i, label in enumerate(labels):
    outcomes = logs[i][1]
    print(f"L{i + 1} {label}: {sum(o == 'PASS' for o in outcomes.values())}/{len(outcomes)} passed")
(_, a, am), (_, b, bm) = logs[0], logs[1]
differ = [k for k in keys if a.get(k) != b.get(k)]
print(f"\n{len(differ)} tests differ between L1 and L2:")
for key in differ:
    print(f"  {key[0]}/{key[1]}: L1 {a.get(key, '-')}, L2 {b.get(key, '-')}")
    for tag, m in (("L1", am), ("L2", bm)):
        if m.get(key):
            print(f"      {tag}: {m[key][:160]}")
