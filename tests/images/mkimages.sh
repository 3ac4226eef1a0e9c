#!/bin/bash
# mkimages.sh - real Linux memory images for porthole's guest/ tests,
# generated from source: Debian 12 kernels booted under QEMU (TCG) with our
# own init (guest/init.c), dumped over QMP while they run.
#
# Usage: mkimages.sh [--variant NAME]... OUTDIR|cache
#
#	--variant NAME	only this variant (repeatable; default: all, see
#			`mkimage.py variants` and README.md)
#	OUTDIR		link the images and manifests there (hard links
#			where the file system allows, else symbolic links)
#	cache		leave them in the cache only
#
# Prints the folder that holds the images on stdout (OUTDIR, or the cache
# folder).  Progress and timings go to stderr.
#
# What it does: resolves the kernel packages (linux-image-amd64's image
# package from the host's apt lists; linux-image-686-pae from i386 lists
# kept in the cache, fetched once with apt-get update), `apt-get download`s
# them and unpacks them with `dpkg -x` (keeping the kernel, its config and
# the two modules the guest loads), builds /init statically with the host
# gcc (-m32 for i386), packs one initramfs per architecture, and runs
# `mkimage.py run` for each variant that is not cached yet.
#
# Cache ($PORTHOLE_IMAGE_CACHE; default /var/cache/porthole-images, or
# ${XDG_CACHE_HOME:-~/.cache}/porthole-images when that is not writable):
#	apt/		the i386 package lists (private; the host's apt
#			configuration is never changed)
#	debs/		downloaded packages
#	kernel-PKG_VER/	boot/ (vmlinuz, config) and modules/ of one kernel
#	images-KEY/	the images; KEY hashes the generator's sources
#			(mkimages.sh, mkimage.py, guest/init.c) and the
#			versions of QEMU, makedumpfile and gcc.  A variant
#			is current when VARIANT.manifest exists and names
#			the kernel package version resolved now; a second
#			run then does nothing.  Besides the current folder
#			the two used last are kept for a week.
#	latest		a symbolic link to the images folder last used
# Everything is written under temporary names and renamed; the manifest
# comes last.  One run at a time holds $cache/lock.
#
# Environment: PORTHOLE_IMAGE_CACHE (above), PORTHOLE_IMAGE_SLOW (multiply
# the time limits; default 1), PORTHOLE_IMAGE_REFRESH=1 (update the i386
# lists again), PORTHOLE_IMAGE_KEEP=1 (keep a failed variant's work folder:
# console and report logs).
#
# Exit status: 0 done; 77 cannot run here (no QEMU, no network and no
# cached packages, ...: the reason on stderr); 1 a failure (stderr says
# which step).
#
# Non-goals: other distributions or kernels, KVM, installing anything on
# the host.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${PORTHOLE_IMAGE_CACHE:-}" ]; then
	cache=$PORTHOLE_IMAGE_CACHE
else
	cache=/var/cache/porthole-images
	{ mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ]; } ||
		cache=${XDG_CACHE_HOME:-$HOME/.cache}/porthole-images
fi
slow=${PORTHOLE_IMAGE_SLOW:-1}
mkimage=$here/mkimage.py

log() { printf 'mkimages: %s\n' "$*" >&2; }
skip() { log "cannot run here: $*"; exit 77; }
die() { log "$*"; exit 1; }

variants=()
dest=""
while [ $# -gt 0 ]; do
	case $1 in
	--variant) [ $# -ge 2 ] || die "--variant needs a name"
		variants+=("$2"); shift ;;
	-h|--help) sed -n '2,48p' "$0"; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) [ -z "$dest" ] || die "one OUTDIR only"; dest=$1 ;;
	esac
	shift
done
[ -n "$dest" ] || die "usage: mkimages.sh [--variant NAME]... OUTDIR|cache"

command -v python3 >/dev/null || skip "python3 is not installed"
declare -A variant_arch
all=()
while read -r v a; do
	variant_arch[$v]=$a
	all+=("$v")
