# shellcheck shell=bash
# Shared functions of setup/run and setup/test.  Sourced, never executed.
#
# Settings (environment variables; setup/run also takes them as options):
#   ODOO_SRC                Odoo 18.0 source tree (default: ~/.cache/order-hub/odoo-18.0)
#   ORDER_HUB_ODOO_URL      where to download Odoo 18.0 when it is not on disk
#   ORDER_HUB_DB_HOST/PORT/USER/PASSWORD
#                           an existing PostgreSQL server; when no host is given a
#                           project-local cluster is started (see pg_base)
#   ORDER_HUB_PG_PORT       port of the project-local cluster (default 55432)
#   ORDER_HUB_VENV          the virtualenv (default: .venv in the repository)
#   ORDER_HUB_MASTER_PASSWORD
#                           Odoo's master password; by default one is generated per
#                           checkout into var/master-password (mode 600)

set -o errexit -o nounset -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
VENV="${ORDER_HUB_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
ODOO_CACHE="${HOME}/.cache/order-hub/odoo-18.0"
ODOO_URL="${ORDER_HUB_ODOO_URL:-https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz}"
PG_LOCAL_PORT="${ORDER_HUB_PG_PORT:-55432}"
DB_HOST="${ORDER_HUB_DB_HOST:-}"
DB_PORT="${ORDER_HUB_DB_PORT:-5432}"
DB_USER="${ORDER_HUB_DB_USER:-odoo}"
DB_PASSWORD="${ORDER_HUB_DB_PASSWORD:-odoo}"
ADDONS="order_hub,order_hub_channels,order_hub_logistics,order_hub_cn_city,order_hub_writeback,order_hub_portal,order_hub_notify"
PG_STARTED_HERE=0
PG_DATA=""
PG_RUN=""

say() { printf '\033[1m[order-hub]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[order-hub] %s\033[0m\n' "$*" >&2; exit 1; }

is_odoo18() {
    [ -f "$1/odoo-bin" ] && [ -f "$1/odoo/release.py" ] \
        && grep -q "^version_info = (18, 0," "$1/odoo/release.py"
}

