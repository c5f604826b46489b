"""Turn a benchmark run's results into Markdown: every figure beside its baseline and goal."""

from __future__ import annotations

from typing import Any

GOAL_RATIO = {"lesson page": 0.30, "client home": 0.20, "queue page": 0.10}


def _ok(met: bool) -> str:
    return "met" if met else "**not met**"


def _build(b: dict[str, Any], label: str) -> list[str]:
    if b.get("reused"):
        return [f"- {label}: reused an existing clinic (not timed)."]
    counts = b["counts"]
    rows = sum(counts.values())
    return [f"- {label}: {rows:,} rows ({counts['mood_checkin']:,} mood check-ins, "
            f"{counts['entry']:,} entries, {counts['measure_response']:,} questionnaires, "
            f"{counts['message']:,} messages) in **{b['build_seconds']:.1f} s** wall clock, "
            f"{b.get('cpu_seconds', 0):.1f} s CPU; first flag computation "
            f"{b.get('recompute_seconds', 0):.1f} s. Goal: well under 120 s "
            f"({_ok(b['build_seconds'] < 120)})."]


def _recompute(r: dict[str, Any], label: str, one_second: bool) -> list[str]:
    goal = r["ratio"] <= 2 and (r["app_s"] < 1 or not one_second)
    limit = " and under 1 s" if one_second else ""
    return [f"| {label} | {r['app_s']:.3f} s | {r['baseline_s']:.3f} s | {r['ratio']:.1f}x | "
            f"<= 2x{limit}: {_ok(goal)} |"]


def _queue(q: dict[str, Any], label: str) -> list[str]:
    lines = []
    counts = q["statements"]
    cold = q.get("cold_p50_ms", {})
    cold_n = q.get("cold_statements", {})
    flat = len(set(counts.values())) == 1 and len(set(cold_n.values())) <= 1
    for size in counts:
        c = cold.get(size, cold.get(str(size)))
        cn = cold_n.get(size, cold_n.get(str(size)))
        lines.append(f"| {label} | {size} | {q['p50_ms'][size]:.1f} ms | "
                     f"{q['p90_ms'][size]:.1f} ms | {q['bare_p50_ms'][size]:.1f} ms | "
                     f"{counts[size]} | "
                     + (f"{c:.1f} ms, {cn} statements |" if c is not None else "- |"))
    p100 = q["p50_ms"].get(100) or q["p50_ms"].get("100")
    lines.append("")
    lines.append(f"{label}: statements the same for every caseload (warm and cold): {_ok(flat)}; "
                 f"p50 for 100 clients under 30 ms: "
                 f"{_ok(p100 is not None and p100 < 30)}.")
    return lines


def markdown(res: dict[str, Any]) -> str:
    """The whole results page."""
    m = res["machine"]
    p = res["params"]
    out = [f"# Benchmark results ({res['started']})", "",
           f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM, {m['os']}; "
           f"Python {m['python']}, SQLite {m['sqlite']}, {m['postgresql']}, "
           f"load generator {m['wrk']}. Load average (1, 5, 15 min) at start: "
           f"{m['load_at_start']}, at the end: {res.get('load_at_end', '?')} (the machine is "
           "shared: compare each figure with its baseline, not with another run).", "",
           f"Clinic: {p['clients']:,} clients, {p['therapists']} therapists, {p['days']} days, "
           f"seed {p['seed']}. Medians of {p['repeat']} runs unless said otherwise.", "",
           "## Building the clinic", ""]
    out += _build(res["build"], "SQLite")
    if "postgresql" in res:
        out += _build(res["postgresql"]["build"], "PostgreSQL")
    out += ["", "## (1) Recompute every client's flags", "",
            "| database | app (review.recompute_all) | baseline (bare SQL aggregates) | ratio "
            "| goal |", "|---|---|---|---|---|"]
    out += _recompute(res["recompute"], "SQLite", True)
    if "postgresql" in res:
        out += _recompute(res["postgresql"]["recompute"], "PostgreSQL", False)
    out += ["", "## (2) The queue page (Flask test client)", "",
            "| database | caseload | p50 | p90 | bare route p50 (same client) | SQL statements "
            "| cold load (every state recomputed): p50 |",
            "|---|---|---|---|---|---|---|"]
    out += _queue(res["queue"], "SQLite")
    if "postgresql" in res:
        out += ["", "| database | caseload | p50 | p90 | bare route p50 | SQL statements "
                "| cold load: p50 |", "|---|---|---|---|---|---|---|"]
        out += _queue(res["postgresql"]["queue"], "PostgreSQL")
    s = res["served"]
    out += ["", f"## (3) Throughput under gunicorn, 2 sync workers ({s['generator']}, "
            f"{p['conns']} connections, {p['seconds']} s a run, median of {p['load_repeat']})", "",
            "| page | requests/s | bare route requests/s (same run) | ratio | goal |",
            "|---|---|---|---|---|"]
    for name, v in s["pages"].items():
        goal = GOAL_RATIO[name]
        out.append(f"| {name} | {v['rps']:.0f} | {v['bare_rps']:.0f} | {v['ratio']:.0%} | "
                   f">= {goal:.0%}: {_ok(v['ratio'] >= goal)}"
                   + (f" ({v['non_2xx']} non-2xx!)" if v["non_2xx"] else "") + " |")
    out.append(f"\nThe bare route with a signed-in client's cookie (loads the user): "
               f"{s['bare_with_session_rps']:.0f} requests/s.")
    c = res["charts"]
    out += ["", "## (4) Charts (mood chart PNG, Flask test client)", "",
            f"- first render in the process: {c['cold_ms']:.0f} ms"
            + (" (includes importing matplotlib)" if c["cold_included_import"] else ""),
            f"- warm render (cache cleared): {c['warm_ms']:.1f} ms",
            f"- cached request right after a render: {c['cached_ms']:.2f} ms "
            f"(bare route: {c['bare_ms']:.2f} ms)",
            f"- render / cached = **{c['ratio']:.0f}x**; goal >= 30x: {_ok(c['ratio'] >= 30)}"]
    if "again_ms" in c:
        out += [f"- the next cached requests: {c['again_ms']:.2f} ms; render / cached = "
                f"**{c['ratio_again']:.0f}x**; goal >= 30x: {_ok(c['ratio_again'] >= 30)}"]
    rss = s["rss_mb"]
    before = max(max(v) for k, v in rss.items() if k != "after charts")
    out += ["", "## (5) Memory: RSS of each gunicorn worker (MB)", "",
            "| when | workers |", "|---|---|"]
    out += [f"| {k} | {', '.join(f'{x:.0f}' for x in v)} |" for k, v in rss.items()]
    out += ["", f"Largest before any chart: {before:.0f} MB; goal < 120 MB: {_ok(before < 120)}."]
    if "postgresql" in res:
        out += ["", "## (6) PostgreSQL", "", f"Server: {res['postgresql']['version']}",
                "(figures in the tables above)."]
    return "\n".join(out) + "\n"
