#!/bin/sh
# run-live.sh - porthole's live test suite, run in dom0 against running
# domUs.  Used by the QEMU test bed, and usable as is on a real Xen host.
#
# Usage: run-live.sh [options] DOMAIN...
#	--xenlive PATH	the test program (default: beside this script, then
#			$PATH)
#	--results FILE	also append the result lines to FILE
#	--console-dir D	where xenconsoled logs guest consoles
#			(default /var/log/xen/console; start xenconsoled with
#			--log=guest)
#	--dump-types T	domain types whose memory is compared with
#			`xl dump-core` (default "pv pvh hvm"; "" skips it);
#			exported to the checks as PORTHOLE_XEN_DUMP_TYPES
#	--dump-dir D	where dump files go (default ${TMPDIR:-/tmp}; needs
#			the guest's memory size free)
#	--timeout S	time limit per test in seconds (default 300)
#
# Each DOMAIN (name, id or UUID) gets these tests, reported as
# "PASS: DOMAIN/test", "FAIL: DOMAIN/test" or "SKIP: DOMAIN/test (reason)":
#	resolve-name, resolve-id, resolve-uuid	the three ways of naming it
#			give the same domid as xl does
#	resolve-missing	an unknown name fails with a clear message
#	every check `xenlive checks -v` lists (markers, the seg_mf checks,
#			dump-core, ...); some need lines the guest's test
#			programs print on its console (tests/xen/guest/)
# --only PATTERNS runs only the registered checks matching one of the
# shell patterns (the resolve-* checks always run).
# and once: noperm (an unprivileged process gets a clear refusal).
# Exit status: 0 when nothing failed, 1 otherwise, 2 on bad usage.

set -u

here=$(cd "$(dirname "$0")" && pwd)
xenlive=""
results=""
console_dir=/var/log/xen/console
dump_types="pv pvh hvm"
dump_dir=${TMPDIR:-/tmp}
timeout_s=300
only=""

while [ $# -gt 0 ]; do
	case $1 in
	--xenlive) xenlive=$2; shift ;;
	--results) results=$2; shift ;;
	--console-dir) console_dir=$2; shift ;;
	--dump-types) dump_types=$2; shift ;;
	--dump-dir) dump_dir=$2; shift ;;
	--timeout) timeout_s=$2; shift ;;
	--only) only=$2; shift ;;
	--) shift; break ;;
	-*) echo "run-live.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || { sed -n '2,28p' "$0" >&2; exit 2; }
# The registered checks that dump (dump-core, xccore-*) read these.
PORTHOLE_XEN_DUMP_TYPES=$dump_types
PORTHOLE_XEN_DUMP_DIR=$dump_dir
export PORTHOLE_XEN_DUMP_TYPES PORTHOLE_XEN_DUMP_DIR

if [ -z "$xenlive" ]; then
	if [ -x "$here/xenlive" ]; then
		xenlive=$here/xenlive
	else
		xenlive=$(command -v xenlive) || {
			echo "run-live.sh: xenlive not found (--xenlive)" >&2
			exit 2
		}
	fi
fi

nfail=0
log=$(mktemp "${TMPDIR:-/tmp}/run-live.XXXXXX") || exit 2
trap 'rm -f "$log"' EXIT

report() {
	# report STATUS NAME [REASON]
	if [ $# -gt 2 ] && [ -n "$3" ]; then
		line="$1: $2 ($3)"
	else
		line="$1: $2"
	fi
	echo "$line"
	[ -n "$results" ] && echo "$line" >>"$results"
	[ "$1" = FAIL ] && nfail=$((nfail + 1))
	return 0
}

# Run a command with the per-test time limit, output to $log.
t() {
	if command -v timeout >/dev/null 2>&1; then
		timeout "$timeout_s" "$@" >"$log" 2>&1
	else
		"$@" >"$log" 2>&1
	fi
}

show_log() {
	sed 's/^/    /' "$log"
}

field() {
	# field NAME "k=v k=v ..." (plain shell: dom0's busybox tr/sed
	# pipeline segfaulted here now and then under TCG)
	for kv in $2; do
		case $kv in
		"$1"=*) echo "${kv#*=}"; return ;;
		esac
	done
}

