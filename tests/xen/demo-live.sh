#!/bin/sh
# demo-live.sh - show porthole reading a live guest (dom0 side of
# `make demo-xen`, also usable on a real Xen host).
#
# Usage: demo-live.sh XENLIVE DOMAIN...

xenlive=${1:?usage: demo-live.sh XENLIVE DOMAIN...}
shift
console_dir=${CONSOLE_DIR:-/var/log/xen/console}

echo "== xl list"
xl list
echo
echo "== porthole's view of the domains"
"$xenlive" list
for dom in "$@"; do
	echo
	echo "== $dom"
	"$xenlive" info "$dom"
	clog="$console_dir/guest-$dom.log"
	if [ -r "$clog" ]; then
		echo "-- what the guest printed on its console:"
		grep 'MARKER' "$clog" | head -n 4
		echo "-- the same pages read from dom0 through privcmd:"
		"$xenlive" markers -v "$dom" "$clog"
		pfn=$(sed -n 's/.*MARKER 0 pfn=\(0x[0-9a-f]*\).*/\1/p' "$clog" |
			tail -n 1)
		if [ -n "$pfn" ]; then
			echo "-- raw read of pfn $pfn and the next page:"
			"$xenlive" read "$dom" "$pfn" 2
		fi
	fi
done
