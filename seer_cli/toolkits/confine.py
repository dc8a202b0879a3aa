"""Kernel confinement of the current process: Landlock fences its files, TCP and IPC; seccomp
refuses the system calls that start programs, make processes or open network sockets.

Why: the sandbox (:mod:`.sandbox`) runs Python the model wrote, and the model reads documents,
tables and tool output written by others, so an injected instruction can become code. A Python
audit hook cannot stop native code (``ctypes.CDLL(None).system(...)``); the kernel can. Both
mechanisms need no root and no helper binary, and they only ever narrow: once applied they hold
for the process and every thread it starts, until it exits.

Why ctypes and not a package: ``landlock`` on PyPI (1.0.0.dev5) is a development release that
knows file-system rights only (no TCP, no scopes); ``pyseccomp`` wraps libseccomp.so, a native
library not every machine has. What seer needs is three Landlock system calls and one BPF program
of about sixty instructions, written here against the kernel's stable ABI.

The module imports only the standard library: the sandbox's child loads it by file path and calls
:func:`confine` before any user code runs; the parent (and ``seer doctor``) asks :func:`available`
what this kernel offers. Where it offers neither (not Linux, an old kernel, Landlock left out of
the boot's LSM list, an architecture not listed in ``_ARCHES``) nothing is applied and
:func:`available` says why.
"""

from __future__ import annotations

import collections
import ctypes
import errno
import functools
import os
import stat
import sys

# --- Landlock (include/uapi/linux/landlock.h) -----------------------------------------------------
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # one number on x86_64 and aarch64
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
TRUNCATE, IOCTL_DEV = 1 << 14, 1 << 15
_FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the rights a rule on a file may hold
_FS_RIGHTS = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}  # ABI -> all it knows
_NET_TCP = 0b11  # LANDLOCK_ACCESS_NET_BIND_TCP | _CONNECT_TCP, ABI 4
_SCOPES = 0b11  # LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | _SIGNAL, ABI 6
READ = READ_FILE | READ_DIR
# Read besides the Python installation: shared libraries, time zones, and the CPU count and cgroup
# limits that glibc, OpenBLAS and duckdb look up (duckdb fails without the cgroup files).
RUNTIME = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/localtime", "/usr/share/zoneinfo",
           "/sys/devices/system/cpu", "/proc/self/cgroup", "/sys/fs/cgroup")
DEVICES = {"/dev/null": READ_FILE | WRITE_FILE | TRUNCATE, "/dev/zero": READ_FILE, "/dev/random": READ_FILE,
           "/dev/urandom": READ_FILE}


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


# --- seccomp (include/uapi/linux/seccomp.h, filter.h) ---------------------------------------------
# audit: AUDIT_ARCH_* as seccomp_data.arch reports it; seccomp: the seccomp() call; x32: the arch
# also accepts x32 calls (number | 0x40000000), refuse them all; nr: the calls the filter looks at.
# (Named tuples, not dataclasses: importing dataclasses costs the child ~15 ms per call.)
_Arch = collections.namedtuple("_Arch", "audit seccomp x32 nr")
_GENERIC = dict(  # aarch64 and the other asm-generic architectures: no fork or vfork
    execve=221, execveat=281, clone=220, clone3=435, socket=198, socketpair=199, ptrace=117,
    process_vm_readv=270, process_vm_writev=271, mount=40, umount2=39, setns=268, unshare=97,
    kexec_load=104, kexec_file_load=294, bpf=280, perf_event_open=241, keyctl=219, add_key=217,
    request_key=218, io_uring_setup=425, userfaultfd=282, personality=92, open_tree=428, move_mount=429,
    fsopen=430, fsmount=432, pidfd_getfd=438, open_by_handle_at=265, chroot=51, pivot_root=41,
    init_module=105, finit_module=273)