checks=$("$xenlive" checks) || {
	echo "run-live.sh: $xenlive checks failed" >&2
	exit 2
}
# --only PATTERNS: the checks whose names match one of the shell patterns.
if [ -n "$only" ]; then
	picked=""
	set -f
	for c in $checks; do
		for p in $only; do
			# shellcheck disable=SC2254
			case $c in $p) picked="$picked $c"; break ;; esac
		done
	done
	set +f
	checks=$picked
fi

noperm_done=0
for dom in "$@"; do
	if ! t "$xenlive" info "$dom"; then
		show_log
		for tn in resolve-name resolve-id resolve-uuid $checks; do
			report FAIL "$dom/$tn" "domain not found"
		done
		continue
	fi
	info=$(cat "$log")
	echo "  $info"
	id=$(field id "$info")
	name=$(field name "$info")
	uuid=$(field uuid "$info")
	label=$dom

	# resolve-name: our lookup agrees with xl's.
	if [ "$name" = - ]; then
		report SKIP "$label/resolve-name" "domain has no name in xenstore"
	elif t "$xenlive" resolve "$name" && [ "$(cat "$log")" = "$id" ]; then
		xlid=$(xl domid "$name" 2>/dev/null || echo "$id")
		if [ "$xlid" = "$id" ]; then
			report PASS "$label/resolve-name"
		else
			echo "    xl domid says $xlid, we say $id"
			report FAIL "$label/resolve-name"
		fi
	else
		show_log
		report FAIL "$label/resolve-name"
	fi

	# resolve-id: the id names the same domain, with the same name.
	if t "$xenlive" info "$id" && [ "$(field name "$(cat "$log")")" = "$name" ] &&
	    [ "$(field id "$(cat "$log")")" = "$id" ]; then
		report PASS "$label/resolve-id"
	else
		show_log
		report FAIL "$label/resolve-id"
	fi

	# resolve-uuid
	if t "$xenlive" resolve "$uuid" && [ "$(cat "$log")" = "$id" ]; then
		report PASS "$label/resolve-uuid"
	else
		show_log
		report FAIL "$label/resolve-uuid"
	fi

	# resolve-missing: an unknown name fails and says so.
	if t "$xenlive" resolve "porthole-no-such-domain-$$"; then
		show_log
		report FAIL "$label/resolve-missing" "an unknown name resolved"
	elif grep -q 'no domain named' "$log"; then
		report PASS "$label/resolve-missing"
	else
		show_log
		report FAIL "$label/resolve-missing" "unclear message"
	fi

	# The registered checks (`xenlive checks -v` lists them): exit 0
	# holds, 77 skipped (reason on the last line), anything else fails.
	clog="$console_dir/guest-$name.log"
	for ck in $checks; do
		t "$xenlive" check "$ck" "$id" "$clog"
		rc=$?
		show_log
		case $rc in
		0) report PASS "$label/$ck" ;;
		77) report SKIP "$label/$ck" "$(tail -n 1 "$log" | sed 's/^[^:]*: //')" ;;
		124) report FAIL "$label/$ck" "timed out after ${timeout_s}s" ;;
		*) report FAIL "$label/$ck" ;;
		esac
	done

	# noperm, once.
	if [ $noperm_done = 0 ]; then
		noperm_done=1
		if [ "$(id -u)" != 0 ]; then
			report SKIP noperm "needs root to drop privilege"
		elif t "$xenlive" noperm "$id"; then
			show_log
			report PASS noperm
		else
			show_log
			report FAIL noperm
		fi
	fi
done

[ $nfail = 0 ]
