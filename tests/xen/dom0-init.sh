#!/bin/busybox sh
# dom0-init.sh - /init of the test bed's dom0 (busybox initramfs).
#
# Brings up the Xen toolstack, mounts the host's shares and hands over to
# /mnt/host/bed-dom0.sh, then powers the machine off.  Every step prints a
# "PHSTAGE <name>" line on the console: run.sh on the host watches for them
# and enforces a time limit per stage.
#
# Shares (virtio-9p): "host" (read-write run folder: configuration, test
# programs, results) on /mnt/host, "bed" (read-only cached kernel) on /mnt/bed.

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/usr/lib/xen-4.17/bin:/bin:/sbin:/usr/bin:/usr/sbin
export LD_LIBRARY_PATH=/porthole/lib

stage() { echo "PHSTAGE $*"; }
die() {
	echo "PHSTAGE failed: $*"
	sync
	poweroff -f
	sleep 30
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o size=400m,mode=1777 tmpfs /tmp
mkdir -p /run/xen /var/lib/xen /var/log/xen/console /run/xen /run/xenstored
stage dom0-shell

for m in xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc; do
	insmod /modules/$m.ko 2>/dev/null || true
done
mount -t xenfs xenfs /proc/xen || die "mount xenfs"
[ -c /dev/xen/privcmd ] || die "no /dev/xen/privcmd"

for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
    virtio_pci 9pnet 9pnet_virtio netfs fscache 9p; do
	insmod /modules/$m.ko 2>/dev/null || true
done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 host /mnt/host ||
	die "mount 9p share host"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro bed /mnt/bed ||
	die "mount 9p share bed"
stage shares

xenstored --pid-file /run/xenstored.pid >/tmp/xenstored.log 2>&1 ||
	die "xenstored: $(cat /tmp/xenstored.log)"
i=0
while [ ! -S /run/xenstored/socket ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -S /run/xenstored/socket ] ||
	die "xenstored socket never appeared: $(cat /tmp/xenstored.log)"
xen-init-dom0 >/tmp/xen-init-dom0.log 2>&1 || die "xen-init-dom0"
xenconsoled --log=guest --log-dir=/var/log/xen/console || die "xenconsoled"
stage toolstack

if [ -x /mnt/host/bed-dom0.sh ]; then
	/bin/sh /mnt/host/bed-dom0.sh
	stage "bed-dom0 exit $?"
else
	die "no /mnt/host/bed-dom0.sh"
fi
sync
stage poweroff
poweroff -f
sleep 30
