#!/usr/bin/env bash
# A git tag becomes a live Edgegap app version: the steps of .github/workflows/release.yml, run the
# same way by CI, by tests/operate/release_test.cpp (against edgegap-sim) and by hand. See --help.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
readonly repo_root program=release.sh

usage() {
    cat <<'EOF'
Usage: deploy/release/release.sh [options] TAG

Makes the git tag TAG (e.g. v1.2.3) a live Edgegap app version named TAG:
  1. builds the game server image (deploy/docker/Dockerfile, target spaceships-server) as
     $EDGEGAP_DOCKER_REGISTRY/$EDGEGAP_IMAGE_NAME:TAG
  2. logs in to the registry (password on stdin) and pushes it
  3. gapctl app-version create APP TAG --from-version BASE --registry ... --image ... --tag TAG
     --registry-username USER --if-exists update   (every setting of BASE: ports, env, session
     config; the image and the pull credentials change; the token goes to gapctl by env only)
  4. gapctl set-ca-argument APP TAG CA.pem   (the NATS CA as `--ca_contents '<PEM>'`)
  5. gapctl app-version show APP TAG   (the result, on stdout)
Running it again for the same TAG updates the same version: a rerun is safe.

Options (each falls back to the environment variable shown):
  --skip-image           skip steps 1-2 (no build, no push: the image is already in the registry)
  --image-only           run steps 1-2 only (CI's image job; no Edgegap API call)
  --check                check every setting of steps 1-5 (and the CA's PEM), run nothing
  --app NAME             Edgegap app (GAPKIT_MM_APP_NAME, the matchmaker's name for it)
  --base-version NAME    the version a release copies (EDGEGAP_BASE_VERSION)
  --ca-file PATH         the NATS CA certificate, PEM (NATS_CA); or its contents in NATS_CA_PEM
  --gapctl PATH          the gapctl program (GAPCTL; default: gapctl on PATH)
  --container-tool TOOL  docker or podman (GAPKIT_CONTAINER_TOOL; default: docker if installed,
                         else podman)
  --build-arg NAME=VALUE passed to the image build (repeatable)
  --build-option OPTION  passed to the image build as is, e.g. --isolation=chroot (repeatable)
  --json                 step 5 prints JSON instead of a table
  -h, --help             this text

Settings (environment only):
  EDGEGAP_DOCKER_REGISTRY   registry host and path, e.g. registry.edgegap.com (always needed)
  EDGEGAP_IMAGE_NAME        image path in the registry, e.g. <org id>/spaceships-server (always)
  EDGEGAP_DOCKER_USERNAME   registry user (secret; steps 1-2)
  EDGEGAP_DOCKER_PASSWORD   registry password or token (secret; steps 1-2; given on stdin)
  EDGEGAP_REGISTRY_USERNAME registry user Edgegap pulls the image as, e.g. a pull-only robot
                            robot$<org>+app-version-pull (step 3; default EDGEGAP_DOCKER_USERNAME)
  EDGEGAP_REGISTRY_TOKEN    its token (secret; step 3; default EDGEGAP_DOCKER_PASSWORD; both
                            or neither of the two EDGEGAP_REGISTRY_* are set)
  EDGEGAP_API_KEY           Edgegap API token (secret; steps 3-5; read by gapctl from its env)
  EDGEGAP_BASE_URL          Edgegap API URL (optional; gapctl's default is Edgegap's own)

Exit codes: 0 released, 1 a step failed, 2 usage or missing settings (all named at once).

Example, a rehearsal against `make run`'s edgegap-sim (no registry: the image steps are skipped):
  PATH=$PWD/build/bin:$PATH EDGEGAP_BASE_URL=http://127.0.0.1:8090 EDGEGAP_API_KEY=devkey \
  EDGEGAP_DOCKER_REGISTRY=registry.edgegap.com EDGEGAP_IMAGE_NAME=my-org/spaceships-server \
  GAPKIT_MM_APP_NAME=spaceships EDGEGAP_BASE_VERSION=1 NATS_CA=.state/ca/rootCA.pem \
  deploy/release/release.sh --skip-image v9.9.9
EOF
}

say() { echo "$program: $*" >&2; }
fail() {  # fail <exit code> <message>
    say "$2"
    exit "$1"
}

run_image=1
run_version=1
check_only=0
json=()
build_args=()
app=${GAPKIT_MM_APP_NAME:-}
base_version=${EDGEGAP_BASE_VERSION:-}
ca_file=${NATS_CA:-}
gapctl=${GAPCTL:-gapctl}
container_tool=${GAPKIT_CONTAINER_TOOL:-}
tag=
cleanup=()  # temporary files and folders, removed on exit
trap 'rm -rf "${cleanup[@]}"' EXIT

parse_args() {
    while (($#)); do
        case $1 in
            -h | --help) usage; exit 0 ;;
            --skip-image) run_image=0 ;;
            --image-only) run_version=0 ;;
            --json) json=(--json) ;;
            --check) check_only=1 ;;
            --app | --base-version | --ca-file | --gapctl | --container-tool | --build-arg | --build-option)
                (($# >= 2)) || fail 2 "$1 needs a value (see --help)"
                case $1 in
                    --app) app=$2 ;;
                    --base-version) base_version=$2 ;;
                    --ca-file) ca_file=$2 ;;
                    --gapctl) gapctl=$2 ;;
                    --container-tool) container_tool=$2 ;;
                    --build-arg) build_args+=(--build-arg "$2") ;;
                    --build-option) build_args+=("$2") ;;
                esac
                shift ;;
            -*) fail 2 "unknown option $1 (see --help)" ;;
            *)
                [[ -z $tag ]] || fail 2 "one TAG only, got '$tag' and '$1'"
                tag=$1 ;;
        esac
        shift
    done
    ((run_image || run_version)) || fail 2 "--skip-image and --image-only together leave nothing to do"
}

