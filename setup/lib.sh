# shellcheck shell=bash
# Shared functions of setup/run and setup/test.  Sourced, never executed.
#
# Settings (environment variables; setup/run also takes them as options):
#   ODOO_SRC                Odoo 18.0 source tree (default: ~/.cache/order-hub/odoo-18.0)
#   ORDER_HUB_ODOO_URL      where to download Odoo 18.0 when it is not on disk
#   ORDER_HUB_DB_HOST/PORT/USER/PASSWORD
#                           an existing PostgreSQL server; when no host is given a
#                           project-local cluster is started under var/pg
#   ORDER_HUB_PG_PORT       port of the project-local cluster (default 55432)
#   ORDER_HUB_VENV          the virtualenv (default: .venv in the repository)

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
ADDONS="order_hub,order_hub_channels,order_hub_logistics"
PG_STARTED_HERE=0

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
# `chromium` package, installed with apt-get when no Chrome/Chromium is found.
ensure_chromium() {
    local browser
    for browser in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$browser" >/dev/null && return
    done
    command -v apt-get >/dev/null || die "Chromium is not installed and apt-get is not available: install Chromium (the Odoo tours need it)."
    say "Installing Chromium for the Odoo tours (Debian packages)"
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq chromium >/dev/null \
        || die "apt-get could not install chromium: install it (the Odoo tours need it)."
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

# Starts the project-local cluster (var/pg) unless an external server is configured.
ensure_pg() {
    if [ -n "$DB_HOST" ]; then
        say "Using the PostgreSQL server at $DB_HOST:$DB_PORT"
        return
    fi
    ensure_pg_packages
    local bin data="$VAR/pg" run="$VAR/run"
    bin="$(pg_bin)"
    mkdir -p "$VAR" "$run"
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$run"
        # the postgres user must be able to reach var/ through the checkout
        chmod o+x "$VAR" 2>/dev/null || true
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
        say "Creating a PostgreSQL cluster in $data"
        mkdir -p "$data"
        [ "$(id -u)" = 0 ] && chown postgres "$data"
        pg_as "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
            || die "initdb failed for $data"
    fi
    if pg_as "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        # already running (an earlier setup/dev, or a parallel run): use its port
        PG_LOCAL_PORT="$(sed -n 4p "$data/postmaster.pid" 2>/dev/null || echo "$PG_LOCAL_PORT")"
    else
        PG_LOCAL_PORT="$(free_port "$PG_LOCAL_PORT")"
        pg_as "$bin/pg_ctl" -D "$data" -l "$run/postgresql.log" -w -t 60 \
            -o "-p $PG_LOCAL_PORT -k $run -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200" \
            start >/dev/null || die "PostgreSQL did not start; see $run/postgresql.log"
        PG_STARTED_HERE=1
    fi
    DB_HOST=127.0.0.1
    DB_PORT="$PG_LOCAL_PORT"
    local exists
    exists="$(pg_as "$bin/psql" -h "$run" -p "$PG_LOCAL_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'")"
    if [ "$exists" != 1 ]; then
        pg_as "$bin/psql" -q -h "$run" -p "$PG_LOCAL_PORT" -U postgres -d postgres \
            -c "CREATE ROLE \"$DB_USER\" LOGIN SUPERUSER PASSWORD '$DB_PASSWORD'" >/dev/null
    fi
}

stop_pg() {
    if [ "$PG_STARTED_HERE" = 1 ]; then
        say "Stopping the local PostgreSQL"
        pg_as "$(pg_bin)/pg_ctl" -D "$VAR/pg" -m fast -w stop >/dev/null 2>&1 || true
        PG_STARTED_HERE=0
    fi
}

# Writes an Odoo configuration file: write_conf FILE [extra "key = value" lines...]
write_conf() {
    local file="$1"
    shift
    mkdir -p "$VAR"
    {
        echo "[options]"
        echo "addons_path = $ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$ROOT/addons"
        echo "data_dir = $VAR/data"
        echo "db_host = $DB_HOST"
        echo "db_port = $DB_PORT"
        echo "db_user = $DB_USER"
        echo "db_password = $DB_PASSWORD"
        echo "admin_passwd = ${ORDER_HUB_MASTER_PASSWORD:-order-hub-admin}"
        echo "list_db = False"
        local line
        for line in "$@"; do echo "$line"; done
    } > "$file"
}

odoo_bin() { "$PY" "$ODOO_SRC/odoo-bin" "$@"; }

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
