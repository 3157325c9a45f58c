# shellcheck shell=bash
# Shared by release/build, release/rootfs and release/image (sourced, not
# run, after they set $root to the checkout).
# shellcheck disable=SC2034,SC2154 # the settings are read by the scripts that source this

# The SBOM tool's version, the same in the Containerfile's build stage, the
# release workflow and localstack/install-test-tools.
CYCLONEDX_VERSION=0.5.9
# Where the image's binary points users and registries.
IMAGE_NAME=ghcr.io/bulkhead-audit/bulkhead
# The image's numeric user and group: the "nonroot" id distroless images use,
# outside the range distributions give to people and to system accounts.
IMAGE_UID=65532

log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The [package] version in Cargo.toml.
package_version() {
    awk -F'"' '/^\[/{in_package = ($0 == "[package]")} in_package && /^version *=/{print $2; exit}' "$root/Cargo.toml"
}

# The checkout's commit, or "unknown" outside git (a source tarball, the
# Containerfile's build stage, which gets no .git).
revision() {
    git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown
}

# Static musl on Linux (runs on any distribution and on scratch), Apple's
# target on macOS.
default_target() {
    local arch
    arch="$(uname -m)"
    case "$(uname -s)" in
        Linux) echo "${arch/arm64/aarch64}-unknown-linux-musl" ;;
        Darwin) echo "${arch/arm64/aarch64}-apple-darwin" ;;
        *) die "no default target for $(uname -s): give --target" ;;
    esac
}

# Builds bulkhead for $1 with profile $2 and prints the binary's path.
build_binary() {
    local target="$1" profile="$2" dir
    if [[ "$target" == *-linux-musl ]]; then
        # aws-lc-sys and SQLite are C: musl-gcc (Debian's musl-tools) builds
        # them against musl for this machine's architecture.
        if [[ "$target" == "$(uname -m)"-* ]]; then
            command -v musl-gcc >/dev/null || die "musl-gcc is missing: apt-get install musl-tools"
            export "CC_${target//-/_}=musl-gcc"
        fi
    fi
    log "cargo build --locked --profile $profile --target $target"
    (cd "$root" && cargo build --locked --profile "$profile" --target "$target" --bin bulkhead) >&2
    # cargo's folder for the built-in dev profile is "debug"; every other
    # profile's is its name.
    dir="$profile"
    [[ "$profile" != dev ]] || dir=debug
    echo "${CARGO_TARGET_DIR:-$root/target}/$target/$dir/bulkhead"
}

# The binary's SBOM for $1 into the file $2: CycloneDX 1.5 JSON of the
# dependencies compiled into it (build scripts' and tests' left out), read
# from Cargo.lock.
write_sbom() {
    local target="$1" file="$2" made
    (cd "$root" && cargo cyclonedx --format json --spec-version 1.5 --target "$target" \
        --no-build-deps --override-filename bulkhead-sbom-tmp -q) >&2
    made="$root/bulkhead-sbom-tmp.json"
    [[ -f "$made" ]] || die "cargo cyclonedx wrote no $made"
    mv "$made" "$file"
    chmod 0644 "$file"
}

# sha256sum's format on Linux and macOS.
sha256() {
    if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

# tar.gz of folder $2 inside $1 into $3, with the same bytes for the same
# files (sorted names, owner 0, mtime of the last commit, gzip without a
# name or time) where GNU tar is at hand.
reproducible_tar() {
    local parent="$1" name="$2" archive="$3" tar=tar epoch
    command -v gtar >/dev/null && tar=gtar
    if "$tar" --version 2>/dev/null | grep -q 'GNU tar'; then
        epoch="$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)"
        "$tar" -C "$parent" --sort=name --owner=0 --group=0 --numeric-owner \
            --mtime="@$epoch" -cf - "$name" | gzip -9n >"$archive"
    else
        "$tar" -C "$parent" -cf - "$name" | gzip -9n >"$archive"
    fi
}
