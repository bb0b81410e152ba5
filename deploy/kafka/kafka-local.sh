#!/usr/bin/env bash
# kafka-local.sh — a real single-node Apache Kafka broker (KRaft, broker+controller in
# one JVM) for tests, demos and CI, without Docker.  Jars come from Maven Central (via
# deploy/kafka/pom.xml) and are cached once per machine.
#
# Usage: kafka-local.sh start [--fresh] | stop | restart [--fresh] | status | logs [-f|N]
#                     | check | fetch | cluster-id [N]
#
# Ports: the broker listens on two ports of 127.0.0.1, the client port (KAFKA_PORT) and the
# KRaft controller port (KAFKA_CONTROLLER_PORT, by default the next port up).  Both must be
# free; `start` checks them first and names the busy one.
#
# Environment:
#   KAFKA_PORT              client (PLAINTEXT) port               [9092]
#   KAFKA_CONTROLLER_PORT   KRaft controller port                 [KAFKA_PORT+1]
#   KAFKA_HOME_DIR          state dir: data, logs, pid, config    [<repo>/.kafka-local]
#   DINARWATCH_CACHE        jar cache root                        [~/.cache/dinarwatch]
#   KAFKA_HEAP_OPTS         broker heap                           [-Xms256m -Xmx512m]
#   KAFKA_START_TIMEOUT     seconds to wait for the broker        [90]
#   KAFKA_STOP_TIMEOUT      seconds to wait after SIGTERM         [30]
#   KAFKA_FRESH=1           same as --fresh (wipe data before start)
#   KAFKA_NUM_PARTITIONS    default partitions for new topics     [4]
#   KAFKA_MVN               maven executable                      [mvn]
#
# Exit codes: 0 ok, 1 failure (message and log tail on stderr), 2 usage or a bad setting,
#             3 `status`: not running, 4 `start`: a port is in use by another program.
set -Eeuo pipefail

KAFKA_VERSION=4.4.0
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd -P)"

PORT="${KAFKA_PORT:-9092}"
[[ "$PORT" =~ ^[0-9]+$ ]] && (( PORT >= 1 && PORT < 65535 )) || {
  echo "kafka-local: ERROR: KAFKA_PORT='$PORT' is not a port number (1-65534)" >&2; exit 2; }
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
[[ "$CONTROLLER_PORT" =~ ^[0-9]+$ ]] && (( CONTROLLER_PORT >= 1 && CONTROLLER_PORT <= 65535 )) || {
  echo "kafka-local: ERROR: KAFKA_CONTROLLER_PORT='$CONTROLLER_PORT' is not a port number" >&2; exit 2; }
(( CONTROLLER_PORT != PORT )) || {
  echo "kafka-local: ERROR: KAFKA_CONTROLLER_PORT and KAFKA_PORT are both $PORT; give the controller its own port" >&2; exit 2; }
STATE_DIR="${KAFKA_HOME_DIR:-$REPO_ROOT/.kafka-local}"
CACHE_ROOT="${DINARWATCH_CACHE:-${HOME:-/tmp}/.cache/dinarwatch}"
LIB_DIR="$CACHE_ROOT/kafka-$KAFKA_VERSION/libs"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
NUM_PARTITIONS="${KAFKA_NUM_PARTITIONS:-4}"
MVN="${KAFKA_MVN:-mvn}"
JAVA="${JAVA:-}"
if [[ -z "$JAVA" ]]; then
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
fi

DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
CONF="$STATE_DIR/server.properties"
PID_FILE="$STATE_DIR/kafka.pid"
OUT_FILE="$LOG_DIR/kafka.out"
POM="$SCRIPT_DIR/pom.xml"
LOG4J_CONF="$SCRIPT_DIR/log4j2.properties"

