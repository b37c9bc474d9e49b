#!/usr/bin/env bash
# The project's commands. On a fresh Debian machine with the .NET 10 SDK:
#   ./dev.sh run     install what is missing, start PostgreSQL and Redis under .data/, migrate, serve the portal
#   ./dev.sh test    install what is missing and run the whole test suite (real PostgreSQL, Redis, SMTP, Chromium)
#   ./dev.sh e2e     only the browser tests
#   ./dev.sh bench   the benchmarks (job latency against the development PostgreSQL, Kubernetes simulator load); 'bench jobs',
#                    'bench kubernetes', 'bench workspaces' (pages and control API with 1,000 workspaces) or
#                    'bench provisioning [--apps 100] [--fault-rate 0.05]' (applications provisioned at once),
#                    'bench proxy-keys [--job short]' (cached key verification, BenchmarkDotNet) runs one;
#                    'bench proxy-flood [--keys 50000]' random keys against key verification, with and without the limiter;
#                    'bench proxy [--runs 5] [--duration 10s] [--connections 64]' the proxy's four figures (wrk, open loop, keys, metering)
#   ./dev.sh stop    stop the PostgreSQL and Redis that 'run' left running
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="$ROOT/.data"
PORTAL_PORT="${PORTAL_PORT:-5080}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2 || true; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "run as root or install sudo to install: $*"; fi
}

# Installs the Debian packages whose commands are missing: ensure_packages "cmd:package" ...
ensure_packages() {
  local missing=()
  for pair in "$@"; do
    local cmd="${pair%%:*}" pkg="${pair#*:}"
    if ! command -v "$cmd" >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/"$cmd" >/dev/null 2>&1; then missing+=("$pkg"); fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  echo "$dir"
}

# PostgreSQL refuses to run as root: then its commands run as the 'postgres' user the package created.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port="$1"
  while ! port_free "$port"; do port=$((port + 1)); done
  echo "$port"
}

STARTED=()

start_postgres() {
  local bin pgdata="$DATA/postgres" port
  bin="$(pg_bindir)"
  mkdir -p "$DATA"
  # As root, the cluster belongs to 'postgres', which must be able to reach it; a checkout in a private home
  # (/root is 0700) cannot host it, so the cluster then lives in /var/tmp with a link from .data/postgres.
  if [ "$(id -u)" -eq 0 ] && [ ! -e "$pgdata" ] && ! runuser -u postgres -- test -x "$DATA"; then
    local elsewhere
    elsewhere="/var/tmp/authsome-portal-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)/postgres"
    mkdir -p "$(dirname "$elsewhere")"
    chmod 755 "$(dirname "$elsewhere")"
    ln -s "$elsewhere" "$pgdata"
  fi
  [ -L "$pgdata" ] && pgdata="$(readlink -f "$pgdata")"
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $pgdata"
    mkdir -p "$pgdata"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pgdata"
    chmod 700 "$pgdata"
    as_pg "$bin/initdb" -D "$pgdata" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if as_pg "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    port="$(cat "$DATA/postgres.port")"
    log "PostgreSQL already running on port $port"
  else
    port="$(free_port 55432)"
    as_pg "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 30 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c max_connections=300 -c unix_socket_directories='$pgdata'" start >/dev/null
    echo "$port" >"$DATA/postgres.port"
    STARTED+=(postgres)
    log "PostgreSQL started on port $port"
  fi
  PG_PORT="$port"
}

stop_postgres() {
  local bin
  bin="$(pg_bindir)"
  as_pg "$bin/pg_ctl" -D "$(readlink -f "$DATA/postgres")" -m fast stop >/dev/null 2>&1 && log "PostgreSQL stopped" || true
}

start_redis() {
  local port
  mkdir -p "$DATA/redis"
  if [ -f "$DATA/redis.port" ] && redis-cli -p "$(cat "$DATA/redis.port")" ping 2>/dev/null | grep -q PONG; then
    port="$(cat "$DATA/redis.port")"
    log "Redis already running on port $port"
  else
    port="$(free_port 56379)"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$DATA/redis" --daemonize yes \
      --pidfile "$DATA/redis.pid" --logfile "$DATA/redis/redis.log" --save 60 1 --appendonly no >/dev/null
    for _ in $(seq 50); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    echo "$port" >"$DATA/redis.port"
    STARTED+=(redis)
    log "Redis started on port $port"
  fi
  REDIS_PORT="$port"
}

stop_redis() {
  [ -f "$DATA/redis.port" ] && redis-cli -p "$(cat "$DATA/redis.port")" shutdown nosave >/dev/null 2>&1 && log "Redis stopped" || true
}

stop_started() {
  # Finish stopping even if the terminal or a pipe reading our output is already gone.
  trap '' PIPE INT
  for service in "${STARTED[@]}"; do "stop_$service"; done
}

