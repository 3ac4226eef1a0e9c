#!/bin/sh
# run.sh - boot Xen and a Debian dom0 in QEMU, run porthole's live tests
# against test domUs inside dom0, and report the results on the host.
#
# Usage: run.sh --xenlive PATH --marker PATH [--granter PATH]
#               [--porthole PATH] [--demo | --bench PATH]
#               [--pvh|--no-pvh] [--keep]
#
#	--xenlive PATH	the live test program (tests/xen/live/xenlive)
#	--marker PATH	the static guest program (tests/xen/guest/marker)
#	--granter PATH	the static guest program that offers grants to dom0
#			(tests/xen/guest/granter; default: "granter" beside
#			the marker program); without one the guests offer
#			no grants and the grant checks skip
#	--porthole PATH	the porthole command (with libporthole beside it),
#			put on dom0's PATH for the live checks that run it
#			(live_cli.c) and for benchmarks; without it those
#			checks skip
#	--demo		instead of the tests, show the live guest: domain
#			info and the markers read from its memory
#	--bench PATH	instead of the tests, run the live benchmark PATH
#			(bench/live) in dom0 against the PV domU and print
#			its table (make bench-xen)
#	--pvh		also start a PVH domU (default; --no-pvh drops it)
#	--keep		keep the run folder (serial log, share) afterwards
#
# Environment:
#	PORTHOLE_XEN_CACHE	package and boot-file cache
#				(default /var/cache/porthole-xen)
#	PORTHOLE_XEN_LOGDIR	where logs of failed runs are kept
#				(default ./tests/xen/logs)
#	PORTHOLE_XEN_QEMU	QEMU binary (default qemu-system-x86_64)
#	PORTHOLE_XEN_ACCEL	QEMU accelerator (default tcg,thread=multi;
#				kvm only where real VT-x/AMD-V exists)
#	PORTHOLE_XEN_SLOW	multiply every stage's time limit by this
#				integer (default 1)
#	PORTHOLE_XEN_CHECKS	run only the live checks matching these
#				shell patterns (e.g. "guest-* linux-*")
#	PORTHOLE_XEN_DUMP_TYPES	guest types whose memory is compared with
#				`xl dump-core` (default "pv"; a PVH dump takes
#				minutes under TCG)
#
# Prints one line per live test, "PASS: name", "FAIL: name" or
# "SKIP: name (reason)", and exits like an automake test: 0 all passed,
# 1 a test failed, 77 cannot run here (reason printed), 99 hard error (the
# bed itself broke; the serial log is kept and its path printed).
#
# Every stage has a time limit; the boot is retried once when dom0 never
# reaches its shell or xl fails to create the guests (rare stalls and
# crashes of xl's monitor child under TCG, before porthole runs).  QEMU is
# always reaped.

set -u

here=$(cd "$(dirname "$0")" && pwd)
xenlive=""
marker=""
benchprog=""
granter=""
porthole=""
mode="test"
pvh=1
keep=0

while [ $# -gt 0 ]; do
	case $1 in
	--xenlive) xenlive=$2; shift ;;
	--marker) marker=$2; shift ;;
	--granter) granter=$2; shift ;;
	--porthole) porthole=$2; shift ;;
	--demo) mode=demo ;;
	--bench) mode=bench; benchprog=$2; shift ;;
	--pvh) pvh=1 ;;
	--no-pvh) pvh=0 ;;
	--keep) keep=1 ;;
	-h|--help) sed -n '2,30p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 99 ;;
	esac
	shift
done

cache=${PORTHOLE_XEN_CACHE:-/var/cache/porthole-xen}
logdir=${PORTHOLE_XEN_LOGDIR:-$(pwd)/tests/xen/logs}
qemu=${PORTHOLE_XEN_QEMU:-qemu-system-x86_64}
accel=${PORTHOLE_XEN_ACCEL:-tcg,thread=multi}
slow=${PORTHOLE_XEN_SLOW:-1}
dump_types=${PORTHOLE_XEN_DUMP_TYPES:-pv}

say() { printf 'xen-bed: %s\n' "$*" >&2; }
skip() { echo "SKIP: xen-bed ($*)"; exit 77; }
hard() { say "error: $*"; exit 99; }

# Cannot run at all: skip with the reason.
command -v "$qemu" >/dev/null 2>&1 || skip "$qemu not installed"
for t in cpio gzip xz apt-get dpkg; do
	command -v "$t" >/dev/null 2>&1 || skip "$t not installed"
done
busybox=${BUSYBOX:-/bin/busybox}
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
	skip "no static busybox at $busybox (install busybox-static)"
