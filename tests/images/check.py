#!/usr/bin/env python3
"""check.py -- check generated memory images against their manifests,
without porthole's guest/ library (a second, independent reader).

Usage: check.py DIR [VARIANT...]     (default: every DIR/*.manifest)

Per variant:
  - the manifest says what the variant promises (mkimage.validate: paging
    mode, KASLR, page-table isolation, CPUs, the known processes with
    their parents, uids and threads, the marker pages, the modules, the
    kernel-log marker), and lists every image the variant must have
  - every image exists and starts with its format's magic: ELF core of
    the right machine; makedumpfile's flattened header whose first record
    is a kdump header; a standard kdump header whose utsname release,
    CPU count and compression flag are the manifest's; a raw image of
    exactly the guest's RAM size
  - the raw image holds each marker page (the whole page, rebuilt from
    its text) at the physical address the guest printed
  - the ELF's PT_LOADs cover every "System RAM" range the guest listed,
    its notes hold one NT_PRSTATUS per vCPU and a VMCOREINFO note naming
    the release (and, where it says them, the same KASLR offset and
    5-level paging as the guest), and each marker page reads back
    through the PT_LOADs
  - each kdump (standard and flattened) gives back each marker page
    through its bitmap and page descriptors (zlib always; lzo, snappy and
    zstd through the host's shared libraries, reported as not checked
    when a library is missing)

Prints one line per finding and "ok VARIANT (N checks)" or "FAIL VARIANT";
exit 0 all good, 1 a check failed, 2 usage.

Non-goals: reading virtual memory or kernel structures (that is what
guest/ does and is tested for with these images).
"""

import ctypes
import ctypes.util
import os
import struct
import sys
import zlib

sys.dont_write_bytecode = True         # the source tree may be read-only
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkimage  # noqa: E402

PAGE = mkimage.PAGE
KDUMP_COMPRESSION = {"zlib": 0x1, "lzo": 0x2, "snappy": 0x4, "zstd": 0x20}
NT_PRSTATUS = 1


class Bad(Exception):
    pass


# ---- file readers --------------------------------------------------------

class FileReader:
    def __init__(self, path):
        self.f = open(path, "rb")
        self.size = os.fstat(self.f.fileno()).st_size

    def read(self, off, n):
        self.f.seek(off)
        data = self.f.read(n)
        if len(data) != n:
            raise Bad("short read at %#x (+%d) of %d bytes"
                      % (off, n, self.size))
        return data

    def close(self):
        self.f.close()


class FlatReader:
    """makedumpfile's flattened format: a 4 KiB header ("makedumpfile",
    type and version as big-endian 64-bit), then records of (offset,
    size) big-endian 64-bit and size bytes of data, until an end marker
    (offset -1).  Reads give the bytes the records put at an offset of
    the standard file."""

    def __init__(self, path):
        self.f = open(path, "rb")
        size = os.fstat(self.f.fileno()).st_size
        head = self.f.read(PAGE)
        if len(head) != PAGE or not head.startswith(b"makedumpfile\0"):
            raise Bad("no makedumpfile flattened header")
        typ, ver = struct.unpack_from(">qq", head, 16)
        if typ != 1 or ver != 1:
            raise Bad("flattened header type %d version %d" % (typ, ver))
        self.records = []       # (offset, size, file position)
        pos = PAGE
        while True:
            rec = self.f.read(16)
            if len(rec) != 16:
                raise Bad("the flattened file ends without an end marker")
            off, n = struct.unpack(">qq", rec)
            pos += 16
            if off == -1:
                break
            if off < 0 or n < 0 or pos + n > size:
                raise Bad("flattened record at %#x: offset %d size %d"
                          % (pos - 16, off, n))
            self.records.append((off, n, pos))
            pos += n
            self.f.seek(pos)
        if not self.records:
            raise Bad("the flattened file has no records")

    def read(self, off, n):
        """As the standard file would read: bytes no record wrote are
        zero (a hole), but nothing past the last record's end."""
        end = max(roff + rn for roff, rn, _pos in self.records)
        if off + n > end:
            raise Bad("%#x (+%d) lies beyond the records' end %#x"
                      % (off, n, end))
        out = bytearray(n)
        for roff, rn, pos in self.records:     # later records win
            lo, hi = max(off, roff), min(off + n, roff + rn)
            if lo >= hi:
                continue
            self.f.seek(pos + lo - roff)
            out[lo - off:hi - off] = self.f.read(hi - lo)
        return bytes(out)

    def close(self):
        self.f.close()