dev_environment() {
  export ASPNETCORE_ENVIRONMENT=Development
  export ConnectionStrings__Portal="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=authsome_portal"
  export ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT"
  export Email__PickupDirectory="$DATA/mail"
}

cmd_run() {
  ensure_packages initdb:postgresql redis-server:redis-server redis-cli:redis-tools
  trap stop_started EXIT
  trap 'exit 130' INT TERM
  start_postgres
  start_redis
  dev_environment
  cd "$ROOT/Portal"
  log "building"
  dotnet build "$ROOT/Portal/Portal.csproj" -c Debug -v quiet -nologo
  log "applying migrations"
  dotnet run --no-build --project "$ROOT/Portal" --no-launch-profile -- migrate
  log "AuthSome Cloud portal: http://localhost:$PORTAL_PORT  (Ctrl-C stops it, PostgreSQL and Redis)"
  # Emailed links and the allowed Host header follow Portal:PublicUrl: open the portal at this very address.
  Portal__PublicUrl="http://localhost:$PORTAL_PORT" \
    dotnet run --no-build --project "$ROOT/Portal" --no-launch-profile -- --urls "http://localhost:$PORTAL_PORT"
}

run_tests() {
  ensure_packages initdb:postgresql redis-server:redis-server chromium:chromium
  local log status
  log="$(mktemp)"
  set +e
  dotnet test --solution "$ROOT/AuthSome.Portal.sln" "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  # One plain closing line for CI, from the test platform's summary.
  local succeeded failed skipped
  succeeded="$(grep -E '^\s+succeeded: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')"
  failed="$(grep -E '^\s+failed: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')"
  skipped="$(grep -E '^\s+skipped: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')"
  rm -f "$log"
  echo "$succeeded passed, $failed failed, $skipped skipped"
  return "$status"
}

# The workspace pages and control API against a portal of their own (Release build, Development environment, the
# bench database seeded by the benchmark), with the API rate limits lifted so that they do not shape the figures.
bench_workspaces() {
  ensure_packages initdb:postgresql redis-server:redis-server redis-cli:redis-tools
  BENCH_PORTAL_PID=""
  trap '[ -n "$BENCH_PORTAL_PID" ] && kill "$BENCH_PORTAL_PID" 2>/dev/null; stop_started' EXIT
  start_postgres
  start_redis
  dev_environment
  export ConnectionStrings__Portal="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=authsome_bench_workspaces"
  export ControlApi__RateLimits__Free__PerMinute=1000000 ControlApi__RateLimits__Free__PerDay=100000000
  export Logging__LogLevel__Default=Warning Logging__LogLevel__Hangfire=Warning
  as_pg "$(pg_bindir)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'authsome_bench_workspaces'" \
    | grep -q 1 || as_pg "$(pg_bindir)/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres authsome_bench_workspaces
  dotnet build "$ROOT/Portal/Portal.csproj" -c Release -v quiet -nologo
  dotnet build "$ROOT/Portal.Benchmarks/Portal.Benchmarks.csproj" -c Release -v quiet -nologo
  dotnet run -c Release --no-build --project "$ROOT/Portal" --no-launch-profile -- migrate >/dev/null
  local port
  port="$(free_port 5090)"
  log "portal on http://127.0.0.1:$port (its log: $DATA/bench-portal.log)"
  (cd "$ROOT/Portal" && exec "$ROOT/Portal/bin/Release/net10.0/Portal" --urls "http://127.0.0.1:$port") >"$DATA/bench-portal.log" 2>&1 &
  BENCH_PORTAL_PID=$!
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.5
  done
  dotnet run -c Release --no-build --project "$ROOT/Portal.Benchmarks" -- workspaces --url "http://127.0.0.1:$port" "$@"
}

# Applications provisioned at once by the portal's Hangfire worker against the development PostgreSQL and Redis and
# the Kubernetes simulator (in the benchmark's process), in a throw-away, migrated authsome_bench_provisioning database.
bench_provisioning() {
  ensure_packages initdb:postgresql redis-server:redis-server redis-cli:redis-tools
  trap stop_started EXIT
  start_postgres
  start_redis
  dev_environment
  export ConnectionStrings__Portal="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=authsome_bench_provisioning"
  as_pg "$(pg_bindir)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'authsome_bench_provisioning'" \
    | grep -q 1 || as_pg "$(pg_bindir)/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres authsome_bench_provisioning
  dotnet build "$ROOT/Portal/Portal.csproj" -c Release -v quiet -nologo
  dotnet build "$ROOT/Portal.Benchmarks/Portal.Benchmarks.csproj" -c Release -v quiet -nologo
  dotnet run -c Release --no-build --project "$ROOT/Portal" --no-launch-profile -- migrate >/dev/null
  dotnet run -c Release --no-build --project "$ROOT/Portal.Benchmarks" -- provisioning "$@"
}