fi
# A libtool wrapper script cannot run inside dom0: take the real binary.
real_binary() {
	if [ "$(head -c 2 "$1" 2>/dev/null)" = '#!' ]; then
		for c in "$(dirname "$1")/.libs/$(basename "$1")" \
		    "$(dirname "$1")/.libs/lt-$(basename "$1")"; do
			[ -x "$c" ] && { echo "$c"; return; }
		done
	fi
	echo "$1"
}
[ -n "$xenlive" ] && xenlive=$(real_binary "$xenlive")
[ -n "$marker" ] && marker=$(real_binary "$marker")
[ -n "$benchprog" ] && benchprog=$(real_binary "$benchprog")
[ -n "$porthole" ] && porthole=$(real_binary "$porthole")
if [ -z "$granter" ] && [ -n "$marker" ] &&
    [ -x "$(dirname "$marker")/granter" ]; then
	granter=$(dirname "$marker")/granter
fi
[ -n "$granter" ] && granter=$(real_binary "$granter")
[ -n "$xenlive" ] && [ -x "$xenlive" ] ||
	skip "live test program not built (porthole configured without Xen libraries?)"
[ -n "$marker" ] && [ -x "$marker" ] || skip "guest marker program not built"
[ "$mode" != bench ] || [ -x "$benchprog" ] ||
	skip "benchmark program $benchprog not built"
if ldd "$marker" >/dev/null 2>&1; then
	hard "$marker is not static"
fi
if [ -n "$granter" ]; then
	[ -x "$granter" ] || skip "guest granter program not built"
	if ldd "$granter" >/dev/null 2>&1; then
		hard "$granter is not static"
	fi
fi

run=$(mktemp -d "${TMPDIR:-/tmp}/porthole-xen.XXXXXX") || hard "mktemp"
qpid=""
failed=1

