#!/usr/bin/env bash
# Makes sure debian:bookworm-slim exists locally. Where it cannot be pulled (no registry
# reachable), build an equivalent minimal bookworm root filesystem with debootstrap and import it.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=debian:bookworm-slim
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  exit 0
fi
if timeout 60 docker pull -q "$IMAGE" >/dev/null 2>&1; then
  exit 0
fi
echo "base-image: $IMAGE cannot be pulled; building it with debootstrap from $MIRROR" >&2
command -v debootstrap >/dev/null || scripts/apt-install.sh base-image debootstrap
[ "$(id -u)" = 0 ] || { echo "base-image: debootstrap needs root; run: sudo make base-image" >&2; exit 1; }

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >/dev/null
# Same trims as the official slim image: no apt lists, caches or downloaded packages, and no
# documentation, manual pages or translations, now or in any package installed later
# (copyright files stay).
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
       "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
       "$rootfs"/usr/share/groff/* "$rootfs"/usr/share/lintian/*
find "$rootfs"/usr/share/doc -type f ! -name copyright -delete
cat > "$rootfs"/etc/dpkg/dpkg.cfg.d/docker-slim <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
SLIM
# As in the official image: apt keeps no downloaded package after installing it.
cat > "$rootfs"/etc/apt/apt.conf.d/docker-clean <<'CLEAN'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CLEAN
# A host behind a TLS-intercepting proxy trusts extra CAs; the image built here for this host does
# too (installing ca-certificates in an image adds them), so that builds reach PyPI with a bare
# `docker compose up`. Certificates are public.
extra=$(scripts/host-ca-certs.sh)
if [ -n "$extra" ]; then
  mkdir -p "$rootfs/usr/local/share/ca-certificates"
  printf '%s\n' "$extra" > "$rootfs/usr/local/share/ca-certificates/host-extra.crt"
fi
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' - "$IMAGE" >/dev/null
echo "base-image: built $IMAGE" >&2
