#!/bin/busybox sh
# domU-init.sh - /init of the test domU (busybox initramfs).
#
# Starts the marker program (pages of known text, pfns printed on hvc0) and a
# few processes with distinctive names, then idles.  The guest must stay
# unchanged while dom0 reads its memory, so it does nothing else.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# mlock()ed marker pages must not be moved by compaction.
echo 0 >/proc/sys/vm/compact_unevictable_allowed 2>/dev/null

echo "GUEST-BOOTED $(uname -r)"
/bin/marker 8 &
for i in 1 2 3; do
	/bin/porthole-sleeper "$i" &
done
echo "GUEST-READY"
while :; do
	sleep 3600
done
