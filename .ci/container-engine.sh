# Sourced by .ci/run: a Docker engine for the container step on a machine that has none running,
# and a stand-in base image when Docker Hub is out of reach.
#
# private_engine_start: as root with apt-get, installs docker.io and starts dockerd on a socket
#   of its own (no iptables, no bridge: builds and runs use the host's network); exports
#   DOCKER_HOST. Returns 1, saying why, when the machine cannot.
# standin_base IMAGE: when IMAGE (python:3.13-slim) can neither be found nor pulled, builds a
#   stand-in of it from Debian trixie (Python 3.13) with debootstrap, trusting this machine's
#   CA certificates so that pip inside the build reaches PyPI through its egress proxy. Returns
#   1, saying why, when the machine cannot. It checks the Dockerfile's logic (multi-stage, the
#   compile of durable_rules, the non-root runtime, the entry point), not the published image.
# private_engine_stop: stops that dockerd and removes everything it left.

ENGINE_DIR=""

private_engine_start() {
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "container: no Docker engine, and not root with apt-get to start one"
        return 1
    fi
    ENGINE_DIR=$(mktemp -d /tmp/cc-engine.XXXXXX)
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io debootstrap; } \
        >"$ENGINE_DIR/apt.log" 2>&1; then
        echo "container: apt-get could not install docker.io: $(tail -n 1 "$ENGINE_DIR/apt.log")"
        return 1
    fi
    mkdir -p "$ENGINE_DIR/data" "$ENGINE_DIR/exec"
    export DOCKER_HOST="unix://$ENGINE_DIR/docker.sock" DOCKER_BUILDKIT=0
    dockerd --data-root "$ENGINE_DIR/data" --exec-root "$ENGINE_DIR/exec" \
        --pidfile "$ENGINE_DIR/dockerd.pid" -H "$DOCKER_HOST" --storage-driver=overlay2 \
        --iptables=false --bridge=none >"$ENGINE_DIR/dockerd.log" 2>&1 &
    local _
    for _ in $(seq 30); do
        docker info >/dev/null 2>&1 && return 0
        sleep 1
    done
    echo "container: dockerd did not start: $(tail -n 1 "$ENGINE_DIR/dockerd.log")"
    return 1
}

private_engine_stop() {
    [ -n "$ENGINE_DIR" ] || return 0
    if [ -s "$ENGINE_DIR/dockerd.pid" ]; then
        local pid _
        pid=$(cat "$ENGINE_DIR/dockerd.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 30); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 1
        done
    fi
    findmnt -rn -o TARGET | grep "^$ENGINE_DIR/" | sort -r | xargs -r -n1 umount -l 2>/dev/null \
        || true
    rm -rf "$ENGINE_DIR"
    ENGINE_DIR=""
    unset DOCKER_HOST DOCKER_BUILDKIT
}

standin_base() {
    local image=$1 root
    if docker image inspect "$image" >/dev/null 2>&1 || docker pull -q "$image" >/dev/null 2>&1; then
        return 0
    fi
    if ! command -v debootstrap >/dev/null 2>&1; then
        echo "container: $image cannot be pulled and debootstrap is missing"
        return 1
    fi
    root=$(mktemp -d /tmp/cc-base.XXXXXX)
    if ! debootstrap --variant=minbase \
        --include=python3,python3-venv,python3-pip,libpython3.13-dev,ca-certificates \
        trixie "$root" http://deb.debian.org/debian >"$root.log" 2>&1; then
        echo "container: debootstrap of Debian trixie failed: $(tail -n 1 "$root.log")"
        rm -rf "$root" "$root.log"
        return 1
    fi
    rm -f "$root/etc/apt/sources.list" "$root"/usr/lib/python3.*/EXTERNALLY-MANAGED
    printf '%s\n' "Types: deb" "URIs: http://deb.debian.org/debian" \
        "Suites: trixie trixie-updates" "Components: main" \
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
        >"$root/etc/apt/sources.list.d/debian.sources"
    ln -sf /usr/bin/python3 "$root/usr/local/bin/python"
    ln -sf /usr/bin/pip3 "$root/usr/local/bin/pip"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" \
        2>/dev/null || true
    chroot "$root" update-ca-certificates >/dev/null 2>&1 || true
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb \
        "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/locale
    if ! tar -C "$root" -c . | docker import -c 'ENV LANG=C.UTF-8' \
        -c 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
        -c 'CMD ["python3"]' - "$image" >/dev/null; then
        echo "container: docker import of the stand-in $image failed"
        rm -rf "$root" "$root.log"
        return 1
    fi
    rm -rf "$root" "$root.log"
    if ! docker run --rm --network host "$image" python -c 'import urllib.request as u
u.urlopen("https://pypi.org/simple/pip/", timeout=30)' >/dev/null 2>&1; then
        echo "container: a container cannot run here, or cannot reach PyPI"
        return 1
    fi
    echo "container: $image cannot be pulled here; built a stand-in from Debian trixie" \
        "(Python $(docker run --rm "$image" python -c 'import platform; print(platform.python_version())'))"
}
