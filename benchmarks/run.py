"""Performance measured against the limits: one command, one table, benchmarks/RESULTS.md.

Usage: python benchmarks/run.py [--quick] [--only SECTION ...]
Sections: throughput, cohort, weight, lighthouse, scale, planner, evidence, reader.
All traffic goes to 127.0.0.1; every server runs in its own process group and is killed in
`finally`; every section has a time limit and reports "not run: <reason>" when a tool is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import gzip
import io
import json
import os
import platform
import pstats
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import load  # noqa: E402  (benchmarks/load.py: the server, simulated phones, the learner pages)
from load import BUDGET, GZIP, PAGES  # noqa: E402

from survey import auth, create_app  # noqa: E402
from survey.content import load_qualification  # noqa: E402
from survey.db import connect, migrate  # noqa: E402
from survey.qualifications import served  # noqa: E402
from survey.store import accounts, audit, learners  # noqa: E402

HOST = "127.0.0.1"
CORES = os.cpu_count() or 1
WORKERS = 2 * CORES
CONTENT = ROOT / "content" / "03455"
STAFF_EMAIL, STAFF_PASSWORD = "bench@example.org", "benchmark-password-1"
SECTIONS = [
    "throughput",
    "cohort",
    "weight",
    "lighthouse",
    "scale",
    "planner",
    "evidence",
    "reader",
]

Row = tuple[str, str, str, str, str]  # section, measure, result, goal, met
ROWS: list[Row] = []
NOTES: list[str] = []


def row(section: str, measure: str, result: str, goal: str = "", met: str = "") -> None:
    ROWS.append((section, measure, result, goal, met))
    print(f"  {section} | {measure} | {result} | {goal} | {met}", flush=True)


def yes(ok: bool) -> str:
    return "met" if ok else "NOT met"


# ---- servers -------------------------------------------------------------------------------


def gunicorn(app: str, env: dict[str, str], log: Path, chdir: Path = ROOT) -> load.Server:
    """gunicorn with sync workers, 2 x cores (the issue's server settings), as a context."""
    return load.Server(env, log, workers=WORKERS, threads=1, app=app, chdir=chdir)


@contextlib.contextmanager
def app_instance(tmp: Path) -> Iterator[tuple[dict[str, str], str]]:
    env = load.app_env(tmp)
    (tmp / "instance").mkdir(parents=True, exist_ok=True)
    migrate(env["FLASK_DATABASE"])
    yield env, env["FLASK_DATABASE"]


def learner_phone(port: int, token: str) -> load.Phone:
    phone = load.Phone(port)
    status, _ = phone.request("GET", f"/l/{token}")
    if status != 302:
        raise RuntimeError(f"GET /l/<token> -> {status}")
    return phone


def csrf_of(phone: load.Phone, path: str) -> str:
    status, text = phone.request("GET", path)
    found = load.csrf_token(text)
    if status != 200 or not found:
        raise RuntimeError(f"no CSRF token on {path} ({status})")
    return found


def staff_phone(port: int) -> load.Phone:
    """Sign in through /staff/login, as a browser does."""
    phone = load.Phone(port)
    token = csrf_of(phone, "/staff/login")
    status, text = phone.request(
        "POST",
        "/staff/login",
        {"csrf_token": token, "email": STAFF_EMAIL, "password": STAFF_PASSWORD},
    )
    if status != 302:
        raise RuntimeError(f"staff sign-in -> {status}: {text[:200]}")
    return phone


def cookie_header(phone: load.Phone) -> str:
    return "; ".join(f"{k}={v}" for k, v in phone.cookies.items())


def add_staff(db_path: str) -> int:
    db = connect(db_path)
    try:
        return accounts.create_staff(
            db, STAFF_EMAIL, "Bench Admin", "admin", auth.hash_password(STAFF_PASSWORD), "bench"
        )
    finally:
        db.conn.close()


def seeded_learners(db_path: str, q, submitted: bool) -> tuple[int, str]:  # noqa: ANN001
    """A learner with every statement rated (and submitted, with a finished B1 check)."""
    db = connect(db_path)
    try:
        learner_id, token = learners.create_learner(db, "Bench Learner")
        rng = random.Random(learner_id)
        learners.save_ratings(
            db, learner_id, {s.id: rng.randint(0, 3) for s in q.statements()}, "t"
        )
        if submitted:
            learners.submit(db, learner_id, "t")
            check = learners.open_check(db, learner_id, "B1")
            learners.save_check_ratings(db, check, {"B1:1.1": 2}, "t")
            learners.finish_check(db, check, "t")
        return learner_id, token
    finally:
        db.conn.close()


# ---- 1. throughput ---------------------------------------------------------------------------

LUA = """
wrk.headers["Cookie"] = %(cookie)s
wrk.headers["Accept"] = "text/html,application/json"
wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
%(extra)s
"""
LUA_POST = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local n = 0
request = function()
  n = n + 1
  local body = "csrf_token=" .. %(csrf)s .. "&name=r-F1-1.1&value=" .. (n %% 4) .. "&page=F1-1"
  return wrk.format(nil, "/assessment/save", nil, body)
end
"""


def lua_string(s: str) -> str:
    return json.dumps(s)  # a JSON string is a valid Lua string literal for these characters


def parse_wrk(text: str) -> dict[str, float]:
    def ms(value: str) -> float:
        m = re.match(r"([\d.]+)(us|ms|s|m)", value)
        assert m, value
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]
        return float(m.group(1)) * scale

    out = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))}
    for p in ("50", "99"):
        out[f"p{p}"] = ms(re.search(rf"^\s+{p}(?:\.000)?%\s+(\S+)", text, re.M).group(1))
    non = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non2xx"] = float(non.group(1)) if non else 0.0
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    out["socket_errors"] = float(sum(map(int, errors.groups()))) if errors else 0.0
    out["requests"] = float(re.search(r"(\d+) requests in", text).group(1))
    return out


def wrk(port: int, path: str, script: str, seconds: int, tmp: Path) -> dict[str, float]:
    lua = tmp / f"wrk-{abs(hash(path + script))}.lua"
    lua.write_text(script)
    cmd = [
        "wrk",
        "-t",
        str(min(4, max(2, CORES))),
        "-c",
        "64",
        "-d",
        f"{seconds}s",
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(lua),
        f"http://{HOST}:{port}{path}",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-400:])
    return parse_wrk(out.stdout)


def section_throughput(args: argparse.Namespace, tmp: Path) -> None:
    s = "1 throughput"
    if not shutil.which("wrk"):
        row(s, "all", "not run: wrk missing (apt-get install -y wrk)")
        return
    seconds = 3 if args.quick else 10
    q = load_qualification(CONTENT)
    results: dict[str, dict[str, float]] = {}
    with gunicorn("hello:app", dict(os.environ), tmp / "hello.log", chdir=HERE) as hello:
        results["hello"] = wrk(hello.port, "/", LUA % {"cookie": '""', "extra": ""}, seconds, tmp)
    with app_instance(tmp / "tp") as (env, db_path):
        _, token = seeded_learners(db_path, q, submitted=False)
        submitted_id, submitted_token = seeded_learners(db_path, q, submitted=True)
        add_staff(db_path)
        with gunicorn("app:app", env, tmp / "app.log") as server:
            phone = learner_phone(server.port, token)
            csrf = csrf_of(phone, "/assessment/F1-1")
            cookie = lua_string(cookie_header(phone))
            done = learner_phone(server.port, submitted_token)
            staff = staff_phone(server.port)
            plan = [
                (
                    "questionnaire GET /assessment/F1-1",
                    "/assessment/F1-1",
                    LUA % {"cookie": cookie, "extra": ""},
                ),
                (
                    "answer save POST /assessment/save",
                    "/assessment/save",
                    LUA % {"cookie": cookie, "extra": LUA_POST % {"csrf": lua_string(csrf)}},
                ),
                (
                    "result GET /result",
                    "/result",
                    LUA % {"cookie": lua_string(cookie_header(done)), "extra": ""},
                ),
                (
                    "gap report GET /staff/learners/<id>",
                    f"/staff/learners/{submitted_id}",
                    LUA % {"cookie": lua_string(cookie_header(staff)), "extra": ""},
                ),
            ]
            for name, path, script in plan:
                results[name] = wrk(server.port, path, script, seconds, tmp)
    ceiling = results["hello"]["rps"]
    goals = {"questionnaire GET /assessment/F1-1": 0.6, "answer save POST /assessment/save": 0.4}
    for name, r in results.items():
        label = "ceiling: bare Flask hello" if name == "hello" else name
        ratio = r["rps"] / ceiling
        bad = int(r["non2xx"] + r["socket_errors"])
        text = (
            f"{r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, "
            f"{ratio:.2f} x ceiling" + (f", {bad} non-2xx/errors" if bad else "")
        )
        goal_ratio = goals.get(name)
        goal = f">= {goal_ratio} x ceiling; p99 < 50 ms" if goal_ratio else "p99 < 50 ms"
        ok = r["p99"] < 50 and (goal_ratio is None or ratio >= goal_ratio) and bad == 0
        row(s, f"{label} (64 conn, {seconds} s)", text, goal, yes(ok))
    hot_spots(tmp, q)


def hot_spots(tmp: Path, q) -> None:  # noqa: ANN001
    """In-process service time and a profile of the two hot learner requests."""
    s = "1 throughput"
    path = tmp / "profile.db"
    migrate(str(path))
    _, token = seeded_learners(str(path), q, submitted=False)
    app = create_app({"SECRET_KEY": "bench", "DATABASE": str(path)})
    client = app.test_client()
    client.get(f"/l/{token}")
    csrf = load.csrf_token(client.get("/assessment/F1-1").get_data(as_text=True))
    sys.path.insert(0, str(HERE))
    import hello as bare  # benchmarks/hello.py

    bare_client = bare.app.test_client()
    n = 200
    cases = {
        "bare hello": lambda: bare_client.get("/"),
        "GET /assessment/F1-1": lambda: client.get("/assessment/F1-1"),
        "POST /assessment/save": lambda: client.post(
            "/assessment/save",
            data={
                "csrf_token": csrf,
                "name": "r-F1-1.1",
                "value": str(random.randint(0, 3)),
                "page": "F1-1",
            },
            headers={"Accept": "application/json"},
        ),
    }
    for name, fn in cases.items():
        fn()
        ms = timed(fn, n)
        row(s, f"in-process service time: {name} (test client, median of {n})", f"{ms:.2f} ms")
        if name != "bare hello":
            statements = sql_trace(fn)
            row(
                s,
                f"SQL statements per request: {name}",
                f"{len(statements)} (+5 PRAGMAs on connect): "
                + ", ".join(sorted({st.split()[0].upper() for st in statements})),
            )
            NOTES.append(f"SQL of one {name}:\n" + "\n".join(st[:110] for st in statements))
            NOTES.append(
                f"profile of {name} (test client, 5 requests, cumulative):\n"
                + profile(fn, "cumulative", 20)
            )


def sql_trace(fn: Callable[[], object]) -> list[str]:
    """Every SQL statement one request runs (after the connection's pragmas)."""
    import survey.db as survey_db

    seen: list[str] = []
    original = survey_db.connect

    def traced(path):  # type: ignore[no-untyped-def]
        db = original(path)
        db.conn.set_trace_callback(lambda sql: seen.append(" ".join(sql.split())))
        return db

    survey_db.connect = traced
    try:
        fn()
    finally:
        survey_db.connect = original
    return seen


# ---- 2. a cohort at once ---------------------------------------------------------------------


class ThinkingPhone(load.Phone):
    """A phone whose learner pauses (reads, thinks, taps) before each answer.

    The pause is outside the timed request: latency is the server's answer time only.
    """

    think = (0.05, 0.3)
    ramp = 0.0  # learners start within this many seconds of each other

    def arrive(self, rng: random.Random) -> None:
        time.sleep(rng.uniform(0, self.ramp))

    def pause(self, rng: random.Random) -> None:
        time.sleep(rng.uniform(*self.think))


# (name, think time range, arrivals spread over seconds); people take several seconds to read a
# statement and tap, and a room of learners scans the QR code over a minute or so
COHORTS = [
    ("brisk: faster than people read, arriving over 30 s", (1.0, 3.0), 30.0),
    ("stress: all at once, saturating the server", (0.05, 0.3), 0.0),
]


def section_cohort(args: argparse.Namespace, tmp: Path) -> None:
    for i, (name, think, ramp) in enumerate(COHORTS):
        if args.quick:  # half the pauses, so a quick run stays short
            think, ramp = (think[0] / 2, think[1] / 2), ramp / 2
        ThinkingPhone.ramp = ramp
        cohort(args, tmp / f"cohort-{i}", name, think)


def cohort(args: argparse.Namespace, tmp: Path, name: str, think: tuple[float, float]) -> None:
    s = "2 cohort"
    count = 100 if args.quick else 500
    limit = 150.0 if args.quick else 420.0
    q = load_qualification(CONTENT)
    with app_instance(tmp) as (env, db_path):
        learners = load.add_learners(db_path, count)
        run = load.plan_run(q, learners, seed=7)
        original = load.Phone
        load.Phone = ThinkingPhone  # type: ignore[misc]  # load._learner builds load.Phone
        ThinkingPhone.think = think
        try:
            with gunicorn("app:app", env, tmp / "cohort.log") as server:
                load.run_load(run, server.port, threads=count, time_limit=limit)
        finally:
            load.Phone = original  # type: ignore[misc]
        summary = run.summary()
        checked, missing, examples = load.missing_acked(run, db_path)
    label = f"{name} (think {think[0] * 1000:.0f}-{think[1] * 1000:.0f} ms)"
    row(
        s,
        f"{label}: {count} learners, full initial assessment",
        f"{run.finished}/{count} finished, {summary['acked_saves']}/{summary['planned_saves']} "
        f"saves acked in {summary['seconds']} s",
        "all finish",
        yes(run.finished == count),
    )
    row(
        s,
        f"{label}: answer saves, throughput, p50, p99",
        f"{summary['answers_per_s']} answers/s, p50 {summary['p50_ms']} ms, "
        f"p99 {summary['p99_ms']} ms (think time excluded; the simulator shares the 2 cores)",
        "p99 < 50 ms (as section 1)",
        yes(summary["p99_ms"] < 50),
    )
    row(s, f"{label}: errors", str(summary["failures"]), "0", yes(summary["failures"] == 0))
    row(
        s,
        f"{label}: answers lost (acked, not in DB)",
        f"{missing} of {checked} checked",
        "0",
        yes(missing == 0),
    )
    for e in run.failures[:3] + examples[:3]:
        NOTES.append(f"cohort ({name}): {e}")


# ---- 3. page weight --------------------------------------------------------------------------


def unpacked(response) -> bytes:  # noqa: ANN001
    data = response.data
    return gzip.decompress(data) if response.headers.get("Content-Encoding") == "gzip" else data


def section_weight(args: argparse.Namespace, tmp: Path) -> None:
    s = "3 page weight"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": str(tmp / "w.db")})
    q = served(app)
    db = connect(app.config["DATABASE"])
    learner_id, token = learners.create_learner(db, "Sam Learner")
    learners.save_ratings(db, learner_id, {st.id: 2 for st in q.statements()}, "t")
    learners.submit(db, learner_id, "t")
    check = learners.open_check(db, learner_id, "B1")
    learners.save_check_ratings(db, check, {"B1:1.1": 2}, "t")
    learners.finish_check(db, check, "t")
    db.conn.close()
    client = app.test_client()
    client.get(f"/l/{token}")
    for path in PAGES:
        # fetched as a phone's browser does (gzip accepted): bytes raw and as sent
        response = client.get(path, headers=GZIP)
        if response.status_code != 200:
            row(s, path, f"status {response.status_code}", f"<= {BUDGET} B sent", "NOT met")
            continue
        html = unpacked(response)
        sizes = {"html": [len(html), len(response.data)], "css": [0, 0], "js": [0, 0]}
        sizes["other"] = [0, 0]
        loaded = load.addresses(html)
        assets = [a for a in loaded if a.startswith("/static/")]
        for asset in assets:
            with client.get(asset, headers=GZIP) as r:
                kind = asset.split("?")[0].rsplit(".", 1)[-1]
                kind = kind if kind in ("css", "js") else "other"
                sizes[kind][0] += len(unpacked(r))
                sizes[kind][1] += len(r.data)
        total = sum(v[1] for v in sizes.values())
        third = [a for a in loaded if a.startswith(("http://", "https://")) and "/l/" not in a]
        text = (
            f"HTML {sizes['html'][0]}/{sizes['html'][1]}, CSS {sizes['css'][0]}/"
            f"{sizes['css'][1]}, JS {sizes['js'][0]}/{sizes['js'][1]}"
            + (f", other {sizes['other'][0]}/{sizes['other'][1]}" if sizes["other"][0] else "")
            + f" B raw/sent; total {total} B sent; {1 + len(assets)} requests"
            + (f"; {len(third)} third-party" if third else "")
        )
        row(s, path, text, f"<= {BUDGET} B sent", yes(total <= BUDGET and not third))
    row(s, "anchor: LimeSurvey default theme", "~1.27 MB uncompressed CSS/JS before fonts", "", "")


# ---- 4. lighthouse ---------------------------------------------------------------------------


def section_lighthouse(args: argparse.Namespace, tmp: Path) -> None:
    s = "4 lighthouse mobile"
    binary = HERE / "node_modules" / ".bin" / "lighthouse"
    chrome = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary.exists():
        row(
            s,
            "all",
            "not run: lighthouse not installed (npm install --prefix benchmarks lighthouse)",
        )
        return
    if not chrome:
        row(s, "all", "not run: chromium not found")
        return
    q = load_qualification(CONTENT)
    with app_instance(tmp / "lh") as (env, db_path):
        _, token = seeded_learners(db_path, q, submitted=False)
        done_id, done_token = seeded_learners(db_path, q, submitted=True)
        add_staff(db_path)
        with gunicorn("app:app", env, tmp / "lh.log") as server:
            fresh = cookie_header(learner_phone(server.port, token))
            done = cookie_header(learner_phone(server.port, done_token))
            staff = cookie_header(staff_phone(server.port))
            targets = [
                ("/assessment/job", fresh),
                ("/assessment/F1-1", fresh),
                ("/result", done),
                ("/q/03455/check/B1", done),
                (f"/staff/learners/{done_id}", staff),
            ]
            runs = 1 if args.quick else 3  # Lighthouse varies run to run: report the median
            for path, cookie in targets:
                reports, failed = [], ""
                for _ in range(runs):
                    report, failed = lighthouse(binary, chrome, server.port, path, cookie, tmp)
                    if report is None:
                        break
                    reports.append(report)
                if not reports:
                    row(s, path, f"not run: {failed}")
                    continue
                scores = {
                    k: statistics.median(
                        round(100 * (r["categories"][k]["score"] or 0)) for r in reports
                    )
                    for k in reports[0]["categories"]
                }
                lcps = sorted(
                    r["audits"]["largest-contentful-paint"]["numericValue"] for r in reports
                )
                lcp = statistics.median(lcps)
                final = reports[0].get("finalDisplayedUrl") or reports[0].get("finalUrl", "")
                moved = (
                    ""
                    if final.endswith(path)
                    else f" (landed on {final.split(str(server.port))[-1]})"
                )
                ok = min(scores.values()) == 100 and lcp < 1000
                spread = f" (runs {lcps[0]:.0f}-{lcps[-1]:.0f})" if len(lcps) > 1 else ""
                row(
                    s,
                    path + moved,
                    f"median of {len(reports)}: perf {scores.get('performance'):.0f}, "
                    f"a11y {scores.get('accessibility'):.0f}, "
                    f"best-practices {scores.get('best-practices'):.0f}, "
                    f"LCP {lcp:.0f} ms{spread}",
                    "100 / 100 / 100, LCP < 1 s (simulated slow 4G)",
                    yes(ok),
                )


def lighthouse(binary: Path, chrome: str, port: int, path: str, cookie: str, tmp: Path):  # noqa: ANN201
    """One Lighthouse mobile run: (report, "") or (None, why it failed)."""
    out = tmp / "lh.json"
    cmd = [
        str(binary),
        f"http://{HOST}:{port}{path}",
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility,best-practices",
        "--chrome-flags=--headless --no-sandbox --disable-gpu "
        "--disable-background-networking --disable-component-update "
        "--disable-sync",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
    ]
    try:
        subprocess.run(
            cmd,
            env={**os.environ, "CHROME_PATH": chrome},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return json.loads(out.read_text()), ""
    except (subprocess.SubprocessError, OSError, ValueError) as e:
        err = getattr(e, "stderr", "") or str(e)
        return None, str(err).strip().splitlines()[-1][:150]


# ---- 5. scale --------------------------------------------------------------------------------


def build_big_db(path: str, learners: int, q) -> tuple[int, float]:  # noqa: ANN001
    """learners x (ratings + job answers + assessor ratings), inserted directly."""
    start = time.perf_counter()
    migrate(path)
    db = connect(path)
    staff_id = accounts.create_staff(
        db, STAFF_EMAIL, "Bench Admin", "admin", auth.hash_password(STAFF_PASSWORD), "bench"
    )
    db.conn.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    statements = [st.id for st in q.statements()]
    contexts = [c.id for c in q.contexts]
    assessed = statements[:40]
    rng = random.Random(1)
    stamp = "2026-01-01T00:00:00Z"
    answers = 0
    with conn:
        conn.executemany(
            "INSERT INTO learners (id, name, token_hash, created_at, submitted_at, assessor_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                (i, f"Learner {i:05d}", f"bench-{i}", stamp, stamp, staff_id)
                for i in range(1, learners + 1)
            ),
        )
    batch = 1000
    for first in range(1, learners + 1, batch):
        ids = range(first, min(first + batch, learners + 1))
        r = [(i, st, rng.randint(0, 3), stamp) for i in ids for st in statements]
        c = [(i, cx, rng.choice(("yes", "sometimes", "no")), stamp) for i in ids for cx in contexts]
        a = [(i, st, rng.randint(0, 3), staff_id, stamp) for i in ids for st in assessed]
        with conn:
            conn.executemany("INSERT INTO ratings VALUES (?, ?, ?, ?)", r)
            conn.executemany("INSERT INTO context_answers VALUES (?, ?, ?, ?)", c)
            conn.executemany(
                "INSERT INTO assessor_ratings (learner_id, statement_id, rating, staff_id, "
                "updated_at) VALUES (?, ?, ?, ?, ?)",
                a,
            )
        answers += len(r) + len(c) + len(a)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    return answers, time.perf_counter() - start


def timed(fn: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def section_scale(args: argparse.Namespace, tmp: Path) -> None:
    s = "5 scale"
    q = load_qualification(CONTENT)
    count = 2000 if args.quick else 10_000
    path = str(tmp / "scale.db")
    answers, seconds = build_big_db(path, count, q)
    size = sum(Path(p).stat().st_size for p in (path, path + "-wal") if Path(p).exists())
    row(
        s,
        f"database: {count:,} learners",
        f"{answers:,} answers, {size / 1e6:.0f} MB, generated in {seconds:.0f} s",
        "generation < 120 s",
        yes(seconds < 120),
    )
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": path})
    client = app.test_client()
    db = connect(path)
    staff_token = accounts.start_staff_session(db, 1)
    db.conn.close()
    with client.session_transaction() as sess:
        sess["staff_session"] = staff_token
    target = count // 2

    def get(url: str) -> Callable[[], object]:
        def go() -> object:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
            return r

        return go

    heat = "/staff/cohort?" + "&".join(f"learner={i}" for i in range(1, 31))
    export = "/staff/cohort.csv?" + "&".join(f"learner={i}" for i in range(1, 1001))
    checks = [
        (
            "gap report GET /staff/learners/<id>, median of 20",
            f"/staff/learners/{target}",
            20,
            50.0,
        ),
        ("cohort heat map, 30 learners, median of 10", heat, 10, 200.0),
        ("cohort CSV export, 1,000 learners, median of 5", export, 5, None),
    ]
    for name, url, n, goal in checks:
        get(url)()  # warm
        ms = timed(get(url), n)
        row(
            s,
            name,
            f"{ms:.1f} ms",
            f"< {goal:.0f} ms" if goal else "",
            yes(ms < goal) if goal else "",
        )
        if name.startswith("cohort") or (goal and ms >= goal):
            NOTES.append(f"profile of {name.split(',')[0]}:\n{profile(get(url))}")
    # adding learners in bulk: one POST, one transaction, a QR card per learner
    page = client.get("/staff/learners").get_data(as_text=True)
    token = load.csrf_token(page)
    lines = "".join(f"Pasted Learner {i:03d},P{i},Cashier\n" for i in range(500))
    started = time.perf_counter()
    response = client.post("/staff/learners/import", data={"csrf_token": token, "rows": lines})
    ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200 and response.data.count(b'class="learner-card"') == 500
    row(
        s,
        "paste of 500 learners (CSV): one POST, 500 cards",
        f"{ms:.0f} ms",
        "< 2000 ms",
        yes(ms < 2000),
    )
    # the query plans of the statements the store itself runs (traced, not copied)
    db = connect(path)
    staff = accounts.staff_member(db, 1)
    reads: dict[str, Callable[[], object]] = {
        "a learner's answers (one statement)": lambda: learners.answers(db, target, True),
        "cohort ratings (json_each)": lambda: learners.cohort_ratings(db, list(range(1, 31))),
        "learners_for (staff list)": lambda: learners.learners_for(db, staff),
        "audit by learner": lambda: audit.entries(db, target),
    }
    for name, read in reads.items():
        statements: list[str] = []
        db.conn.set_trace_callback(statements.append)
        read()
        db.conn.set_trace_callback(None)
        for sql in statements:
            plan = [r[3] for r in db.conn.execute("EXPLAIN QUERY PLAN " + sql)]
            indexed = all(
                (
                    "USING" in p
                    or "SCAN json_each" in p
                    or "CORRELATED" in p
                    or "LIST SUBQUERY" in p
                    or "TEMP B-TREE" in p
                    or p in ("COMPOUND QUERY", "LEFT-MOST SUBQUERY", "UNION ALL")
                )
                for p in plan
            )
            note = (
                " (lists every learner: a scan is expected; ORDER BY name sorts in a temp b-tree)"
                if name.startswith("learners_for")
                else ""
            )
            row(s, f"query plan: {name}", "; ".join(plan) + note, "uses an index", yes(indexed))
    db.conn.close()


def profile(fn: Callable[[], object], sort: str = "cumulative", lines: int = 20) -> str:
    """The top of a cProfile of 5 calls, without the test client's and Flask's wrappers."""
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(5):
        fn()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats(sort).print_stats(lines + 40)
    wrappers = (
        "werkzeug/test.py",
        "flask/testing.py",
        "flask/app.py",
        "benchmarks/run.py",
        "survey/auth.py",
        "contextlib.py",
        "flask/ctx.py",
    )
    text = [
        ln.replace(sys.prefix, "")
        for ln in out.getvalue().splitlines()
        if ln.strip() and not any(w in ln for w in wrappers)
    ]
    start = next((i for i, ln in enumerate(text) if "ncalls" in ln), 0)
    return "\n".join(text[start : start + lines + 1])


# ---- 6. planner ------------------------------------------------------------------------------


def script_table(script: str, args: list[str], columns: int, timeout: int) -> list[list[str]]:
    """Run one of the benchmark scripts beside this one and return its table's rows."""
    out = subprocess.run(
        [sys.executable, str(HERE / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    rows = []
    for line in out.stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == columns and cells[0] != "case" and not cells[0].startswith("-"):
            rows.append(cells)
    return rows


def section_planner(args: argparse.Namespace, tmp: Path) -> None:
    repeat = "5" if args.quick else "20"
    for cells in script_table("planner.py", ["--repeat", repeat], 7, 300):
        name, units, plans, median, best, goal, met = cells
        row(
            "6 planner",
            f"{name} ({units} optional units)",
            f"median {median} ms, best {best} ms, {plans} plans",
            f"< {goal} ms",
            "met" if met == "yes" else "NOT met",
        )


# ---- 7. suggested observations ----------------------------------------------------------------


def section_evidence(args: argparse.Namespace, tmp: Path) -> None:
    repeat = "5" if args.quick else "20"
    for cells in script_table("evidence_plan.py", ["--repeat", repeat], 8, 300):
        name, units, observe, activities, median, best, goal, met = cells
        row(
            "7 suggested observations",
            f"{name} ({units} units, {observe} criteria to observe)",
            f"median {median} ms, best {best} ms, {activities} activities",
            f"< {goal} ms",
            "met" if met == "yes" else "NOT met",
        )


# ---- 8. reader -------------------------------------------------------------------------------


def section_reader(args: argparse.Namespace, tmp: Path) -> None:
    """benchmarks/reader.py: a 40-page handbook PDF of 10 units, and long pasted texts."""
    repeat = "1" if args.quick else "3"
    for cells in script_table("reader.py", ["--repeat", repeat], 6, 600):
        name, size, median, best, goal, met = cells
        row(
            "8 reader",
            f"{name} ({size})",
            f"median {median} s, best {best} s",
            f"< {goal} s" if goal and goal != "linear" else goal,
            {"yes": "met", "no": "NOT met"}.get(met, ""),
        )


# ---- the table -------------------------------------------------------------------------------


def machine() -> str:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{CORES} cores ({model}), Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


# what follows this line in RESULTS.md (before/after notes, explanations) survives a re-run
KEEP = "<!-- written by hand: kept when the benchmark is run again -->"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, fewer learners")
    parser.add_argument(
        "--only",
        action="append",
        metavar="SECTION",
        choices=SECTIONS + [str(i) for i in range(1, len(SECTIONS) + 1)],
        help="run only this section (name or number 1-7); may be repeated",
    )
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args()
    chosen = [SECTIONS[int(o) - 1] if o.isdigit() else o for o in args.only or SECTIONS]
    funcs = {
        "throughput": section_throughput,
        "cohort": section_cohort,
        "weight": section_weight,
        "lighthouse": section_lighthouse,
        "scale": section_scale,
        "planner": section_planner,
        "evidence": section_evidence,
        "reader": section_reader,
    }
    started = datetime.datetime.now(datetime.UTC)
    timings = []
    with tempfile.TemporaryDirectory(prefix="sp-bench-") as t:
        for name in chosen:
            print(f"== {name}", flush=True)
            t0 = time.monotonic()
            try:
                funcs[name](args, Path(t))
            except Exception as e:  # a failed section is reported, the others still run
                row(name, "section failed", f"{type(e).__name__}: {str(e)[:300]}", "", "NOT met")
            timings.append(f"{name} {time.monotonic() - t0:.0f} s")
    output = Path(args.output)
    before = output.read_text() if output.exists() else ""
    table, earlier_run = _rows_not_run(before, chosen) if args.only else ([], "")
    new_rows = [f"| {' | '.join(c.replace('|', '/') for c in r)} |" for r in ROWS]
    lines = [
        "# Benchmark results",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC with `python benchmarks/run.py"
        f"{' --quick' if args.quick else ''}"
        f"{''.join(' --only ' + o for o in args.only or [])}` on loopback."
        + (f" The other sections' rows are from the {earlier_run}." if table else ""),
        f"Machine: {machine()}. gunicorn: {WORKERS} sync workers (2 x cores); wrk: 64 connections.",
        f"Section times: {', '.join(timings)}.",
        "",
        "| section | measure | result | goal | met |",
        "|---|---|---|---|---|",
        *sorted(new_rows + table, key=_section_number),
    ]
    if NOTES:
        lines += ["", "## Notes", ""] + [f"```\n{n}\n```" for n in NOTES]
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    kept = before.partition(KEEP)[2]
    output.write_text(text + (f"\n{KEEP}{kept}" if kept else ""))


def _section_number(table_row: str) -> int:
    """A table row's section number ("| 3 page weight | ..." is 3); rows keep their order."""
    first = table_row.strip("| ").split(" ", 1)[0]
    return int(first) if first.isdigit() else 0


def _rows_not_run(text: str, chosen: list[str]) -> tuple[list[str], str]:
    """The rows of an earlier RESULTS.md for the sections not run now, and which run that was:
    a run of one section replaces its own rows and keeps the rest of the table."""
    numbers = {SECTIONS.index(name) + 1 for name in chosen}
    table = text.partition(KEEP)[0].partition("|---|")[2]
    rows = [
        line
        for line in table.splitlines()
        if line.startswith("| ") and _section_number(line) not in numbers
    ]
    found = re.search(r"^Run (.+?) UTC with `([^`]+)`", text, re.M)
    return rows, f"run of {found.group(1)} UTC (`{found.group(2)}`)" if found else "earlier run"


if __name__ == "__main__":
    main()