done < <(python3 "$mkimage" arches)
[ ${#all[@]} -gt 0 ] || die "mkimage.py arches failed"
[ ${#variants[@]} -gt 0 ] || variants=("${all[@]}")
need_x86_64=0 need_i386=0
for v in "${variants[@]}"; do
	[ -n "${variant_arch[$v]:-}" ] || die "no variant '$v' (have: ${all[*]})"
	case ${variant_arch[$v]} in
	x86_64) need_x86_64=1 ;;
	i386) need_i386=1 ;;
	esac
done

for tool in apt-get apt-cache dpkg gcc makedumpfile objcopy flock sha256sum; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (see .ci/deps)"
done
[ $need_x86_64 = 0 ] || command -v qemu-system-x86_64 >/dev/null ||
	skip "qemu-system-x86_64 is not installed (package qemu-system-x86)"
[ $need_i386 = 0 ] || command -v qemu-system-i386 >/dev/null ||
	skip "qemu-system-i386 is not installed (package qemu-system-x86)"

mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] ||
	skip "the cache $cache is not writable (set PORTHOLE_IMAGE_CACHE)"
exec 9>"$cache/lock"
flock -w $((3600 * slow)) 9 || die "another mkimages.sh holds $cache/lock"

# ---- kernel packages -------------------------------------------------

i386_apt=(-o "Dir::State::Lists=$cache/apt/lists"
	-o "Dir::Cache=$cache/apt/cache"
	-o "APT::Architecture=i386" -o "APT::Architectures=i386"
	-o "Acquire::Languages=none")

# apt_for ARCH: the apt options for that architecture's lists.
apt_for() {
	if [ "$1" = i386 ]; then
		printf '%s\n' "${i386_apt[@]}"
	fi
}

i386_lists() {
	if [ "${PORTHOLE_IMAGE_REFRESH:-0}" != 1 ] &&
		ls "$cache"/apt/lists/*_binary-i386_Packages* >/dev/null 2>&1; then
		return 0
	fi
	mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial"
	log "fetching the i386 package lists into $cache/apt"
	# An index that fails (a mirror mid-sync) leaves the others usable.
	apt-get -q "${i386_apt[@]}" update >&2 || true
	ls "$cache"/apt/lists/*_binary-i386_Packages* >/dev/null 2>&1
}

# resolve ARCH META: prints "PACKAGE VERSION" of the image package META
# depends on.
resolve() {
	local arch=$1 meta=$2 opts pkg ver
	mapfile -t opts < <(apt_for "$arch")
	pkg=$(apt-cache "${opts[@]}" depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || return 1
	ver=$(apt-cache "${opts[@]}" policy "$pkg" 2>/dev/null |
		sed -n 's/^ *Candidate: //p' | head -n 1)
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || return 1
	printf '%s %s\n' "$pkg" "$ver"
}

# Modules init loads: no dependencies (checked), qemu_fw_cfg so that the
# kernel hands QEMU's vmcoreinfo device its VMCOREINFO note.
modules="drivers/firmware/qemu_fw_cfg.ko drivers/net/dummy.ko"

# unpack ARCH "PACKAGE VERSION": prints the kernel folder.
unpack() {
	local arch=$1 pkg=${2% *} ver=${2#* } opts vfile deb dir tmp m f deps
	mapfile -t opts < <(apt_for "$arch")
	dir="$cache/kernel-${pkg}_$ver"
	if [ -f "$dir/.complete" ]; then
		printf '%s\n' "$dir"
		return 0
	fi
	mkdir -p "$cache/debs"
	vfile=$(printf '%s' "$ver" | sed 's/:/%3a/g')
	deb=$(ls "$cache/debs/${pkg}_${vfile}"_*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		log "downloading $pkg $ver"
		(cd "$cache/debs" && apt-get download -q "${opts[@]}" \
			-o APT::Sandbox::User=root "$pkg=$ver" >&2) || return 1
		deb=$(ls "$cache/debs/${pkg}_${vfile}"_*.deb | head -n 1)
	fi
	tmp="$dir.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp/unpacked" "$tmp/modules"
	log "unpacking $deb"
	dpkg -x "$deb" "$tmp/unpacked" || return 1
	mv "$tmp/unpacked/boot" "$tmp/boot" || return 1
	for m in $modules; do
		f=$(ls "$tmp"/unpacked/lib/modules/*/kernel/"$m" 2>/dev/null |
			head -n 1)
		[ -n "$f" ] || { log "$pkg has no $m"; return 1; }
		deps=$(objcopy -O binary --only-section=.modinfo "$f" /dev/stdout |
			tr '\0' '\n' | sed -n 's/^depends=//p')
		[ -z "$deps" ] || { log "$m depends on $deps"; return 1; }
		cp "$f" "$tmp/modules/" || return 1
	done
	rm -rf "$tmp/unpacked"
	printf '%s\n' "$2" >"$tmp/package"
	touch "$tmp/.complete"
	rm -rf "$dir"
	mv "$tmp" "$dir" || return 1
	printf '%s\n' "$dir"
}

