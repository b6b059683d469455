#!/usr/bin/env bash
# Builds the three images of deploy/docker/Dockerfile (spaceships-server, gapkit-matchmaker,
# gapkit-httpd) with podman, on a machine without a Docker engine or Docker Hub: the Debian 12 base
# images are made here with debootstrap, once, and passed as the Dockerfile's BUILD_BASE and
# RUNTIME_BASE. `make images` installs podman and debootstrap, runs this, then tests the images
# (ctest -L images, tests/images). docs/deploy.md section 2 has the details.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
TAG=${GAPKIT_IMAGE_TAG:-local}
BASE=${GAPKIT_BASE_IMAGE:-localhost/debian}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
TARGETS=(spaceships-server matchmaker httpd)
rebuild_base=0

usage() {
    cat <<EOF
Usage: scripts/build-images.sh [--tag TAG] [--rebuild-base] [TARGET...]

Builds deploy/docker/Dockerfile's targets with podman (--isolation chroot, as podman's default
runtime is refused on machines like the one gapkit is tested on) into local images:
  spaceships-server -> localhost/spaceships-server:TAG
  matchmaker        -> localhost/gapkit-matchmaker:TAG
  httpd             -> localhost/gapkit-httpd:TAG
TARGET... chooses some of them (default: all three).

The base images $BASE:12 (debootstrap --variant=minbase bookworm, with the same apt sources as
Docker Hub's debian:12) and $BASE:12-slim (the same without documentation, man pages and locales,
as debian:12-slim) are made first when missing; that needs root and takes about half a minute.

Options:
  --tag TAG        the images' tag (env GAPKIT_IMAGE_TAG, default: local)
  --rebuild-base   make the base images again even if they exist (new Debian updates)
  -h, --help       this help

Environment:
  GAPKIT_BASE_IMAGE  the base images' name (default: localhost/debian)
  DEBIAN_MIRROR      where debootstrap downloads from (default: http://deb.debian.org/debian)

Example: sudo scripts/build-images.sh --tag 2026.12.06-1 spaceships-server
EOF
}

say() { printf '\033[1m[images]\033[0m %s\n' "$*"; }
die() {
    echo "build-images.sh: $*" >&2
    exit 1
}

while [[ $# -gt 0 ]]; do
    case $1 in
        -h | --help) usage && exit 0 ;;
        --tag) [[ $# -ge 2 ]] || { usage >&2 && exit 2; }; TAG=$2 && shift ;;
        --rebuild-base) rebuild_base=1 ;;
        -*) echo "unknown option $1" >&2 && usage >&2 && exit 2 ;;
        *) break ;;
    esac
    shift
done
[[ $# -eq 0 ]] || TARGETS=("$@")

image_name() {  # image_name <target>: the local image the target is built into
    case $1 in
        spaceships-server) echo "localhost/spaceships-server:$TAG" ;;
        matchmaker | httpd) echo "localhost/gapkit-$1:$TAG" ;;
        *) echo "unknown target '$1' (spaceships-server, matchmaker, httpd)" >&2 && exit 2 ;;
    esac
}
for target in "${TARGETS[@]}"; do image_name "$target" > /dev/null; done

for tool in podman debootstrap; do
    command -v "$tool" > /dev/null ||
        die "$tool is not installed: run 'make images-deps' (apt-get install podman debootstrap)"
done

scratch=()  # folders removed on exit, even on failure: the rootfs, the build context
trap 'rm -rf "${scratch[@]}"' EXIT

seconds_since() { echo $(($(date +%s) - $1)); }

# debootstrap's rootfs plus what Docker Hub's debian:12 has that minbase lacks: the updates and
# security suites, so the images get the same package versions.
make_rootfs() {
    local rootfs=$1
    debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" > "$rootfs.log" 2>&1 ||
        die "debootstrap failed (log: $rootfs.log)"
    rm -f "$rootfs/etc/apt/sources.list"
    cat > "$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
}

# What debian:12-slim leaves out: documentation, man pages and translations, now and in every
# package installed later (the same dpkg filter as the slim image's).
slim_rootfs() {
    local rootfs=$1
    cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
    find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    rm -rf "$rootfs"/usr/share/{man,groff,info,lintian,linda,locale}/*
}

import_rootfs() {  # import_rootfs <rootfs> <image>
    tar -C "$1" -c . | podman import --quiet --change 'CMD ["bash"]' \
        --message "debootstrap --variant=minbase bookworm ($MIRROR)" - "$2" > /dev/null ||
        die "podman import of $2 failed"
}

make_base_images() {
    if [[ $rebuild_base -eq 0 ]] && podman image exists "$BASE:12" && podman image exists "$BASE:12-slim"; then
        say "base images $BASE:12 and $BASE:12-slim exist (--rebuild-base makes them again)"
        return
    fi
    [[ $(id -u) -eq 0 ]] || die "debootstrap needs root: run this script as root (sudo)"
    local start work
    start=$(date +%s)
    work=$(mktemp -d /var/tmp/gapkit-base.XXXXXX)
    scratch+=("$work")
    say "making $BASE:12 with debootstrap from $MIRROR (about 30 s; log: $work/rootfs.log)"
    make_rootfs "$work/rootfs"
    import_rootfs "$work/rootfs" "$BASE:12"
    slim_rootfs "$work/rootfs"
    import_rootfs "$work/rootfs" "$BASE:12-slim"
    say "base images made in $(seconds_since "$start") s"
}

# The build context: a copy of the tree as it is now (what git tracks plus the untracked files it
# does not ignore), so that the three images come from one state of the sources even while someone
# edits them, and a change between two targets does not rebuild the programs again.
snapshot_context() {
    if ! git -C "$root" rev-parse --git-dir > /dev/null 2>&1; then
        context=$root
        return
    fi
    context=$(mktemp -d /var/tmp/gapkit-context.XXXXXX)
    scratch+=("$context")
    # --ignore-failed-read: a tracked file deleted in the tree is simply not in the copy.
    (cd "$root" && git ls-files -z --cached --others --exclude-standard |
        tar --null --files-from - --ignore-failed-read -c 2> /dev/null) | tar -C "$context" -x ||
        die "cannot copy the tree into $context"
    revision=$(git -C "$root" describe --always --dirty --abbrev=40 2> /dev/null || echo unknown)
    say "sources of revision $revision copied into the build context $context"
}

build_target() {
    local target=$1 image start
    image=$(image_name "$target")
    start=$(date +%s)
    say "building $image (target $target of deploy/docker/Dockerfile)"
    # chroot isolation: the default OCI runtime (crun) cannot set its rlimits in unprivileged
    # containers like the ones gapkit is developed in, and RUN steps work without it.
    podman build --isolation chroot --pull=never --file "$context/deploy/docker/Dockerfile" --target "$target" \
        --build-arg "BUILD_BASE=$BASE:12" --build-arg "RUNTIME_BASE=$BASE:12-slim" \
        --build-arg "GAPKIT_REVISION=$revision" --tag "$image" "$context" ||
        die "podman build of target $target failed (see above)"
    say "built $image in $(seconds_since "$start") s"
}

context=$root
revision=unknown
make_base_images
snapshot_context
for target in "${TARGETS[@]}"; do build_target "$target"; done
say "done:"
podman images --filter reference='localhost/*' --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' | grep -v debian || true
