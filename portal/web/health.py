"""Blueprint `health`: GET /healthz for monitoring.

JSON: whether the database answers, and how many e-mails wait or failed in the outbox. 200 when
the database is reachable, 503 when not, so a load balancer or uptime check can act on it.
"alerts.busy_inboxes": how many office inboxes received more than PORTAL_INBOX_ALERT_PER_HOUR
applications in the last hour (a count only; `portal outbox` names them);
"alerts.stranded_applications": how many applications wait in an inbox address that is no longer
configured, so no staff member can read them (`portal outbox` says which, `portal move-inbox`
hands them on). nginx answers /healthz
to the monitoring addresses only (deploy/nginx/site.conf).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from portal.store import StoreUnavailable
from portal.web.pages import get_store, municipalities
from portal.web.staff_auth import stranded_applications

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        health = get_store().health(busy_per_hour=int(current_app.config["INBOX_ALERT_PER_HOUR"]))
        if "alerts" in health:
            stranded = stranded_applications(get_store(), municipalities())
            health["alerts"]["stranded_applications"] = sum(group.count for group in stranded)
    except StoreUnavailable:
        health = {"database": "unavailable", "outbox": None}
    ok = health.get("database") == "ok"
    body = {"status": "ok" if ok else "unavailable", **health}
    response = jsonify(body)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