# ---- decompressors ---------------------------------------------------------

def _lib(name):
    path = ctypes.util.find_library(name)
    if path is None:
        return None
    try:
        return ctypes.CDLL(path)
    except OSError:
        return None


def _lzo(data):
    lib = _lib("lzo2")
    if lib is None:
        return None
    out = ctypes.create_string_buffer(PAGE)
    outlen = ctypes.c_ulong(PAGE)
    rc = lib.lzo1x_decompress_safe(data, ctypes.c_ulong(len(data)), out,
                                   ctypes.byref(outlen), None)
    if rc != 0:
        raise Bad("lzo1x_decompress_safe: %d" % rc)
    return out.raw[:outlen.value]


def _snappy(data):
    lib = _lib("snappy")
    if lib is None:
        return None
    out = ctypes.create_string_buffer(PAGE)
    outlen = ctypes.c_size_t(PAGE)
    rc = lib.snappy_uncompress(data, ctypes.c_size_t(len(data)), out,
                               ctypes.byref(outlen))
    if rc != 0:
        raise Bad("snappy_uncompress: %d" % rc)
    return out.raw[:outlen.value]


def _zstd(data):
    lib = _lib("zstd")
    if lib is None:
        return None
    lib.ZSTD_decompress.restype = ctypes.c_size_t
    lib.ZSTD_isError.argtypes = [ctypes.c_size_t]
    out = ctypes.create_string_buffer(PAGE)
    n = lib.ZSTD_decompress(out, ctypes.c_size_t(PAGE), data,
                            ctypes.c_size_t(len(data)))
    if lib.ZSTD_isError(n):
        raise Bad("ZSTD_decompress failed")
    return out.raw[:n]


DECOMPRESS = {0x1: ("zlib", zlib.decompress), 0x2: ("liblzo2", _lzo),
              0x4: ("libsnappy", _snappy), 0x20: ("libzstd", _zstd)}


# ---- kdump -----------------------------------------------------------------

