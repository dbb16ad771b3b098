#!/bin/bash
# Order Hub's entrypoint, around the official image's /entrypoint.sh.
#
# 1. Odoo's master password is generated on the first start into the data
#    volume (a password baked into the image would be the same for everyone);
#    /var/lib/odoo/odoo.conf is docker/odoo.conf plus that password, and Odoo
#    reads it (ODOO_RC).  Read the password with
#      docker compose -f docker/docker-compose.yml exec odoo cat /var/lib/odoo/master-password
# 2. "order-hub-init" (the odoo-init service) installs the three addons with
#    demo data when the database has no Order Hub yet, and upgrades them (-u)
#    when it has.
set -euo pipefail

# (paths overridable for tests/unit/test_setup_tools.py, which runs this script outside a container)
DATA="${ORDER_HUB_DATA_DIR:-/var/lib/odoo}"
TEMPLATE="${ORDER_HUB_CONF_TEMPLATE:-/etc/odoo/odoo.conf}"
NEXT="${ORDER_HUB_NEXT_ENTRYPOINT:-/entrypoint.sh}"
SECRET="$DATA/master-password"
CONF="$DATA/odoo.conf"
DB_NAME="${ORDER_HUB_DB_NAME:-order_hub}"
ADDONS=order_hub,order_hub_channels,order_hub_logistics

if [ ! -s "$SECRET" ]; then
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(24))' > "$SECRET.tmp")
    mv "$SECRET.tmp" "$SECRET"
    echo "Order Hub: generated Odoo's master password into $SECRET (data volume)."
fi
(umask 077 && sed "s|^\[options\]\$|[options]\nadmin_passwd = $(cat "$SECRET")|" "$TEMPLATE" > "$CONF.tmp")
mv "$CONF.tmp" "$CONF"
export ODOO_RC="$CONF"

if [ "${1:-}" = order-hub-init ]; then
    shift
    installed="$(python3 - "$DB_NAME" <<'PY'
import os, sys
import psycopg2
try:
    conn = psycopg2.connect(
        host=os.environ.get("HOST", "db"), port=os.environ.get("PORT", "5432"),
        user=os.environ.get("USER", "odoo"), password=os.environ.get("PASSWORD", "odoo"),
        dbname=sys.argv[1], connect_timeout=10,
    )
    cur = conn.cursor()
    cur.execute("SELECT state FROM ir_module_module WHERE name = 'order_hub'")
    row = cur.fetchone()
    print("yes" if row and row[0] == "installed" else "no")
except psycopg2.Error:  # no such database yet, or an empty one
    print("no")
PY
)"
    if [ "$installed" = yes ]; then
        echo "Order Hub: upgrading the addons in $DB_NAME"
        set -- odoo -d "$DB_NAME" -u "$ADDONS" --stop-after-init --workers=0 "$@"
    else
        echo "Order Hub: creating $DB_NAME with the addons and demo data"
        set -- odoo -d "$DB_NAME" -i "$ADDONS" --stop-after-init --workers=0 "$@"
    fi
fi

exec "$NEXT" "$@"