# Sets ODOO_SRC to an Odoo 18.0 source tree, downloading it when needed.
find_odoo() {
    if [ -n "${ODOO_SRC:-}" ]; then
        is_odoo18 "$ODOO_SRC" || die "ODOO_SRC=$ODOO_SRC is not an Odoo 18.0 source tree (no odoo-bin or not version 18.0)."
        return
    fi
    if is_odoo18 "$ODOO_CACHE"; then
        ODOO_SRC="$ODOO_CACHE"
        return
    fi
    say "Odoo 18.0 source not found; downloading it from $ODOO_URL"
    local tmp
    tmp="$(mktemp -d)"
    if curl -fsSL --connect-timeout 20 --max-time 900 "$ODOO_URL" -o "$tmp/odoo.tar.gz" 2>/dev/null \
        && mkdir -p "$tmp/src" && tar -xzf "$tmp/odoo.tar.gz" -C "$tmp/src" --strip-components=1 \
        && is_odoo18 "$tmp/src"; then
        mkdir -p "$(dirname "$ODOO_CACHE")"
        rm -rf "$ODOO_CACHE"
        mv "$tmp/src" "$ODOO_CACHE"
        rm -rf "$tmp"
        ODOO_SRC="$ODOO_CACHE"
        return
    fi
    rm -rf "$tmp"
    cat >&2 <<EOF

Order Hub needs the Odoo 18.0 source code, and none could be found or downloaded.
Provide it in one of these ways, then run this command again:
  1. unpack Odoo 18.0 into $ODOO_CACHE
       (git clone --depth 1 -b 18.0 https://github.com/odoo/odoo $ODOO_CACHE)
  2. or point ODOO_SRC at an Odoo 18.0 source tree:  ODOO_SRC=/path/to/odoo $0
  3. or set ORDER_HUB_ODOO_URL to a reachable 18.0 source archive (.tar.gz).
EOF
    exit 2
}

# Creates or refreshes the project virtualenv; re-runs pip only when a
# requirements file or the Odoo tree changed.
ensure_venv() {
    local stamp="$VENV/.order-hub-stamp" want
    want="$(cat "$ROOT/setup/requirements-odoo.txt" "$ROOT/setup/requirements.txt" | sha1sum | cut -c1-16)-$ODOO_SRC"
    if [ -x "$PY" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && odoo_is_linked; then
        return
    fi
    say "Preparing the Python environment in $VENV"
    [ -x "$PY" ] || python3 -m venv "$VENV" || die "python3 -m venv failed: install python3-venv."
    local pip=("$PY" -m pip install --quiet --disable-pip-version-check --prefer-binary)
    "${pip[@]}" -r "$ROOT/setup/requirements-odoo.txt" 2>&1 | grep -v "is ignored" || true
    if ! odoo_is_linked; then
        # "compat" puts the source tree itself on sys.path (a .pth line), so that
        # "import odoo" finds the real package and not the namespace the OCA
        # wheels create in site-packages/odoo/addons.
        "$PY" -m pip uninstall --quiet --yes odoo >/dev/null 2>&1 || true
        "${pip[@]}" --no-deps --config-settings editable_mode=compat -e "$ODOO_SRC" 2>&1 \
            | grep -v "is ignored" || true
    fi
    "${pip[@]}" -r "$ROOT/setup/requirements.txt" 2>&1 | grep -v "is ignored" || true
    odoo_is_linked && "$PY" -c "import odoo.tools, psycopg2, lxml, requests, stdnum, polib, pytest_odoo" \
        || die "The Python environment in $VENV is incomplete (see pip's messages above)."
    echo "$want" > "$stamp"
}

# True when the virtualenv's "import odoo" is the ODOO_SRC tree.
odoo_is_linked() {
    [ "$(cd / && "$PY" -c 'import odoo; print(odoo.__file__)' 2>/dev/null)" = "$ODOO_SRC/odoo/__init__.py" ]
}

pg_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
    done
    return 1
}

# PostgreSQL refuses to run as root: the local cluster then belongs to "postgres".
pg_as() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ensure_pg_packages() {
    pg_bin >/dev/null && return
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is not available: install PostgreSQL, or set ORDER_HUB_DB_HOST to an existing server."
    say "Installing PostgreSQL (Debian packages)"
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq postgresql >/dev/null \
        || die "apt-get could not install PostgreSQL: install it, or set ORDER_HUB_DB_HOST to an existing server."
    pg_bin >/dev/null || die "PostgreSQL was installed but pg_ctl was not found."
}

# The Odoo tours (HttpCase.start_tour) run in headless Chromium: Debian's
# `chromium` package, installed with apt-get when no Chrome/Chromium is found,
# together with a Chinese font (CJK_FONT_PACKAGE), so that the screenshots of
# the tours show Chinese text rather than empty boxes.  The font alone is
# installed when fontconfig finds no Chinese font next to an existing browser.
CJK_FONT_PACKAGE="${ORDER_HUB_CJK_FONT_PACKAGE:-fonts-wqy-zenhei}"

# True when fontconfig knows a font for Chinese; false when it knows none or
# is not installed.
has_cjk_font() {
    command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]
}

