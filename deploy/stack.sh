#!/usr/bin/env bash
# The production topology on this machine, everything on 127.0.0.1:
# PostgreSQL, Redis, an S3-compatible server (moto), an SMTP server that keeps
# what it receives (aiosmtpd), two app servers and one task worker (from
# deploy/Procfile), nginx in front (deploy/nginx/portal.conf).
#
#   deploy/stack.sh up              start it all (migrate and load the demo the first time)
#   deploy/stack.sh down            stop everything it started
#   deploy/stack.sh status          what runs, and the health endpoint's answer
#   deploy/stack.sh env             the environment of the app, to source in a shell
#   deploy/stack.sh stop|start|kill SERVICE    one service (faults)
#
# Services: postgres redis s3 smtp web1 web2 worker nginx. Data, logs and
# pid files live under var/stack/ (STACK_DIR); `down --purge` removes them.
# https://carvin.localhost:18443/ (self-signed certificate, var/stack/tls/).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STACK=${STACK_DIR:-$ROOT/var/stack}

NGINX_PORT=${STACK_NGINX_PORT:-18443}
NGINX_HTTP_PORT=${STACK_NGINX_HTTP_PORT:-18080}
PG_PORT=${STACK_PG_PORT:-18432}
REDIS_PORT=${STACK_REDIS_PORT:-18379}
S3_PORT=${STACK_S3_PORT:-18900}
SMTP_PORT=${STACK_SMTP_PORT:-18025}
web_ports=${STACK_WEB_PORTS:-18001,18002}
WEB_PORTS=(${web_ports//,/ })
SERVICES=(postgres redis s3 smtp web1 web2 worker nginx)

source scripts/postgres.sh

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

write_env() {
  mkdir -p "$STACK"
  [ -s "$STACK/secret" ] || (umask 077 && .venv/bin/python -c \
    "import secrets; print(secrets.token_urlsafe(50))" >"$STACK/secret")
  cat >"$STACK/env" <<EOF
export DJANGO_SETTINGS_MODULE=cms.settings.production
export DJANGO_SECRET_KEY=$(cat "$STACK/secret")
export DJANGO_ALLOWED_HOSTS=.localhost,127.0.0.1
export CSRF_TRUSTED_ORIGINS=https://carvin.localhost:$NGINX_PORT,https://saint-andre-des-eaux.localhost:$NGINX_PORT
export WAGTAILADMIN_BASE_URL=https://carvin.localhost:$NGINX_PORT
export DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/portal
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export REDIS_SESSIONS_URL=redis://127.0.0.1:$REDIS_PORT/1
export AWS_STORAGE_BUCKET_NAME=portal
export AWS_S3_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
export AWS_S3_REGION_NAME=us-east-1
export AWS_ACCESS_KEY_ID=stack
export AWS_SECRET_ACCESS_KEY=stack
export EMAIL_HOST=127.0.0.1
export EMAIL_PORT=$SMTP_PORT
export EMAIL_TIMEOUT=5
export STATIC_ROOT=$STACK/static
export PAYMENTS_TESTBANK_ENABLED=true
export EDGE_CACHE_TIMEOUT=${EDGE_CACHE_TIMEOUT:-10}
export SECURE_SSL_REDIRECT=true
export LOG_LEVEL=WARNING
export TRUSTED_PROXIES=127.0.0.1
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-3}
export REQUESTS_CA_BUNDLE=$STACK/tls/portal.crt
export PORT=$NGINX_PORT
export STACK_WEB_PORTS=${WEB_PORTS[0]},${WEB_PORTS[1]}
EOF
}

pidfile() { echo "$STACK/run/$1.pid"; }

running() {
  local pid
  pid=$(cat "$(pidfile "$1")" 2>/dev/null) || return 1
  kill -0 "$pid" 2>/dev/null
}

# Start a command in a process group of its own, output to logs/NAME.log.
spawn() {
  local name=$1
  shift
  mkdir -p "$STACK/run" "$STACK/logs"
  setsid "$@" >>"$STACK/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}

procfile_command() {
  sed -n "s/^$1: //p" deploy/Procfile
}

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    running "$name" || { log "$name died: see $STACK/logs/$name.log"; return 1; }
    sleep 0.2
  done
  log "$name does not listen on $port"
  return 1
}

start() {
  local name=$1
  source "$STACK/env"
  if [ "$name" != postgres ] && running "$name"; then
    log "$name already runs"
    return 0
  fi
  case $name in
    postgres)
      postgres_start "$STACK/postgres" "$PG_PORT" -c max_connections=200 -c shared_buffers=512MB
      ;;
    redis)
      mkdir -p "$STACK/redis"
      spawn redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$STACK/redis" \
        --appendonly yes --save "" --maxmemory 1gb --maxmemory-policy volatile-lru
      wait_port "$REDIS_PORT" redis
      ;;
    s3)
      spawn s3 .venv/bin/moto_server -H 127.0.0.1 -p "$S3_PORT"
      wait_port "$S3_PORT" s3
      .venv/bin/python - <<'EOF'