say() { printf 'kafka-local: %s\n' "$*"; }
err() { printf 'kafka-local: ERROR: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }

# --------------------------------------------------------------------------- jars
lib_stamp() { sha256sum "$POM" | cut -d' ' -f1; }

ensure_jars() {
  local stamp; stamp="$(lib_stamp)"
  if [[ -f "$LIB_DIR/.complete" && "$(cat "$LIB_DIR/.complete")" == "$stamp" ]]; then
    return 0
  fi
  command -v "$MVN" >/dev/null 2>&1 || die "maven ('$MVN') not found; needed once to fetch the Kafka jars"
  mkdir -p "$(dirname "$LIB_DIR")"
  # Serialise concurrent fetches (parallel test sessions, CI matrix on one host).
  exec 8>"$(dirname "$LIB_DIR")/.fetch.lock"
  flock -w 600 8 || die "timed out waiting for another jar fetch ($LIB_DIR)"
  if [[ -f "$LIB_DIR/.complete" && "$(cat "$LIB_DIR/.complete")" == "$stamp" ]]; then
    exec 8>&-; return 0
  fi
  say "fetching Kafka $KAFKA_VERSION jars into $LIB_DIR (once) ..."
  local tmp; tmp="$(mktemp -d "$(dirname "$LIB_DIR")/libs.tmp.XXXXXX")"
  local mlog="$tmp.mvn.log"
  # Offline first (everything may already be in ~/.m2), then online.
  if ! "$MVN" -q -B -o -f "$POM" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$mlog" 2>&1; then
    rm -rf "$tmp"; mkdir -p "$tmp"
    if ! "$MVN" -q -B -f "$POM" dependency:copy-dependencies \
          -DincludeScope=runtime -DoutputDirectory="$tmp" >"$mlog" 2>&1; then
      tail -n 30 "$mlog" >&2
      rm -rf "$tmp" "$mlog"; exec 8>&-
      die "maven could not fetch the Kafka jars (see output above)"
    fi
  fi
  ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 || { rm -rf "$tmp" "$mlog"; exec 8>&-; die "kafka_2.13-$KAFKA_VERSION.jar missing after fetch"; }
  echo "$stamp" >"$tmp/.complete"
  rm -rf "$LIB_DIR" "$mlog"
  mv "$tmp" "$LIB_DIR"
  exec 8>&-
  say "jars cached ($(ls "$LIB_DIR"/*.jar | wc -l) files)"
}

java_tool() {  # java_tool <main-class> args...   (small, fast-starting JVM for CLI tools)
  local cls="$1"; shift
  mkdir -p "$LOG_DIR"
  "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
    -Dlog4j2.configurationFile="$LOG4J_CONF" -Dkafka.logs.dir="$LOG_DIR" -Dkafka.log.file=tools.log \
    -cp "$LIB_DIR/*" "$cls" "$@"
}

# ------------------------------------------------------------------- health probe
# probe_metadata [port] — send a real Kafka Metadata request (v8, no topics) over
# /dev/tcp and check that the answer lists at least one broker.  On success prints
# "node=<id> <host>:<port> cluster=<id>" and returns 0.  Pure bash: no JVM start-up cost.
probe_metadata() {
  local port="${1:-$PORT}" fd hex size resp
  { exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  # size=28 | api_key=3 (Metadata) | api_version=8 | correlation_id=0x2a | client_id="kafka-local"
  # | topics=[] | allow_auto_topic_creation=0 | include_cluster_ops=0 | include_topic_ops=0
  printf '\x00\x00\x00\x1c\x00\x03\x00\x08\x00\x00\x00\x2a\x00\x0bkafka-local\x00\x00\x00\x00\x00\x00\x00' >&"$fd" 2>/dev/null \
    || { exec {fd}>&-; return 1; }
  hex="$(timeout 5 head -c 4 <&"$fd" | od -An -v -tx1 | tr -d ' \n')" || true
  if [[ ${#hex} -ne 8 ]]; then exec {fd}>&-; return 1; fi
  size=$((16#$hex))
  if (( size < 16 || size > 1048576 )); then exec {fd}>&-; return 1; fi
  resp="$(timeout 5 head -c "$size" <&"$fd" | od -An -v -tx1 | tr -d ' \n')" || true
  exec {fd}>&-
  (( ${#resp} == size * 2 )) || return 1
  [[ "${resp:0:8}" == "0000002a" ]] || return 1            # correlation id
  local i=16 nb node hlen host bport rlen clen cluster="?"  # skip correlation id + throttle_time_ms
  nb=$((16#${resp:$i:8})); i=$((i + 8))
  (( nb >= 1 && nb < 1000 )) || return 1
  local first=""
  for ((b = 0; b < nb; b++)); do
    node=$((16#${resp:$i:8})); i=$((i + 8))
    hlen=$((16#${resp:$i:4})); i=$((i + 4))
    host="$(printf '%b' "$(sed 's/../\\x&/g' <<<"${resp:$i:$((hlen * 2))}")")"; i=$((i + hlen * 2))
    bport=$((16#${resp:$i:8})); i=$((i + 8))
    rlen="${resp:$i:4}"; i=$((i + 4))
    [[ "$rlen" == "ffff" ]] || i=$((i + 16#$rlen * 2))
    [[ -n "$first" ]] || first="node=$node $host:$bport"
  done
  clen="${resp:$i:4}"; i=$((i + 4))
  if [[ -n "$clen" && "$clen" != "ffff" ]]; then
    cluster="$(printf '%b' "$(sed 's/../\\x&/g' <<<"${resp:$i:$((16#$clen * 2))}")")"
  fi
  echo "$first cluster=$cluster"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------------- processes
pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

our_pid() {  # pid of the broker started from this state dir, if any
  local pid=""
  [[ -f "$PID_FILE" ]] && pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  if pid_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $CONF"; then
    echo "$pid"; return 0
  fi
  # pid file lost/stale: look for a broker launched with exactly our config file
  pid="$(pgrep -f -- "kafka.Kafka $CONF\$" | head -n1 || true)"
  [[ -n "$pid" ]] && { echo "$pid"; return 0; }
  return 1
}

log_tail() {
  local n="${1:-40}"
  if [[ -s "$OUT_FILE" ]]; then
    echo "----- last 20 lines of $OUT_FILE (JVM stdout/stderr) -----" >&2
    tail -n 20 "$OUT_FILE" >&2
  fi
  if [[ -s "$LOG_DIR/server.log" ]]; then
    echo "----- last $n lines of $LOG_DIR/server.log -----" >&2
    tail -n "$n" "$LOG_DIR/server.log" >&2
  fi
}

# ----------------------------------------------------------------------- commands
write_config() {
  cat >"$CONF" <<EOF
# Generated by deploy/kafka/kafka-local.sh — edits are overwritten on start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA_DIR

num.partitions=$NUM_PARTITIONS
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
log.cleaner.enable=true
log.retention.hours=24
log.segment.bytes=67108864
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF
}

# ------------------------------------------------------------------- cluster id
# A Kafka cluster id is a Uuid in Kafka's text form: 16 random bytes, base64url, no padding
# (22 characters).  Kafka's own Uuid.randomUuid() never returns an id that starts with '-'
# (kafka-storage would read it as an option: "argument --cluster-id/-t: expected one argument"),
# nor the reserved all-zero and metadata-topic ids; this generator draws again in those cases.
B64URL='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

uuid_text_from_hex() {  # uuid_text_from_hex <32 hex digits>: UUID_TEXT=22-char base64url text
  local hex="$1" out="" i v
  for ((i = 0; i < 30; i += 6)); do  # five 3-byte groups -> 4 characters each
    v=$((16#${hex:$i:6}))
    out+="${B64URL:$(((v >> 18) & 63)):1}${B64URL:$(((v >> 12) & 63)):1}"
    out+="${B64URL:$(((v >> 6) & 63)):1}${B64URL:$((v & 63)):1}"
  done
  v=$((16#${hex:30:2}))  # the last byte -> 2 characters (4 zero bits of padding)
  out+="${B64URL:$((v >> 2)):1}${B64URL:$(((v & 3) << 4)):1}"
  UUID_TEXT="$out"  # a variable, not output: no subshell per id
}

new_cluster_ids() {  # new_cluster_ids [N] -> N valid cluster ids, one per line
  local n="${1:-1}" made=0 hex
  while ((made < n)); do
    # one read of the random source per batch: cheap even for thousands of ids
    while read -r hex; do
      ((made < n)) || break
      uuid_text_from_hex "$hex"
      case "$UUID_TEXT" in
        -* | AAAAAAAAAAAAAAAAAAAAAA | AAAAAAAAAAAAAAAAAAAAAQ) continue ;;
      esac
      printf '%s\n' "$UUID_TEXT"
      made=$((made + 1))
    done < <(head -c $(((n - made + 1) * 16)) /dev/urandom | od -An -v -tx1 | tr -d ' \n' | fold -w 32)
  done
}

format_storage() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then return 0; fi
  mkdir -p "$DATA_DIR"
  local cid; cid="$(new_cluster_ids 1)"
  local out
  if ! out="$(java_tool kafka.tools.StorageTool format --ignore-formatted --cluster-id "$cid" -c "$CONF" 2>&1)"; then
    echo "$out" >&2
    die "storage format failed (cluster id $cid, state $DATA_DIR)"
  fi
  say "formatted $DATA_DIR (cluster id $cid)"
}

# port_busy <port> <setting> <what>: exit 4 with a message naming the port and the setting
port_busy() {
  err "port $1 ($2, $3) is in use by another program on 127.0.0.1"
  err "free it, or choose another port: $2=<free port> $(basename "$0") start"
  exit 4
}

cmd_start() {
  local fresh="${KAFKA_FRESH:-0}"
  [[ "${1:-}" == "--fresh" ]] && fresh=1
  local pid info
  pid="$(our_pid || true)"

  if [[ "$fresh" == "1" ]]; then
    [[ -n "$pid" ]] && { cmd_stop; pid=""; }
  fi

  if [[ -z "$pid" ]] && info="$(probe_metadata "$PORT")"; then
    say "a broker is already answering on 127.0.0.1:$PORT ($info) — not starting another"
    [[ "$fresh" == "1" ]] && err "--fresh ignored: that broker was not started from $STATE_DIR"
    return 0
  fi

  if [[ -n "$pid" ]]; then
    if info="$(probe_metadata "$PORT")"; then
      say "already running (pid $pid) on 127.0.0.1:$PORT ($info)"
      return 0
    fi
    say "broker pid $pid exists but is not answering yet; waiting ..."
  else
    if port_open "$PORT"; then port_busy "$PORT" KAFKA_PORT "the client port; not a Kafka broker"; fi
    if port_open "$CONTROLLER_PORT"; then
      port_busy "$CONTROLLER_PORT" KAFKA_CONTROLLER_PORT "the KRaft controller port, default KAFKA_PORT+1"
    fi
    command -v "$JAVA" >/dev/null 2>&1 || die "java not found (Java 17+ required)"
    ensure_jars
    if [[ "$fresh" == "1" && -d "$STATE_DIR" ]]; then
      rm -rf "$DATA_DIR" "$LOG_DIR"
      say "wiped $DATA_DIR"
    fi
    mkdir -p "$DATA_DIR" "$LOG_DIR"
    write_config
    format_storage
    # keep the previous run's log aside so failures show only this run's lines
    [[ -s "$LOG_DIR/server.log" ]] && mv -f "$LOG_DIR/server.log" "$LOG_DIR/server.log.prev"
    : >"$OUT_FILE"
    # shellcheck disable=SC2086
    nohup "$JAVA" $HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
      -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$LOG4J_CONF" -Dkafka.logs.dir="$LOG_DIR" \
      -cp "$LIB_DIR/*" kafka.Kafka "$CONF" >>"$OUT_FILE" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PID_FILE"
    disown "$pid" 2>/dev/null || true
  fi

  local t0=$SECONDS
  while (( SECONDS - t0 < START_TIMEOUT )); do
    if ! pid_alive "$pid"; then
      err "broker process $pid exited during start-up"
      log_tail 40; rm -f "$PID_FILE"
      # a port taken between the check above and the bind
      if grep -qs "Address already in use" "$OUT_FILE" "$LOG_DIR/server.log"; then
        err "a port is in use: KAFKA_PORT=$PORT or KAFKA_CONTROLLER_PORT=$CONTROLLER_PORT; choose free ones"
        exit 4
      fi
      exit 1
    fi
    if info="$(probe_metadata "$PORT")"; then
      say "broker ready on 127.0.0.1:$PORT in $((SECONDS - t0))s (pid $pid, $info, state $STATE_DIR)"
      return 0
    fi
    sleep 0.3
  done
  err "broker did not answer metadata requests on 127.0.0.1:$PORT within ${START_TIMEOUT}s (pid $pid still running; use '$0 stop')"
  log_tail 40
  exit 1
}

cmd_stop() {
  local pid; pid="$(our_pid || true)"
  if [[ -z "$pid" ]]; then
    rm -f "$PID_FILE"
    say "not running (state $STATE_DIR)"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local t0=$SECONDS
  while pid_alive "$pid" && (( SECONDS - t0 < STOP_TIMEOUT )); do sleep 0.2; done
  if pid_alive "$pid"; then
    err "pid $pid did not stop within ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  # anything else still running on our config (e.g. pid file was overwritten)
  local rest; rest="$(pgrep -f -- "kafka.Kafka $CONF\$" || true)"
  if [[ -n "$rest" ]]; then
    for p in $rest; do kill -KILL "$p" 2>/dev/null || true; done
    sleep 0.5
  fi
  if pid_alive "$pid" || pgrep -f -- "kafka.Kafka $CONF\$" >/dev/null; then
    die "could not stop the broker (pid $pid)"
  fi
  rm -f "$PID_FILE"
  say "stopped (pid $pid, $((SECONDS - t0))s)"
}

cmd_status() {
  local pid info
  pid="$(our_pid || true)"
  if info="$(probe_metadata "$PORT")"; then
    if [[ -n "$pid" ]]; then
      say "running: pid $pid, 127.0.0.1:$PORT (controller $CONTROLLER_PORT), $info, state $STATE_DIR"
    else
      say "a broker (not started from $STATE_DIR) is answering on 127.0.0.1:$PORT: $info"
    fi
    return 0
  fi
  if [[ -n "$pid" ]]; then
    say "pid $pid is running but 127.0.0.1:$PORT does not answer metadata requests"
    return 1
  fi
  say "not running (port $PORT, state $STATE_DIR)"
  return 3
}

cmd_logs() {
  local f="$LOG_DIR/server.log"
  [[ -f "$f" ]] || die "no log yet ($f)"
  if [[ "${1:-}" == "-f" ]]; then exec tail -n 50 -F "$f"; fi
  tail -n "${1:-100}" "$f"
}

cmd_check() {  # deeper check with the Kafka tools (spawns a JVM)
  ensure_jars
  java_tool org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "127.0.0.1:$PORT" | head -n 1
}

case "${1:-}" in
  start)   shift; cmd_start "$@" ;;
  stop)    cmd_stop ;;
  restart) shift; cmd_stop; cmd_start "$@" ;;
  status)  cmd_status ;;
  logs)    shift; cmd_logs "$@" ;;
  check)   cmd_check ;;
  fetch)   ensure_jars; say "jars in $LIB_DIR" ;;
  cluster-id)
    [[ "${2:-1}" =~ ^[1-9][0-9]*$ ]] || { err "cluster-id: N must be a positive number"; exit 2; }
    new_cluster_ids "${2:-1}" ;;
  *) echo "usage: $(basename "$0") start [--fresh] | stop | restart [--fresh] | status | logs [-f|N] | check | fetch | cluster-id [N]" >&2; exit 2 ;;
esac
