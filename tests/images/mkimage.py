#!/usr/bin/env python3
"""mkimage.py -- the per-variant half of tests/images/mkimages.sh.

Subcommands:

  variants                      the variant names, one per line
  arches                        "VARIANT ARCH" lines (ARCH: x86_64, i386)
  initramfs OUT --init PATH [--module PATH]...
                                a gzip'ed newc cpio: /init, /modules/*.ko,
                                /dev/console, empty /dev /proc /sys
                                (deterministic: no time stamps, root owner)
  run VARIANT --kernel VMLINUZ --initrd CPIO --config CONFIG
      --package 'NAME VERSION' --outdir DIR [--slow N]
                                boot the variant under QEMU (TCG), wait for
                                the guest's report, stop the guest, take
                                every image of the variant over QMP (and
                                makedumpfile -R for the standard kdump
                                forms), write VARIANT.manifest; all under
                                temporary names, renamed into DIR only when
                                everything worked (the manifest last)

The variant table (VARIANTS) is the one place that says what each variant
is; check.py imports it to know what to expect.

Errors: a message on stderr and exit 1; exit 77 when QEMU cannot run here.
Nothing half-written is left in DIR: the work folder DIR/.tmp-VARIANT-PID
is removed on every exit path.

Non-goals: KVM (TCG only, so runs are the same everywhere), machines other
than QEMU's "pc", guests other than the init of guest/init.c.
"""

import gzip
import io
import json
import os
import re
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time

# name: arch, RAM MiB, vCPUs, QEMU CPU model, extra kernel arguments,
# images, and what the guest must report (checked before anything is kept).
FULL = ["elf", "raw", "kdump-zlib", "kdump-lzo", "kdump-snappy",
        "kdump-zstd"]
# Images every variant that lists them must have; the other kdump
# compressions are made where a tool on this host can (see README.md).
REQUIRED = ("elf", "raw", "kdump-zlib")
KDUMP_FLAG = {"zlib": "-c", "lzo": "-l", "snappy": "-p", "zstd": "-z"}
VARIANTS = {
    "x64-nokaslr": dict(arch="x86_64", mem=256, smp=1, cpu="qemu64",
                        append="nokaslr", images=FULL,
                        paging="4-level", kaslr=False, pti=None),
    "x64-kaslr": dict(arch="x86_64", mem=256, smp=1, cpu="qemu64",
                      append="", images=FULL,
                      paging="4-level", kaslr=True, pti=None),
    "x64-la57": dict(arch="x86_64", mem=256, smp=1, cpu="qemu64,+la57",
                     append="nokaslr", images=FULL,
                     paging="5-level", kaslr=False, pti=None),
    "i386-pae": dict(arch="i386", mem=256, smp=1, cpu="qemu32,+nx",
                     append="nokaslr", images=FULL,
                     paging="PAE", kaslr=False, pti=None),
    "x64-smp2-pti": dict(arch="x86_64", mem=256, smp=2, cpu="qemu64",
                         append="nokaslr pti=on", images=FULL,
                         paging="4-level", kaslr=False, pti="enabled"),
    "x64-1g": dict(arch="x86_64", mem=1024, smp=1, cpu="qemu64",
                   append="nokaslr", images=["elf", "raw"],
                   paging="4-level", kaslr=False, pti=None),
}

QEMU = {"x86_64": "qemu-system-x86_64", "i386": "qemu-system-i386"}
BASE_APPEND = "console=ttyS0 panic=-1 loglevel=4"
BOOT_TIMEOUT = 300          # seconds until READY, times --slow
DUMP_TIMEOUT = 600          # seconds per dump command, times --slow
PAGE = 4096


class Failure(Exception):
    pass


class CannotRun(Exception):
    pass


# ---- initramfs ---------------------------------------------------------

