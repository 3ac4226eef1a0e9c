#!/bin/sh
# demo.sh - porthole against a real Linux guest on a fresh machine, with
# nothing to set up: boot a Debian kernel in QEMU (tests/images, variant
# x64-kaslr; cached after the first run), take its memory image, and show
# what porthole finds in it with no profile: info, uname, ps, lsmod, the
# kernel log's tail, and a dump of the whole memory checked against the
# image.  `make demo` runs it; a live guest instead: `make demo-xen`.
#
# Usage: demo.sh PORTHOLE-BINARY SRCDIR
set -eu
ph=$1
here=$2/tests/images
dir=$(bash "$here/mkimages.sh" --variant x64-kaslr cache) || {
	echo "demo: the memory image cannot be made here (reason above)" >&2
	exit 1
}
img=$dir/x64-kaslr.elf
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
PORTHOLE_CACHE_DIR=$out/cache
export PORTHOLE_CACHE_DIR
run() {
	echo
	echo "\$ porthole $*"
	"$ph" "$@"
}
run info "$img"
run uname -a "$img"
run ps -f "$img"
run lsmod "$img"
echo
echo "\$ porthole dmesg $img | tail -5"
"$ph" dmesg "$img" | tail -5
run dump --format raw -o "$out/x64-kaslr.raw" "$img"
echo
# QEMU's ELF also holds the BIOS ROM below 4 GiB: compare the RAM.
ram=$(wc -c <"$dir/x64-kaslr.raw")
if cmp -s -n "$ram" "$out/x64-kaslr.raw" "$dir/x64-kaslr.raw"; then
	echo "the dump's RAM equals QEMU's own raw image of the guest (pmemsave)"
else
	echo "demo: the dump differs from QEMU's raw image" >&2
	exit 1
fi