reap_qemu() {
	if [ -n "$qpid" ]; then
		kill "$qpid" 2>/dev/null
		i=0
		while kill -0 "$qpid" 2>/dev/null && [ $i -lt 20 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$qpid" 2>/dev/null
		wait "$qpid" 2>/dev/null
		qpid=""
	fi
}

keep_logs() {
	mkdir -p "$logdir" || return
	dest="$logdir/xen-bed-$(date +%Y%m%d-%H%M%S)-$$"
	mkdir -p "$dest"
	cp "$run"/serial*.log "$dest/" 2>/dev/null
	cp -r "$run/share/logs" "$dest/" 2>/dev/null
	cp "$run/share/results.txt" "$dest/" 2>/dev/null
	say "logs kept in $dest (serial console: $dest/serial.log)"
}

cleanup() {
	reap_qemu
	if [ "$failed" = 1 ]; then
		keep_logs
	fi
	if [ "$keep" = 1 ]; then
		say "run folder kept: $run"
	else
		rm -rf "$run"
	fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 99' INT TERM HUP

t0=$(date +%s)
elapsed() { echo $(($(date +%s) - t0)); }

# 1. Packages and the cached bed.
mkdir -p "$cache" || hard "cannot create cache $cache"
root=$(sh "$here/fetch.sh" "$cache") || hard "fetching Debian's Xen packages failed"
basekey=$( {
	cat "$root/.packages" "$here/mkbase.sh"
	sha256sum "$busybox"
	ls -l /lib/x86_64-linux-gnu/libxen* 2>/dev/null
} | sha256sum | cut -c1-16)
bed="$cache/bed-$basekey"
sh "$here/mkbase.sh" "$root" "$bed" || hard "building the dom0 base failed"
# Beds built by older scripts or for older packages are never used again.
for old in "$cache"/bed-*; do
	[ "$old" = "$bed" ] || [ ! -d "$old" ] || rm -rf "$old"
done
say "bed ready in $(elapsed)s: $bed"

# 2. Per-run files: the dom0 init, the domU initramfs, the programs.
share="$run/share"
mkdir -p "$share/porthole/lib" "$share/logs" "$run/dom0" "$run/domU/bin" \
	"$run/domU/proc" "$run/domU/sys" "$run/domU/dev"

cp "$here/dom0-init.sh" "$run/dom0/init"
chmod 755 "$run/dom0/init"
(cd "$run/dom0" && echo init | cpio -o -H newc --quiet) | gzip -1 >"$run/run.cpio.gz"
cat "$bed/dom0-base.cpio.gz" "$run/run.cpio.gz" >"$run/dom0.cpio.gz"

cp "$busybox" "$run/domU/bin/busybox"
cp "$marker" "$run/domU/bin/marker"
ln "$run/domU/bin/marker" "$run/domU/bin/porthole-sleeper"
if [ -n "$granter" ]; then
	cp "$granter" "$run/domU/bin/granter"
	# The guest runs the bed's kernel: its gntalloc module, from the
	# same package (mkbase.sh copies dom0's the same way).
	kver=$(cat "$bed/kernel-release")
	gntalloc="$root/lib/modules/$kver/kernel/drivers/xen/xen-gntalloc.ko"
	mkdir -p "$run/domU/lib/modules"
	if [ -f "$gntalloc" ]; then
		cp "$gntalloc" "$run/domU/lib/modules/xen-gntalloc.ko"
	elif [ -f "$gntalloc.xz" ]; then
		xz -dc "$gntalloc.xz" >"$run/domU/lib/modules/xen-gntalloc.ko"
	else
		say "note: no xen-gntalloc module for $kver (built in?)"
	fi
fi
cp "$here/guest/domU-init.sh" "$run/domU/init"
chmod 755 "$run/domU/init"
(cd "$run/domU" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) |
	gzip -1 >"$share/domU.cpio.gz"

cp "$here/bed-dom0.sh" "$share/bed-dom0.sh"
cp "$here/run-live.sh" "$here/demo-live.sh" "$share/porthole/"
cp "$xenlive" "$share/porthole/xenlive"
[ -n "$porthole" ] && cp "$porthole" "$share/porthole/porthole"
[ "$mode" = bench ] && cp "$benchprog" "$share/porthole/bench-live"
# Xen's own register dumper, for the live checks to compare against.
for b in "$root"/usr/lib/xen-*/bin/xenctx; do
	if [ -x "$b" ]; then cp "$b" "$share/porthole/xenctx"; fi
done
chmod 755 "$share/bed-dom0.sh" "$share/porthole/"*
# libporthole is found beside the command's real binary (libtool's .libs).
# libvirt is loaded on first use (dlopen), so ldd does not list it: when
# the programs carry its name, it comes too, with what it needs.
libvirt_so=""
if grep -q 'libvirt\.so\.0' "$xenlive" 2>/dev/null; then
	libvirt_so=$(/sbin/ldconfig -p |
	    awk '$1 == "libvirt.so.0" && /x86-64/ { print $NF; exit }')
fi
for prog in "$xenlive" ${benchprog:+"$benchprog"} ${porthole:+"$porthole"} \
    ${libvirt_so:+"$libvirt_so"}; do
	[ "$prog" = "$libvirt_so" ] && echo "$prog"
	LD_LIBRARY_PATH=$(cd "$(dirname "$prog")" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
	    ldd "$prog" | awk '/=> \// { print $3 }'
done | sort -u | while read -r lib; do
	case ${lib##*/} in
	libc.so.*|ld-linux*) ;;
	*) cp -L "$lib" "$share/porthole/lib/" ;;
	esac
done
# dom0 has 512 MiB with its root in RAM; the xc-core checks hold two dumps
# of a guest in its tmpfs at once, which 128 MiB guests do not leave room
# for.  The benchmark keeps 128 MiB (one dump at a time).
guest_mem=96
[ "$mode" = bench ] && guest_mem=128
cat >"$share/config" <<CFG
MODE=$mode
PVH=$pvh
GUEST_MEM=$guest_mem
GUEST_TIMEOUT=$((90 * slow))
TEST_TIMEOUT=$((900 * slow))
DUMP_TYPES="$dump_types"
CHECKS="${PORTHOLE_XEN_CHECKS:-}"
CFG

case "$bed$run" in
*,*|*' '*) hard "paths must not contain commas or spaces: $bed $run" ;;
esac

# The benchmarks keep whole dumps and the command's libraries in dom0's
# RAM-backed root and tmpfs (two 128 MiB files at once for cp): they get a
# 1 GiB dom0 (2 GiB machine) where the tests keep 512 MiB.
host_mem=1024 dom0_mem=512
[ "$mode" = bench ] && host_mem=2048 dom0_mem=1024
xen_cmdline="console=com1 com1=115200,8n1 dom0_mem=${dom0_mem}M,max:${dom0_mem}M dom0_max_vcpus=2 loglvl=all guest_loglvl=all smap=0 bootscrub=0"
dom0_cmdline="console=hvc0 earlyprintk=xen rdinit=/init"

# 3. Boot, watching the stage markers dom0 prints on the serial console.
# stage name, time limit in seconds since the previous stage
stages="dom0-shell:90 shares:30 toolstack:40 guests-created:40 guests-ready:150 tests-done:960 poweroff:60"

boot() {
	serial="$run/serial.log"
	: >"$serial"
	"$qemu" -accel "$accel" -cpu max -m "$host_mem" -smp 2 \
		-display none -no-reboot -monitor none -nodefaults \
		-serial "file:$serial" \
		-kernel "$bed/xen" -append "$xen_cmdline" \
		-initrd "$bed/vmlinux $dom0_cmdline,$run/dom0.cpio.gz" \
		-virtfs "local,path=$share,mount_tag=host,security_model=none,id=host0" \
		-virtfs "local,path=$bed,mount_tag=bed,security_model=none,id=bed0,readonly=on" \
		</dev/null >"$run/qemu.out" 2>&1 &
	qpid=$!
	tstage=$(date +%s)
	for st in $stages; do
		name=${st%%:*}
		limit=$((${st#*:} * slow))
		while :; do
			if grep -q "^PHSTAGE $name" "$serial" 2>/dev/null; then
				say "stage $name reached at $(elapsed)s"
				break
			fi
			if grep -q '^PHSTAGE failed' "$serial" 2>/dev/null; then
				say "dom0 reports: $(grep -a '^PHSTAGE failed' "$serial" | head -n 1)"
				# xl's own monitor child sometimes dies under
				# TCG (heap corruption or SIGSEGV in xl, before
				# porthole runs): worth one more boot.
				grep -q '^PHSTAGE failed: xl create' "$serial" &&
					return 3
				return 2
			fi
			if ! kill -0 "$qpid" 2>/dev/null; then
				wait "$qpid"
				say "QEMU exited ($?) before stage $name"
				cat "$run/qemu.out" >&2
				qpid=""
				return 2
			fi
			if [ $(($(date +%s) - tstage)) -ge "$limit" ]; then
				say "stage $name not reached within ${limit}s"
				case $name in
				dom0-shell|guests-created) return 3 ;;
				esac
				return 2
			fi
			sleep 0.5
		done
		tstage=$(date +%s)
	done
	# dom0 powered off: QEMU should exit by itself.
	i=0
	while kill -0 "$qpid" 2>/dev/null && [ $i -lt $((60 * slow)) ]; do
		sleep 0.5
		i=$((i + 1))
	done
	if kill -0 "$qpid" 2>/dev/null; then
		say "QEMU still running after dom0 powered off; killing it"
		reap_qemu
	else
		wait "$qpid"
		qrc=$?
		qpid=""
		[ "$qrc" = 0 ] || say "QEMU exit status $qrc"
	fi
	return 0
}

attempt=1
while :; do
	boot
	brc=$?
	[ $brc = 3 ] && [ $attempt = 1 ] || break
	say "dom0 boot or guest creation stalled; keeping its log and retrying once"
	reap_qemu
	cp "$run/serial.log" "$run/serial-stall-$attempt.log"
	rm -f "$share/results.txt"
	attempt=2
done
say "QEMU done at $(elapsed)s (attempt $attempt)"

# 4. Results: the share first, the serial console as the fallback.
results="$share/results.txt"
if [ ! -s "$results" ]; then
	grep -a '^PHRESULT ' "$run/serial.log" | sed 's/^PHRESULT //' |
		tr -d '\r' >"$run/results-serial.txt"
	results="$run/results-serial.txt"
fi

if [ "$mode" = demo ] || [ "$mode" = bench ]; then
	if [ -s "$share/$mode.txt" ]; then
		cat "$share/$mode.txt"
	else
		grep -a -v '^PHSTAGE' "$run/serial.log" | tail -n 60
	fi
	if [ "$mode" = bench ] && ! grep -q '^RATIO ' "$share/bench.txt" 2>/dev/null; then
		say "the benchmark printed no RATIO line"
		exit 1
	fi
	if [ $brc = 0 ]; then
		failed=0
		exit 0
	fi
	exit 99
fi

npass=0
nfail=0
nskip=0
while IFS= read -r line; do
	case $line in
	PASS:*) npass=$((npass + 1)); echo "$line" ;;
	FAIL:*|ERROR:*) nfail=$((nfail + 1)); echo "$line" ;;
	SKIP:*) nskip=$((nskip + 1)); echo "$line" ;;
	esac
done <"$results"

say "$npass passed, $nfail failed, $nskip skipped in $(elapsed)s"
if [ $brc != 0 ] && [ $((npass + nfail)) = 0 ]; then
	hard "the test bed did not complete (stage failure before any result)"
fi
if [ $nfail -gt 0 ]; then
	exit 1
fi
if [ $brc != 0 ]; then
	hard "the test bed did not complete"
fi
failed=0
[ $npass -gt 0 ] || exit 77
exit 0
