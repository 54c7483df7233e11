"""Load test: the report pages and the statistics API under 50 concurrent clients,
against the login page (a trivial page) on the same server in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchdb \\
        .venv/bin/python bench/load_test.py --seconds 20

It starts gunicorn on 127.0.0.1 (production settings, three workers, the database
given; run bench_statistics.py on it first, which builds the data and collects the
static files), asks each page once so that the cache holds its document, then runs wrk
(`apt-get install wrk`) for `--seconds` per page with `--connections` connections and
reports requests per second, errors (non-2xx/3xx answers, socket errors, timeouts) and
the 50th, 95th and 99th percentiles of latency, with each page's p95 over the login
page's. wrk's timeout is raised to 60 s so that slow answers are counted, not dropped.
The default 20 s per page (not 60 s) spares the shared CPU; wrk runs on the same
two cores as the server.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).with_name("wrk_report.lua")
TRIVIAL = "/accounts/login/"
PAGES = [
    TRIVIAL,
    "/static/favicon.svg",
    "/",
    "/reports/",
    "/reports/chapters/III/",
    "/reports/draft-note/",
    "/api/v1/statistics/",
]


def server_environment(database_url: str) -> dict:
    return os.environ | {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "PYTHONPATH": str(ROOT),
    }


def start_server(database_url: str, port: int, workers: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "tatracker.wsgi"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--timeout", "120", "--log-level", "warning"]
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        command,
        cwd=ROOT,
        env=server_environment(database_url),
        start_new_session=True,  # its own process group, stopped as a whole
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{TRIVIAL}", timeout=5)
            return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within a minute")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def wrk_command(url: str, *, seconds: int, connections: int, threads: int) -> list:
    return [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=60s",
        f"--script={LUA}",
        url,
    ]


def parse(output: str) -> dict:
    """The JSON line the Lua script prints when wrk is done."""
    line = next(line for line in output.splitlines() if line.startswith("JSON "))
    result = json.loads(line[5:])
    seconds = result["duration_us"] / 1e6
    errors = sum(result[key] for key in ("non2xx", "connect", "read", "write"))
    return {
        "requests": result["requests"],
        "per_second": result["requests"] / seconds if seconds else 0.0,
        "errors": errors + result["timeout"],
        "p50": result["p50"] / 1000,
        "p95": result["p95"] / 1000,
        "p99": result["p99"] / 1000,
    }


def table(results: dict) -> list[str]:
    trivial = results[TRIVIAL]["p95"]
    lines = [
        "| page | requests/s | errors | p50 | p95 | p99 | p95 / login page's |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for url, r in results.items():
        lines.append(
            f"| `{url}` | {r['per_second']:.1f} | {r['errors']} | {r['p50']:.0f} ms "
            f"| {r['p95']:.0f} ms | {r['p99']:.0f} ms | {r['p95'] / trivial:.1f}× |"
        )
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the bench's PostgreSQL database.")
    server = start_server(database_url, options.port, options.workers)
    try:
        base = f"http://127.0.0.1:{options.port}"
        for url in PAGES:  # the documents into the cache
            urllib.request.urlopen(base + url, timeout=300).read()  # noqa: S310
        results = {}
        for url in PAGES:
            command = wrk_command(
                base + url,
                seconds=options.seconds,
                connections=options.connections,
                threads=options.threads,
            )
            done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
            results[url] = parse(done.stdout)
            print(url, results[url], flush=True)
            # Requests wrk left queued are still served: wait for them to drain.
            urllib.request.urlopen(base + TRIVIAL, timeout=600).read()  # noqa: S310
    finally:
        stop_server(server)
    print("\n".join(table(results)))


if __name__ == "__main__":
    main()
