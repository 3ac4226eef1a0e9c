#!/bin/sh
# fetch.sh - download and unpack the Debian packages the Xen test bed boots.
#
# Usage: fetch.sh CACHE_DIR
#
# Prints the unpacked root (CACHE_DIR/root-KEY) on stdout.  KEY is derived
# from the exact package versions, so a security update of Xen or the kernel
# gives a new root and an unchanged archive reuses the old one without any
# network access.  Nothing is installed on the host: packages are fetched with
# `apt-get download` and unpacked with `dpkg -x`.
#
# Non-goals: building anything (mkinitramfs.sh does that).

set -eu

cache=${1:?usage: fetch.sh CACHE_DIR}
mkdir -p "$cache/debs"

log() { printf 'fetch: %s\n' "$*" >&2; }

# The kernel package name changes with every ABI bump: ask apt.
kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
if [ -z "$kernel_pkg" ]; then
	log "cannot find the kernel package linux-image-amd64 depends on"
	exit 1
fi

pkgs="xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common xenstore-utils $kernel_pkg"

# Resolve candidate versions (works offline from apt's local lists).
spec=""
for p in $pkgs; do
	v=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n 1)
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		log "no candidate version for $p (run apt-get update?)"
		exit 1
	fi
	spec="$spec $p=$v"
done

key=$(printf '%s\n' $spec | sha256sum | cut -c1-16)
root="$cache/root-$key"
if [ -f "$root/.complete" ]; then
	printf '%s\n' "$root"
	exit 0
fi

# apt-get download writes into the current directory; '+' and ':' in
# versions are URL-escaped in the file names, so look files up by package.
cd "$cache/debs"
for ps in $spec; do
	p=${ps%%=*}
	v=${ps#*=}
	vfile=$(printf '%s' "$v" | sed 's/:/%3a/g')
	if ls "${p}_${vfile}"_*.deb >/dev/null 2>&1; then
		continue
	fi
	log "downloading $p $v"
	if ! apt-get download -q -o APT::Sandbox::User=root "$ps" >&2; then
		log "apt-get download $ps failed"
		exit 1
	fi
done

tmp="$root.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
for ps in $spec; do
	p=${ps%%=*}
	v=${ps#*=}
	vfile=$(printf '%s' "$v" | sed 's/:/%3a/g')
	for deb in "${p}_${vfile}"_*.deb; do
		log "unpacking $deb"
		dpkg -x "$deb" "$tmp"
	done
done
printf '%s\n' $spec >"$tmp/.packages"
printf '%s\n' "$kernel_pkg" >"$tmp/.kernel-package"
touch "$tmp/.complete"
rm -rf "$root"
mv "$tmp" "$root"

# Drop unpacked trees and packages of older versions.
for old in "$cache"/root-*; do
	[ "$old" = "$root" ] || [ ! -d "$old" ] || rm -rf "$old"
done
for deb in "$cache"/debs/*.deb; do
	keep=0
	for ps in $spec; do
		p=${ps%%=*}
		vfile=$(printf '%s' "${ps#*=}" | sed 's/:/%3a/g')
		case ${deb##*/} in "${p}_${vfile}"_*) keep=1 ;; esac
	done
	[ $keep = 1 ] || rm -f "$deb"
done
printf '%s\n' "$root"