import os, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"])
bucket = os.environ["AWS_STORAGE_BUCKET_NAME"]
if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
    s3.create_bucket(Bucket=bucket, ACL="private")
EOF
      ;;
    smtp)
      mkdir -p "$STACK/mail/cur" "$STACK/mail/new" "$STACK/mail/tmp"
      spawn smtp .venv/bin/python -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
        -c aiosmtpd.handlers.Mailbox "$STACK/mail"
      wait_port "$SMTP_PORT" smtp
      ;;
    web1 | web2)
      local port=${WEB_PORTS[${name#web} - 1]}
      spawn "$name" env WEB_PORT="$port" bash -c "exec $(procfile_command web)"
      wait_port "$port" "$name"
      ;;
    worker)
      spawn worker env WORKER_ID=stack-worker-1 bash -c "exec $(procfile_command worker)"
      ;;
    nginx)
      render_nginx
      spawn nginx nginx -p "$STACK/nginx" -c "$STACK/nginx/nginx.conf" -g "daemon off;"
      wait_port "$NGINX_PORT" nginx
      ;;
    *) log "unknown service $name"; return 2 ;;
  esac
}

stop() {
  local name=$1 signal=${2:-TERM}
  if [ "$name" = postgres ]; then
    if [ "$signal" = KILL ]; then
      local pid
      pid=$(head -n 1 "$STACK/postgres/data/postmaster.pid" 2>/dev/null) && kill -KILL "$pid"
    else
      postgres_stop "$STACK/postgres"
    fi
    return 0
  fi
  running "$name" || { rm -f "$(pidfile "$name")"; return 0; }
  local pid
  pid=$(cat "$(pidfile "$name")")
  kill "-$signal" -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$(pidfile "$name")"
}