declare -A kpkg kdir
for arch in x86_64 i386; do
	eval "[ \$need_$arch = 1 ]" || continue
	if [ $arch = i386 ]; then
		i386_lists || skip "no i386 package lists (apt-get update failed: network?)"
		meta=linux-image-686-pae
	else
		meta=linux-image-amd64
	fi
	kpkg[$arch]=$(resolve $arch $meta) ||
		skip "apt knows no package $meta depends on (run apt-get update?)"
	kdir[$arch]=$(unpack $arch "${kpkg[$arch]}") ||
		skip "cannot fetch ${kpkg[$arch]} (network?)"
done

# ---- the images folder -------------------------------------------------

key=$( {
	cat "$here/mkimages.sh" "$here/mkimage.py" "$here/guest/init.c"
	qemu-system-x86_64 --version 2>/dev/null | head -n 1
	makedumpfile -v 2>&1 | head -n 1
	gcc --version | head -n 1
} | sha256sum | cut -c1-16)
images="$cache/images-$key"
mkdir -p "$images"
ln -sfn "images-$key" "$cache/latest.tmp" && mv -T "$cache/latest.tmp" "$cache/latest"
touch "$images/.used"
# Folders of other sources (other trees, older commits): the two used
# last are kept for a week, the others go (5 GiB each).
kept=0
for used in $(ls -t "$cache"/images-*/.used 2>/dev/null); do
	old=${used%/.used}
	[ "$old" != "$images" ] || continue
	if [ $kept -lt 2 ] &&
		[ -n "$(find "$used" -newermt '7 days ago' 2>/dev/null)" ]; then
		kept=$((kept + 1))
	else
		rm -rf "$old"
	fi
done
rm -rf "$images"/.tmp-* "$images"/build-*

# current VARIANT: is its manifest there and of today's kernel package?
current() {
	local v=$1 pkg=$2 m="$images/$1.manifest" f
	[ -f "$m" ] && grep -qxF "kernel_package $pkg" "$m" || return 1
	for f in $(sed -n 's/^image [^ ]* //p' "$m"); do
		[ -f "$images/$f" ] || return 1
	done
}

declare -A initrd
build_initrd() {	# build_initrd ARCH: prints the initramfs path
	local arch=$1 dir=${kdir[$1]} build="$images/build-$1" m32="" mods=()
	[ $arch = i386 ] && m32=-m32
	mkdir -p "$build"
	gcc $m32 -static -O2 -std=gnu11 -pthread -Wall -Wextra -Werror \
		-o "$build/init" "$here/guest/init.c" >&2 ||
		{ log "gcc $m32 -static failed (gcc-multilib and libc6-dev-i386 for -m32)"; return 77; }
	for m in "$dir"/modules/*.ko; do mods+=(--module "$m"); done
	python3 "$mkimage" initramfs "$build/initrd.gz" --init "$build/init" \
		"${mods[@]}" >&2 || return 1
	printf '%s\n' "$build/initrd.gz"
}

status=0
for v in "${variants[@]}"; do
	arch=${variant_arch[$v]}
	if current "$v" "${kpkg[$arch]}"; then
		log "$v: cached"
		continue
	fi
	if [ -z "${initrd[$arch]:-}" ]; then
		rc=0
		initrd[$arch]=$(build_initrd $arch) || rc=$?
		[ $rc = 0 ] || { [ $rc = 77 ] && skip "cannot build /init for $arch"; die "cannot build the $arch initramfs"; }
	fi
	log "$v: booting ${kpkg[$arch]}"
	rc=0
	python3 "$mkimage" run "$v" \
		--kernel "$(ls "${kdir[$arch]}"/boot/vmlinuz-*)" \
		--config "$(ls "${kdir[$arch]}"/boot/config-*)" \
		--initrd "${initrd[$arch]}" --package "${kpkg[$arch]}" \
		--outdir "$images" --slow "$slow" || rc=$?
	case $rc in
	0) ;;
	77) skip "variant $v" ;;
	*) log "$v: failed"; status=1 ;;
	esac
done
rm -rf "$images"/build-*
[ $status = 0 ] || exit 1

if [ "$dest" = cache ]; then
	printf '%s\n' "$images"
	exit 0
fi
# Linked under a temporary name and renamed, the manifest last.
mkdir -p "$dest"
for v in "${variants[@]}"; do
	for f in $(sed -n 's/^image [^ ]* //p' "$images/$v.manifest") \
	    "$v.manifest"; do
		rm -f "$dest/.$f.tmp"
		ln "$images/$f" "$dest/.$f.tmp" 2>/dev/null ||
			ln -s "$images/$f" "$dest/.$f.tmp" || die "cannot link into $dest"
		mv -f "$dest/.$f.tmp" "$dest/$f"
	done
done
(cd "$dest" && pwd)
