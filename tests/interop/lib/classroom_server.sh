# tests/interop/lib/classroom_server.sh — start and stop the classroom server for a test layer.
# Sourced (not run) by tests/interop/run and tests/browser/run. POSIX sh.
#
# Needs: $root (the repo root), $LOOPLAB_BUILD (absolute build dir), $layer (for messages).
# Every wait is bounded: 10 s for the first line, 5 s for a clean stop.

# start_classroom_server LOG_DIR
#   Starts "$LOOPLAB_BUILD/apps/classroom-server --port 0" (the kernel picks a free port) and
#   reads the port from its first line, "looplab classroom server: http://localhost:PORT/".
#   Sets SERVER_PID and SERVER_PORT. Prints one line and returns 1 when that fails.
start_classroom_server() {
    server_bin="$LOOPLAB_BUILD/apps/classroom-server"
    if [ ! -x "$server_bin" ]; then
        echo "$layer: $server_bin is missing (build it first: make apps)"
        return 1
    fi
    # The limit is given explicitly: the tests check the 1 MiB edge (1 MiB echoed, 1 MiB + 1
    # closed with 1009), whatever the default is.
    "$server_bin" --port 0 --host 127.0.0.1 --web-root "$root/src/web" --max-message 1048576 \
        > "$1/server.out" 2> "$1/server.err" &
    SERVER_PID=$!
    SERVER_PORT=
    tries=0
    while [ "$tries" -lt 100 ]; do
        SERVER_PORT=$(sed -n '1s#^looplab classroom server: http://localhost:\([0-9][0-9]*\)/$#\1#p' "$1/server.out")
        [ -n "$SERVER_PORT" ] && return 0
        if ! kill -0 "$SERVER_PID" 2> /dev/null; then
            wait "$SERVER_PID"
            echo "$layer: the classroom server exited at start (status $?): $(head -c 300 "$1/server.err")"
            SERVER_PID=
            return 1
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    echo "$layer: the classroom server printed no 'looplab classroom server: http://localhost:PORT/' line within 10 s"
    stop_classroom_server
    return 1
}

# stop_classroom_server
#   SIGTERM, then up to 5 s for it to exit; SIGKILL after that. Returns 0 only when the server
#   exited by itself with status 0 (the contract: it stops cleanly on SIGTERM).
stop_classroom_server() {
    [ -n "${SERVER_PID:-}" ] || return 0
    kill -TERM "$SERVER_PID" 2> /dev/null
    tries=0
    while kill -0 "$SERVER_PID" 2> /dev/null && [ "$tries" -lt 50 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    if kill -0 "$SERVER_PID" 2> /dev/null; then
        kill -KILL "$SERVER_PID" 2> /dev/null
        wait "$SERVER_PID" 2> /dev/null
        SERVER_PID=
        echo "$layer: the classroom server did not stop within 5 s of SIGTERM (killed)"
        return 1
    fi
    wait "$SERVER_PID"
    server_status=$?
    SERVER_PID=
    if [ "$server_status" -ne 0 ]; then
        echo "$layer: the classroom server exited with status $server_status on SIGTERM (expected 0)"
        return 1
    fi
    return 0
}
