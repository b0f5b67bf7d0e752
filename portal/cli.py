"""The `portal` command: check, build, serve, worker, outbox."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from portal.config import all_slugs, project_root

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


class SlugType(click.ParamType):
    """A municipality that has a site_config/<slug>.yml."""

    name = "slug"

    def convert(self, value, param, ctx):
        known = all_slugs()
        if value not in known:
            self.fail(f"no municipality {value!r}; known: {', '.join(known) or 'none'} (site_config/<slug>.yml)", param, ctx)
        return value


slugs_argument = click.argument("slugs", nargs=-1, type=SlugType())


@click.group()
@click.version_option(package_name="portal")
def main():
    """Citizen portal generator for social services (OCMW / sociaal huis / CPAS)."""


@main.command()
@slugs_argument
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def check(slugs, strict):
    """Validate configs, pages, macros and translations; print path:line: message."""
    from portal.check import check as run_check, has_errors

    findings = run_check(list(slugs) or None)
    for finding in findings:
        click.echo(str(finding), err=finding.severity == "error")
    failed = has_errors(findings, strict)
    errors = sum(1 for f in findings if f.severity == "error")
    click.echo(f"{errors} error(s), {len(findings) - errors} warning(s)", err=failed)
    sys.exit(1 if failed else 0)


@main.command()
@slugs_argument
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: PORTAL_SITE_DIR or site/).")
def build(slugs, out_dir):
    """Build the named municipalities (all when none) into OUT/<slug>/."""
    from portal.build import build_sites

    out_dir = out_dir or Path(os.environ.get("PORTAL_SITE_DIR") or project_root() / "site")
    slugs = list(slugs) or all_slugs()

    def report(result):
        if result.ok:
            click.echo(f"  built  {result.slug:<24} {result.seconds:6.2f} s")
        else:
            click.echo(f"  FAILED {result.slug:<24} {result.error}", err=True)

    click.echo(f"Building {len(slugs)} site(s) into {out_dir}/")
    results = build_sites(slugs, out_dir, on_result=report)
    failed = [r for r in results if not r.ok]
    click.echo(f"{len(results) - len(failed)} built, {len(failed)} failed, {sum(r.seconds for r in results):.1f} s")
    sys.exit(1 if failed else 0)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Built sites (default: PORTAL_SITE_DIR or site/).")
def serve(host, port, site_dir):
    """Serve the built sites at /<slug>/ and the forms at /forms/... on one address."""
    from werkzeug.serving import run_simple

    from portal.serve import combined_app

    os.environ.setdefault("PORTAL_ENV", "development")
    site_dir = site_dir or Path(os.environ.get("PORTAL_SITE_DIR") or project_root() / "site")
    backend = None
    try:
        from portal.web import create_app
    except ImportError:
        create_app = None
    if create_app is not None:
        backend = create_app()
        from portal.worker import start_background_worker

        start_background_worker(backend)
    click.echo(f"Serving {site_dir}/ and the forms on http://{host}:{port}/")
    run_simple(host, port, combined_app(site_dir, backend), threaded=True, use_reloader=False)
