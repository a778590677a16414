"""What the tests and the benchmarks share: the app under gunicorn, simulated learners, and
the learner pages a phone loads with their byte budget.

Everything here talks only to 127.0.0.1. Every loop is bounded in count and in time. It
imports nothing from tests/: tests/test_reliability.py and tests/test_page_weight.py import
from here, as benchmarks/run.py does.
"""

from __future__ import annotations

import functools
import http.client
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from survey.content import Qualification
from survey.db import connect, migrate
from survey.forms import context_field_name, rating_field_name
from survey.journey import open_units, pages
from survey.store import learners

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

# ---- the learner pages a phone loads ------------------------------------------------------

BUDGET = 14_600  # bytes, gzipped: HTML + CSS + JS + icon, about ten TCP segments
PAGES = [
    "/welcome",
    "/assessment/job",
    "/assessment/F1-1",
    "/assessment/F1-3",
    "/assessment/group-B",
    "/assessment/interests",
    "/assessment/review",
    "/result",
    "/q/03455/check/B1",
    "/q/03455/check/B1/results/1",
    "/code",
    "/contract",
    "/my-record",
]
GZIP = {"Accept-Encoding": "gzip, deflate, br"}  # as a phone's browser asks


class _Page(HTMLParser):
    """What a page links to and loads (href and src, in order), and its forms' CSRF token."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.addresses: list[str] = []
        self.csrf: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("href", "src"):
            if found.get(name):
                self.addresses.append(found[name] or "")
        if tag == "input" and found.get("name") == "csrf_token" and self.csrf is None:
            self.csrf = found.get("value")


def read_page(html: str | bytes) -> _Page:
    page = _Page()
    page.feed(html.decode() if isinstance(html, bytes) else html)
    page.close()
    return page


def addresses(html: str | bytes) -> list[str]:
    """Every href and src on the page, in order."""
    return read_page(html).addresses


def csrf_token(html: str | bytes) -> str | None:
    """The CSRF token of the page's first form, if it has one."""
    return read_page(html).csrf


ANSWER_WEIGHTS = {"yes": 5, "sometimes": 3, "no": 2}