# Every missing setting is named in one go, so a new CI setup is fixed in one round.
check_settings() {
    local missing=()
    [[ -n $tag ]] || missing+=("TAG (the argument: the git tag, e.g. v1.2.3)")
    [[ -n ${EDGEGAP_DOCKER_REGISTRY:-} ]] || missing+=("EDGEGAP_DOCKER_REGISTRY (e.g. registry.edgegap.com)")
    [[ -n ${EDGEGAP_IMAGE_NAME:-} ]] || missing+=("EDGEGAP_IMAGE_NAME (e.g. <org id>/spaceships-server)")
    if ((run_image)); then
        [[ -n ${EDGEGAP_DOCKER_USERNAME:-} ]] || missing+=("EDGEGAP_DOCKER_USERNAME (registry user; or --skip-image)")
        [[ -n ${EDGEGAP_DOCKER_PASSWORD:-} ]] || missing+=("EDGEGAP_DOCKER_PASSWORD (registry password; or --skip-image)")
    fi
    if ((run_version)); then
        [[ -n ${EDGEGAP_API_KEY:-} ]] || missing+=("EDGEGAP_API_KEY (Edgegap API token)")
        [[ -n $app ]] || missing+=("GAPKIT_MM_APP_NAME or --app (the Edgegap app, e.g. spaceships)")
        [[ -n $base_version ]] || missing+=("EDGEGAP_BASE_VERSION or --base-version (the version to copy, e.g. 1)")
        [[ -n $ca_file || -n ${NATS_CA_PEM:-} ]] || missing+=("NATS_CA (a file) or NATS_CA_PEM (its contents): the NATS CA certificate")
        if [[ -n ${EDGEGAP_REGISTRY_USERNAME:-} && -z ${EDGEGAP_REGISTRY_TOKEN:-} ]]; then
            missing+=("EDGEGAP_REGISTRY_TOKEN (the pull token of EDGEGAP_REGISTRY_USERNAME)")
        elif [[ -z ${EDGEGAP_REGISTRY_USERNAME:-} && -n ${EDGEGAP_REGISTRY_TOKEN:-} ]]; then
            missing+=("EDGEGAP_REGISTRY_USERNAME (the user of EDGEGAP_REGISTRY_TOKEN)")
        fi
    fi
    if ((${#missing[@]})); then
        say "missing settings (see --help):"
        printf '  %s\n' "${missing[@]}" >&2
        exit 2
    fi
}

# The tag names a docker tag (128 characters at most) and an Edgegap version (64 at most); both must
# hold it as is.
check_values() {
    [[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$ ]] ||
        fail 2 "TAG '$tag' is not a valid image tag and version name: letters, digits, '_', '.', '-' (64 at most, not starting with '.' or '-')"
    [[ $EDGEGAP_DOCKER_REGISTRY =~ ^[A-Za-z0-9.:/_-]+$ ]] ||
        fail 2 "EDGEGAP_DOCKER_REGISTRY '$EDGEGAP_DOCKER_REGISTRY' is not a registry: a host[:port][/path], no scheme"
    [[ $EDGEGAP_IMAGE_NAME =~ ^[a-z0-9._/-]+$ ]] ||
        fail 2 "EDGEGAP_IMAGE_NAME '$EDGEGAP_IMAGE_NAME' is not an image path: lower case letters, digits, '.', '_', '-', '/'"
}

# The CA is checked before anything runs: a wrong CA found after a 20-minute image build would
# waste the build.
check_ca() {
    ((run_version)) || return 0
    if [[ -z $ca_file ]]; then  # CI's secret or variable holds the contents: gapctl wants a file
        ca_file=$(mktemp)
        cleanup+=("$ca_file")
        printf '%s\n' "$NATS_CA_PEM" >"$ca_file"
    fi
    [[ -r $ca_file ]] || fail 2 "the NATS CA file '$ca_file' cannot be read: give the CA certificate's path (NATS_CA or --ca-file)"
    grep -q -- '-----BEGIN CERTIFICATE-----' "$ca_file" ||
        fail 2 "the NATS CA ('$ca_file' or NATS_CA_PEM) holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
}

check_tools() {
    if ((run_image)); then pick_container_tool; fi
    if ((run_version)); then
        command -v "$gapctl" >/dev/null ||
            fail 2 "gapctl not found ('$gapctl'): build it (cmake --build build --target gapctl), put build/bin on PATH or give --gapctl"
    fi
}

pick_container_tool() {
    if [[ -z $container_tool ]]; then
        if command -v docker >/dev/null; then container_tool=docker; else container_tool=podman; fi
    fi
    [[ $container_tool == docker || $container_tool == podman ]] ||
        fail 2 "--container-tool must be docker or podman, not '$container_tool'"
    command -v "$container_tool" >/dev/null ||
        fail 1 "$container_tool is not installed: install docker or podman, or give --skip-image (the image must then be in the registry already)"
}

# The registry login lives in a private folder removed on exit: the credentials never stay on the
# machine (docker reads DOCKER_CONFIG, podman REGISTRY_AUTH_FILE).
build_and_push() {
    local image=$EDGEGAP_DOCKER_REGISTRY/$EDGEGAP_IMAGE_NAME:$tag revision auth_dir
    revision=${GITHUB_SHA:-$(git -C "$repo_root" rev-parse HEAD 2>/dev/null || echo unknown)}
    say "1/5 building $image with $container_tool (revision $revision)"
    "$container_tool" build -f "$repo_root/deploy/docker/Dockerfile" --target spaceships-server \
        --build-arg "GAPKIT_REVISION=$revision" "${build_args[@]}" -t "$image" "$repo_root" ||
        fail 1 "the image build failed (its output is above)"
    say "2/5 logging in to ${EDGEGAP_DOCKER_REGISTRY%%/*} and pushing $image"
    auth_dir=$(mktemp -d)
    cleanup+=("$auth_dir")
    export DOCKER_CONFIG=$auth_dir REGISTRY_AUTH_FILE=$auth_dir/auth.json
    printf '%s\n' "$EDGEGAP_DOCKER_PASSWORD" |
        "$container_tool" login --username "$EDGEGAP_DOCKER_USERNAME" --password-stdin "${EDGEGAP_DOCKER_REGISTRY%%/*}" >&2 ||
        fail 1 "the registry refused the login: check EDGEGAP_DOCKER_USERNAME and EDGEGAP_DOCKER_PASSWORD"
    "$container_tool" push "$image" >&2 || fail 1 "the push of $image failed (its output is above)"
    unset DOCKER_CONFIG REGISTRY_AUTH_FILE
}

# gapctl hides the env values Edgegap marks secret; a CI log may be public, so the values of env
# names that look secret are hidden here too, in case the base version did not mark them.
redact() {
    sed -E -e 's/^(env [A-Za-z0-9_]*(PASSWORD|KEY|SECRET|TOKEN)[[:space:]]+).*/\1(hidden)/' \
        -e 's/("key":"[A-Za-z0-9_]*(PASSWORD|KEY|SECRET|TOKEN)","value":)"([^"\\]|\\.)*"/\1"(hidden)"/g'
}

# The credentials Edgegap pulls the image with (private_username/private_token, needed even for
# registry.edgegap.com): a pull-only robot when EDGEGAP_REGISTRY_* are set, else the push
# credentials. gapctl never copies the base version's token, so each release sets it again.
pull_credentials() {
    if [[ -n ${EDGEGAP_REGISTRY_USERNAME:-} ]]; then
        pull_username=$EDGEGAP_REGISTRY_USERNAME pull_token=$EDGEGAP_REGISTRY_TOKEN pull_source=EDGEGAP_REGISTRY_USERNAME
    elif [[ -n ${EDGEGAP_DOCKER_USERNAME:-} && -n ${EDGEGAP_DOCKER_PASSWORD:-} ]]; then
        pull_username=$EDGEGAP_DOCKER_USERNAME pull_token=$EDGEGAP_DOCKER_PASSWORD pull_source=EDGEGAP_DOCKER_USERNAME
    else
        pull_username='' pull_token='' pull_source=''
    fi
}

# Step 3 logs only gapctl's first line (created, updated or unchanged): step 5 shows the whole version.
make_version() {
    local credentials=() pull_username pull_token pull_source
    pull_credentials
    if [[ -n $pull_source ]]; then
        credentials=(--registry-username "$pull_username")
        say "3/5 app version $app/$tag from $app/$base_version, image $EDGEGAP_DOCKER_REGISTRY/$EDGEGAP_IMAGE_NAME:$tag, pulled as $pull_source"
    else
        say "3/5 app version $app/$tag from $app/$base_version, image $EDGEGAP_DOCKER_REGISTRY/$EDGEGAP_IMAGE_NAME:$tag, no pull credentials (set EDGEGAP_REGISTRY_USERNAME/EDGEGAP_REGISTRY_TOKEN: Edgegap needs them to pull)"
    fi
    EDGEGAP_REGISTRY_TOKEN=$pull_token "$gapctl" app-version create "$app" "$tag" --from-version "$base_version" \
        --registry "$EDGEGAP_DOCKER_REGISTRY" --image "$EDGEGAP_IMAGE_NAME" --tag "$tag" "${credentials[@]}" \
        --if-exists update | sed -n 1p >&2 ||
        fail 1 "gapctl app-version create failed (its log is above): does $app/$base_version exist (EDGEGAP_BASE_VERSION)?"
    say "4/5 NATS CA into the arguments of $app/$tag"
    "$gapctl" set-ca-argument "$app" "$tag" "$ca_file" | redact >&2 || fail 1 "gapctl set-ca-argument failed (its log is above)"
    say "5/5 released $app/$tag"
    "$gapctl" app-version show "$app" "$tag" "${json[@]}" | redact || fail 1 "gapctl app-version show failed (its log is above)"
}

main() {
    parse_args "$@"
    if ((check_only)); then run_image=1 run_version=1; fi
    check_settings
    check_values
    check_ca
    if ((check_only)); then
        say "every setting of steps 1-5 is there"
        return
    fi
    check_tools
    if ((run_image)); then
        build_and_push
    else
        say "1/5 and 2/5 skipped (--skip-image): no image built or pushed; the version names $EDGEGAP_DOCKER_REGISTRY/$EDGEGAP_IMAGE_NAME:$tag, which must be in the registry"
    fi
    if ((run_version)); then
        make_version
    else
        say "3/5 to 5/5 skipped (--image-only): no Edgegap app version made"
    fi
}

main "$@"