render_nginx() {
  mkdir -p "$STACK/nginx/cache" "$STACK/nginx/logs" "$STACK/tls"
  if [ ! -s "$STACK/tls/portal.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=carvin.localhost" \
      -addext "subjectAltName=DNS:*.localhost,DNS:localhost,IP:127.0.0.1" \
      -keyout "$STACK/tls/portal.key" -out "$STACK/tls/portal.crt" 2>/dev/null
  fi
  local servers="" port
  for port in "${WEB_PORTS[@]}"; do
    servers+="server 127.0.0.1:$port max_fails=1 fail_timeout=10s; "
  done
  NGINX_CACHE_DIR=$STACK/nginx/cache UPSTREAM_SERVERS=$servers NGINX_LISTEN=127.0.0.1:$NGINX_PORT \
    NGINX_HTTP_LISTEN=127.0.0.1:$NGINX_HTTP_PORT NGINX_HTTPS_PORT_SUFFIX=:$NGINX_PORT \
    SERVER_NAMES="*.localhost 127.0.0.1" TLS_CERTIFICATE=$STACK/tls/portal.crt \
    TLS_CERTIFICATE_KEY=$STACK/tls/portal.key STATIC_ROOT=$STATIC_ROOT \
    NGINX_PROXY_PARAMS=$ROOT/deploy/nginx/proxy_params.conf \
    envsubst '${NGINX_CACHE_DIR} ${UPSTREAM_SERVERS} ${NGINX_LISTEN} ${NGINX_HTTP_LISTEN} ${NGINX_HTTPS_PORT_SUFFIX} ${SERVER_NAMES} ${TLS_CERTIFICATE} ${TLS_CERTIFICATE_KEY} ${STATIC_ROOT} ${NGINX_PROXY_PARAMS}' \
    <deploy/nginx/portal.conf >"$STACK/nginx/portal.conf"
  cat >"$STACK/nginx/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_http_brotli_filter_module.so;
load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;
worker_processes 2;
pid $STACK/nginx/nginx.pid;
error_log $STACK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log $STACK/nginx/logs/access.log;
    client_body_temp_path $STACK/nginx/client_body;
    proxy_temp_path $STACK/nginx/proxy;
    fastcgi_temp_path $STACK/nginx/fastcgi;
    uwsgi_temp_path $STACK/nginx/uwsgi;
    scgi_temp_path $STACK/nginx/scgi;
    include $STACK/nginx/portal.conf;
}
EOF
}

health() {
  curl -sk --max-time 10 --resolve "carvin.localhost:$NGINX_PORT:127.0.0.1" \
    "https://carvin.localhost:$NGINX_PORT/healthz/"
}

up() {
  local missing=()
  command -v nginx >/dev/null || missing+=(nginx)
  [ -e /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ] ||
    missing+=(libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v envsubst >/dev/null || missing+=(gettext-base)
  command -v curl >/dev/null || missing+=(curl)
  source scripts/system-packages.sh
  install_missing_packages "${missing[@]}"
  [ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt -r deploy/requirements.txt

  write_env
  trap 'log "start failed; stopping what was started"; down' ERR
  source "$STACK/env"
  for name in postgres redis s3 smtp; do
    running "$name" || start "$name"
  done
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'portal'" \
    | grep -q 1 || createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres portal
  .venv/bin/python manage.py migrate --noinput >/dev/null
  .venv/bin/python manage.py collectstatic --noinput >/dev/null
  if [ ! -f "$STACK/demo-loaded" ] || ! .venv/bin/python manage.py shell -c \
    "from wagtail.models import Site; import sys; sys.exit(0 if Site.objects.filter(hostname='carvin.localhost').exists() else 1)"; then
    .venv/bin/python manage.py load_demo >"$STACK/logs/load_demo.log"
    touch "$STACK/demo-loaded"
  fi
  for name in web1 web2 worker nginx; do
    running "$name" || start "$name"
  done
  trap - ERR
  local tries=0
  until health >/dev/null; do
    tries=$((tries + 1))
    [ $tries -lt 30 ] || { log "the health endpoint does not answer"; down; return 1; }
    sleep 2
  done
  log "up: https://carvin.localhost:$NGINX_PORT/ (logs in $STACK/logs)"
}

down() {
  local i
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
    stop "${SERVICES[$i]}"
  done
  if [ "${1:-}" = --purge ]; then rm -rf "$STACK"; fi
  log "down"
}

status() {
  local name
  for name in "${SERVICES[@]}"; do
    if [ "$name" = postgres ]; then
      pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && echo "postgres: up" || echo "postgres: down"
    elif running "$name"; then echo "$name: up"; else echo "$name: down"; fi
  done
  health && echo
}

case ${1:-} in
  up) up ;;
  down) down "${2:-}" ;;
  status) status ;;
  env) write_env && cat "$STACK/env" ;;
  start) write_env && start "$2" ;;
  stop) stop "$2" ;;
  kill) stop "$2" KILL ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