# ---- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def app_env(tmp: Path) -> dict[str, str]:
    """The environment of the server and of the CLI: a fresh instance folder in tmp."""
    env = dict(os.environ)
    env.update(
        FLASK_DATABASE=str(tmp / "instance" / "load.db"),
        FLASK_SECRET_KEY="reliability-test-secret",
        FLASK_INSTANCE_PATH=str(tmp / "instance"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("FLASK_PUBLIC_URL", None)
    return env


@functools.cache
def _no_control_socket() -> tuple[str, ...]:
    """gunicorn 25+ opens a control socket in ~/.gunicorn: not wanted for a test's server."""
    out = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True, timeout=30
    )
    return ("--no-control-socket",) if "--no-control-socket" in out.stdout else ()


class Server:
    """gunicorn serving `app:app` on loopback, in its own process group (so SIGKILL takes all).

    One thread a worker means gunicorn's sync workers; more, its threaded workers. `app` and
    `chdir` serve another WSGI app (the benchmark's bare Flask ceiling); `args` are more of
    gunicorn's options.
    """

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        workers: int = 4,
        threads: int = 4,
        app: str = "app:app",
        chdir: Path = ROOT,
        args: tuple[str, ...] = (),
    ):
        self.env, self.log, self.workers, self.threads = env, log, workers, threads
        self.app, self.chdir, self.args = app, chdir, args
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 30.0) -> None:
        for _ in range(3):  # a port taken between free_port() and bind: try another, 3 times
            self.port = free_port()
            self.starts += 1
            with open(self.log, "ab") as out:
                out.write(f"\n==== start {self.starts} on port {self.port}\n".encode())
                out.flush()
                self.proc = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "--bind",
                        f"{HOST}:{self.port}",
                        "--workers",
                        str(self.workers),
                        "--threads",
                        str(self.threads),
                        "--timeout",
                        "60",
                        "--graceful-timeout",
                        "10",
                        "--chdir",
                        str(self.chdir),
                        *_no_control_socket(),
                        *self.args,
                        self.app,
                    ],
                    cwd=self.chdir,
                    env=self.env,
                    stdout=out,
                    stderr=out,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            if self._wait_ready(timeout):
                return
            self.kill()
        raise RuntimeError(f"gunicorn did not start; its log:\n{self.log_tail()}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return False
            conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
            try:
                conn.request("GET", "/")
                if conn.getresponse().status < 500:
                    return True
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.1)
        return False

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: a crash, nothing gets to clean up."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._wait_group_gone(5.0)
        self.proc = None

    def stop(self) -> None:
        """A graceful stop (SIGTERM), then SIGKILL if the server lingers."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def _wait_group_gone(self, timeout: float) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except (ProcessLookupError, PermissionError):
                return
            time.sleep(0.05)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


def add_learners(database: str, count: int) -> list[tuple[int, str]]:
    """Learners straight into the database (migrated first): (id, personal token) each."""
    migrate(database)
    db = connect(database)
    try:
        return [learners.create_learner(db, f"Load Learner {i:03d}") for i in range(count)]
    finally:
        db.conn.close()


# ---- one simulated phone ---------------------------------------------------------------------


class Phone:
    """One learner's phone: its own cookie jar and a keep-alive connection to the server."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def arrive(self, rng: random.Random) -> None:
        """When this learner starts: at once, unless a simulation spreads arrivals out."""

    def pause(self, rng: random.Random) -> None:
        """A learner's think time before a tap; never counted in a request's latency."""
        time.sleep(rng.uniform(0, 0.02))

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        body = urlencode(form).encode() if form is not None else None
        headers = {"Host": f"{HOST}:{self.port}", "Accept": "text/html,application/json"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                # an idle keep-alive connection the server had just closed: the request never
                # reached the app, so send it once more on a new connection, as browsers do
                if reused and attempt == 1:
                    self.reconnects += 1
                    continue
                raise
            except Exception:
                self.close()
                raise
            self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
            if response.will_close:
                self.close()
            return response.status, text
        raise AssertionError("unreachable")

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value and not morsel["expires"].startswith("Thu, 01 Jan 1970"):
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# ---- what each learner will do ---------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    kind: str  # get, save, submit
    path: str = ""
    name: str = ""  # the posted field name of a save
    value: str = ""
    page: str = ""


def journey_steps(q: Qualification, rng: random.Random) -> list[Step]:
    """A full initial assessment as a phone does it: every tap saved on its own.

    The phone opens the first page (for its CSRF token), answers the job role and every job
    question, then every statement of every page this learner will see (some tapped twice,
    some changed), picks two interesting units and sends the answers.
    """
    contexts = {
        c.id: rng.choices(list(ANSWER_WEIGHTS), weights=list(ANSWER_WEIGHTS.values()))[0]
        for c in q.contexts
    }
    steps = [Step("get", "/assessment/job")]
    steps.append(Step("save", name="job_role", value=rng.choice(q.roles).title, page="job"))
    for context_id, answer in contexts.items():
        steps.append(Step("save", name=context_field_name(context_id), value=answer, page="job"))
    for p in pages(q, contexts):
        if p.kind not in ("outcome", "group"):
            continue
        changes = []
        for statement in p.statements:
            name, value = rating_field_name(statement.id), str(rng.randint(0, 3))
            steps.append(Step("save", name=name, value=value, page=p.key))
            if rng.random() < 0.05:  # a double tap, or an offline answer sent again
                steps.append(Step("save", name=name, value=value, page=p.key))
            if rng.random() < 0.05:  # a change of mind before leaving the page
                other = str(rng.choice([v for v in range(4) if str(v) != value]))
                changes.append(Step("save", name=name, value=other, page=p.key))
        steps.extend(changes)
    units = [u.number for u in open_units(q, contexts)]
    for unit in rng.sample(units, min(2, len(units))):
        steps.append(Step("save", name="interests", value=f"{unit}:1", page="interests"))
    steps.append(Step("get", "/assessment/review"))
    steps.append(Step("submit", "/assessment/submit"))
    return steps


@dataclass
class Attempt:
    """One save as sent, and whether the server acknowledged it ({"ok": true})."""

    learner: int  # index into the run's learners
    name: str
    value: str
    sent: float
    acked: float | None = None  # monotonic time of the acknowledgement
    status: int | None = None
    error: str = ""


@dataclass
class Run:
    """Everything a load run saw: attempts in order per learner, failures, latencies."""

    learners: list[tuple[int, str]]
    steps: list[list[Step]]
    attempts: list[list[Attempt]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # non-2xx and exceptions, any request
    latencies: list[float] = field(default_factory=list)  # seconds, acknowledged saves
    finished: int = 0  # learners who got to the end of their journey
    submitted: int = 0
    reconnects: int = 0
    started: float = 0.0
    ended: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    acked_count: int = 0

    @property
    def planned_saves(self) -> int:
        return sum(1 for steps in self.steps for s in steps if s.kind == "save")

    def acked(self) -> list[Attempt]:
        return [a for attempts in self.attempts for a in attempts if a.acked is not None]

    def summary(self) -> dict[str, float]:
        acked = self.acked()
        lat = sorted(self.latencies)
        wall = max(self.ended - self.started, 1e-9)

        def pct(p: float) -> float:
            return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else 0.0

        return {
            "learners": len(self.learners),
            "planned_saves": self.planned_saves,
            "acked_saves": len(acked),
            "seconds": round(wall, 2),
            "answers_per_s": round(len(acked) / wall, 1),
            "p50_ms": round(pct(0.50), 1),
            "p99_ms": round(pct(0.99), 1),
            "max_ms": round(lat[-1] * 1000, 1) if lat else 0.0,
            "failures": len(self.failures),
            "reconnects": self.reconnects,
        }


def plan_run(q: Qualification, learners: list[tuple[int, str]], seed: int) -> Run:
    steps = [journey_steps(q, random.Random(seed * 100_003 + i)) for i in range(len(learners))]
    run = Run(learners=learners, steps=steps)
    run.attempts = [[] for _ in learners]
    return run


def _learner(run: Run, index: int, port: int, stop: threading.Event, deadline: float) -> None:
    _, token = run.learners[index]
    phone = Phone(port)
    rng = random.Random(index)
    attempts = run.attempts[index]

    def fail(what: str) -> None:
        with run.lock:
            run.failures.append(f"learner {index}: {what}")

    try:
        phone.arrive(rng)
        if stop.is_set() or time.monotonic() > deadline:
            return
        status, _ = phone.request("GET", f"/l/{token}")
        if status != 302:
            fail(f"GET /l/<token> -> {status}")
            return
        csrf = ""
        for step in run.steps[index]:
            if stop.is_set() or time.monotonic() > deadline:
                return
            if step.kind == "get":
                status, text = phone.request("GET", step.path)
                if status != 200:
                    fail(f"GET {step.path} -> {status}")
                    continue
                csrf = csrf_token(text) or csrf
                continue
            if step.kind == "submit":
                status, _ = phone.request("POST", step.path, {"csrf_token": csrf})
                if status != 303:
                    fail(f"POST {step.path} -> {status}")
                    continue
                with run.lock:
                    run.submitted += 1
                continue
            phone.pause(rng)  # reading and tapping: before the clock starts
            attempt = Attempt(index, step.name, step.value, time.monotonic())
            attempts.append(attempt)
            form = {"csrf_token": csrf, "name": step.name, "value": step.value, "page": step.page}
            try:
                status, text = phone.request("POST", "/assessment/save", form)
            except Exception as e:
                attempt.error = f"{type(e).__name__}: {e}"
                fail(f"POST /assessment/save {step.name}: {attempt.error}")
                if stop.is_set():
                    return
                continue
            done = time.monotonic()
            attempt.status = status
            if status == 200 and '"ok":true' in text.replace(" ", ""):
                attempt.acked = done
                with run.lock:
                    run.latencies.append(done - attempt.sent)
                    run.acked_count += 1
            else:
                attempt.error = text[:200]
                fail(f"POST /assessment/save {step.name}={step.value} -> {status} {text[:200]}")
        with run.lock:
            run.finished += 1
    except Exception as e:  # a failed page load: counted, and this learner stops here
        fail(f"{type(e).__name__}: {e}")
    finally:
        with run.lock:
            run.reconnects += phone.reconnects
        phone.close()


def run_load(
    run: Run,
    port: int,
    threads: int = 64,
    time_limit: float = 120.0,
    stop: threading.Event | None = None,
    watch: Callable[[Run], None] | None = None,
) -> Run:
    """Every learner at once (through `threads` phones at a time), for at most time_limit s.

    `watch`, if given, runs in its own thread alongside the load (e.g. to crash the server or
    take a backup at some point); it must return by itself.
    """
    stop = stop or threading.Event()
    deadline = time.monotonic() + time_limit
    watcher = threading.Thread(target=watch, args=(run,), daemon=True) if watch else None
    run.started = time.monotonic()
    if watcher:
        watcher.start()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [
            pool.submit(_learner, run, i, port, stop, deadline) for i in range(len(run.learners))
        ]
        for f in futures:
            f.result()
    run.ended = time.monotonic()
    if watcher:
        watcher.join(timeout=max(1.0, deadline - time.monotonic() + 30))
    return run


def wait_for_acks(run: Run, count: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run.acked_count >= count:
            return True
        time.sleep(0.005)
    return False


# ---- what the database must hold -------------------------------------------------------------


def kind_of(name: str) -> tuple[str, str]:
    """The table key of a posted field: ("rating", "F1:1.1"), ("context", "writing"), ..."""
    if name.startswith("r-"):
        return "rating", name[2:].replace("-", ":", 1)
    if name.startswith("c-"):
        return "context", name[2:]
    if name == "interests":
        return "interest", ""
    return name, ""


def database_state(path: str | Path) -> dict[str, dict[tuple[int, str], object]]:
    """The answers in a database file, read-only: ratings, contexts, interests, job roles."""
    conn = sqlite3.connect(str(path), timeout=10)  # reads only
    try:
        state: dict[str, dict[tuple[int, str], object]] = {
            "rating": {},
            "context": {},
            "interest": {},
            "job_role": {},
        }
        for lid, sid, rating in conn.execute(
            "SELECT learner_id, statement_id, rating FROM ratings"
        ):
            state["rating"][(lid, sid)] = rating
        for lid, cid, answer in conn.execute(
            "SELECT learner_id, context_id, answer FROM context_answers"
        ):
            state["context"][(lid, cid)] = answer
        for lid, unit in conn.execute("SELECT learner_id, unit FROM interests"):
            state["interest"][(lid, unit)] = True
        for lid, role in conn.execute("SELECT id, job_role FROM learners"):
            state["job_role"][(lid, "")] = role
        return state
    finally:
        conn.close()


def by_answer(attempts: list[Attempt]) -> dict[tuple[str, str], list[Attempt]]:
    """One learner's attempts, in order, for each answer they set: (kind, item) -> attempts."""
    found: dict[tuple[str, str], list[Attempt]] = {}
    for a in attempts:
        kind, item = kind_of(a.name)
        if kind == "interest":
            item = a.value.split(":")[0]
        found.setdefault((kind, item), []).append(a)
    return found


def missing_acked(
    run: Run, path: str | Path, before: float | None = None, limit: int = 20
) -> tuple[int, int, list[str]]:
    """Acknowledged answers (acknowledged before `before`, if given) not in the database.

    A key whose last acknowledged value was followed by later attempts (acknowledged after
    `before`, or never acknowledged) may hold any of those later values instead: each of them
    may have been committed too. Returns (answers checked, answers missing, examples).
    """
    state = database_state(path)
    checked = missing = 0
    examples: list[str] = []
    for index, attempts in enumerate(run.attempts):
        learner_id = run.learners[index][0]
        for (kind, item), seq in by_answer(attempts).items():
            last = max(
                (
                    i
                    for i, a in enumerate(seq)
                    if a.acked is not None and (before is None or a.acked < before)
                ),
                default=None,
            )
            if last is None:
                continue
            checked += 1
            allowed = {_stored(kind, a.value) for a in seq[last:]}
            have = state[kind].get((learner_id, item))
            if have not in allowed:
                missing += 1
                if len(examples) < limit:
                    examples.append(
                        f"learner {learner_id} {kind} {item or seq[last].name}: "
                        f"database has {have!r}, acknowledged {sorted(map(str, allowed))}"
                    )
    return checked, missing, examples


def _stored(kind: str, value: str) -> object:
    if kind == "rating":
        return int(value)
    if kind == "interest":
        return value.endswith(":1") or None
    return value


def integrity(path: str | Path) -> str:
    conn = sqlite3.connect(str(path), timeout=10)  # reads only
    try:
        return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


AUDIT_ACTIONS = {
    "rating": "rating",
    "context": "job-context",
    "interest": "interest",
    "job_role": "job-role",
}


def _audit_text(kind: str, value: str) -> str:
    if kind == "rating":
        return str(int(value))
    if kind == "interest":
        return "yes" if value.endswith(":1") else "no"
    return value


def _chain(kind: str, values: list[str]) -> list[tuple[str | None, str]]:
    """The audit entries a sequence of saved values must leave: one per change."""
    previous: str | None = {"interest": "no", "job_role": ""}.get(kind)
    chain = []
    for value in values:
        text = _audit_text(kind, value)
        if text != previous:
            chain.append((previous, text))
            previous = text
    return chain


def audit_mismatches(run: Run, path: str | Path, limit: int = 20) -> tuple[int, int, list[str]]:
    """Compare the audit trail with the acknowledged changes, one entry per change.

    An answer never acknowledged (in flight when the server died) may or may not have been
    committed: its entry may be there or not. Returns (keys checked, keys wrong, examples).
    """
    conn = sqlite3.connect(str(path), timeout=10)  # reads only
    try:
        actual: dict[tuple[int, str, str], list[tuple[str | None, str]]] = {}
        marks = ",".join("?" for _ in AUDIT_ACTIONS)
        for lid, action, subject, before, after in conn.execute(
            f"SELECT learner_id, action, subject, before, after FROM audit "  # noqa: S608
            f"WHERE action IN ({marks}) ORDER BY id",
            list(AUDIT_ACTIONS.values()),
        ):
            actual.setdefault((lid, action, subject), []).append((before, after))
    finally:
        conn.close()
    expected: dict[tuple[int, str, str], tuple[list, list]] = {}
    for index, attempts in enumerate(run.attempts):
        learner_id = run.learners[index][0]
        for (kind, item), seq in by_answer(attempts).items():
            key = (learner_id, AUDIT_ACTIONS[kind], item)
            acked = _chain(kind, [a.value for a in seq if a.acked is not None])
            everything = _chain(kind, [a.value for a in seq])
            expected[key] = (acked, everything)
    checked = wrong = 0
    examples: list[str] = []
    for key in sorted(set(actual) | set(expected), key=str):
        acked, everything = expected.get(key, ([], []))
        have = actual.get(key, [])
        checked += 1
        if have != acked and have != everything:
            wrong += 1
            if len(examples) < limit:
                examples.append(f"{key}: audit {have}, acknowledged changes {acked}")
    return checked, wrong, examples


def table_keys(path: str | Path) -> dict[str, list[tuple[int, str]]]:
    """Every (learner, statement) row of ratings and (learner, context) of context answers."""
    conn = sqlite3.connect(str(path), timeout=10)  # reads only
    try:
        return {
            "rating": list(conn.execute("SELECT learner_id, statement_id FROM ratings")),
            "context": list(conn.execute("SELECT learner_id, context_id FROM context_answers")),
        }
    finally:
        conn.close()


def acked_keys(run: Run) -> dict[str, set[tuple[int, str]]]:
    keys: dict[str, set[tuple[int, str]]] = {"rating": set(), "context": set()}
    for a in run.acked():
        kind, item = kind_of(a.name)
        if kind in keys:
            keys[kind].add((run.learners[a.learner][0], item))
    return keys
