"""The `portal` command: check, build, serve, worker, outbox, ...

Each command reads its configuration once, through `portal.common.settings.load()`, and passes
the values on. Commands import their parts when they run: `portal check` must not pay for Flask,
nor `portal outbox` for MkDocs (start-up time of a command typed by hand).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from portal.common import settings
from portal.common.settings import ConfigurationError
from portal.municipal.config import all_slugs


def _config(**defaults) -> dict:
    """The settings, or a clear message and exit 1 for a malformed PORTAL_* variable."""
    try:
        return settings.load(defaults=defaults)
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from None


class SlugType(click.ParamType):
    """A municipality that has a site_config/<slug>.yml."""

    name = "slug"

    def convert(self, value, param, ctx):
        known = all_slugs()
        if value not in known:
            self.fail(f"no municipality {value!r}; known: {', '.join(known) or 'none'} (site_config/<slug>.yml)", param, ctx)
        return value


slugs_argument = click.argument("slugs", nargs=-1, type=SlugType())


def _claim_port(host: str, port: int) -> None:
    """Fail with a clear message, before anything starts or says "Serving", when the address is
    taken. The probe binds as werkzeug will (SO_REUSEADDR: a port in TIME_WAIT is free)."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise click.ClickException(f"port {port} is already in use; try another: --port {port + 10}") from None
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@click.group()
@click.version_option(package_name="portal")
def main():
    """Citizen portal generator for social services (OCMW / sociaal huis / CPAS)."""
    settings.quiet_mkdocs()


@main.command()
@slugs_argument
@click.option("--strict", is_flag=True, help="Fail on warnings too (a site to publish: site_url set, no example addresses).")
@click.option("--hours", "show_hours", is_flag=True,
              help="Also print the week each office's opening hours were read as (plain words or OSM).")
def check(slugs, strict, show_hours):
    """Validate configs, pages, macros and translations; print path:line: message."""
    from portal.checks.run import check as run_check
    from portal.checks.run import has_errors

    # Under PORTAL_ENV=production (`portal-admin check`) a missing site_url or a demo's example
    # address is an error: the sites are about to be published.
    production = _config(ENV="development")["ENV"] == "production"
    findings = run_check(list(slugs) or None, production=production)
    for finding in findings:
        click.echo(str(finding), err=finding.severity == "error")
    if show_hours:
        from portal.municipal.config import check_municipality, config_path
        from portal.municipal.contact import hours_report

        for slug in slugs or ():
            municipality, _ = check_municipality(config_path(slug))
            if municipality is not None:
                click.echo(hours_report(municipality))
    failed = has_errors(findings, strict)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    notes = len(findings) - errors - warnings
    click.echo(f"{errors} error(s), {warnings} warning(s)" + (f", {notes} note(s)" if notes else ""), err=failed)
    sys.exit(1 if failed else 0)


@main.command()
@slugs_argument
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: PORTAL_SITE_DIR or site/).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="number of cores",
              help="Sites built at the same time, each in its own process.")
@click.option("--force", is_flag=True, help="Rebuild every site, also those that did not change.")
def build(slugs, out_dir, jobs, force):
    """Build the named municipalities (all when none) into OUT/<slug>/.

    A site is skipped when nothing it is made from changed since its last build: its YAML and
    own files, the catalogue pages it shows, forms, templates, mkdocs.yml, the portal version,
    and the date (pages carry the coming year's opening hours). A site that fails keeps its
    last good version; the others are built anyway.
    """
    from portal.site.build import BuildLocked, build_sites
    from portal.site.build_report import BuildReporter

    config = _config(ENV="development")
    out_dir = out_dir or config["SITE_DIR"]
    slugs = list(slugs) or all_slugs(config["ROOT"])
    click.echo(f"Building {len(slugs)} site(s) into {out_dir}/ ({jobs} at a time)")
    reporter = BuildReporter(len(slugs), interactive=sys.stderr.isatty())
    try:
        results = build_sites(slugs, out_dir, config["ROOT"], on_result=reporter, jobs=jobs, force=force)
    except BuildLocked as exc:
        raise click.ClickException(str(exc)) from None
    reporter.summary()
    sys.exit(1 if any(not r.ok for r in results) else 0)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Built sites (default: PORTAL_SITE_DIR or site/).")
def serve(host, port, site_dir):
    """Serve the built sites at /<slug>/ and the forms at /forms/... on one address."""
    from werkzeug.serving import run_simple

    from portal.delivery.worker import start_background_worker
    from portal.serve import combined_app
    from portal.web import create_app

    _claim_port(host, port)
    config = _config(ENV="development")
    site_dir = site_dir or config["SITE_DIR"]
    try:
        backend = create_app({"SITE_BASE": "/{slug}/"}, env_default="development")  # forms link back here
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from None
    start_background_worker(backend)
    click.echo(f"Serving {site_dir}/ and the forms on http://{host}:{port}/")
    run_simple(host, port, combined_app(site_dir, backend), threaded=True, use_reloader=False)