ensure_chromium() {
    local browser packages=(chromium)
    for browser in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$browser" >/dev/null; then
            packages=()
            break
        fi
    done
    if [ ${#packages[@]} -gt 0 ]; then
        has_cjk_font || packages+=("$CJK_FONT_PACKAGE")
    elif command -v fc-list >/dev/null && ! has_cjk_font; then
        packages=("$CJK_FONT_PACKAGE")
    fi
    [ ${#packages[@]} -gt 0 ] || return 0
    local browser_missing=0
    [ "${packages[0]}" = chromium ] && browser_missing=1
    if ! command -v apt-get >/dev/null; then
        [ "$browser_missing" = 1 ] && die "Chromium is not installed and apt-get is not available: install Chromium (the Odoo tours need it) and a Chinese font."
        say "No Chinese font found: the tours' screenshots show boxes for Chinese text (install $CJK_FONT_PACKAGE or fonts-noto-cjk)."
        return 0
    fi
    say "Installing ${packages[*]} for the Odoo tours (Debian packages)"
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >/dev/null || true
    if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null; then
        [ "$browser_missing" = 1 ] && die "apt-get could not install ${packages[*]}: install Chromium (the Odoo tours need it) and a Chinese font."
        say "apt-get could not install $CJK_FONT_PACKAGE: the tours' screenshots show boxes for Chinese text."
    fi
    return 0
}

# Prints PORT when nothing listens on it on 127.0.0.1, else the next free one.
free_port() {
    python3 - "$1" <<'EOF'
import socket, sys
port = int(sys.argv[1])
for candidate in range(port, port + 50):
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", candidate))
        except OSError:
            continue
    print(candidate)
    break
else:
    print(port)
EOF
}

# Where the project-local cluster lives (prints a directory holding pg/ and run/).
# Not root: var/ of the checkout, the server runs as the invoking user.  Root:
# PostgreSQL refuses to run as root, so the server runs as "postgres", which
# cannot enter a checkout inside a directory of mode 700 (root's home): the
# cluster then lives in postgres's own home, one directory per checkout path.
# A cluster an earlier version created in var/pg stays there while "postgres"
# can reach it (ensure_pg moves it out when it cannot).
pg_base() {
    if [ "$(id -u)" != 0 ]; then
        echo "$VAR"
        return
    fi
    if [ -f "$VAR/pg/PG_VERSION" ] && runuser -u postgres -- test -r "$VAR/pg/PG_VERSION" 2>/dev/null; then
        echo "$VAR"
        return
    fi
    local home
    home="$(getent passwd postgres | cut -d: -f6)"
    [ -n "$home" ] && [ "$home" != / ] || home=/var/lib/postgresql
    echo "$home/order-hub/$(printf '%s' "$ROOT" | sha1sum | cut -c1-16)"
}

# Starts the project-local cluster unless an external server is configured.
ensure_pg() {
    if [ -n "$DB_HOST" ]; then
        say "Using the PostgreSQL server at $DB_HOST:$DB_PORT"
        return
    fi
    ensure_pg_packages
    local bin base
    bin="$(pg_bin)"
    base="$(pg_base)"
    PG_DATA="$base/pg"
    PG_RUN="$base/run"
    mkdir -p "$VAR" "$base" "$PG_RUN"
    if [ "$(id -u)" = 0 ] && [ "$base" = "$VAR" ]; then
        chown postgres "$PG_RUN"
        chmod o+x "$VAR" 2>/dev/null || true
    elif [ "$(id -u)" = 0 ]; then
        chown postgres "$(dirname "$base")" "$base" "$PG_RUN"
        printf '%s\n' "$ROOT" > "$base/checkout"
        if [ -f "$VAR/pg/PG_VERSION" ] && [ ! -e "$PG_DATA" ]; then
            say "Moving the PostgreSQL cluster from $VAR/pg to $PG_DATA (the postgres user cannot reach the checkout)"
            mv "$VAR/pg" "$PG_DATA"
            chown -R postgres "$PG_DATA"
        fi
    fi
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        say "Creating a PostgreSQL cluster in $PG_DATA"
        mkdir -p "$PG_DATA"
        [ "$(id -u)" = 0 ] && chown postgres "$PG_DATA"
        pg_as "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
            || die "initdb failed for $PG_DATA"
    fi
    if pg_as "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        # already running (an earlier setup/dev, or a parallel run): use its port
        PG_LOCAL_PORT="$(sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || echo "$PG_LOCAL_PORT")"
    else
        PG_LOCAL_PORT="$(free_port "$PG_LOCAL_PORT")"
        pg_as "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_RUN/postgresql.log" -w -t 60 \
            -o "-p $PG_LOCAL_PORT -k $PG_RUN -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200" \
            start >/dev/null || die "PostgreSQL did not start; see $PG_RUN/postgresql.log"
        PG_STARTED_HERE=1
    fi
    DB_HOST=127.0.0.1
    DB_PORT="$PG_LOCAL_PORT"
    local exists
    exists="$(pg_as "$bin/psql" -h "$PG_RUN" -p "$PG_LOCAL_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'")"
    if [ "$exists" != 1 ]; then
        pg_as "$bin/psql" -q -h "$PG_RUN" -p "$PG_LOCAL_PORT" -U postgres -d postgres \
            -c "CREATE ROLE \"$DB_USER\" LOGIN SUPERUSER PASSWORD '$DB_PASSWORD'" >/dev/null
    fi
}

stop_pg() {
    if [ "$PG_STARTED_HERE" = 1 ]; then
        say "Stopping the local PostgreSQL"
        pg_as "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
        PG_STARTED_HERE=0
    fi
}

# Prints Odoo's master password (admin_passwd) of this checkout.  Generated
# once per checkout into var/master-password (mode 600) and shown once then;
# ORDER_HUB_MASTER_PASSWORD overrides it.
master_password() {
    if [ -n "${ORDER_HUB_MASTER_PASSWORD:-}" ]; then
        printf '%s\n' "$ORDER_HUB_MASTER_PASSWORD"
        return
    fi
    local file="$VAR/master-password"
    if [ ! -s "$file" ]; then
        mkdir -p "$VAR"
        (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(24))' > "$file.tmp") \
            && mv "$file.tmp" "$file" || die "Could not write $file"
        say "Generated Odoo's master password (database manager, backups): $(cat "$file")" >&2
        say "  shown only this once; it stays in $file (readable by $(id -un) only)" >&2
    fi
    chmod 600 "$file"
    cat "$file"
}

# Writes an Odoo configuration file: write_conf FILE [extra "key = value" lines...]
# The file holds the database and master passwords: only its owner reads it.
write_conf() {
    local file="$1" admin_passwd
    shift
    mkdir -p "$VAR"
    admin_passwd="$(master_password)"
    (umask 077 && : > "$file")
    chmod 600 "$file"
    {
        echo "[options]"
        echo "addons_path = $ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$ROOT/addons"
        echo "data_dir = $VAR/data"
        echo "db_host = $DB_HOST"
        echo "db_port = $DB_PORT"
        echo "db_user = $DB_USER"
        echo "db_password = $DB_PASSWORD"
        echo "admin_passwd = $admin_passwd"
        echo "list_db = False"
        local line
        for line in "$@"; do echo "$line"; done
    } > "$file"
}

odoo_bin() { "$PY" "$ODOO_SRC/odoo-bin" "$@"; }

# Creates the database $1 with the addons and their demo data (more odoo-bin
# options may follow), the demo company keeping its books in Chinese: base
# first, then the main company's country set to China, then the addons.  When
# account is installed, Odoo picks the chart for the main company from its
# country (account's ir.module.module.write), so it loads l10n_cn's "cn" chart
# rather than the generic one, which the account demo entries would then lock
# in (a chart cannot be replaced once entries exist).
install_demo_db() {
    local db="$1"
    shift
    odoo_bin -c "$CONF" -d "$db" -i base --stop-after-init --no-http "$@" || return 1
    odoo_bin shell -c "$CONF" -d "$db" --no-http "$@" <<'PY' || return 1
env.ref("base.main_company").country_id = env.ref("base.cn")
env.cr.commit()
PY
    odoo_bin -c "$CONF" -d "$db" -i "$ADDONS" --stop-after-init --no-http "$@"
}

# Runs one SQL statement on the server's "postgres" database as the Odoo role.
db_exec() {
    "$PY" -c '
import sys, psycopg2
host, port, user, password, sql = sys.argv[1:]
conn = psycopg2.connect(host=host, port=port, user=user, password=password, dbname="postgres", connect_timeout=10)
conn.autocommit = True
conn.cursor().execute(sql)
' "$DB_HOST" "$DB_PORT" "$DB_USER" "$DB_PASSWORD" "$1"
}

# Fails with a short message when the configured server does not answer.
check_db_server() {
    db_exec "SELECT 1" 2>/dev/null \
        || die "PostgreSQL at $DB_HOST:$DB_PORT does not accept user $DB_USER (check the ORDER_HUB_DB_* settings)."
}

# --- reverse proxy (nginx) -------------------------------------------------

nginx_bin() {
    command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }
}

# Installs nginx from Debian's packages when missing.  Returns 1 with a message
# (and changes nothing) when it cannot be had.
ensure_nginx() {
    nginx_bin >/dev/null && return 0
    if ! command -v apt-get >/dev/null; then
        say "nginx is not installed and apt-get is not available."
        return 1
    fi
    say "Installing nginx (Debian packages) for the reverse proxy"
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo -n)
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq nginx \
        >/dev/null 2>&1 || true
    if ! nginx_bin >/dev/null; then
        say "apt-get could not install nginx."
        return 1
    fi
}

# Writes DIR/nginx.conf, a complete nginx configuration for setup/run around the
# server block of docker/nginx/order-hub.conf.template (the file the compose
# proxy uses), with its ${...} placeholders filled in:
#   write_proxy_conf DIR LISTEN ODOO_HTTP ODOO_GEVENT   (e.g. 127.0.0.1:8069 127.0.0.1:28069 127.0.0.1:28070)
write_proxy_conf() {
    local dir="$1"
    mkdir -p "$dir/tmp"
    PROXY_LISTEN="$2" ODOO_HTTP="$3" ODOO_GEVENT="$4" python3 - "$ROOT/docker/nginx/order-hub.conf.template" \
        > "$dir/order-hub.conf" <<'PY'
import os, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
print(re.sub(r"\$\{(PROXY_LISTEN|ODOO_HTTP|ODOO_GEVENT)\}", lambda m: os.environ[m.group(1)], text), end="")
PY
    {
        echo "# Generated by setup/lib.sh (write_proxy_conf); the server block is in order-hub.conf."
        echo "daemon off;"
        echo "worker_processes 1;"
        echo "pid $dir/nginx.pid;"
        echo "error_log $dir/error.log warn;"
        # as root the workers drop to Debian's web user, as the system nginx does
        [ "$(id -u)" = 0 ] && echo "user www-data;"
        echo "events { worker_connections 1024; }"
        echo "http {"
        echo "    access_log $dir/access.log;"
        if [ "$(id -u)" != 0 ]; then
            # nginx's compiled-in temporary directories belong to root
            local kind
            for kind in client_body proxy fastcgi uwsgi scgi; do
                echo "    ${kind}_temp_path $dir/tmp/$kind;"
            done
        fi
        echo "    include $dir/order-hub.conf;"
        echo "}"
    } > "$dir/nginx.conf"
}

# --- background processes --------------------------------------------------

CHILD_PIDS=()
CHILD_NAMES=()

# Starts a command in the background, its output in LOG, and remembers it for
# stop_children:  start_child NAME LOG COMMAND [ARGS...]
start_child() {
    local name="$1" log="$2"
    shift 2
    "$@" >"$log" 2>&1 &
    CHILD_PIDS+=("$!")
    CHILD_NAMES+=("$name")
}

# Stops what start_child started, last first: SIGTERM, then SIGKILL after 60 s.
stop_children() {
    local i pid
    for ((i = ${#CHILD_PIDS[@]} - 1; i >= 0; i--)); do
        pid="${CHILD_PIDS[$i]}"
        if kill -0 "$pid" 2>/dev/null; then
            say "Stopping ${CHILD_NAMES[$i]}"
            kill -TERM "$pid" 2>/dev/null || true
            local tries=0
            while kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 300 ]; do
                sleep 0.2
                tries=$((tries + 1))
            done
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    CHILD_PIDS=()
    CHILD_NAMES=()
}

# Ctrl-C, SIGTERM, a closed terminal (SIGHUP) or any exit stops the background
# processes and the local PostgreSQL this script started.  Once the clean-up
# has begun it runs to its end: a second signal (Ctrl-C pressed again, the
# terminal closing while Odoo stops) or a gone reader of its messages does not
# cut it short.
stop_on_exit() {
    trap 'trap "" INT TERM HUP PIPE; set +o errexit; stop_children; stop_pg' EXIT
    trap 'exit 130' INT TERM
    trap 'exit 129' HUP
}

# The platform sandboxes the demo channels point at (ports PORT..PORT+4; the
# demo data uses 18801), two new orders a minute each so that orders keep
# arriving:  start_sandboxes PORT LOG CREDENTIALS_JSON
start_sandboxes() {
    start_child "the channel sandboxes" "$2" \
        "$PY" "$ROOT/tests/sandbox/run.py" --all --demo --port "$1" --orders 40 --trickle 2 --credentials "$3"
}

# pylint-odoo's mandatory checks (.pylintrc-mandatory: SQL injection, request
# timeouts, cr.commit(), translations, print, manifests, super calls).
pylint_odoo_check() {
    say "Lint: pylint-odoo mandatory checks"
    local addon addons=()
    for addon in "$ROOT"/addons/*/__manifest__.py; do addons+=("$(dirname "$addon")"); done
    (cd "$ROOT" && "$VENV/bin/pylint" --rcfile="$ROOT/.pylintrc-mandatory" "${addons[@]}")
}
