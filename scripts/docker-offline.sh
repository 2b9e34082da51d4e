#!/usr/bin/env bash
# Makes a Docker engine and the .NET base images available on a machine without container-registry access
# (apt and NuGet reachable, Docker Hub and mcr not). On an ordinary machine none of this is needed: Docker pulls the
# real mcr.microsoft.com images. Idempotent and fast when the engine runs and the images exist.
#
#   scripts/docker-offline.sh engine   install docker.io (and docker-compose) if missing, start dockerd, wait for it
#   scripts/docker-offline.sh images   create mcr.microsoft.com/dotnet/{sdk,aspnet}:10.0 locally if missing
#   scripts/docker-offline.sh          both
#
# The base images are built as the official ones are laid out: Debian bookworm (debootstrap minbase) plus
# ca-certificates, libicu72, libssl3, the user `app` (uid 1654, $APP_UID), ASPNETCORE_HTTP_PORTS=8080, and the
# host's .NET (the aspnet image gets only the host and the NETCore/AspNetCore shared runtimes, no SDK).
set -euo pipefail

DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
WORK=${MOBILEVIT_BASE_WORK:-/var/cache/mobilevit-base-images}
DOTNET_DIR=${DOTNET_DIR:-/usr/share/dotnet}
SDK_TAG=mcr.microsoft.com/dotnet/sdk:10.0
ASPNET_TAG=mcr.microsoft.com/dotnet/aspnet:10.0
# The engine Debian ships speaks API 1.41; newer clients (and Testcontainers) ask for more unless told.
export DOCKER_API_VERSION=${DOCKER_API_VERSION:-1.41}

log() { echo "docker-offline: $*" >&2; }

engine() {
  if docker info >/dev/null 2>&1; then log "engine already answers"; return; fi
  if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null || ! command -v docker-compose >/dev/null; then
    log "installing docker.io and docker-compose from apt"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose >/dev/null
  fi
  if ! pgrep -x dockerd >/dev/null; then
    log "starting dockerd (log: $DOCKERD_LOG)"
    nohup dockerd >"$DOCKERD_LOG" 2>&1 &
  fi
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then log "engine ready: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"; return; fi
    sleep 1
  done
  log "dockerd did not answer within 60 s; its log:"; tail -n 50 "$DOCKERD_LOG" >&2; exit 1
}

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# A bookworm minbase root filesystem with what .NET needs, made once and kept in $WORK/rootfs.
rootfs() {
  local root=$WORK/rootfs
  if [ -f "$root/.complete" ]; then return; fi
  command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  local mirror
  mirror=$(apt-get indextargets --format '$(REPO_URI)' 'Identifier: Packages' 2>/dev/null | grep -m1 -v security || true)
  mirror=${mirror:-http://deb.debian.org/debian/}
  log "debootstrap minbase bookworm from $mirror"
  rm -rf "$root"; mkdir -p "$root"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 30 "$WORK/debootstrap.log" >&2; exit 1; }
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  chroot "$root" apt-get install -y -qq --no-install-recommends ca-certificates libicu72 libssl3 tzdata >/dev/null
  chroot "$root" groupadd --gid 1654 app
  chroot "$root" useradd --uid 1654 --gid 1654 --no-create-home --home-dir /home/app --shell /bin/sh app
  mkdir -p "$root/home/app" && chown 1654:1654 "$root/home/app"
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
  : >"$root/etc/resolv.conf"
  # NuGet inside a build verifies package signatures against this bundle; the host's is the one that works here.
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  touch "$root/.complete"
}

# docker import of the root filesystem plus the given paths of the host's .NET; $1 tag, rest: --change options.
import_image() {
  local tag=$1; shift
  local stage=$WORK/stage
  rm -rf "$stage"; cp -al "$WORK/rootfs" "$stage"; rm -f "$stage/.complete"
  mkdir -p "$stage/usr/share/dotnet"
  for part in "${DOTNET_PARTS[@]}"; do
    mkdir -p "$stage/usr/share/dotnet/$(dirname "$part")"
    cp -a "$DOTNET_DIR/$part" "$stage/usr/share/dotnet/$part"
  done
  ln -s ../share/dotnet/dotnet "$stage/usr/bin/dotnet"
  log "importing $tag"
  tar -C "$stage" -c . | docker import "$@" - "$tag" >/dev/null
  rm -rf "$stage"
}

images() {
  if have_image "$SDK_TAG" && have_image "$ASPNET_TAG"; then log "base images already exist"; return; fi
  # Where the registry answers, the real images are what the Dockerfile wants.
  if timeout 120 docker pull -q "$SDK_TAG" >/dev/null 2>&1 && timeout 120 docker pull -q "$ASPNET_TAG" >/dev/null 2>&1; then
    log "pulled the base images"; return
  fi
  log "the registry is unreachable: building the base images locally"
  mkdir -p "$WORK"
  rootfs
  local version
  version=$(ls "$DOTNET_DIR/shared/Microsoft.AspNetCore.App" | sort -V | tail -n 1)
  local common=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
                --change 'ENV APP_UID=1654' --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true'
                --change "ENV DOTNET_VERSION=$version" --change "ENV ASPNET_VERSION=$version"
                --change 'CMD ["/bin/bash"]')
  if ! have_image "$ASPNET_TAG"; then
    DOTNET_PARTS=(dotnet LICENSE.txt ThirdPartyNotices.txt host shared/Microsoft.NETCore.App shared/Microsoft.AspNetCore.App)
    import_image "$ASPNET_TAG" "${common[@]}" --change 'ENV ASPNETCORE_HTTP_PORTS=8080'
  fi
  if ! have_image "$SDK_TAG"; then
    DOTNET_PARTS=($(ls "$DOTNET_DIR"))
    import_image "$SDK_TAG" "${common[@]}" --change 'ENV ASPNETCORE_HTTP_PORTS=8080' \
      --change 'ENV DOTNET_CLI_TELEMETRY_OPTOUT=1' --change 'ENV DOTNET_NOLOGO=1' \
      --change 'ENV DOTNET_GENERATE_ASPNET_CERTIFICATE=false' --change 'ENV NUGET_CERT_REVOCATION_MODE=offline'
  fi
  docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep mcr.microsoft.com/dotnet >&2
}

case "${1:-all}" in
  engine) engine ;;
  images) engine; images ;;
  all) engine; images ;;
  *) echo "usage: $0 [engine|images|all]" >&2; exit 2 ;;
esac