def cpio_entry(out, name, mode, data=b"", rdev=(0, 0), ino=[0]):
    ino[0] += 1
    namez = name.encode() + b"\0"
    fields = [ino[0], mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, 0,
              len(data), 0, 0, rdev[0], rdev[1], len(namez), 0]
    out.write(b"070701" + b"".join(b"%08x" % f for f in fields))
    out.write(namez)
    out.write(b"\0" * (-(110 + len(namez)) % 4))
    out.write(data)
    out.write(b"\0" * (-len(data) % 4))


def cmd_initramfs(args):
    out = args[0]
    init, modules = None, []
    i = 1
    while i < len(args):
        if args[i] == "--init":
            init = args[i + 1]
        elif args[i] == "--module":
            modules.append(args[i + 1])
        else:
            raise Failure("initramfs: unknown argument %s" % args[i])
        i += 2
    if init is None:
        raise Failure("initramfs: --init is required")
    buf = io.BytesIO()
    for d in ("dev", "proc", "sys", "modules"):
        cpio_entry(buf, d, stat.S_IFDIR | 0o755)
    cpio_entry(buf, "dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1))
    with open(init, "rb") as f:
        cpio_entry(buf, "init", stat.S_IFREG | 0o755, f.read())
    for m in modules:
        with open(m, "rb") as f:
            cpio_entry(buf, "modules/" + os.path.basename(m),
                       stat.S_IFREG | 0o644, f.read())
    cpio_entry(buf, "TRAILER!!!", 0)
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as gz:
            gz.write(buf.getvalue())
    os.rename(tmp, out)


# ---- QMP ---------------------------------------------------------------

class Qmp:
    """A minimal QMP client: one command at a time, events skipped."""

    def __init__(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        greeting = self._message()
        if "QMP" not in greeting:
            raise Failure("QMP: no greeting (got %r)" % greeting)
        self.command("qmp_capabilities")

    def _message(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Failure("QMP: QEMU closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, timeout=None, **arguments):
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        if timeout is not None:
            self.sock.settimeout(timeout)
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._message()
            if "event" in reply:
                continue
            if "error" in reply:
                raise Failure("QMP %s: %s" % (name, reply["error"]))
            return reply.get("return")

    def close(self):
        self.sock.close()


# ---- the report --------------------------------------------------------

def read_report(path):
    """The report's lines once READY was printed, else None."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace").replace("\r", "")
    except FileNotFoundError:
        return None
    lines = text.split("\n")
    if "READY" not in lines:
        return None
    try:
        begin = lines.index("PH-REPORT-BEGIN")
    except ValueError:
        raise Failure("the guest printed READY without a report")
    end = next((i for i in range(begin, len(lines))
                if lines[i].startswith("PH-REPORT-END ")), None)
    if end is None:
        raise Failure("the guest's report has no PH-REPORT-END line")
    body = lines[begin + 1:end]
    if int(lines[end].split()[1]) != len(body):
        raise Failure("the guest's report has %d lines, it says %s"
                      % (len(body), lines[end].split()[1]))
    return body


def parse_manifest(lines):
    """key -> list of value strings (a key may repeat)."""
    out = {}
    for line in lines:
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        out.setdefault(key, []).append(value)
    return out


def one(m, key):
    v = m.get(key)
    if not v:
        raise Failure("the manifest has no %s line" % key)
    return v[0]


def processes(m):
    """Processes of the manifest: list of dicts."""
    procs = []
    for v in m.get("process", []):
        f = v.split(" ", 6)
        if len(f) < 6:
            raise Failure("bad process line: %s" % v)
        procs.append(dict(pid=int(f[0]), ppid=int(f[1]), uid=int(f[2]),
                          threads=int(f[3]), state=f[4], comm=f[5],
                          cmdline=f[6] if len(f) > 6 else ""))
    return procs


def validate(variant, m):
    """What the variant promises, checked against its manifest: a list of
    problems (empty when all is well)."""
    spec = VARIANTS[variant]
    bad = []
    for e in m.get("error", []):
        bad.append("the guest reported an error: " + e)
    for key in ("release", "banner", "paging", "kaslr_text", "ram",
                "dmesg"):
        if key not in m:
            bad.append("no %s line" % key)
    if bad:
        return bad
    if one(m, "paging") != spec["paging"]:
        bad.append("paging is %s, the variant wants %s"
                   % (one(m, "paging"), spec["paging"]))
    if int(one(m, "cpus")) != spec["smp"]:
        bad.append("the guest has %s CPUs, the variant %d"
                   % (one(m, "cpus"), spec["smp"]))
    if spec["pti"] is not None and one(m, "pti") != spec["pti"]:
        bad.append("page-table isolation is %s, the variant wants %s"
                   % (one(m, "pti"), spec["pti"]))
    if "kaslr_offset" in m:
        off = int(one(m, "kaslr_offset"), 16)
        if spec["kaslr"] and off == 0:
            bad.append("KASLR is on but the kernel was not moved")
        if not spec["kaslr"] and off != 0:
            bad.append("nokaslr, yet _text moved by %#x" % off)
    if one(m, "vmcoreinfo_fw_cfg") != "yes":
        bad.append("the guest's fw_cfg has no vmcoreinfo entry")
    procs = processes(m)
    by_comm = {}
    for p in procs:
        by_comm.setdefault(p["comm"], []).append(p)

    def only(comm):
        got = by_comm.get(comm, [])
        if len(got) != 1:
            bad.append("%d processes named %s, want 1" % (len(got), comm))
            return None
        return got[0]

    init = only("init")
    # The kernel hands init the arguments it does not know (nokaslr).
    if init is not None and (init["pid"] != 1 or
                             init["cmdline"].split(" ")[0] != "/init"):
        bad.append("init is not pid 1 running /init")
    for comm in ("ph-sleeper", "ph-marker", "ph-parent", "ph-child",
                 "ph-user"):
        p = only(comm)
        if p is None:
            continue
        if not p["cmdline"].startswith(comm + " --porthole-role "):
            bad.append("%s has the command line %r" % (comm, p["cmdline"]))
        if p["state"] != "S":
            bad.append("%s is in state %s, not S" % (comm, p["state"]))
        want_uid = 1000 if comm == "ph-user" else 0
        if p["uid"] != want_uid:
            bad.append("%s has uid %d, want %d" % (comm, p["uid"], want_uid))
        want_threads = 3 if comm == "ph-marker" else 1
        if p["threads"] != want_threads:
            bad.append("%s has %d threads, want %d"
                       % (comm, p["threads"], want_threads))
        if comm == "ph-child":
            parent = by_comm.get("ph-parent", [None])[0]
            if parent is None or p["ppid"] != parent["pid"]:
                bad.append("ph-child's parent is not ph-parent")
        elif p["ppid"] != 1:
            bad.append("%s's parent is %d, not init" % (comm, p["ppid"]))
    marker = by_comm.get("ph-marker", [None])[0]
    markers = m.get("marker", [])
    if len(markers) != 5:
        bad.append("%d marker pages, want 5" % len(markers))
    for v in markers:
        pid, vaddr, paddr, text, kind = v.split(" ")
        if marker is None or int(pid) != marker["pid"]:
            bad.append("a marker page of pid %s, not ph-marker's" % pid)
        if int(paddr, 16) % PAGE or int(vaddr, 16) % PAGE:
            bad.append("marker %s is not page-aligned" % text)
        if not text.startswith("PORTHOLE-MARKER-%s-" % pid):
            bad.append("marker text %s does not name its pid" % text)
    loaded = {v.split(" ")[0] for v in m.get("module", [])}
    for v in m.get("module_load", []):
        name, status = v.split(" ", 1)
        if status != "ok" or name not in loaded:
            bad.append("module %s did not load: %s" % (name, status))
    if not m.get("module_load"):
        bad.append("no module was loaded")
    dmesg = one(m, "dmesg")
    if not any(dmesg in k for k in m.get("kmsg", [])):
        bad.append("the kernel log lacks %s" % dmesg)
    return bad


def page_pattern(text):
    unit = (text + "|").encode()
    return (unit * (PAGE // len(unit) + 1))[:PAGE]


def link_text(vmlinuz, config, arch):
    """Where the kernel is linked to run (_text without KASLR): the boot
    header's pref_address (its load address, boot protocol 2.10 and up)
    plus the start of the kernel mapping: __START_KERNEL_map on x86_64,
    CONFIG_PAGE_OFFSET on i386.  Debian's System.map is a placeholder
    (the real one is in the -dbg package), so this is what the package
    itself says."""
    with open(vmlinuz, "rb") as f:
        hdr = f.read(0x260)
    if len(hdr) < 0x260 or hdr[0x202:0x206] != b"HdrS" or \
            struct.unpack_from("<H", hdr, 0x206)[0] < 0x20a:
        raise Failure("%s: no x86 boot header of protocol 2.10 or later"
                      % vmlinuz)
    pref = struct.unpack_from("<Q", hdr, 0x258)[0]
    if arch == "x86_64":
        return 0xffffffff80000000 + pref
    with open(config) as f:
        m = re.search(r"^CONFIG_PAGE_OFFSET=(0x[0-9a-fA-F]+)$", f.read(),
                      re.M)
    if m is None:
        raise Failure("%s has no CONFIG_PAGE_OFFSET" % config)
    return int(m.group(1), 16) + pref


# ---- run ---------------------------------------------------------------

def tool_version(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.splitlines()[0].strip() if out else "unknown"


def makedumpfile_has(feature):
    """Does makedumpfile -v say the feature (lzo, snappy, zstd) is on?"""
    try:
        out = subprocess.run(["makedumpfile", "-v"], capture_output=True,
                             text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return re.search(r"^%s\s+enabled" % feature, out, re.M) is not None


def elf_for_makedumpfile(src, dst):
    """Copy the ELF dump src to dst with its program headers right after
    the ELF header: makedumpfile 1.7.2 reads them there whatever e_phoff
    says, and QEMU 7.2 puts a section header first.  Only the headers
    move; notes and memory stay at their offsets."""
    with open(src, "rb") as f:
        head = f.read(65536)
    cls = head[4]
    if head[:4] != b"\x7fELF" or cls not in (1, 2):
        raise Failure("%s is not an ELF file" % src)
    if cls == 2:
        ehsize, fmt_off, off_at = 64, "<QQ", 32
    else:
        ehsize, fmt_off, off_at = 52, "<II", 28
    phoff, shoff = struct.unpack_from(fmt_off, head, off_at)
    phentsize, phnum, shentsize, shnum = struct.unpack_from(
        "<HHHH", head, ehsize - 10)
    if phoff == ehsize:
        shutil.copyfile(src, dst)
        return
    ph = head[phoff:phoff + phentsize * phnum]
    sh = head[shoff:shoff + shentsize * shnum] if shnum else b""
    first_data = min(
        struct.unpack_from("<Q" if cls == 2 else "<I", ph,
                           i * phentsize + (8 if cls == 2 else 4))[0]
        for i in range(phnum))
    if len(ph) != phentsize * phnum or \
            ehsize + len(ph) + len(sh) > first_data:
        raise Failure("%s: no room to move the program headers" % src)
    out = bytearray(head[:ehsize])
    struct.pack_into(fmt_off, out, off_at, ehsize,
                     ehsize + len(ph) if sh else 0)
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        f.write(bytes(out) + ph + sh)


def makedumpfile_version():
    v = re.search(r"version (\S+)", tool_version(["makedumpfile", "-v"]))
    return v.group(1) if v else "(unknown version)"


def makedumpfile(args, stdin=None, stdout=None, slow=1):
    """Run makedumpfile; stdin/stdout: paths or None."""
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    fout = open(stdout, "wb") if stdout else subprocess.DEVNULL
    try:
        r = subprocess.run(["makedumpfile"] + args, stdin=fin, stdout=fout,
                           stderr=subprocess.PIPE, text=True,
                           timeout=DUMP_TIMEOUT * slow)
    finally:
        for f in (fin, fout):
            if f is not subprocess.DEVNULL:
                f.close()
    if r.returncode != 0:
        raise Failure("makedumpfile %s: %s"
                      % (" ".join(args), " ".join(r.stderr.split())[-400:]))


def tail(path, n=40):
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return "(no %s)" % path
    return "\n".join(text.replace("\r", "").splitlines()[-n:])


class BootFailure(Exception):
    pass


def boot(variant, argv, work, slow):
    """Start QEMU and wait for the guest's READY: (process, report lines,
    seconds), or BootFailure with the console's tail (QEMU is reaped)."""
    console = os.path.join(work, "console.log")
    report_log = os.path.join(work, "report.log")
    for f in (console, report_log):
        if os.path.exists(f):
            os.unlink(f)
    started = time.monotonic()
    with open(os.path.join(work, "qemu.out"), "wb") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        report = None
        deadline = started + BOOT_TIMEOUT * slow
        while report is None:
            if proc.poll() is not None:
                raise BootFailure("%s: QEMU exited (%d) before READY:\n%s\n%s"
                                  % (variant, proc.returncode,
                                     tail(os.path.join(work, "qemu.out")),
                                     tail(console)))
            if time.monotonic() > deadline:
                raise BootFailure("%s: no READY within %ds; console:\n%s"
                                  % (variant, BOOT_TIMEOUT * slow,
                                     tail(console)))
            time.sleep(0.5)
            report = read_report(report_log)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return proc, report, time.monotonic() - started


def run_variant(variant, kernel, initrd, config, package, outdir, slow):
    spec = VARIANTS[variant]
    qemu = QEMU[spec["arch"]]
    if shutil.which(qemu) is None:
        raise CannotRun("%s is not installed (package qemu-system-x86)"
                        % qemu)
    work = os.path.join(outdir, ".tmp-%s-%d" % (variant, os.getpid()))
    os.makedirs(work)
    # AF_UNIX paths are short (108 bytes): the socket lives in /tmp.
    sockdir = tempfile.mkdtemp(prefix="porthole-qmp-")
    sock = os.path.join(sockdir, "qmp.sock")
    append = " ".join(x for x in (BASE_APPEND, spec["append"]) if x)
    argv = [qemu, "-machine", "pc",
            "-accel", "tcg,thread=multi" if spec["smp"] > 1 else "tcg",
            "-cpu", spec["cpu"], "-smp", str(spec["smp"]),
            "-m", "%dM" % spec["mem"],
            "-nodefaults", "-no-user-config", "-display", "none",
            "-no-reboot", "-device", "vmcoreinfo",
            "-kernel", kernel, "-initrd", initrd, "-append", append,
            "-chardev", "file,id=con,path=" + os.path.join(work,
                                                           "console.log"),
            "-serial", "chardev:con",
            "-chardev", "file,id=rep,path=" + os.path.join(work,
                                                           "report.log"),
            "-serial", "chardev:rep",
            "-qmp", "unix:%s,server=on,wait=off" % sock]
    proc = None
    try:
        # A boot that never reaches READY is tried once more (a stall
        # under TCG); a guest that reports the wrong thing is not.
        for attempt in (1, 2):
            try:
                proc, report, boot_s = boot(variant, argv, work, slow)
                break
            except BootFailure as e:
                if attempt == 2:
                    raise Failure(str(e))
                print("mkimage: %s; booting again" % str(e).split("\n")[0],
                      file=sys.stderr)
        started = time.monotonic() - boot_s
        # Let init settle into its sleep, then freeze the guest: every
        # image shows the same instant.
        time.sleep(1)
        qmp = Qmp(sock, 60 * slow)
        qmp.command("stop")
        caps = qmp.command("query-dump-guest-memory-capability")
        formats = set(caps.get("formats", []))
        names, notes, dump_times = {}, {}, {}

        def timed(kind, fn):
            t0 = time.monotonic()
            fn()
            dump_times[kind] = time.monotonic() - t0

        def qemu_dump(name, fmt):
            qmp.command("dump-guest-memory", timeout=DUMP_TIMEOUT * slow,
                        paging=False, protocol="file:" + wpath(name),
                        format=fmt)

        def wpath(name):
            return os.path.join(work, name)

        for kind in spec["images"]:
            if kind == "raw":
                name = variant + ".raw"
                timed(kind, lambda: qmp.command(
                    "pmemsave", timeout=DUMP_TIMEOUT * slow, val=0,
                    size=spec["mem"] << 20, filename=wpath(name)))
                names[name] = kind
                notes[kind] = "qemu pmemsave of guest physical 0 to %d MiB" \
                    % spec["mem"]
            elif kind == "elf":
                name = variant + ".elf"
                timed(kind, lambda: qemu_dump(name, "elf"))
                names[name] = kind
                notes[kind] = "qemu dump-guest-memory paging=false"
            elif kind in formats:
                name = variant + "." + kind + ".flat"
                timed(kind + "-flat", lambda: qemu_dump(name, kind))
                names[name] = kind + "-flat"
                notes[kind] = "qemu dump-guest-memory (flattened); " \
                    "standard form by makedumpfile -R"
        qmp.command("quit")
        qmp.close()
        proc.wait(timeout=60)
        proc = None

        for kind in spec["images"]:
            if not kind.startswith("kdump-"):
                continue
            comp = kind[len("kdump-"):]
            std, flat = variant + "." + kind, variant + "." + kind + ".flat"
            if kind in notes:
                timed(kind, lambda: makedumpfile(["-R", wpath(std)],
                                                 stdin=wpath(flat),
                                                 slow=slow))
                names[std] = kind
            elif comp == "zlib" or makedumpfile_has(comp):
                elf = wpath("makedumpfile-input.elf")
                if not os.path.exists(elf):
                    elf_for_makedumpfile(wpath(variant + ".elf"), elf)
                args = [KDUMP_FLAG[comp], "-d", "0"]
                try:
                    timed(kind, lambda: makedumpfile(
                        args + [elf, wpath(std)], slow=slow))
                    timed(kind + "-flat", lambda: makedumpfile(
                        ["-F"] + args + [elf], stdout=wpath(flat),
                        slow=slow))
                except Failure as e:
                    # makedumpfile reads only kernels of its own build's
                    # architecture (x86_64 here), whatever -d says.
                    for name in (std, flat):
                        if os.path.exists(wpath(name)):
                            os.unlink(wpath(name))
                    notes[kind] = "absent: %s cannot write it and %s" % (
                        qemu, str(e).replace(work + "/", "")[:300])
                    continue
                names[std], names[flat] = kind, kind + "-flat"
                notes[kind] = "makedumpfile %s -d 0 from the ELF dump, " \
                    "its program headers moved to offset %d (-F for the " \
                    "flattened form); %s cannot write it" \
                    % (KDUMP_FLAG[comp], 64 if spec["arch"] == "x86_64"
                       else 52, qemu)
            else:
                notes[kind] = "absent: neither %s nor makedumpfile %s " \
                    "here can write it" % (qemu, makedumpfile_version())
        if os.path.exists(wpath("makedumpfile-input.elf")):
            os.unlink(wpath("makedumpfile-input.elf"))
        for kind in REQUIRED:
            if kind in spec["images"] and kind not in names.values():
                raise Failure("%s: no %s image (%s)"
                              % (variant, kind, notes.get(kind, "")))
        dump_s = time.monotonic() - started - boot_s

        # The manifest: what the host knows, then the guest's report.
        m = parse_manifest(report)
        text_link = link_text(kernel, config, spec["arch"])
        text_run = int(one(m, "kaslr_text"), 16)
        width = 1 << (64 if spec["arch"] == "x86_64" else 32)
        head = [
            "# porthole memory image manifest: tests/images/README.md",
            "manifest 1",
            "variant " + variant,
            "arch " + spec["arch"],
            "kernel_package " + package,
            "qemu " + qemu + " " + tool_version([qemu, "--version"]),
            "qemu_machine pc",
            "qemu_cpu " + spec["cpu"],
            "qemu_append " + append,
            "vcpus %d" % spec["smp"],
            "ram_bytes %d" % (spec["mem"] << 20),
            "link_text %#x" % text_link,
            "kaslr_offset %#x" % ((text_run - text_link) % width),
        ]
        for name, kind in sorted(names.items(), key=lambda x: x[1]):
            head.append("image %s %s" % (kind, name))
        for kind, note in sorted(notes.items()):
            head.append("image_source %s %s" % (kind, note))
        head.append("time_boot_s %.1f" % boot_s)
        head.append("time_dump_s %.1f" % dump_s)
        for kind, t in sorted(dump_times.items()):
            head.append("time_image %s %.1f" % (kind, t))
        lines = head + report
        problems = validate(variant, parse_manifest(lines))
        if problems:
            raise Failure("%s: the guest is not what the variant says:\n  %s"
                          % (variant, "\n  ".join(problems)))

        # Keep it: images first, the manifest last (it marks a complete
        # variant), each by rename within the folder.
        manifest = os.path.join(work, variant + ".manifest")
        with open(manifest, "w") as f:
            f.write("\n".join(lines) + "\n")
        for name in list(names) + [variant + ".manifest"]:
            os.chmod(os.path.join(work, name), 0o444)
        for name in names:
            os.rename(os.path.join(work, name), os.path.join(outdir, name))
        os.rename(manifest, os.path.join(outdir, variant + ".manifest"))
        print("%s: boot %.1fs, dumps %.1fs (%s)"
              % (variant, boot_s, dump_s,
                 ", ".join("%s %.1fs" % kv
                           for kv in sorted(dump_times.items()))),
              file=sys.stderr)
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        shutil.rmtree(sockdir, ignore_errors=True)
        if os.environ.get("PORTHOLE_IMAGE_KEEP") == "1":
            print("mkimage: kept %s" % work, file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def cmd_run(args):
    variant = args[0]
    if variant not in VARIANTS:
        raise Failure("no variant %s (have: %s)"
                      % (variant, " ".join(VARIANTS)))
    opts = {"--slow": "1"}
    i = 1
    while i < len(args):
        if args[i] not in ("--kernel", "--initrd", "--config",
                           "--package", "--outdir", "--slow"):
            raise Failure("run: unknown argument %s" % args[i])
        opts[args[i]] = args[i + 1]
        i += 2
    for need in ("--kernel", "--initrd", "--config", "--package",
                 "--outdir"):
        if need not in opts:
            raise Failure("run: %s is required" % need)
    run_variant(variant, opts["--kernel"], opts["--initrd"],
                opts["--config"], opts["--package"], opts["--outdir"],
                int(opts["--slow"]))


def main(argv):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        if argv[0] == "variants":
            print("\n".join(VARIANTS))
        elif argv[0] == "arches" and len(argv) == 1:
            for name, spec in VARIANTS.items():
                print(name, spec["arch"])
        elif argv[0] == "initramfs" and len(argv) >= 2:
            cmd_initramfs(argv[1:])
        elif argv[0] == "run" and len(argv) >= 2:
            cmd_run(argv[1:])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except CannotRun as e:
        print("mkimage: cannot run here: %s" % e, file=sys.stderr)
        return 77
    except (Failure, OSError, subprocess.SubprocessError) as e:
        print("mkimage: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
