#!/bin/sh
# A consistent copy of the portal's SQLite database, taken while gunicorn and the worker keep
# writing: sqlite3's online backup (`.backup`), never a plain `cp` of a database in WAL mode.
# Then an integrity check of the copy, compression, and removal of copies older than the
# last PORTAL_BACKUP_KEEP. The copies hold citizens' applications: keep them readable by the
# portal user only (umask 077) and encrypt them before they leave the server.
#
#   PORTAL_DATABASE_URL=sqlite:////srv/portal/instance/portal.sqlite3   (from /etc/portal/portal.env)
#   PORTAL_BACKUP_DIR=/srv/portal/backup   PORTAL_BACKUP_KEEP=14
#
# Restore: stop portal-web and portal-worker, gunzip the copy over the database file (remove its
# -wal and -shm files), start them again.
set -eu
umask 077

url="${PORTAL_DATABASE_URL:?PORTAL_DATABASE_URL is not set}"
case "$url" in
    sqlite:///*) database="${url#sqlite:///}"; database="${database%%\?*}" ;;
    *) echo "portal-backup: $url is not SQLite; back PostgreSQL up with pg_dump (docs/deploy.md)" >&2; exit 2 ;;
esac
dir="${PORTAL_BACKUP_DIR:?PORTAL_BACKUP_DIR is not set}"
keep="${PORTAL_BACKUP_KEEP:-14}"
[ -f "$database" ] || { echo "portal-backup: no database at $database" >&2; exit 1; }
mkdir -p "$dir"

copy="$dir/portal-$(date +%Y%m%d-%H%M%S).sqlite3"
# Waits up to 10 s for a writer to finish instead of failing on a busy database.
sqlite3 "$database" ".timeout 10000" ".backup '$copy'"
result="$(sqlite3 "$copy" 'PRAGMA integrity_check;')"
if [ "$result" != "ok" ]; then
    echo "portal-backup: the copy $copy fails its integrity check: $result" >&2
    exit 1
fi
gzip -9 "$copy"
echo "portal-backup: wrote $copy.gz"

# Keep the newest $keep copies.
ls -1t "$dir"/portal-*.sqlite3.gz 2>/dev/null | tail -n +"$((keep + 1))" | while read -r old; do
    rm -f -- "$old"
done
