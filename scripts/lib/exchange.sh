# Sourced by run.sh and load.sh: brings up a fresh local exchange in "$state" (the node, then
# bal-localnet with the arguments given, waiting until it is ready) and stops every process
# started here when the script exits. Sets `node` and `localnet` to their process ids; `pids` collects
# every process to stop.
rm -rf "$state"
mkdir -p "$state"
pids=()
stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

start_exchange() {
    target/local-node/debug/bal-local-node >"$state/node.log" 2>&1 &
    node=$!
    pids+=("$node")
    target/debug/bal-localnet --state "$state" "$@" >"$state/localnet.log" 2>&1 &
    localnet=$!
    pids+=("$localnet")
    for _ in $(seq 600); do
        [ -e "$state/ready" ] && return 0
        if ! kill -0 "$localnet" 2>/dev/null; then
            echo "the local exchange failed to start:" >&2
            tail -n 20 "$state/node.log" "$state/localnet.log" >&2
            exit 1
        fi
        sleep 0.5
    done
    echo "the local exchange did not come up in 5 minutes" >&2
    exit 1
}
