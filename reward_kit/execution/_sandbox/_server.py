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

import base64
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
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:  # at run time the collector's source is prepended to this script
    from reward_kit.execution._sandbox._collect import Collector

Job = dict[str, Any]
WARM_UP = """
import sys
def f(xs: list[int], *args, key=None, **kwargs) -> dict:
    total = sum(x * 2 for x in xs if x % 2 == 0) + len([y for y in args]) + len({**kwargs})
    try:
        return {k: v for k, v in zip(map(str, xs), xs)} | {"t": total, "s": f"{total:>4}"}
    except (ValueError, KeyError) as error:
        raise RuntimeError(str(error)) from error
class C:
    def __init__(self, a: int = 0) -> None:
        self.a = a
    @property
    def b(self) -> int:
        return self.a
assert f([1, 2, 3], 4, x=5)["t"] == 6 and C(1).b == 1
"""

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


class CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


def drop_capabilities() -> None:
    """Clear every capability the monitor needed for mounting (version 3 capset, 2 words)."""
    data = (ctypes.c_uint32 * 6)()
    check(LIBC.capset(ctypes.byref(CapHeader(0x20080522, 0)), data), "capset")


def build_job_filesystem(job: Job) -> str:
    """Private /work, /tmp and /dev/shm for this job; other jobs, cgroups and /proc vanish."""
    check(LIBC.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC), "unshare")
    check(LIBC.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
    for private in ("/work", "/tmp", "/dev/shm"):
        mount_tmpfs(private, job["limits"]["disk_mb"])
    write_files("/work", job["files"], None)
    for hidden in ("/jobs", "/cgroup", "/proc"):
        if os.path.isdir(hidden):
            mount_tmpfs(hidden, 0, MS_RDONLY | MS_NOEXEC)
    return "/work"


def write_files(directory: str, files: dict[str, str], owner: int | None) -> None:
    """Write the job's program and files (base64) into its directory, owned by ``owner``."""
    for name, content in files.items():
        path = os.path.join(directory, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as file:
            file.write(base64.b64decode(content))
    if owner is not None:
        for root, dirs, names in os.walk(directory):
            for name in [*dirs, *names]:
                os.chown(os.path.join(root, name), owner, owner)
        os.chown(directory, owner, owner)


def open_stdio(job_dir: str, stdin: str) -> list[int]:
    """The job's stdin, stdout and stderr files, in a directory the job never sees."""
    os.mkdir(job_dir, 0o711)  # rlimits mode: the job user may pass through to its in/ only
    stdin_path = os.path.join(job_dir, "stdin")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    with open(os.open(stdin_path, flags, 0o600), "w", encoding="utf-8") as file:
        file.write(stdin)
    return [
        os.open(stdin_path, os.O_RDONLY),
        os.open(os.path.join(job_dir, "stdout"), flags, 0o644),
        os.open(os.path.join(job_dir, "stderr"), flags, 0o644),
    ]


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
    if job["cgroup_procs"]:
        os.read(go_reader, 1)  # the monitor has moved this process into the job's cgroups
    for target, fd in enumerate(stdio):
        os.dup2(fd, target)
    workdir = job["workdir"]
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
        stdio = open_stdio(job["dir"], job["stdin"])
        # Opened now: in bwrap mode /jobs is hidden from this process once /work is built.
        report_fd = open_report(job["dir"]) if job.get("collect") else None
        cgroup_fds = [os.open(path, os.O_WRONLY) for path in job["cgroup_procs"]]
        if job["limits"]["count_processes_of_uid"] is not None:
            uid = job["limits"]["count_processes_of_uid"]
            job["limits"]["processes"] += count_processes_of(uid)
        if NAMESPACES:
            job["workdir"] = build_job_filesystem(job)
        else:
            job["workdir"] = os.path.join(job["dir"], "in")
            os.mkdir(job["workdir"], 0o700)
            write_files(job["workdir"], job["files"], CONFIG.get("drop_to_uid"))
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
        outcome = wait_with_deadline(pid, started, job["limits"]["timeout_s"])
        if report_fd is not None:
            with contextlib.suppress(Exception):  # the host reports a missing report
                collect_outputs(job, report_fd)
        # Read only now: a setup failure was written before the job exited, and not waiting
        # for the job to finish its setup saves a round trip through the scheduler.
        setup_failure = read_available(setup_reader)
        if setup_failure:
            outcome = {"setup_error": setup_failure.decode(errors="replace")}
    except BaseException as error:
        outcome = {"setup_error": f"{type(error).__name__}: {error}"[:2000]}
    line = (json.dumps(dict(outcome, id=job["id"])) + "\n").encode()
    os._exit(0 if os.write(1, line) == len(line) else 1)


def open_report(job_dir: str) -> int:
    """The file the collected outputs go to (the job process closes it before it starts)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    return os.open(os.path.join(job_dir, "collected.json"), flags, 0o600)


def collect_outputs(job: Job, report_fd: int) -> None:
    """Copy the files the finished job wrote (as data) to its directory for the host.

    Runs after the job's process tree is gone (bwrap: its PID namespace died with it), in the
    monitor's mount namespace, the only place the job's private ``/work`` still exists.
    """
    spec = job["collect"]
    collector = Collector(spec, frozenset(spec.get("exclude", ())))
    collector.walk(job["workdir"])
    encoded = {name: base64.b64encode(data).decode() for name, data in collector.files.items()}
    report = json.dumps({"files": encoded, "skipped": collector.skipped}).encode()
    with open(report_fd, "wb") as file:
        file.write(report)


def read_available(fd: int) -> bytes:
    """What is in a pipe whose writers may still be open (a job's daemon could hold one)."""
    os.set_blocking(fd, False)
    try:
        return os.read(fd, 4096)
    except BlockingIOError:
        return b""


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
    # The first compile() in a process sets up compiler state; do it once here, not per job.
    exec(compile(WARM_UP, "warm_up.py", "exec"), {"__name__": "warm_up"})
    gc.freeze()  # keep the server's objects out of the children's collections: fewer COW copies
    check(LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
    if not NAMESPACES:
        check(LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "subreaper")
    try:
        Server().serve()
    except BrokenPipeError:
        sys.exit(0)
