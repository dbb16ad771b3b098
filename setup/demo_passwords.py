"""Which logins of a database still accept their demo password (used by setup/run --public).

    python setup/demo_passwords.py --host H --port P --user U --password W DBNAME

Prints those logins, one a line, and exits 1 when there is any, 0 when none.
The check is the one Odoo makes at login: the stored hash of each active user
verified against the demo password with passlib (Odoo's own hashing library).
"""

import argparse
import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]

# Odoo's own: the administrator of every new database, and the users of base's demo data.
ODOO_DEMO_LOGINS = {"admin": "admin", "demo": "demo", "portal": "portal"}


def demo_logins(root=ROOT):
    """Login -> password of Odoo's demo users and of the users in our addons' demo data."""
    logins = dict(ODOO_DEMO_LOGINS)
    for path in sorted(root.glob("addons/*/demo/*.xml")):
        for record in etree.parse(str(path)).iterfind(".//record[@model='res.users']"):
            login = record.findtext("field[@name='login']")
            password = record.findtext("field[@name='password']")
            if login and password:
                logins[login] = password
    return logins


def logins_with_demo_password(cursor, logins):
    """The logins among ``logins`` (login -> password) whose user still accepts that password."""
    from passlib.context import CryptContext

    # the schemes of Odoo 18's res.users._crypt_context()
    context = CryptContext(["pbkdf2_sha512", "plaintext"], deprecated=["auto"])
    cursor.execute(
        "SELECT login, password FROM res_users WHERE active AND login = ANY(%s) ORDER BY login",
        (sorted(logins),),
    )
    return [login for login, stored in cursor.fetchall() if stored and context.verify(logins[login], stored)]


def main(argv=None):
    import psycopg2

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("database")
    args = parser.parse_args(argv)
    with psycopg2.connect(
        host=args.host,
        port=args.port,
        user=args.user,
        password=args.password,
        dbname=args.database,
        connect_timeout=10,
    ) as conn:
        found = logins_with_demo_password(conn.cursor(), demo_logins())
    for login in found:
        print(login)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
