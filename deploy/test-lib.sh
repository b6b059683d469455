# Helpers shared by the deploy kit's test scripts (sourced, not run).

free_port() {  # a loopback port nobody listens on (checked, then used: good enough for a test)
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
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
