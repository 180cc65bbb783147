"""Per-module line coverage of finrisk_utils from the unit tests (``make coverage`` writes build/coverage.json).

``python tests/coverage_report.py build/coverage.json [target]`` prints every module's coverage, lowest first, and
the modules under the target (85% by default). It exits non-zero only when the file is missing or unreadable: the
target is a goal the report tracks, the tests are the gate.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def module_coverage(report: dict) -> dict[str, float]:
    """Module path -> percent of statements covered, for every measured file with statements."""
    out = {}
    for path, data in report["files"].items():
        summary = data["summary"]
        if summary["num_statements"]:
            out[path] = float(summary["percent_covered"])
    return out


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: coverage_report.py COVERAGE_JSON [TARGET_PERCENT]", file=sys.stderr)
        return 2
    path = Path(argv[0])
    target = float(argv[1]) if len(argv) > 1 else 85.0
    try:
        report = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        print(f"coverage_report: cannot read {path}: {err}", file=sys.stderr)
        return 1
    cov = module_coverage(report)
    below = {m: c for m, c in cov.items() if c < target}
    print(
        "\nLine coverage per module (unit tests; notebooks run in their own kernels are not counted):"
    )
    for m, c in sorted(cov.items(), key=lambda kv: kv[1]):
        print(f"  {c:5.1f}%  {m}")
    total = report["totals"]["percent_covered"]
    print(
        f"total {total:.1f}%; {len(cov) - len(below)} of {len(cov)} modules at {target:.0f}% or more"
    )
    if below:
        print(f"under {target:.0f}%: " + ", ".join(sorted(below)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
