#!/bin/sh
# bed-dom0.sh - the test bed's work inside dom0, run by dom0-init.sh once
# the toolstack is up.
#
# Reads /mnt/host/config (shell variables written by run.sh), starts the
# test domUs, waits until their marker program has reported, then runs the
# live suite (MODE=test), the demonstration (MODE=demo) or the live
# benchmark (MODE=bench).  Results and logs
# go to the host share; result lines are also echoed to the console with a
# "PHRESULT " prefix as a fallback channel.

MODE="test"
PVH=0
GUEST_MEM=128
GUEST_TIMEOUT=120
TEST_TIMEOUT=300
. /mnt/host/config

share=/mnt/host
stage() { echo "PHSTAGE $*"; }

mkdir -p /porthole "$share/logs"
cp -a "$share/porthole/." /porthole/
export LD_LIBRARY_PATH=/porthole/lib
export PATH=/porthole:$PATH

kernel=/boot/vmlinux-guest
[ -r "$kernel" ] || kernel=/mnt/bed/vmlinux
# guest_cfg NAME TYPE [LINE]: /tmp/NAME.cfg for a test domU running the
# domU initramfs (LINE: one more setting).
guest_cfg() {
	cat >"/tmp/$1.cfg" <<CFG
name="$1"
type="$2"
kernel="$kernel"
ramdisk="$share/domU.cpio.gz"
memory=$GUEST_MEM
vcpus=1
extra="console=hvc0 quiet rdinit=/init"
on_crash="preserve"
${3:-}
CFG
}
guests="porthole-pv"
guest_cfg porthole-pv pv
if [ "$PVH" = 1 ]; then
	guests="$guests porthole-pvh"
	guest_cfg porthole-pvh pvh 'cpuid="host,rdtscp=0"'
fi

collect_logs() {
	for g in $guests; do
		cp "/var/log/xen/console/guest-$g.log" "$share/logs/" 2>/dev/null
	done
	xl dmesg >"$share/logs/xl-dmesg.txt" 2>&1
	dmesg >"$share/logs/dom0-dmesg.txt" 2>&1
	xl list >"$share/logs/xl-list.txt" 2>&1
	cp /tmp/*.log "$share/logs/" 2>/dev/null
}

for g in $guests; do
	if ! xl create "/tmp/$g.cfg" >"/tmp/xl-create-$g.log" 2>&1; then
		cat "/tmp/xl-create-$g.log"
		collect_logs
		stage "failed: xl create $g"
		exit 1
	fi
done
stage guests-created

start=$(date +%s)
last=$start
while :; do
	missing=""
	for g in $guests; do
		grep -q '^MARKERS-DONE' "/var/log/xen/console/guest-$g.log" \
		    2>/dev/null || missing="$missing $g"
	done
	[ -z "$missing" ] && break
	now=$(date +%s)
	[ $((now - start)) -ge "$GUEST_TIMEOUT" ] && break
	if [ $((now - last)) -ge 20 ]; then
		last=$now
		for g in $missing; do
			echo "waiting for $g ($((now - start))s): $(xl list "$g" 2>&1 |
			    tail -n 1) | $(tail -n 1 "/var/log/xen/console/guest-$g.log" 2>/dev/null)"
		done
	fi
	sleep 0.5
done
if [ -n "$missing" ]; then
	echo "guests not ready after ${GUEST_TIMEOUT}s:$missing"
	xl list
	for g in $missing; do
		echo "--- console of $g:"
		tail -n 30 "/var/log/xen/console/guest-$g.log" 2>/dev/null
	done
	# The tests still run: those of the missing guests fail.
fi
stage guests-ready

rc=0
case $MODE in
test)
	timeout "$TEST_TIMEOUT" /porthole/run-live.sh \
		--xenlive /porthole/xenlive \
		--results "$share/results.txt" \
		--dump-types "${DUMP_TYPES:-pv}" \
		--dump-dir /tmp \
		--only "${CHECKS:-}" \
		$guests 2>&1 | while IFS= read -r line; do
			case $line in
			PASS:*|FAIL:*|SKIP:*|ERROR:*) echo "PHRESULT $line" ;;
			*) echo "$line" ;;
			esac
		done
	[ -s "$share/results.txt" ] || rc=1
	;;
demo)
	/porthole/demo-live.sh /porthole/xenlive $guests 2>&1 |
		tee "$share/demo.txt"
	;;
bench)
	# The benchmark maps the whole guest: nothing else runs meanwhile.
	timeout "$TEST_TIMEOUT" /porthole/bench-live porthole-pv 2>&1 |
		tee "$share/bench.txt"
	;;
*)
	echo "unknown MODE=$MODE"
	rc=1
	;;
esac
stage tests-done
collect_logs
sync
exit $rc