class Kdump:
    """A kdump-compressed file (standard, or read through FlatReader)."""

    def __init__(self, reader):
        self.r = reader
        h = reader.read(0, PAGE)
        if h[:8] != b"KDUMP   ":
            raise Bad("no KDUMP signature")
        (self.version,) = struct.unpack_from("<i", h, 8)
        # struct new_utsname: six fields of 65 bytes, then padding to 8.
        uts = [h[12 + 65 * i:12 + 65 * (i + 1)].split(b"\0")[0].decode(
            "ascii", "replace") for i in range(6)]
        self.release = uts[2]
        self.machine = uts[4]
        # The header's layout follows the dumped kernel's word size (the
        # timestamp is a struct timeval): status at 424 for a 64-bit
        # kernel, at 412 for a 32-bit one.  The block size tells which.
        for off, sub_max_mapnr in ((424, 96), (412, 72)):
            (self.status, self.block_size, self.sub_hdr_size,
             self.bitmap_blocks, self.max_mapnr, _total, _dev, _written,
             _cur, self.nr_cpus) = struct.unpack_from("<IiiIIIIIIi", h, off)
            if self.block_size == PAGE:
                break
        else:
            raise Bad("no block size of %d at either header layout" % PAGE)
        if self.sub_hdr_size < 1 or self.bitmap_blocks < 1:
            raise Bad("sub_hdr_size %d bitmap_blocks %d"
                      % (self.sub_hdr_size, self.bitmap_blocks))
        sub = reader.read(PAGE, sub_max_mapnr + 8)
        if self.version >= 6:
            self.max_mapnr = struct.unpack_from("<Q", sub, sub_max_mapnr)[0]
        self.vmcoreinfo = b""
        if self.version >= 3:
            if off == 424:
                vmci_off, vmci_len = struct.unpack_from("<QQ", sub, 32)
            else:
                vmci_off, vmci_len = struct.unpack_from("<QI", sub, 20)
            if vmci_len > 1 << 20:
                raise Bad("VMCOREINFO of %d bytes" % vmci_len)
            if vmci_len:
                self.vmcoreinfo = reader.read(vmci_off, vmci_len)
        bitmap_len = self.bitmap_blocks * PAGE
        self.bitmap2 = reader.read((1 + self.sub_hdr_size) * PAGE +
                                   bitmap_len // 2, bitmap_len // 2)
        self.desc_base = (1 + self.sub_hdr_size + self.bitmap_blocks) * PAGE

    def page(self, pfn):
        """The page's bytes, None when the dump leaves it out, or raises
        Bad; returns (data, library) where library names a missing
        decompressor instead of data."""
        if pfn >= self.max_mapnr or pfn // 8 >= len(self.bitmap2):
            raise Bad("pfn %#x beyond max_mapnr %#x" % (pfn, self.max_mapnr))
        if not self.bitmap2[pfn // 8] >> (pfn % 8) & 1:
            return None, None
        index = int.from_bytes(self.bitmap2[:pfn // 8], "little").bit_count()
        index += bin(self.bitmap2[pfn // 8] & ((1 << (pfn % 8)) - 1)).count(
            "1")
        off, size, flags, _pflags = struct.unpack(
            "<qIIQ", self.r.read(self.desc_base + 24 * index, 24))
        if size == 0 or size > PAGE or off <= 0:
            raise Bad("pfn %#x: descriptor offset %d size %d"
                      % (pfn, off, size))
        data = self.r.read(off, size)
        comp = flags & 0x27
        if comp == 0:
            return data, None
        if comp not in DECOMPRESS:
            raise Bad("pfn %#x: compression flags %#x" % (pfn, flags))
        lib, fn = DECOMPRESS[comp]
        page = fn(data)
        if page is None:
            return None, lib
        return page, None


# ---- ELF -------------------------------------------------------------------

class Elf:
    def __init__(self, path):
        self.f = open(path, "rb")
        h = self.f.read(64)
        if h[:4] != b"\x7fELF":
            raise Bad("no ELF magic")
        self.cls = h[4]
        if self.cls == 2:
            (self.type, self.machine, _v, _e, phoff, _sh, _fl, _eh,
             phentsize, phnum) = struct.unpack_from("<HHIQQQIHHH", h, 16)
        elif self.cls == 1:
            (self.type, self.machine, _v, _e, phoff, _sh, _fl, _eh,
             phentsize, phnum) = struct.unpack_from("<HHIIIIIHHH", h, 16)
        else:
            raise Bad("ELF class %d" % self.cls)
        self.loads, self.notes = [], []
        for i in range(phnum):
            self.f.seek(phoff + i * phentsize)
            ph = self.f.read(phentsize)
            if self.cls == 2:
                typ, _fl, off, _va, pa, filesz, _memsz, _al = \
                    struct.unpack_from("<IIQQQQQQ", ph)
            else:
                typ, off, _va, pa, filesz, _memsz, _fl, _al = \
                    struct.unpack_from("<IIIIIIII", ph)
            if typ == 1:
                self.loads.append((pa, filesz, off))
            elif typ == 4:
                self.f.seek(off)
                self.notes += self._notes(self.f.read(filesz))

    @staticmethod
    def _notes(buf):
        out, pos = [], 0
        while pos + 12 <= len(buf):
            namesz, descsz, typ = struct.unpack_from("<III", buf, pos)
            pos += 12
            name = buf[pos:pos + namesz].rstrip(b"\0").decode(
                "ascii", "replace")
            pos += namesz + (-namesz % 4)
            desc = buf[pos:pos + descsz]
            pos += descsz + (-descsz % 4)
            out.append((name, typ, desc))
        return out

    def covers(self, start, end):
        """Is [start, end) inside the PT_LOADs (allowing several)?"""
        for pa, size, _off in sorted(self.loads):
            if pa <= start < pa + size:
                start = pa + size
                if start >= end:
                    return True
        return start >= end

    def read_phys(self, pa, n):
        for lpa, size, off in self.loads:
            if lpa <= pa and pa + n <= lpa + size:
                self.f.seek(off + pa - lpa)
                return self.f.read(n)
        return None

    def close(self):
        self.f.close()


# ---- the checks ------------------------------------------------------------

class Checker:
    def __init__(self, folder, variant):
        self.folder, self.variant = folder, variant
        self.checks, self.failures = 0, []

    def ok(self, cond, what):
        self.checks += 1
        if not cond:
            self.failures.append(what)
            print("FAIL %s: %s" % (self.variant, what))
        return cond

    def note(self, what):
        print("note %s: %s" % (self.variant, what))

    def run(self):
        path = os.path.join(self.folder, self.variant + ".manifest")
        with open(path) as f:
            lines = f.read().splitlines()
        m = mkimage.parse_manifest(lines)
        if not self.ok(mkimage.one(m, "variant") == self.variant,
                       "the manifest names another variant"):
            return
        for problem in mkimage.validate(self.variant, m):
            self.ok(False, problem)
        images = {}
        for v in m.get("image", []):
            kind, name = v.split(" ", 1)
            images[kind] = name
        spec = mkimage.VARIANTS[self.variant]
        for kind in mkimage.REQUIRED:
            if kind in spec["images"]:
                self.ok(kind in images, "no %s image listed" % kind)
                if kind.startswith("kdump-"):
                    self.ok(kind + "-flat" in images,
                            "no %s-flat image listed" % kind)
        for kind in spec["images"]:
            if kind not in images:
                self.note("no %s image: %s" % (kind, " ".join(
                    v.split(" ", 1)[1] for v in m.get("image_source", [])
                    if v.startswith(kind + " "))))
        markers = [v.split(" ") for v in m.get("marker", [])]
        for kind, name in sorted(images.items()):
            p = os.path.join(self.folder, name)
            if not self.ok(os.path.isfile(p), "%s is missing" % name):
                continue
            try:
                if kind == "raw":
                    self.check_raw(p, m, markers)
                elif kind == "elf":
                    self.check_elf(p, m, markers)
                elif kind.startswith("kdump-"):
                    self.check_kdump(p, kind, m, markers)
                else:
                    self.ok(False, "%s: unknown image kind %s" % (name, kind))
            except (Bad, OSError, struct.error) as e:
                self.ok(False, "%s: %s" % (name, e))

    def check_markers(self, name, read_page, markers):
        for pid, vaddr, paddr, text, kind in markers:
            got = read_page(int(paddr, 16))
            if got is None:
                continue
            self.ok(got == mkimage.page_pattern(text),
                    "%s: the page at %s is not marker %s (%s, virtual %s)"
                    % (name, paddr, text, kind, vaddr))

    def check_raw(self, p, m, markers):
        name = os.path.basename(p)
        size = os.path.getsize(p)
        self.ok(size == int(mkimage.one(m, "ram_bytes")),
                "%s: %d bytes, RAM is %s" % (name, size,
                                            mkimage.one(m, "ram_bytes")))
        r = FileReader(p)
        try:
            self.check_markers(name, lambda pa: r.read(pa, PAGE), markers)
        finally:
            r.close()

    def check_elf(self, p, m, markers):
        name = os.path.basename(p)
        e = Elf(p)
        try:
            want = 62 if mkimage.one(m, "arch") == "x86_64" else 3
            self.ok(e.type == 4, "%s: e_type %d, not ET_CORE" % (name, e.type))
            self.ok(e.machine == want,
                    "%s: e_machine %d, want %d" % (name, e.machine, want))
            for v in m.get("ram", []):
                start, end = (int(x, 16) for x in v.split(" "))
                self.ok(e.covers(start, end),
                        "%s: RAM %#x-%#x is not in its PT_LOADs"
                        % (name, start, end))
            prstatus = [n for n in e.notes
                        if n[0] == "CORE" and n[1] == NT_PRSTATUS]
            self.ok(len(prstatus) == int(mkimage.one(m, "vcpus")),
                    "%s: %d NT_PRSTATUS notes, %s vCPUs"
                    % (name, len(prstatus), mkimage.one(m, "vcpus")))
            vmci = [n[2] for n in e.notes if n[0] == "VMCOREINFO"]
            if self.ok(len(vmci) == 1, "%s: %d VMCOREINFO notes"
                       % (name, len(vmci))):
                info = dict(line.split("=", 1) for line in
                            vmci[0].decode("ascii", "replace").split("\n")
                            if "=" in line)
                self.ok(info.get("OSRELEASE") == mkimage.one(m, "release"),
                        "%s: VMCOREINFO OSRELEASE=%s" % (
                            name, info.get("OSRELEASE")))
                l5 = info.get("NUMBER(pgtable_l5_enabled)")
                if l5 is not None:
                    self.ok((l5 == "1") ==
                            (mkimage.one(m, "paging") == "5-level"),
                            "%s: VMCOREINFO pgtable_l5_enabled=%s, paging "
                            "%s" % (name, l5, mkimage.one(m, "paging")))
                if "KERNELOFFSET" in info:
                    self.ok(int(info["KERNELOFFSET"], 16) ==
                            int(mkimage.one(m, "kaslr_offset"), 16),
                            "%s: VMCOREINFO KERNELOFFSET=%s, the manifest "
                            "says %s" % (name, info["KERNELOFFSET"],
                                         mkimage.one(m, "kaslr_offset")))
            self.check_markers(
                name, lambda pa: e.read_phys(pa, PAGE) or b"", markers)
        finally:
            e.close()

    def check_kdump(self, p, kind, m, markers):
        name = os.path.basename(p)
        flat = kind.endswith("-flat")
        comp = kind[len("kdump-"):-len("-flat") if flat else None]
        r = FlatReader(p) if flat else FileReader(p)
        try:
            k = Kdump(r)
            release = mkimage.one(m, "release")
            # QEMU leaves utsname's release empty; makedumpfile fills it.
            self.ok(k.release in ("", release),
                    "%s: utsname release %r" % (name, k.release))
            self.ok(("OSRELEASE=%s\n" % release).encode() in k.vmcoreinfo,
                    "%s: its VMCOREINFO does not say OSRELEASE=%s"
                    % (name, release))
            self.ok(k.nr_cpus == int(mkimage.one(m, "vcpus")),
                    "%s: nr_cpus %d" % (name, k.nr_cpus))
            self.ok(k.status & 0x27 == KDUMP_COMPRESSION[comp],
                    "%s: status %#x, not %s" % (name, k.status, comp))
            missing = set()

            def read_page(pa):
                page, lib = k.page(pa // PAGE)
                if lib is not None:
                    missing.add(lib)
                    return None
                if page is None:
                    self.ok(False, "%s: the dump leaves out %#x" % (name, pa))
                    return None
                return page
            self.check_markers(name, read_page, markers)
            for lib in sorted(missing):
                self.note("%s: pages not checked (no %s here)" % (name, lib))
        finally:
            r.close()


def main(argv):
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    folder = argv[0]
    variants = argv[1:] or sorted(
        f[:-len(".manifest")] for f in os.listdir(folder)
        if f.endswith(".manifest"))
    if not variants:
        print("check: no manifests in %s" % folder, file=sys.stderr)
        return 1
    status = 0
    for v in variants:
        if v not in mkimage.VARIANTS:
            print("FAIL %s: not a variant" % v)
            status = 1
            continue
        c = Checker(folder, v)
        try:
            c.run()
        except (mkimage.Failure, OSError, ValueError) as e:
            c.ok(False, str(e))
        if c.failures:
            print("FAIL %s (%d of %d checks failed)"
                  % (v, len(c.failures), c.checks))
            status = 1
        else:
            print("ok %s (%d checks)" % (v, c.checks))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
