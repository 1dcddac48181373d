"""A bounded load test of ``glyce-allennlp serve`` on this machine.

    python -m glyce_allennlp.serve.loadtest ARCHIVE [ARCHIVE ...] [--model NAME | --pipeline]
        [--clients 8] [--requests 400] [--time-limit 120] [--lines-per-request 1] [--lines-file FILE]
    python -m glyce_allennlp.serve.loadtest --url http://127.0.0.1:8000 ...   (a server already running here)

With archives, it starts ``python -m glyce_allennlp.serve`` on a free port of 127.0.0.1, waits until ``/health``
answers, runs the load, and stops the server. ``--clients`` concurrent clients send ``--requests`` requests in all
(``POST /predict/<model>`` or ``POST /pipeline``, each with ``--lines-per-request`` lines cycled from the lines file
or a few built-in sentences), one after another per client. It stops by itself: after the request count, or at
``--time-limit`` seconds (requests not started by then are counted as ``not_sent``; one in flight waits at most
``--timeout`` seconds). Only loopback addresses are accepted as a target.

Report (printed, and as JSON with ``--json``): requests sent / answered 200 / other statuses / lost (no answer:
connection error or timeout) / not sent, wall time, throughput (answered requests per second) and latency
percentiles (p50, p90, p99, max, in milliseconds, of the requests answered 200). Exit status 0 only when every
request was sent and answered 200.
"""
import argparse
import asyncio
import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
from typing import Dict, List, Optional
from urllib.parse import urlparse

DEFAULT_LINES = ["张伟今天在北京工作。", "王鑫在上海参观了人民日报。", "李娜是清华大学的老师。",
                 "2019年张伟用iPhone拍了3张照片。", "这家酒店的服务非常好，值得推荐。"]
STARTUP_TIMEOUT = 600.0  # seconds for the server to load its archives


def is_loopback_url(url: str) -> bool:
    """True when every address the URL's host resolves to is a loopback address (127.0.0.0/8, ::1)."""
    host = urlparse(url).hostname
    if not host:
        return False
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def percentile(sorted_values: List[float], q: float) -> Optional[float]:
    """Nearest-rank percentile (``q`` in 0..100) of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil(n * q / 100), at least 1
    return sorted_values[int(rank) - 1]


def request_body(task: str, lines: List[str]) -> Dict:
    if task == "pair":
        return {"pairs": [line.split("\t", 1) for line in lines]}
    return {"lines": lines}


async def run_load(url: str, path: str, task: str, lines: List[str], clients: int, requests: int,
                   time_limit: float, lines_per_request: int = 1, timeout: float = 60.0) -> Dict:
    """Send ``requests`` requests from ``clients`` concurrent clients to ``url + path``; the report (see the module
    docstring)."""
    import httpx

    if not is_loopback_url(url):
        raise ValueError(f"{url}: the load test only sends requests to this machine (a loopback address)")
    bodies = [request_body(task, [lines[(i * lines_per_request + k) % len(lines)] for k in range(lines_per_request)])
              for i in range(requests)]
    next_request = iter(range(requests))
    latencies: List[float] = []
    statuses: Dict[str, int] = {}
    lost: List[str] = []
    sent = 0
    started = time.perf_counter()
    deadline = started + time_limit

    async def client(http: "httpx.AsyncClient") -> None:
        nonlocal sent
        for i in next_request:
            if time.perf_counter() >= deadline:
                return
            sent += 1
            begin = time.perf_counter()
            try:
                response = await http.post(path, json=bodies[i])
            except httpx.HTTPError as error:
                lost.append(f"{type(error).__name__}: {error}")
                continue
            statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
            if response.status_code == 200:
                latencies.append(time.perf_counter() - begin)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits, trust_env=False) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    wall = time.perf_counter() - started
    latencies.sort()
    answered = statuses.get("200", 0)
    milliseconds = {name: None if value is None else round(value * 1000, 1) for name, value in (
        ("p50", percentile(latencies, 50)), ("p90", percentile(latencies, 90)), ("p99", percentile(latencies, 99)),
        ("max", latencies[-1] if latencies else None))}
    return {"target": url + path, "clients": clients, "requests": requests, "lines_per_request": lines_per_request,
            "sent": sent, "answered_200": answered, "statuses": statuses, "lost": len(lost),
            "lost_examples": lost[:5], "not_sent": requests - sent, "wall_s": round(wall, 3),
            "throughput_rps": round(answered / wall, 2) if wall > 0 else None,
            "lines_per_s": round(answered * lines_per_request / wall, 2) if wall > 0 else None,
            "latency_ms": milliseconds}


def passed(report: Dict) -> bool:
    return report["not_sent"] == 0 and report["lost"] == 0 and report["answered_200"] == report["requests"]


def wait_for_server(url: str, process: subprocess.Popen, timeout: float = STARTUP_TIMEOUT) -> Dict:
    """``/health`` of a starting server, once it answers (raises if the process exits or ``timeout`` passes)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before answering")
        try:
            response = httpx.get(url + "/health", timeout=2.0, trust_env=False)
            if response.status_code == 200:
                return response.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"the server did not answer {url}/health within {timeout:.0f} s")


