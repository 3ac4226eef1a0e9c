#!/bin/sh
# mkbase.sh - build the cached, run-independent parts of the test bed.
#
# Usage: mkbase.sh ROOT BEDDIR
#
# ROOT is a tree unpacked by fetch.sh.  BEDDIR receives:
#	xen			the hypervisor, gunzipped (QEMU's multiboot
#				loader cannot read gzip)
#	vmlinux			the kernel as an ELF image (boots faster as
#				dom0 and as a domU than the bzImage)
#	dom0-base.cpio.gz	busybox, the Xen tools, their libraries and
#				the kernel modules dom0 needs
#	kernel-release		the kernel's release string
# The result is reused while ROOT, this script and the host's busybox and
# Xen libraries are unchanged (run.sh derives BEDDIR's name from them).
#
# Non-goals: anything that changes from run to run (test programs, init
# scripts): run.sh appends those as a second initramfs archive.

set -eu

root=${1:?usage: mkbase.sh ROOT BEDDIR}
bed=${2:?usage: mkbase.sh ROOT BEDDIR}

log() { printf 'mkbase: %s\n' "$*" >&2; }

if [ -f "$bed/.complete" ]; then
	exit 0
fi
tmp="$bed.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

# Hypervisor.
gzip -dc "$root/boot/xen-4.17-amd64.gz" >"$tmp/xen"

# Kernel: the bzImage carries an XZ-compressed ELF; cut it out.
vmlinuz=$(ls "$root"/boot/vmlinuz-* | head -n 1)
kver=${vmlinuz##*/vmlinuz-}
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -n 1 | cut -d: -f1)
if [ -z "$off" ]; then
	log "no XZ payload in $vmlinuz"
	exit 1
fi
# xz complains about the trailing data after the stream; the ELF is whole.
tail -c "+$((off + 1))" "$vmlinuz" | xz -dc >"$tmp/vmlinux" 2>/dev/null || true
if [ "$(head -c 4 "$tmp/vmlinux" | od -An -c | tr -d ' ')" != '177ELF' ]; then
	log "extracting vmlinux from $vmlinuz failed"
	exit 1
fi
printf '%s\n' "$kver" >"$tmp/kernel-release"

# dom0 initramfs base.
ir="$tmp/initramfs"
mkdir -p "$ir/bin" "$ir/sbin" "$ir/usr/bin" "$ir/usr/sbin" "$ir/lib" \
	"$ir/lib64" "$ir/lib/x86_64-linux-gnu" "$ir/modules" "$ir/etc" \
	"$ir/proc" "$ir/sys" "$ir/dev" "$ir/run" "$ir/tmp" "$ir/mnt/host" \
	"$ir/mnt/bed" "$ir/var/lib/xen" "$ir/var/log/xen/console" \
	"$ir/usr/lib/xen-4.17/bin" "$ir/etc/xen"
ln -s ../run "$ir/var/run"
busybox=${BUSYBOX:-/bin/busybox}
cp "$busybox" "$ir/bin/busybox"

xenbin="$root/usr/lib/xen-4.17/bin"
bins="$xenbin/xl $xenbin/xenstored $xenbin/xenconsoled $xenbin/xen-init-dom0
$xenbin/xenstore-control $root/usr/bin/xenstore"
for b in $bins; do
	cp "$b" "$ir/usr/lib/xen-4.17/bin/"
done
# xenstore-read, -ls, ... are the same binary dispatching on argv[0].
for n in read write ls list rm exists chmod watch; do
	ln -sf xenstore "$ir/usr/lib/xen-4.17/bin/xenstore-$n"
done
cp "$root/etc/xen/xl.conf" "$ir/etc/xen/"

copy_libs() {
	ldd "$1" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' |
	while read -r lib; do
		mkdir -p "$ir$(dirname "$lib")"
		cp -L "$lib" "$ir$lib"
	done
}
for b in $bins; do
	copy_libs "$b"
done
# glibc dlopen()s libgcc_s for pthread_cancel; xl's monitor child needs it.
gcc_s=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ { print $NF; exit }')
cp -L "$gcc_s" "$ir/lib/x86_64-linux-gnu/libgcc_s.so.1"

moddir="$root/lib/modules/$kver/kernel"
for m in drivers/xen/xen-evtchn drivers/xen/xen-privcmd drivers/xen/xenfs/xenfs \
    drivers/xen/xen-gntdev drivers/xen/xen-gntalloc \
    drivers/virtio/virtio_ring drivers/virtio/virtio \
    drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci_legacy_dev \
    drivers/virtio/virtio_pci net/9p/9pnet net/9p/9pnet_virtio \
    fs/netfs/netfs fs/fscache/fscache fs/9p/9p; do
	if [ -f "$moddir/$m.ko" ]; then
		cp "$moddir/$m.ko" "$ir/modules/"
	elif [ -f "$moddir/$m.ko.xz" ]; then
		xz -dc "$moddir/$m.ko.xz" >"$ir/modules/${m##*/}.ko"
	else
		log "note: module $m not in the package (built in?)"
	fi
done

# The domU kernel: reading it from the 9p share costs over 10 s per guest
# under TCG; unpacking it with the initramfs costs about 2 s.
mkdir -p "$ir/boot"
cp "$tmp/vmlinux" "$ir/boot/vmlinux-guest"

printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' \
	>"$ir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ir/etc/group"

(cd "$ir" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) |
	gzip -1 >"$tmp/dom0-base.cpio.gz"
rm -rf "$ir"

trap - EXIT
touch "$tmp/.complete"
rm -rf "$bed"
mv "$tmp" "$bed"