_ARCHES = {
    "x86_64": _Arch(0xC000003E, 317, True, dict(
        execve=59, execveat=322, fork=57, vfork=58, clone=56, clone3=435, socket=41, socketpair=53, ptrace=101,
        process_vm_readv=310, process_vm_writev=311, mount=165, umount2=166, setns=308, unshare=272,
        kexec_load=246, kexec_file_load=320, bpf=321, perf_event_open=298, keyctl=250, add_key=248,
        request_key=249, io_uring_setup=425, userfaultfd=323, personality=135, open_tree=428, move_mount=429,
        fsopen=430, fsmount=432, pidfd_getfd=438, open_by_handle_at=304, chroot=161, pivot_root=155,
        init_module=175, finit_module=313)),
    "aarch64": _Arch(0xC00000B7, 277, False, _GENERIC),
}
_ARCHES["arm64"] = _ARCHES["aarch64"]
_SPECIAL = {"clone", "clone3", "socketpair"}  # looked at by argument, not refused outright
_LD, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06  # BPF_LD|W|ABS, BPF_JMP|..|K, BPF_RET|K
_ALLOW, _ERRNO = 0x7FFF0000, 0x00050000
_CLONE_THREAD = 0x00010000
_CLONE_NEW = 0x7E020080  # CLONE_NEWNS, _NEWCGROUP, _NEWUTS, _NEWIPC, _NEWUSER, _NEWPID, _NEWNET, _NEWTIME
_AF_UNIX = 1
_SET_MODE_FILTER, _GET_ACTION_AVAIL, _FILTER_FLAG_TSYNC = 1, 2, 1
_PR_SET_NO_NEW_PRIVS = 38


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


class Support(collections.namedtuple("Support", "landlock_abi seccomp missing", defaults=("",))):
    """What this kernel offers the sandbox: the Landlock ABI (0: none), whether a seccomp filter
    can be set, and why a layer is missing. Test ``ok`` (both layers are there), not the tuple."""

    __slots__ = ()

    @property
    def ok(self) -> bool:
        return self.landlock_abi > 0 and self.seccomp

    def __str__(self) -> str:
        have = ([f"landlock ABI {self.landlock_abi}"] if self.landlock_abi else []) + (["seccomp"] if self.seccomp else [])
        text = " + ".join(have) or "no kernel confinement"
        return f"{text} ({self.missing})" if self.missing else text


@functools.cache
def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def _syscall(nr: int, *args) -> int:
    """``syscall(2)``; ints go as longs (a variadic int's upper half is garbage); -1 raises OSError."""
    result = _libc().syscall(ctypes.c_long(nr), *(ctypes.c_long(a) if isinstance(a, int) else a for a in args))
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return result


def _machine() -> str:
    return os.uname().machine  # as platform.machine(), without importing platform in the child


@functools.cache
def available() -> Support:
    """Probe, without applying anything, which of Landlock and seccomp this process could use."""
    if sys.platform != "linux":
        return Support(0, False, f"not Linux: {sys.platform}")
    arch = _ARCHES.get(_machine())
    if arch is None:
        return Support(0, False, f"unknown architecture {_machine()}")
    missing = []
    try:
        abi = _syscall(_CREATE_RULESET, None, 0, _CREATE_RULESET_VERSION)
    except OSError as e:
        abi = 0
        missing.append(f"no Landlock: {e.strerror}")
    try:
        _syscall(arch.seccomp, _GET_ACTION_AVAIL, 0, ctypes.byref(ctypes.c_uint32(_ERRNO)))
        seccomp = True
    except OSError as e:
        seccomp = False
        missing.append(f"no seccomp filter: {e.strerror}")
    return Support(abi, seccomp, "; ".join(missing))


def confine(write_dir: str, read_paths=()) -> Support:
    """Confine this process, for good, to writing ``write_dir`` and reading the Python runtime
    and ``read_paths``; no new programs, processes or network sockets.

    Call it while the process has one thread (Landlock binds the calling thread and what it
    starts). Raises OSError when the kernel refuses a step it offers.
    """
    support = available()
    if not (support.landlock_abi or support.seccomp):
        return support
    threads = len(os.listdir("/proc/self/task"))
    if threads != 1:
        raise OSError(f"confine: the process has {threads} threads, not 1")
    if _libc().prctl(ctypes.c_int(_PR_SET_NO_NEW_PRIVS), *(ctypes.c_ulong(a) for a in (1, 0, 0, 0))) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if support.landlock_abi:
        _landlock(support.landlock_abi, write_dir, [*runtime_paths(), *read_paths])
    if support.seccomp:
        _seccomp(_ARCHES[_machine()])
    return support


