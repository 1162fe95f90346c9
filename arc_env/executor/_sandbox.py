"""Kernel-level confinement of an executor worker (Linux): rlimits, Landlock, seccomp, capabilities.

This module runs inside the worker process, before any untrusted code, and must import nothing but
the standard library (the worker starts as a plain script). Every layer is applied when the kernel
offers it; :func:`apply` reports which ones are active so the parent can say what holds.

What each layer guarantees once applied (it cannot be undone by the process):

- **rlimits**: address space capped (memory), no core files, file size and open files bounded. (No
  CPU-time limit: workers are long-lived; the parent's wall-clock deadline bounds each input.)
- **Landlock** (Linux >= 5.13): files can be created, written, truncated, renamed or removed only
  under the worker's private temporary directory (reading stays allowed); with ABI >= 4, TCP bind
  and connect are refused; with ABI >= 6, signals to processes outside the sandbox (the caller) and
  abstract UNIX sockets are refused. Landlock also forbids ptrace of processes outside the domain.
- **seccomp** (x86_64 and aarch64): no new processes (fork, vfork, clone without CLONE_THREAD,
  clone3), no execve, no sockets, no kill/tgkill of other processes, no ptrace or cross-process
  memory access, no raising of rlimits, no chmod/chown/xattr changes, no mount/namespace/module/
  reboot/bpf/io_uring/perf calls. Denied calls fail with EPERM (ENOSYS for clone3, so the C library
  falls back to clone, which the filter can inspect).
- **capabilities**: all dropped, from the bounding set too (matters when the caller runs as root).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import struct
import sys

# --------------------------------------------------------------------------------------- rlimits


def _set_limit(which: int, soft: int, hard: int | None = None) -> None:
    hard = soft if hard is None else hard
    _, cur_hard = resource.getrlimit(which)
    if cur_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, cur_hard), min(hard, cur_hard)
    resource.setrlimit(which, (soft, hard))


def _virtual_memory_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def apply_rlimits(memory_mb: int | None, max_file_mb: int = 16) -> list[str]:
    """Cap address space (current size + ``memory_mb``), file size, open files, core files."""
    done = []
    _set_limit(resource.RLIMIT_CORE, 0)
    _set_limit(resource.RLIMIT_FSIZE, max_file_mb * 2**20)
    nofile = (
        max(256, len(os.listdir("/proc/self/fd")) + 64) if os.path.isdir("/proc/self/fd") else 256
    )
    _set_limit(resource.RLIMIT_NOFILE, nofile)
    done.append("rlimits")
    if memory_mb is not None and sys.platform.startswith("linux"):
        _set_limit(resource.RLIMIT_AS, _virtual_memory_bytes() + memory_mb * 2**20)
        done.append("memory")
    return done


# ------------------------------------------------------------------------------- syscall plumbing

_ARCH = platform.machine()
_SYSCALLS = {
    # name: (x86_64, aarch64); None where the architecture has no such call.
    "fork": (57, None),
    "vfork": (58, None),
    "clone": (56, 220),
    "clone3": (435, 435),
    "execve": (59, 221),
    "execveat": (322, 281),
    "socket": (41, 198),
    "kill": (62, 129),
    "tkill": (200, 130),
    "tgkill": (234, 131),
    "pidfd_send_signal": (424, 424),
    "rt_sigqueueinfo": (129, 138),
    "rt_tgsigqueueinfo": (297, 240),
    "ptrace": (101, 117),
    "process_vm_readv": (310, 270),
    "process_vm_writev": (311, 271),
    "setrlimit": (160, 164),
    "prlimit64": (302, 261),
    "chmod": (90, None),
    "fchmod": (91, 52),
    "fchmodat": (268, 53),
    "fchmodat2": (452, 452),
    "chown": (92, None),
    "fchown": (93, 55),
    "lchown": (94, None),
    "fchownat": (260, 54),
    "setxattr": (188, 5),
    "lsetxattr": (189, 6),
    "fsetxattr": (190, 7),
    "removexattr": (197, 14),
    "lremovexattr": (198, 15),
    "fremovexattr": (199, 16),
    "mount": (165, 40),
    "umount2": (166, 39),
    "pivot_root": (155, 41),
    "chroot": (161, 51),
    "unshare": (272, 97),
    "setns": (308, 268),
    "reboot": (169, 142),
    "kexec_load": (246, 104),
    "kexec_file_load": (320, 294),
    "init_module": (175, 105),
    "finit_module": (313, 273),
    "delete_module": (176, 106),
    "bpf": (321, 280),
    "perf_event_open": (298, 241),
    "userfaultfd": (323, 282),
    "io_uring_setup": (425, 425),
    "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427),
    "keyctl": (250, 219),
    "add_key": (248, 217),
    "request_key": (249, 218),
    "swapon": (167, 224),
    "swapoff": (168, 225),
    "personality": (135, 92),
    "open_by_handle_at": (304, 265),
    "name_to_handle_at": (303, 264),
    "fsopen": (430, 430),
    "fsmount": (432, 432),
    "move_mount": (429, 429),
    "open_tree": (428, 428),
    "capset": (126, 91),
}
_ARCH_INDEX = {"x86_64": 0, "amd64": 0, "aarch64": 1, "arm64": 1}
_AUDIT_ARCH = {0: 0xC000003E, 1: 0xC00000B7}
_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446

_libc = None


def _syscall(number: int, *args: int | ctypes._SimpleCData | ctypes.Array | None) -> int:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
    res = _libc.syscall(ctypes.c_long(number), *args)
    if res < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return res


def _prctl(option: int, arg2: int | ctypes.Array | ctypes._Pointer = 0) -> None:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    if _libc.prctl(option, arg2, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS, _PR_CAPBSET_DROP, _PR_SET_SECCOMP = 1, 38, 24, 22


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when the thread that started it exits."""
    if sys.platform.startswith("linux"):
        _prctl(_PR_SET_PDEATHSIG, 9)


