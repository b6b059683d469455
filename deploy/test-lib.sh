# Helpers shared by the deploy kit's test scripts (sourced, not run).

require_tools() {  # require_tools <program>...: skip the test (exit 77) unless each is installed
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
    done
}

# Ports are drawn from 20000-31999, below Linux's ephemeral range (32768-60999): the kernel hands
# those to every bind(0) and outgoing connection of the tests running in parallel, so a port found
# free there can be taken before nats-server binds it.
free_port() {  # a loopback port nobody listens on (checked, then used: good enough for a test)
    local port
    while :; do
        port=$((20000 + RANDOM % 12000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
}

wait_port() {  # wait_port <port>: until something listens there, at most 5 s
    for _ in $(seq 1 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "FAIL: nothing listens on port $1" >&2
    return 1
}

http_status() {  # http_status <port> <path>: the status code of GET http://127.0.0.1:<port><path>
    (
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf 'GET %s HTTP/1.0\r\n\r\n' "$2" >&3
        head -n 1 <&3 | cut -d' ' -f2
    ) 2>/dev/null
}

wait_http_ok() {  # wait_http_ok <port> <path> [seconds]: until GET answers 200, at most <seconds> (10)
    for _ in $(seq 1 $((${3:-10} * 10))); do
        [[ $(http_status "$1" "$2") == 200 ]] && return 0
        sleep 0.1
    done
    echo "FAIL: GET http://127.0.0.1:$1$2 never answered 200" >&2
    return 1
}

compose_nats_layout() {  # compose_nats_layout <dir>: <dir>/etc laid out as the nats container's
    # /etc/nats: certificates from make-certs.sh, the users rendered by render-auth.sh, and
    # deploy/nats/nats.conf with its JetStream folder moved to <dir>/jetstream.
    local dir=$1 deploy
    deploy=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    mkdir -p "$dir/etc/generated"
    GAPKIT_CERTS_DIR="$dir/etc/certs" "$deploy/compose/make-certs.sh" nats.example.com > /dev/null
    sh "$deploy/nats/render-auth.sh" "$deploy/local/nats.conf.in" "$dir/etc/generated/authorization.conf"
    sed "s|\"/data/jetstream\"|\"$dir/jetstream\"|" "$deploy/nats/nats.conf" > "$dir/etc/nats.conf"
    grep -q "$dir/jetstream" "$dir/etc/nats.conf" || { echo "FAIL: no store_dir \"/data/jetstream\" in nats.conf" >&2; return 1; }
}
