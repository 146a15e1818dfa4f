"""The fork-server: a single-threaded Python process that forks one sandboxed child per job.

This file runs as a standalone script (``python -I -S -c <source> <config>``), inside the bwrap
sandbox or, in rlimits mode, as a plain process with an empty environment. It imports only the
standard library and holds no secrets, so a forked child inherits nothing worth stealing.

Protocol: one JSON object per line on stdin (a job), one JSON object per line on stdout (its
outcome, written by the job's monitor). For each job the server forks a *monitor*, which (in
bwrap mode) enters fresh mount and PID namespaces, builds the job's private ``/work`` and
``/tmp``, hides every other job and ``/proc``, forks the *job process* (PID 1 of its namespace,
so killing it tears down everything it started), attaches it to its cgroups, enforces the
wall-clock limit and reports how it ended.
The verdict is left to the host, which only trusts the exit status and the output files.
"""

import contextlib
import ctypes
import gc
import io
import json
import os
import resource
import selectors
import signal
import sys
import time
import traceback
import types
from typing import Any, NoReturn

Job = dict[str, Any]

CLONE_NEWNS = 0x00020000
CLONE_NEWPID = 0x20000000
CLONE_NEWIPC = 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 1 << 14, 1 << 18
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 36, 38
LIBC = ctypes.CDLL(None, use_errno=True)
CONFIG = json.loads(sys.argv[1])
NAMESPACES = CONFIG["mode"] == "bwrap"


def check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def mount_tmpfs(target: str, size_mb: int, flags: int = 0) -> None:
    options = f"size={size_mb}m,mode=0755".encode() if size_mb else b"size=4k,mode=0555"
    flags |= MS_NOSUID | MS_NODEV
    check(LIBC.mount(b"tmpfs", target.encode(), b"tmpfs", flags, options), f"mount {target}")


def drop_capabilities() -> None:
    """Clear every capability the monitor needed for mounting (version 3 capset, 2 words)."""

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    data = (ctypes.c_uint32 * 6)()
    check(LIBC.capset(ctypes.byref(Header(0x20080522, 0)), data), "capset")


def build_job_filesystem(job_dir: str, limits: dict[str, Any]) -> None:
    """Private /work, /tmp and /dev/shm for this job; other jobs, cgroups and /proc vanish."""
    check(LIBC.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC), "unshare")
    check(LIBC.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
    for private in ("/work", "/tmp", "/dev/shm"):
        mount_tmpfs(private, limits["disk_mb"])
    copy_tree(os.path.join(job_dir, "in"), "/work")
    for hidden in ("/jobs", "/cgroup", "/proc"):
        if os.path.isdir(hidden):
            mount_tmpfs(hidden, 0, MS_RDONLY | MS_NOEXEC)


def copy_tree(source: str, target: str) -> None:
    for name in os.listdir(source):
        src, dst = os.path.join(source, name), os.path.join(target, name)
        if os.path.isdir(src):
            os.mkdir(dst)
            copy_tree(src, dst)
        else:
            with open(src, "rb") as reader, open(dst, "wb") as writer:
                writer.write(reader.read())


def apply_limits(limits: dict[str, Any]) -> None:
    cpu = int(limits["timeout_s"]) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    address_space = limits["address_space_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"]))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"], limits["open_files"]))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def count_processes_of(uid: int) -> int:
    """Processes of ``uid`` visible now: RLIMIT_NPROC counts them all, so the cap adds to it."""
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                count += os.stat(f"/proc/{entry}").st_uid == uid
    return count


def job_process(job: Job, go_reader: int, setup_writer: int, stdio: list[int]) -> None:
    """Runs in the job's process: wait for the monitor, lock down, then run the code.

    Any failure before the candidate's code starts is written to ``setup_writer`` so the host
    reports ``sandbox_error`` rather than blaming the candidate.
    """
    try:
        prepare_job_process(job, go_reader, setup_writer, stdio)
    except BaseException as error:
        os.write(setup_writer, f"{type(error).__name__}: {error}".encode())
        os._exit(127)
    if job["argv"]:
        try:
            os.execve(job["argv"][0], job["argv"], job["env"])
        except OSError as error:
            os.write(setup_writer, f"cannot start {job['argv'][0]}: {error}".encode())
            os._exit(127)
    os.close(setup_writer)
    run_python(os.getcwd(), job["env"])


def prepare_job_process(job: Job, go_reader: int, setup_writer: int, stdio: list[int]) -> None:
    os.read(go_reader, 1)
    for target, fd in enumerate(stdio):
        os.dup2(fd, target)
    workdir = "/work" if NAMESPACES else os.path.join(job["dir"], "in")
    os.chdir(workdir)
    os.setsid()
    if NAMESPACES:
        drop_capabilities()
    else:
        if CONFIG.get("drop_to_uid") is not None:
            os.setgroups([])
            os.setgid(CONFIG["drop_to_uid"])
            os.setuid(CONFIG["drop_to_uid"])
    check(LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    apply_limits(job["limits"])
    os.closerange(3, setup_writer)
    os.closerange(setup_writer + 1, 65536)
    job["env"].update(HOME=workdir, PWD=workdir)
    if not NAMESPACES:
        job["env"]["TMPDIR"] = workdir
    if job["argv"]:
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def run_python(workdir: str, env: dict[str, str]) -> NoReturn:
    """Run ``main.py`` in this already-started interpreter (the fork-server's ``-I -S`` one)."""
    os.environ.clear()
    os.environ.update(env)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )
    path = os.path.join(workdir, "main.py")
    sys.argv, sys.path[0:0] = [path], [workdir]
    module = types.ModuleType("__main__")
    module.__file__ = path
    sys.modules["__main__"] = module
    code = 0
    try:
        with open(path, encoding="utf-8") as source:
            exec(compile(source.read(), path, "exec"), module.__dict__)
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            code = stop.code or 0
        else:
            print(stop.code, file=sys.stderr)
            code = 1
    except BaseException as error:
        frames = error.__traceback__
        traceback.print_exception(type(error), error, frames and frames.tb_next)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            code = code or 120
    os._exit(code & 0xFF)


