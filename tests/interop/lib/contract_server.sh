# tests/interop/lib/contract_server.sh — start and stop the Socket.IO contract server
# (tests/interop/socketio_contract_server.cpp) for a test layer. Sourced by tests/interop/run.
# POSIX sh.
#
# Needs: $LOOPLAB_BUILD (absolute build dir), $layer (for messages).
# Every wait is bounded: 10 s for the first line, 5 s for a clean stop.

# start_contract_server LOG_DIR [EXTRA FLAGS...]
#   Starts "$LOOPLAB_BUILD/interop/socketio_contract_server --port 0 ..." (the kernel picks a
#   free port) and reads the port from its first line,
#   "socketio contract server: http://localhost:PORT/".
#   Sets CONTRACT_PID and CONTRACT_PORT. Prints one line and returns 1 when that fails.
start_contract_server() {
    contract_log_dir=$1
    shift
    contract_bin="$LOOPLAB_BUILD/interop/socketio_contract_server"
    if [ ! -x "$contract_bin" ]; then
        echo "$layer: $contract_bin is missing (build it first: make tests)"
        return 1
    fi
    "$contract_bin" --port 0 --host 127.0.0.1 "$@" \
        > "$contract_log_dir/contract.out" 2> "$contract_log_dir/contract.err" &
    CONTRACT_PID=$!
    CONTRACT_PORT=
    tries=0
    while [ "$tries" -lt 100 ]; do
        CONTRACT_PORT=$(sed -n '1s#^socketio contract server: http://localhost:\([0-9][0-9]*\)/$#\1#p' \
            "$contract_log_dir/contract.out")
        [ -n "$CONTRACT_PORT" ] && return 0
        if ! kill -0 "$CONTRACT_PID" 2> /dev/null; then
            wait "$CONTRACT_PID"
            echo "$layer: the contract server exited at start (status $?): $(head -c 300 "$contract_log_dir/contract.err")"
            CONTRACT_PID=
            return 1
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    echo "$layer: the contract server printed no 'socketio contract server: http://localhost:PORT/' line within 10 s"
    stop_contract_server
    return 1
}

# stop_contract_server
#   SIGTERM, then up to 5 s for it to exit; SIGKILL after that. Returns 0 only when the server
#   exited by itself with status 0 (the contract: it stops cleanly on SIGTERM).
stop_contract_server() {
    [ -n "${CONTRACT_PID:-}" ] || return 0
    kill -TERM "$CONTRACT_PID" 2> /dev/null
    tries=0
    while kill -0 "$CONTRACT_PID" 2> /dev/null && [ "$tries" -lt 50 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    if kill -0 "$CONTRACT_PID" 2> /dev/null; then
        kill -KILL "$CONTRACT_PID" 2> /dev/null
        wait "$CONTRACT_PID" 2> /dev/null
        CONTRACT_PID=
        echo "$layer: the contract server did not stop within 5 s of SIGTERM (killed)"
        return 1
    fi
    wait "$CONTRACT_PID"
    contract_status=$?
    CONTRACT_PID=
    if [ "$contract_status" -ne 0 ]; then
        echo "$layer: the contract server exited with status $contract_status on SIGTERM (expected 0)"
        return 1
    fi
    return 0
}