def serve_command(archives: List[str], port: int) -> List[str]:
    """``python -m glyce_allennlp.serve ARCHIVE ... --host 127.0.0.1 --port PORT``."""
    return [sys.executable, "-m", "glyce_allennlp.serve", *archives, "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning"]


def start_server(command: List[str]) -> subprocess.Popen:
    """The server command in a subprocess (its output goes to this process's stderr)."""
    return subprocess.Popen(command, stdout=sys.stderr, stderr=sys.stderr, env=dict(os.environ))


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def target(url: str, model: Optional[str], pipeline: bool) -> tuple:
    """``(path, task)`` of the requests: ``/pipeline``, or ``/predict/<model>`` (default: the first model)."""
    import httpx

    if pipeline:
        return "/pipeline", "pipeline"
    models = httpx.get(url + "/models", timeout=10.0, trust_env=False).json()["models"]
    chosen = next((m for m in models if model is None or m["name"] == model), None)
    if chosen is None:
        raise ValueError(f"no model named {model!r} on {url} (there: {', '.join(m['name'] for m in models)})")
    if chosen["task"] == "srl":
        raise ValueError("the load test sends text lines; an SRL model takes CoNLL-2009 sentences")
    return f"/predict/{chosen['name']}", chosen["task"]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m glyce_allennlp.serve.loadtest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("archives", nargs="*", metavar="ARCHIVE", help="start a server with these (or use --url)")
    parser.add_argument("--url", default=None, help="a running server on this machine, e.g. http://127.0.0.1:8000")
    parser.add_argument("--model", default=None, help="model name (default: the server's first model)")
    parser.add_argument("--pipeline", action="store_true", help="POST /pipeline instead of /predict/<model>")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds; no request starts after it")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one request may take")
    parser.add_argument("--lines-per-request", type=int, default=1)
    parser.add_argument("--lines-file", default=None, help="UTF-8 lines to send (pair models: s1<TAB>s2)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if bool(args.archives) == bool(args.url):
        parser.error("give either archives (a server is started) or --url (a running server)")
    if min(args.clients, args.requests, args.lines_per_request) < 1 or args.time_limit <= 0:
        parser.error("--clients, --requests, --lines-per-request and --time-limit must be positive")
    if args.url and not is_loopback_url(args.url):
        parser.error(f"{args.url}: the load test only sends requests to this machine (a loopback address)")
    lines = DEFAULT_LINES
    if args.lines_file:
        with open(args.lines_file, encoding="utf-8") as f:
            lines = [line.rstrip("\r\n") for line in f if line.strip()]
    process = None
    url = args.url.rstrip("/") if args.url else None
    try:
        if url is None:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            process = start_server(serve_command(args.archives, port))
            wait_for_server(url, process)
        path, task = target(url, args.model, args.pipeline)
        report = asyncio.run(run_load(url, path, task, lines, args.clients, args.requests, args.time_limit,
                                      args.lines_per_request, args.timeout))
    finally:
        if process is not None:
            stop_server(process)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        latency = report["latency_ms"]
        print(f"{report['target']}: {report['clients']} clients, {report['sent']}/{report['requests']} requests sent, "
              f"{report['answered_200']} answered 200, statuses {report['statuses']}, lost {report['lost']}, "
              f"not sent {report['not_sent']}; {report['wall_s']} s, {report['throughput_rps']} requests/s; "
              f"latency p50 {latency['p50']} ms, p90 {latency['p90']} ms, p99 {latency['p99']} ms, "
              f"max {latency['max']} ms")
    return 0 if passed(report) else 1


if __name__ == "__main__":
    sys.exit(main())