# -------------------------------------------------------------------------------------- Landlock

_FS_WRITE_RIGHTS_BY_ABI = {
    # ABI 1: write_file, remove_dir, remove_file, make_char, make_dir, make_reg, make_sock,
    # make_fifo, make_block, make_sym; ABI 2: refer; ABI 3: truncate.
    1: sum(1 << b for b in (1, 4, 5, 6, 7, 8, 9, 10, 11, 12)),
    2: 1 << 13,
    3: 1 << 14,
}
_NET_BIND_TCP, _NET_CONNECT_TCP = 1, 2
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1, 2


def apply_landlock(writable_dir: str) -> list[str]:
    """Restrict writes to ``writable_dir``; refuse TCP, outside signals and abstract sockets."""
    try:
        abi = _syscall(_LANDLOCK_CREATE_RULESET, None, 0, 1)  # LANDLOCK_CREATE_RULESET_VERSION
    except (OSError, AttributeError):
        return []
    fs = sum(bits for version, bits in _FS_WRITE_RIGHTS_BY_ABI.items() if abi >= version)
    net = (_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0
    scoped = (_SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL) if abi >= 6 else 0
    attr = struct.pack("QQQ", fs, net, scoped)
    size = 24 if abi >= 6 else 16
    buf = ctypes.create_string_buffer(attr[:size], size)
    ruleset = _syscall(_LANDLOCK_CREATE_RULESET, buf, ctypes.c_size_t(size), 0)
    try:
        dir_fd = os.open(writable_dir, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            rule = ctypes.create_string_buffer(struct.pack("=Qi", fs, dir_fd), 12)
            _syscall(_LANDLOCK_ADD_RULE, ruleset, 1, rule, 0)  # LANDLOCK_RULE_PATH_BENEATH
        finally:
            os.close(dir_fd)
        _prctl(_PR_SET_NO_NEW_PRIVS, 1)
        _syscall(_LANDLOCK_RESTRICT_SELF, ruleset, 0)
    finally:
        os.close(ruleset)
    layers = ["landlock-fs"]
    if net:
        layers.append("landlock-net")
    if scoped:
        layers.append("landlock-signals")
    return layers


# --------------------------------------------------------------------------------- capabilities


def drop_capabilities() -> list[str]:
    """Drop every capability, bounding set included (no-op for an unprivileged caller)."""
    if _ARCH not in _ARCH_INDEX:
        return []
    for cap in range(64):
        try:
            _prctl(_PR_CAPBSET_DROP, cap)
        except OSError as e:
            if e.errno == errno.EINVAL:  # past the last capability this kernel knows
                break
            if e.errno == errno.EPERM:  # unprivileged: nothing to drop
                break
            raise
    header = ctypes.create_string_buffer(
        struct.pack("Ii", 0x20080522, 0), 8
    )  # _LINUX_CAPABILITY_VERSION_3
    data = ctypes.create_string_buffer(bytes(24), 24)
    _syscall(_SYSCALLS["capset"][_ARCH_INDEX[_ARCH]], header, data)
    return ["capabilities"]


# -------------------------------------------------------------------------------------- seccomp

_LD_W_ABS, _JEQ_K, _JGE_K, _JSET_K, _RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
_RET_ALLOW, _RET_KILL_PROCESS = 0x7FFF0000, 0x80000000
_CLONE_THREAD = 0x00010000


def _ret_errno(err: int) -> int:
    return 0x00050000 | err


def _insn(code: int, jt: int = 0, jf: int = 0, k: int = 0) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k & 0xFFFFFFFF)


def _arg_lo(i: int) -> int:
    return 16 + 8 * i  # offsetof(struct seccomp_data, args[i]); little-endian low word first


def _arg_equals(i: int, value: int) -> list[bytes]:
    """Instructions: return ALLOW if 64-bit syscall argument ``i`` equals ``value``, else EPERM."""
    return [
        _insn(_LD_W_ABS, k=_arg_lo(i)),
        _insn(_JEQ_K, 0, 3, value & 0xFFFFFFFF),
        _insn(_LD_W_ABS, k=_arg_lo(i) + 4),
        _insn(_JEQ_K, 0, 1, value >> 32),
        _insn(_RET_K, k=_RET_ALLOW),
        _insn(_RET_K, k=_ret_errno(errno.EPERM)),
    ]


def seccomp_program(arch_index: int, own_pid: int) -> bytes:
    """The BPF filter described in the module docstring, for one architecture."""
    nr = {
        name: nums[arch_index] for name, nums in _SYSCALLS.items() if nums[arch_index] is not None
    }
    deny = _insn(_RET_K, k=_ret_errno(errno.EPERM))
    handlers: list[tuple[int, list[bytes]]] = [
        (
            nr["clone"],
            [  # threads yes, processes no
                _insn(_LD_W_ABS, k=_arg_lo(0)),
                _insn(_JSET_K, 0, 1, _CLONE_THREAD),
                _insn(_RET_K, k=_RET_ALLOW),
                deny,
            ],
        ),
        (nr["clone3"], [_insn(_RET_K, k=_ret_errno(errno.ENOSYS))]),
        (nr["kill"], _arg_equals(0, own_pid)),
        (nr["tgkill"], _arg_equals(0, own_pid)),
        (nr["prlimit64"], _arg_equals(2, 0)),  # reading limits is fine, setting is not
    ]
    special = {number for number, _ in handlers}
    allowed_names = {"clone", "clone3", "kill", "tgkill", "prlimit64"}
    for name, number in nr.items():
        if name not in allowed_names and number not in special:
            handlers.append((number, [deny]))
    program = [
        _insn(_LD_W_ABS, k=4),  # arch
        _insn(_JEQ_K, 1, 0, _AUDIT_ARCH[arch_index]),
        _insn(_RET_K, k=_RET_KILL_PROCESS),
        _insn(_LD_W_ABS, k=0),  # syscall number
    ]
    if arch_index == 0:  # x32 ABI numbers have bit 30 set: refuse them all
        program += [_insn(_JGE_K, 0, 1, 0x40000000), deny]
    for number, body in handlers:
        program.append(_insn(_JEQ_K, 0, len(body), number))
        program += body
    program.append(_insn(_RET_K, k=_RET_ALLOW))
    return b"".join(program)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def apply_seccomp() -> list[str]:
    """Install the seccomp filter (needs x86_64 or aarch64 Linux)."""
    if not sys.platform.startswith("linux") or _ARCH not in _ARCH_INDEX:
        return []
    code = seccomp_program(_ARCH_INDEX[_ARCH], os.getpid())
    buf = ctypes.create_string_buffer(code, len(code))
    prog = _SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    global _libc
    if _libc.prctl(_PR_SET_SECCOMP, 2, ctypes.byref(prog), 0, 0) != 0:  # SECCOMP_MODE_FILTER
        err = ctypes.get_errno()
        raise OSError(err, f"seccomp: {os.strerror(err)}")
    return ["seccomp"]


def apply(writable_dir: str, memory_mb: int | None) -> tuple[list[str], list[str]]:
    """Apply every layer the platform offers; return (active layers, problems)."""
    active: list[str] = []
    problems: list[str] = []
    steps = [
        ("rlimits", lambda: apply_rlimits(memory_mb)),
        ("landlock", lambda: apply_landlock(writable_dir)),
        ("capabilities", drop_capabilities),
        ("seccomp", apply_seccomp),
    ]
    if not sys.platform.startswith("linux"):
        steps = steps[:1]
        problems.append(f"kernel sandbox not available on {sys.platform}: only rlimits apply")
    for name, step in steps:
        try:
            layers = step()
        except (OSError, ValueError, AttributeError) as e:
            problems.append(f"{name}: {e}")
            continue
        if not layers:
            problems.append(f"{name}: not supported by this kernel or architecture")
        active += layers
    return active, problems
