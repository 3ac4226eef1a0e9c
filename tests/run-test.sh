#!/bin/sh
# Run one test under a time limit (PH_TEST_TIMEOUT seconds, default 600).
# A test that runs out of time is killed and counts as a hard error (99).
limit=${PH_TEST_TIMEOUT:-600}
case "$1" in
*.test|*.tap) set -- "${SHELL:-/bin/sh}" "$@" ;;
esac
timeout --kill-after=10 "$limit" "$@"
rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "error: timed out after ${limit}s: $*" >&2
	exit 99
fi
exit "$rc"
