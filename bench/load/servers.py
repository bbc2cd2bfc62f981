"""The two servers under test: started, stopped, and measured from /proc.

Each is its own uvicorn process on a free loopback port, in its own process group, so
that stopping it stops every process it started. CPU time and memory are read for the
whole process tree: a server that forks workers or a process pool is still measured whole.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .client import HOST

ROOT = Path(__file__).resolve().parents[2]
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def process_tree(pid: int) -> list[int]:
    """The pid and its live descendants: a server that forks workers or a process pool
    for training is still measured whole."""
    pids, index = [pid], 0
    while index < len(pids):
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pids[index]}/task").iterdir():
                pids += [int(child) for child in (task / "children").read_text().split()]
        index += 1
    return pids


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process tree (all threads, live descendants and reaped children),
    from /proc/PID/stat."""
    total = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            # utime, stime, cutime, cstime: fields 14 to 17 of proc_pid_stat(5).
            total += sum(int(value) for value in fields[11:15])
    return total / TICKS


def proc_rss_mib(pid: int) -> float:
    """VmRSS summed over the process tree, in MiB."""
    total_kib = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
    return total_kib / 1024


def frame_batches(port: int) -> tuple[float, float, float] | None:
    """(batches, frames, CPU seconds) of the frames the app has computed so far (/metrics).

    None for a server without these metrics (the reference trains nothing).
    """
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            text = answer.read().decode()
    except (OSError, ValueError):
        return None
    names = {
        "phaselab_frame_batch_size_count": "count",
        "phaselab_frame_batch_size_sum": "sum",
        "phaselab_frame_compute_seconds_total": "cpu",
    }
    values = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name in names:
            values[names[name]] = float(value)
    if len(values) < len(names):
        return None
    return values["count"], values["sum"], values["cpu"]


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle, from /proc/stat: shows others' load too."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICKS


class Server:
    """One uvicorn process on a free loopback port, in its own process group."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT
    ) -> None:
        self.name = name
        self.cwd = cwd
        self.port = free_port()
        self.argv = [arg.replace("{port}", str(self.port)) for arg in argv]
        self.env = {key: value.replace("{port}", str(self.port)) for key, value in env.items()}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def exited(self) -> str | None:
        """None while it runs; else how it ended, with the end of its log."""
        if self.process is None or self.process.poll() is None:
            return None
        tail = self.log.read_text(errors="replace")[-1500:]
        return f"{self.name} exited with code {self.process.returncode}:\n{tail}"

    def start(self) -> None:
        # Logs go to a file, never a pipe nobody reads: a full pipe would stall the server.
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log.read_text()[-2000:]}")
            if _healthy(self.port):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer /healthz within 30 s")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _healthy(port: int) -> bool:
    """Whether the server on this port answers /healthz with 200."""
    try:
        with socket.create_connection((HOST, port), timeout=0.5) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return sock.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def app_server(data_dir: Path, app_root: Path, extra_env: list[str]) -> Server:
    """The app as ``python -m app``, on a temporary data folder, its stream cap lifted
    unless ``extra_env`` (KEY=VALUE items) says otherwise."""
    env = {
        **os.environ,
        "PHASELAB_HOST": HOST,
        "PHASELAB_PORT": "{port}",
        "PHASELAB_DATA_DIR": str(data_dir / "data"),
        "PHASELAB_MAX_LIVE_STREAMS": "1000",
        **dict(item.split("=", 1) for item in extra_env),
    }
    argv = [sys.executable, "-m", "app"]
    return Server("app", argv, env, data_dir / "app.log", app_root.resolve())


def reference_server(data_dir: Path) -> Server:
    """bench/reference_server.py: the same API with canned payloads, training nothing."""
    script = ROOT / "bench" / "reference_server.py"
    argv = [sys.executable, str(script), "--port", "{port}"]
    return Server("reference", argv, {**os.environ}, data_dir / "reference.log")
