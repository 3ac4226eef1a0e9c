#!/bin/busybox sh
# domU-init.sh - /init of the test domU (busybox initramfs).
#
# Offers grants to dom0 (granter: pages of known text, grant references
# printed on hvc0; it returns once they are offered, so GRANTS-DONE always
# comes before MARKERS-DONE), starts the marker program (pages of known
# text, pfns printed on hvc0) and a few processes with distinctive names,
# then idles.  The guest must stay unchanged while dom0 reads its memory,
# so it does nothing else.  Without xen-gntalloc the guest says
# GRANTS-UNAVAILABLE and goes on: the markers do not depend on it.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# mlock()ed marker pages must not be moved by compaction.
echo 0 >/proc/sys/vm/compact_unevictable_allowed 2>/dev/null

echo "GUEST-BOOTED $(uname -r)"
if [ ! -c /dev/xen/gntalloc ] && [ -f /lib/modules/xen-gntalloc.ko ]; then
	insmod /lib/modules/xen-gntalloc.ko
	# devtmpfs creates the node once the module has registered it.
	i=0
	while [ ! -c /dev/xen/gntalloc ] && [ $i -lt 20 ]; do
		sleep 0.1
		i=$((i + 1))
	done
fi
if [ -x /bin/granter ]; then
	/bin/granter 5
else
	echo "GRANTS-UNAVAILABLE no /bin/granter in this guest"
fi
/bin/marker 8 &
for i in 1 2 3; do
	/bin/porthole-sleeper "$i" &
done
# A line in the kernel log for dom0's dmesg check, and on the console.
kmsg="porthole-kmsg-marker-$$-$(cat /proc/sys/kernel/random/uuid 2>/dev/null | cut -c1-8)"
echo "$kmsg" >/dev/kmsg
echo "KMSG-MARKER $kmsg"
# The process list as the guest sees it, for dom0's ps check.
sleep 1
for d in /proc/[0-9]*; do
	read -r comm <"$d/comm" 2>/dev/null && echo "PROC ${d#/proc/} $comm"
done
echo "GUEST-READY"
while :; do
	sleep 3600
done
