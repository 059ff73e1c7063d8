# shellcheck shell=bash
# Library of helpers for the local services that Postroom's tests use. Source it, don't run it:
#   source scripts/test-services.sh
#   ensure_postgres && ensure_rabbitmq
# Every function prints what went wrong on stderr and returns non-zero instead of exiting, so it
# works both under `set -e` (.ci/run) and in an interactive shell. The recipes behind these are in
# shared/recipes.md (Debian 12, no systemd). Installers for further services (Dovecot, SeaweedFS,
# tesseract, ...) belong here too, one function each.

[[ -n "${POSTROOM_TEST_SERVICES_LOADED:-}" ]] && return 0
POSTROOM_TEST_SERVICES_LOADED=1

# wait_port PORT [SECONDS]: succeed once 127.0.0.1:PORT accepts a connection (default 30 s).
wait_port() {
  local _
  for _ in $(seq $(( ${2:-30} * 10 ))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "port $1 not ready after ${2:-30} s" >&2
  return 1
}

# stop_pid PID [SECONDS]: SIGTERM, wait up to SECONDS (default 10), then SIGKILL. Always succeeds.
stop_pid() {
  local _
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq $(( ${2:-10} * 10 ))); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null
  return 0
}

# ensure_postgres: make sure the local PostgreSQL cluster answers on 127.0.0.1:5432, starting it
# with pg_ctlcluster (no systemd) if needed. Uses the first version found under /etc/postgresql.
ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -t 30; then
    echo "PostgreSQL is up on 127.0.0.1:5432"
    return 0
  fi
  local version
  # shellcheck disable=SC2012  # cluster versions are plain numbers
  version=$(ls /etc/postgresql 2>/dev/null | head -1 || true)
  if [[ -z "$version" ]]; then
    echo "ERROR: PostgreSQL is not reachable on 127.0.0.1:5432 and no cluster exists under /etc/postgresql" >&2
    return 1
  fi
  echo "PostgreSQL is down; starting cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start \
    || echo "pg_ctlcluster $version main start failed (exit $?); checking once more" >&2
  if ! pg_isready -q -h 127.0.0.1 -t 30; then
    echo "ERROR: PostgreSQL $version/main is still not accepting connections on 127.0.0.1:5432" \
         "(log: /var/log/postgresql/postgresql-$version-main.log)" >&2
    return 1
  fi
  echo "PostgreSQL $version/main started on 127.0.0.1:5432"
}

# ensure_rabbitmq: make sure the local RabbitMQ node is running (amqp on 127.0.0.1:5672), starting
# it detached if needed. await_startup fails at once while the node is not up yet, so it is retried.
ensure_rabbitmq() {
  if rabbitmqctl -q await_startup --timeout 60 2>/dev/null; then
    echo "RabbitMQ is up"
    return 0
  fi
  echo "RabbitMQ is down; starting it (rabbitmq-server -detached)"
  rabbitmq-server -detached || echo "rabbitmq-server -detached failed (exit $?); checking once more" >&2
  sleep 5
  local _
  for _ in 1 2 3 4 5 6; do
    if rabbitmqctl -q await_startup --timeout 60 2>/dev/null; then
      echo "RabbitMQ started"
      return 0
    fi
    sleep 5
  done
  echo "ERROR: RabbitMQ did not come up (rabbitmqctl await_startup kept failing; see /var/log/rabbitmq/)" >&2
  return 1
}