@main.command()
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
def worker(once):
    """Deliver the mail outbox (PORTAL_SMTP_URL, or .eml files under instance/mail/)."""
    import logging

    from portal.delivery.transport import transport_for
    from portal.delivery.worker import run
    from portal.store import StoreUnavailable, open_store

    config = _config()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        totals = run(open_store(config["DATABASE_URL"], create=False),
                     transport_for(config["SMTP_URL"], config["MAIL_DIR"]), once=once)
    except (StoreUnavailable, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:      # Ctrl-C: a message being sent is leased and retried later
        click.echo("stopped")
        return
    click.echo(f"{totals['sent']} sent, {totals['retry']} to retry, {totals['failed']} failed")


@main.command()
@click.option("--retry", "retry_ids", type=int, multiple=True, metavar="ID",
              help="Put a failed message back in the queue (repeatable).")
@click.option("--discard", "discard_ids", type=int, multiple=True, metavar="ID",
              help="Give up on a pending or failed message that will never be delivered (repeatable).")
def outbox(retry_ids, discard_ids):
    """List pending and failed deliveries (no addresses, no content), and an alert line for
    every office inbox that received more applications in the last hour than expected, and for
    applications left in an inbox address that is no longer configured."""
    import datetime as dt

    from portal.municipal.config import load_all
    from portal.store import StoreUnavailable, open_store
    from portal.web.staff_auth import stranded_applications

    config = _config()
    try:
        store = open_store(config["DATABASE_URL"], create=False)
        try:
            for outbox_id in retry_ids:
                if not store.requeue(outbox_id):
                    raise click.ClickException(f"outbox {outbox_id}: no failed message with that id")
                click.echo(f"outbox {outbox_id}: queued again")
            for outbox_id in discard_ids:
                if not store.discard(outbox_id):
                    raise click.ClickException(f"outbox {outbox_id}: no pending or failed message with that id")
                click.echo(f"outbox {outbox_id}: discarded (it will not be sent; the application stays in the staff inbox)")
            rows, counts = store.list_outbox(), store.outbox_counts()
            busy = store.busy_inboxes(int(config["INBOX_ALERT_PER_HOUR"]))
            stranded = stranded_applications(store, load_all(config["ROOT"]))
        finally:
            store.close()
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from None

    def when(seconds):
        return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M") if seconds else "-"

    if rows:
        click.echo(f"{'id':>6}  {'reference':<16} {'kind':<12} {'status':<8} {'tries':>5}  {'next try':<16}  last error")
    for row in rows:
        next_try = when(row["next_attempt_at"]) if row["status"] == "pending" else "-"
        click.echo(f"{row['id']:>6}  {row['reference']:<16} {row['kind']:<12} {row['status']:<8} "
                   f"{row['attempts']:>5}  {next_try:<16}  {row['last_error'] or ''}")
    click.echo(f"{counts['pending']} pending, {counts['failed']} failed, {counts['sent']} sent")
    for inbox, count in busy:
        # Stored and delivered all the same; an office inbox is not personal data.
        click.echo(f"ALERT: {inbox} received {count} applications in the last hour "
                   f"(more than PORTAL_INBOX_ALERT_PER_HOUR={config['INBOX_ALERT_PER_HOUR']}): a robot, or a busy day?")
    for group in stranded:
        where = (f"{group.municipality} sends {group.form_id} to {group.goes_to} now: "
                 f"portal move-inbox {group.inbox} {group.goes_to}") if group.goes_to else \
                f"{group.municipality} no longer takes {group.form_id}; move them to one of its inboxes with portal move-inbox"
        click.echo(f"ALERT: {_plural(group.count, 'application')} of {group.municipality} wait in {group.inbox}, "
                   f"which is no longer an inbox, so no staff member can read them ({where})")


@main.command("sign-out-inbox")
@click.argument("inbox")
def sign_out_inbox(inbox):
    """End every staff session of INBOX at once and void its unused sign-in links (a lost laptop,
    a colleague who left). Staff sign in again with a new link. Logged without the address."""
    import logging

    from portal.store import StoreUnavailable, open_store

    config = _config()
    try:
        store = open_store(config["DATABASE_URL"], create=False)
        try:
            ended = store.end_inbox_sessions(inbox.strip())
        finally:
            store.close()
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    logging.getLogger("portal.cli").warning("sign-out-inbox: %s ended", _plural(ended, "staff session"))
    click.echo(f"{_plural(ended, 'session')} of {inbox.strip()} ended; its unused sign-in links no longer work")


@main.command("move-inbox")
@click.argument("old")
@click.argument("new")
@click.option("--dry-run", is_flag=True, help="Only say what would move.")
def move_inbox(old, new, dry_run):
    """Hand the applications in inbox address OLD to NEW, after an inbox's address changed in
    site_config (staff sign in with the new address and see only what is in it).

    NEW must be in `inboxes:`. Only the applications whose municipality sends that form to NEW
    today move; the others stay and are listed. Logged with the counts (office addresses are not
    personal data).
    """
    import logging

    from portal.municipal.config import load_all
    from portal.store import StoreUnavailable, open_store
    from portal.web.staff_auth import configured_inboxes

    config = _config()
    municipalities = load_all(config["ROOT"])
    entry = configured_inboxes(municipalities).get(new.strip().lower())
    if entry is None:
        raise click.ClickException(f"{new!r} is in no municipality's inboxes: (site_config/<slug>.yml); "
                                   "move applications only to an address staff can sign in with")
    new = entry[0]
    try:
        store = open_store(config["DATABASE_URL"], create=False)
        try:
            groups = [(inbox, slug, form_id, count) for inbox, slug, form_id, count in store.applications_per_inbox(purged=True)
                      if inbox.lower() == old.strip().lower() and inbox != new]
            moved = 0
            for inbox, slug, form_id, count in groups:
                goes_to = municipalities[slug].inboxes.get(form_id) if slug in municipalities else None
                if goes_to != new:
                    click.echo(f"stay: {_plural(count, 'application')} of {slug} ({form_id}): "
                               f"{slug} sends that form to {goes_to or 'no inbox'}, not to {new}")
                    continue
                if not dry_run:
                    count = store.move_inbox(inbox, new, competent_slug=slug, form_id=form_id)
                moved += count
                click.echo(f"{'would move' if dry_run else 'moved'}: {_plural(count, 'application')} of {slug} ({form_id})")
        finally:
            store.close()
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if not groups:
        click.echo(f"no application waits in {old}")
    elif not dry_run and moved:
        logging.getLogger("portal.cli").warning("move-inbox: %s moved from %s to %s", _plural(moved, "application"), groups[0][0], new)


@main.command("inbox-check")
@slugs_argument
def inbox_check(slugs):
    """Send a test message to every configured inbox and list those that bounce or fail.

    One neutral message per `inboxes` entry (all municipalities when none are named), through the
    route the worker uses (PORTAL_SMTP_URL, else .eml files under instance/mail/). Results are
    recorded and shown by /healthz. Exit 1 when an inbox fails. Only the mail server's answer
    during sending is seen: bounces that come back later as delivery reports (DSNs) to
    PORTAL_MAIL_FROM are out of scope.
    """
    from portal.delivery.inbox_check import inbox_check_command
    from portal.store import StoreUnavailable

    try:
        sys.exit(inbox_check_command(list(slugs), click.echo, config=_config()))
    except (StoreUnavailable, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


def _stdin_is_terminal() -> bool:
    """Ask questions only of a person at a terminal, never of a script or a pipe."""
    return sys.stdin.isatty()


@main.command()
@click.argument("slug")
@click.option("--name", "names", multiple=True, help="The municipality's name; per language: --name nl=Sint-Gillis --name fr=Saint-Gilles.")
@click.option("--languages", help="Site languages, default first: nl, fr, nl,fr or fr,nl.")
@click.option("--postcode", "postcodes", multiple=True, help="Postcode(s) this OCMW is competent for; the first is the office's.")
@click.option("--street", help="The office's street and number.")
@click.option("--phone", help="The office's phone number.")
@click.option("--email", help="The office's public e-mail address, shown on the site.")
@click.option("--inbox", help="Where support applications are delivered (an address on .example is a placeholder: production refuses it).")
@click.option("--wijk-werken-inbox", help="Where wijk-werken requests are delivered (omit: no wijk-werken form).")
@click.option("--dpo", help="The data protection officer's e-mail address (default: dpo@ the inbox's domain).")
@click.option("--services", help="Catalogue pages to show, comma-separated (default: onthaal,leefloon,art60,werk-zoeken).")
@click.option("--force", is_flag=True, help="Overwrite an existing site_config/SLUG.yml.")
def new(slug, names, languages, postcodes, street, phone, email, inbox, wijk_werken_inbox, dpo, services, force):
    """Create site_config/SLUG.yml and a placeholder logo for a new municipality."""
    from portal.common.findings import PortalError
    from portal.municipal import scaffold

    answers = {"--name": list(names), "--languages": languages, "--postcode": list(postcodes), "--street": street,
               "--phone": phone, "--email": email, "--inbox": inbox}
    missing = [option for option, value in answers.items() if not value]
    if missing and not _stdin_is_terminal():
        raise click.UsageError(f"missing {', '.join(missing)} (pass them, or run `portal new` in a terminal to be asked)")
    for option in missing:
        value = click.prompt(option.lstrip("-").capitalize(), default="nl" if option == "--languages" else None)
        answers[option] = [value] if option in ("--name", "--postcode") else value
    langs = scaffold.split_list(answers["--languages"])
    site = scaffold.NewSite(
        slug=slug, names=scaffold.parse_names(answers["--name"], langs), languages=langs,
        postcodes=[code for value in answers["--postcode"] for code in scaffold.split_list(value)],
        street=answers["--street"], phone=answers["--phone"], email=answers["--email"], inbox=answers["--inbox"],
        wijk_werken_inbox=wijk_werken_inbox, dpo=dpo,
        services=scaffold.split_list(services) if services else list(scaffold.DEFAULT_SERVICES),
    )
    try:
        written = scaffold.write_site(site, settings.project_root(), force=force)
    except PortalError as exc:
        raise click.ClickException("\n".join(str(f) for f in exc.findings)) from None
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"Next: check the values, then `portal check {slug}` and `portal preview {slug}`.")


@main.command()
@slugs_argument
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-forms", is_flag=True, help="Do not start the form backend on /forms/.")
def preview(slugs, host, port, no_forms):
    """Preview one municipality with live reload; its forms work on the same address."""
    from portal.preview import preview as run_preview

    if len(slugs) != 1:
        raise click.UsageError("name exactly one municipality, e.g. `portal preview opwijk`")
    _claim_port(host, port)
    click.echo(f"Preview of {slugs[0]} on http://{host}:{port}/ : save a page and the browser reloads. "
               f"Forms: http://{host}:{port}/forms/{slugs[0]}/... (mail goes to instance/mail/). Stop with Ctrl+C.")
    import errno

    from mkdocs.exceptions import MkDocsException

    try:
        run_preview(slugs[0], host, port, forms=not no_forms)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise click.ClickException(f"port {port} is already in use; try another: --port {port + 10}") from None
        raise
    except MkDocsException as exc:  # the site does not build: the message names the file and line
        raise click.ClickException(f"{exc}\nRun `portal check {slugs[0]}` for every problem at once.") from None


@main.command()
@click.option("--dry-run", is_flag=True, help="Only count what would be erased.")
def purge(dry_run):
    """Erase the personal data of applications past their retention period, whatever their e-mails' state."""
    from portal.municipal.config import load_all
    from portal.store import StoreUnavailable, open_store
    from portal.store.retention import purge as run_purge

    config = _config()
    try:
        report = run_purge(open_store(config["DATABASE_URL"], create=False), load_all(config["ROOT"]), dry_run=dry_run)
    except (StoreUnavailable, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    verb = "would erase" if dry_run else "erased"
    for slug, count in sorted(report.erased.items(), key=lambda item: str(item[0])):
        click.echo(f"{slug or '(unconfigured)'}: {verb} the personal data of {_plural(count, 'submission')}")
    click.echo(f"{_plural(report.total, 'submission')} {'would be erased' if dry_run else 'erased'}")
    if report.checkpoint_busy:
        click.echo("warning: another process kept the database log open; run `portal purge` again later", err=True)


@main.command("staff-link")
@click.argument("slug", type=SlugType())
@click.argument("inbox")
def staff_link(slug, inbox):
    """Print a one-time sign-in link to the staff inbox of INBOX (an address in SLUG's `inboxes`).

    For the first sign-in or when mail is down; whoever runs this on the server can read the
    inbox anyway. The link works once, for 15 minutes, and points at PORTAL_PUBLIC_URL (default
    http://127.0.0.1:8000, `portal serve`). Logged with the municipality, without the link.
    """
    import logging

    from portal.municipal.config import load_municipality
    from portal.store import StoreUnavailable, open_store
    from portal.web.staff_auth import new_sign_in_link

    config = _config()
    municipality = load_municipality(slug, config["ROOT"])
    matches = [address for address in municipality.inboxes.values() if address.lower() == inbox.strip().lower()]
    if not matches:
        raise click.ClickException(f"{inbox!r} is not an inbox of {slug}; its inboxes: "
                                   + ", ".join(sorted(set(municipality.inboxes.values()))))
    try:
        store = open_store(config["DATABASE_URL"], create=False)
        try:
            link = new_sign_in_link(store, matches[0], config.get("PUBLIC_URL") or "http://127.0.0.1:8000")
        finally:
            store.close()
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    logging.getLogger("portal.cli").warning("staff-link: a sign-in link was printed for an inbox of %s", slug)
    click.echo(link)