def monitor(job: Job) -> NoReturn:
    """Runs in the per-job monitor process; writes the job's outcome line to the host itself.

    The line goes straight to the server's stdout (one ``write`` below ``PIPE_BUF`` bytes, so
    lines from concurrent monitors never interleave), saving a hop through the server.
    """
    outcome: dict[str, Any] = {}
    try:
        check(LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
        stdio = [
            os.open(os.path.join(job["dir"], "stdin"), os.O_RDONLY),
            os.open(os.path.join(job["dir"], "stdout"), os.O_WRONLY),
            os.open(os.path.join(job["dir"], "stderr"), os.O_WRONLY),
        ]
        cgroup_fds = [os.open(path, os.O_WRONLY) for path in job["cgroup_procs"]]
        if job["limits"]["count_processes_of_uid"] is not None:
            uid = job["limits"]["count_processes_of_uid"]
            job["limits"]["processes"] += count_processes_of(uid)
        if NAMESPACES:
            build_job_filesystem(job["dir"], job["limits"])
        go_reader, go_writer = os.pipe()
        setup_reader, setup_writer = os.pipe()
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            try:
                job_process(job, go_reader, setup_writer, stdio)
            finally:
                os._exit(127)
        os.close(setup_writer)
        for fd in cgroup_fds:
            os.write(fd, str(pid).encode())
        os.write(go_writer, b"g")
        setup_failure = read_all(setup_reader)
        outcome = wait_with_deadline(pid, started, job["limits"]["timeout_s"])
        if setup_failure:
            outcome = {"setup_error": setup_failure.decode(errors="replace")}
    except BaseException as error:
        outcome = {"setup_error": f"{type(error).__name__}: {error}"[:2000]}
    line = (json.dumps(dict(outcome, id=job["id"])) + "\n").encode()
    os._exit(0 if os.write(1, line) == len(line) else 1)


def read_all(fd: int) -> bytes:
    data = b""
    while chunk := os.read(fd, 4096):
        data += chunk
    return data


def wait_with_deadline(pid: int, started: float, timeout_s: float) -> dict[str, Any]:
    pidfd = os.pidfd_open(pid)
    poller = selectors.DefaultSelector()
    poller.register(pidfd, selectors.EVENT_READ)
    timed_out = not poller.select(timeout_s)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status, usage = os.wait4(pid, 0)
    duration = time.monotonic() - started
    if not NAMESPACES:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    return {
        "exit_code": os.waitstatus_to_exitcode(status),
        "timed_out": timed_out,
        "duration_s": duration,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "max_rss_kb": usage.ru_maxrss,
    }


class Server:
    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.pending = b""
        self.monitors: dict[int, tuple[str, int]] = {}

    def start_job(self, job: Job) -> None:
        pid = os.fork()
        if pid == 0:
            monitor(job)
        pidfd = os.pidfd_open(pid)
        self.monitors[pidfd] = (job["id"], pid)
        self.selector.register(pidfd, selectors.EVENT_READ)

    def finish_job(self, pidfd: int) -> None:
        job_id, pid = self.monitors.pop(pidfd)
        self.selector.unregister(pidfd)
        os.close(pidfd)
        _, status = os.waitpid(pid, 0)
        if status != 0:  # it died before writing its outcome
            self.reply({"id": job_id, "setup_error": f"job monitor died (wait status {status})"})
        sweep_orphans({pid for _, pid in self.monitors.values()})

    def reply(self, message: dict[str, Any]) -> None:
        line = (json.dumps(message) + "\n").encode()
        while line:
            line = line[os.write(1, line) :]

    def serve(self) -> None:
        self.selector.register(0, selectors.EVENT_READ)
        self.reply({"ready": True, "pid": os.getpid()})
        while True:
            for key, _ in self.selector.select(None if NAMESPACES else 0.5):
                if key.fd != 0:
                    self.finish_job(key.fd)
                    continue
                chunk = os.read(0, 1 << 16)
                if not chunk:
                    return
                self.pending += chunk
                *lines, self.pending = self.pending.split(b"\n")
                for line in lines:
                    self.start_job(json.loads(line))
            if not NAMESPACES:
                sweep_orphans({pid for _, pid in self.monitors.values()})


def sweep_orphans(monitor_pids: set[int]) -> None:
    """Kill processes re-parented to this server (daemons that escaped a job in rlimits mode)."""
    if NAMESPACES:
        return
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as children:
                pids = [int(pid) for pid in children.read().split()]
        except OSError:
            return
        for pid in pids:
            if pid not in monitor_pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, os.WNOHANG)
                except (ProcessLookupError, ChildProcessError):
                    pass


if __name__ == "__main__":
    for module in CONFIG.get("preload", ()):
        __import__(module)
    gc.freeze()  # keep the server's objects out of the children's collections: fewer COW copies
    check(LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
    if not NAMESPACES:
        check(LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "subreaper")
    try:
        Server().serve()
    except BrokenPipeError:
        sys.exit(0)
