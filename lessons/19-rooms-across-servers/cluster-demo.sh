#!/bin/sh
# lessons/19-rooms-across-servers/cluster-demo.sh — `make demo SERVERS=2`: the seed's picture
# in a browser. A local redis-server and two classroom servers sharing their rooms through it
# (--adapter redis). Open one tab on each port and chat in one room. Ctrl-C stops all three.
#
#   sh cluster-demo.sh SERVER_BINARY [PORT_A] [PORT_B]     (REDIS_PORT=6379 by default)
#
# ADAPTER=redis-sharded uses the sharded adapter (SPUBLISH/SSUBSCRIBE, Redis 7; a plain Redis
# has sharded pub/sub too) instead of the classic one (ADAPTER=redis, the default).
#
# A Redis that already answers on REDIS_PORT is used as it is (and left running); otherwise
# one is started here, with nothing saved to disk, and stopped at the end.
set -u

server=${1:?usage: cluster-demo.sh SERVER_BINARY [PORT_A] [PORT_B]}
port_a=${2:-3000}
port_b=${3:-3001}
redis_port=${REDIS_PORT:-6379}
redis_address=127.0.0.1:$redis_port
adapter=${ADAPTER:-redis}
case $adapter in
  redis|redis-sharded) ;;
  *) echo "demo: ADAPTER=$adapter? redis (the default) or redis-sharded" >&2; exit 2 ;;
esac

if ! command -v redis-server >/dev/null 2>&1; then
  echo "make demo SERVERS=2 needs redis-server: sudo apt-get install redis-server (Debian/Ubuntu)," >&2
  echo "brew install redis (macOS), or run make test-tools as root." >&2
  exit 1
fi

# Does something answer PING on the Redis port? (redis-cli comes with redis-server on Debian;
# without it, a Redis we did not start cannot be recognised: we just start ours.)
redis_answers() {
  command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ]
}

servers=""
redis_pid=""
folder=""
# The servers first, then Redis (so that they do not report Redis going away).
stop_all() {
  trap - INT TERM EXIT
  [ -n "$servers" ] && kill $servers 2>/dev/null && wait $servers 2>/dev/null
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
  [ -n "$folder" ] && rm -rf "$folder"
  echo "demo: stopped"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

if redis_answers; then
  echo "demo: using the Redis that already runs on $redis_address"
else
  folder=$(mktemp -d "${TMPDIR:-/tmp}/looplab-demo-redis-XXXXXX")
  # In a session of its own where setsid exists: Ctrl-C reaches the servers, not Redis, which
  # stop_all stops after them (else the servers report Redis gone in their last breath).
  keep_from_ctrl_c=""
  command -v setsid >/dev/null 2>&1 && keep_from_ctrl_c=setsid
  $keep_from_ctrl_c redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$folder" --logfile "$folder/redis.log" &
  redis_pid="$!"
  tries=0
  until redis_answers || { ! command -v redis-cli >/dev/null 2>&1 && [ $tries -ge 5 ]; }; do
    tries=$((tries + 1))
    if [ $tries -gt 50 ] || ! kill -0 "$redis_pid" 2>/dev/null; then
      echo "demo: redis-server did not start on $redis_address (port taken?); its log:" >&2
      cat "$folder/redis.log" >&2 2>/dev/null
      exit 1
    fi
    sleep 0.1
  done
  echo "demo: redis-server started on $redis_address (nothing saved; stopped with the demo)"
fi

"$server" --port "$port_a" --adapter "$adapter" --redis "$redis_address" &
servers="$!"
"$server" --port "$port_b" --adapter "$adapter" --redis "$redis_address" &
servers="$servers $!"

echo "demo: server A on http://localhost:$port_a/ and server B on http://localhost:$port_b/,"
echo "      one Redis between them (--adapter $adapter): open one tab on each, join one room,"
echo "      chat. Ctrl-C stops all."
if [ "$adapter" = redis ]; then
  echo "      Watch what crosses Redis: redis-cli -p $redis_port psubscribe 'socket.io#*'"
else
  echo "      Watch what crosses Redis: redis-cli -p $redis_port ssubscribe 'socket.io#/#lobby#'"
fi
# Until Ctrl-C (the terminal sends SIGINT to all three; stop_all makes sure).
wait