# The proxy's four figures (issue 6): throughput of the portal in the proxy role against a bare YARP host (wrk),
# latency added at a fixed rate (open loop), cached key verification and metering ingestion, with an upstream on
# loopback answering 1 KB; in a throw-away, migrated authsome_bench_proxy database. Options: see Portal.Benchmarks/Proxy.
bench_proxy() {
  ensure_packages initdb:postgresql redis-server:redis-server redis-cli:redis-tools wrk:wrk
  trap stop_started EXIT
  start_postgres
  start_redis
  dev_environment
  export ConnectionStrings__Portal="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=authsome_bench_proxy"
  as_pg "$(pg_bindir)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'authsome_bench_proxy'" \
    | grep -q 1 || as_pg "$(pg_bindir)/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres authsome_bench_proxy
  dotnet build "$ROOT/Portal/Portal.csproj" -c Release -v quiet -nologo
  dotnet build "$ROOT/Portal.Benchmarks/Portal.Benchmarks.csproj" -c Release -v quiet -nologo
  dotnet run -c Release --no-build --project "$ROOT/Portal" --no-launch-profile -- migrate >/dev/null
  # The portal runs as in production (no appsettings.Development.json, whose role list Portal__Roles__0 would only
  # partly override), plain HTTP on loopback.
  (cd "$ROOT/Portal.Benchmarks" && ASPNETCORE_ENVIRONMENT=Production Portal__RequireHttps=false \
    exec bin/Release/net10.0/Portal.Benchmarks proxy --portal "$ROOT/Portal/bin/Release/net10.0/Portal" --logs "$DATA" "$@")
}

bench_proxy_flood() {
  ensure_packages initdb:postgresql redis-server:redis-server redis-cli:redis-tools
  trap stop_started EXIT
  start_postgres
  start_redis
  dev_environment
  export ConnectionStrings__Portal="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=authsome_bench_proxy"
  as_pg "$(pg_bindir)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'authsome_bench_proxy'" \
    | grep -q 1 || as_pg "$(pg_bindir)/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres authsome_bench_proxy
  dotnet build "$ROOT/Portal/Portal.csproj" -c Release -v quiet -nologo
  dotnet build "$ROOT/Portal.Benchmarks/Portal.Benchmarks.csproj" -c Release -v quiet -nologo
  dotnet run -c Release --no-build --project "$ROOT/Portal" --no-launch-profile -- migrate >/dev/null
  (cd "$ROOT/Portal.Benchmarks" && exec bin/Release/net10.0/Portal.Benchmarks proxy-flood "$@")
}

cmd_bench() {
  # 'kubernetes' needs no service: the simulator runs inside the benchmark.
  if [ "${1:-}" = kubernetes ]; then
    shift
    dotnet run -c Release --project "$ROOT/Portal.Benchmarks" -- kubernetes "$@"
    return
  fi
  if [ "${1:-}" = workspaces ]; then
    shift
    bench_workspaces "$@"
    return
  fi
  # 'proxy-keys': the proxy's cached key verification in BenchmarkDotNet (no service needed).
  if [ "${1:-}" = proxy-keys ]; then
    shift
    dotnet build "$ROOT/Portal.Benchmarks/Portal.Benchmarks.csproj" -c Release -v quiet -nologo
    (cd "$ROOT/Portal.Benchmarks" && dotnet bin/Release/net10.0/Portal.Benchmarks.dll proxy-keys "$@")
    return
  fi
  # 'proxy-flood': 50,000 random keys against the proxy's key verification (development PostgreSQL and Redis).
  if [ "${1:-}" = proxy-flood ]; then
    shift
    bench_proxy_flood "$@"
    return
  fi
  if [ "${1:-}" = provisioning ]; then
    shift
    bench_provisioning "$@"
    return
  fi
  if [ "${1:-}" = proxy ]; then
    shift
    bench_proxy "$@"
    return
  fi
  local only_jobs=false
  if [ "${1:-}" = jobs ]; then only_jobs=true; shift; fi
  ensure_packages initdb:postgresql redis-server:redis-server redis-cli:redis-tools
  trap stop_started EXIT
  start_postgres
  start_redis
  dev_environment
  export ConnectionStrings__Portal="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=authsome_bench"
  dotnet run -c Release --project "$ROOT/Portal.Benchmarks" -- "$@"
  if [ "$only_jobs" = false ]; then
    dotnet run -c Release --no-build --project "$ROOT/Portal.Benchmarks" -- kubernetes
    bench_provisioning
    bench_workspaces
  fi
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  test) shift; run_tests "$@" ;;
  e2e) shift; run_tests --filter-trait "Category=E2E" "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  stop) stop_postgres; stop_redis ;;
  *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