def runtime_paths() -> list[str]:
    """What Python reads to run and import: its installation, ``sys.path``, the directories of the
    shared libraries it has loaded, and the few system files the C library opens."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *sys.path, *RUNTIME}
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
        for line in f:
            fields = line.split(maxsplit=5)
            path = fields[5].rstrip() if len(fields) == 6 else ""
            if path.startswith("/") and ".so" in os.path.basename(path) and not path.endswith("(deleted)"):
                paths.add(os.path.dirname(path))
    return sorted(p for p in paths if p and os.path.isabs(p) and os.path.realpath(p) != "/")


def _landlock(abi: int, write_dir: str, read_paths: list[str]) -> None:
    handled = _FS_RIGHTS[max(k for k in _FS_RIGHTS if k <= abi)]
    attr = _RulesetAttr(handled, _NET_TCP if abi >= 4 else 0, _SCOPES if abi >= 6 else 0)
    ruleset = _syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.sizeof(attr), 0)
    try:
        for path in read_paths:
            _allow(ruleset, path, (READ | EXECUTE) & handled)
        for path, rights in DEVICES.items():
            _allow(ruleset, path, rights & handled)
        _allow(ruleset, write_dir, handled & ~EXECUTE)
        _syscall(_RESTRICT_SELF, ruleset, 0)
    finally:
        os.close(ruleset)


def _allow(ruleset: int, path: str, rights: int) -> None:
    """Grant ``rights`` beneath ``path``; a path that is missing or unreachable grants nothing."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= _FILE_ONLY
        rule = _PathBeneath(rights, fd)
        _syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0)
    finally:
        os.close(fd)


def _jump(op: int, k: int, jt: int, jf: int) -> tuple[int, int, int, int]:
    return (op, jt, jf, k)  # struct sock_filter's order: code, jt, jf, k


def _ret(k: int) -> tuple[int, int, int, int]:
    return (_RET, 0, 0, k)


def _filter(arch: _Arch) -> list[tuple[int, int, int, int]]:
    """The BPF program: wrong arch or a refused call -> EPERM; clone3 -> ENOSYS (glibc then uses
    clone, which is checked by its flags); everything else is allowed."""
    deny, load_nr, load_arg0 = _ret(_ERRNO | errno.EPERM), (_LD, 0, 0, 0), (_LD, 0, 0, 16)  # seccomp_data offsets
    prog = [(_LD, 0, 0, 4), _jump(_JEQ, arch.audit, 1, 0), deny, load_nr]
    if arch.x32:
        prog += [_jump(_JGE, 0x40000000, 0, 1), deny]
    for name, nr in arch.nr.items():
        if name not in _SPECIAL:
            prog += [_jump(_JEQ, nr, 0, 1), deny]
    prog += [_jump(_JEQ, arch.nr["clone3"], 0, 1), _ret(_ERRNO | errno.ENOSYS)]
    # clone: a thread (CLONE_THREAD) in no new namespace passes; a process does not.
    prog += [_jump(_JEQ, arch.nr["clone"], 0, 5), load_arg0, _jump(_JSET, _CLONE_THREAD, 0, 2),
             _jump(_JSET, _CLONE_NEW, 1, 0), _ret(_ALLOW), deny]
    # socketpair: AF_UNIX only (asyncio, multiprocessing.Pipe); socket() is refused above for every
    # family, AF_UNIX included, since a named socket (nscd, a desktop bus) reaches outside.
    prog += [_jump(_JEQ, arch.nr["socketpair"], 0, 4), load_arg0, _jump(_JEQ, _AF_UNIX, 0, 1), _ret(_ALLOW), deny]
    return prog + [_ret(_ALLOW)]


def _seccomp(arch: _Arch) -> None:
    prog = _filter(arch)
    code = (_SockFilter * len(prog))(*(_SockFilter(*ins) for ins in prog))
    fprog = _SockFprog(len(prog), code)
    if _syscall(arch.seccomp, _SET_MODE_FILTER, _FILTER_FLAG_TSYNC, ctypes.byref(fprog)) != 0:
        raise OSError("seccomp: another thread could not be synchronised")
