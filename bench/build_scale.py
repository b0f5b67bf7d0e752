"""Benchmark: build N synthetic bilingual municipalities, naive loop vs `portal build`.

    .venv/bin/python bench/build_scale.py [--sites 285] [--sample 6] [--jobs N] [--keep DIR]

Generates a temporary project (the repository's mkdocs.yml, templates/, forms/ and real catalogue
content/; N municipalities in fr/nl or nl/fr, each with its own offices, hours, services and logo)
and prints, in one run:

- the naive loop: one `mkdocs build` process per site, timed over a sample and extrapolated to N;
- `portal build` cold, with nothing changed, with one YAML changed, with one catalogue page changed;
- disk used by the sites (hard links counted once) and the extra disk per site;
- the ratios against the naive loop.

Catalogue pages missing from the repository's content/ (while it is being written) are filled with
synthetic pages of the same shape, and the output says how many.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import subprocess  # nosec B404: runs this repository's own commands
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from portal.municipal.config import SERVICE_IDS  # noqa: E402

LANGS = ("nl", "fr")
PAGES = ("index", "services", "faq") + SERVICE_IDS
CITIES = ("Aalst", "Berchem", "Ciney", "Dilbeek", "Essen", "Fleurus", "Genk", "Halle", "Ieper", "Jette",
          "Kapelle", "Lier", "Malle", "Ninove", "Oudenaarde", "Peer", "Ronse", "Soignies", "Tielt", "Wavre")
HOURS = ("Mo-Fr 09:00-12:00; PH off", "Mo-Fr 08:30-12:00; Mo,Th 13:30-16:00; PH off",
         "Mo,We,Fr 09:00-12:00; Tu 13:00-19:00; PH off", "Tu-Th 09:00-12:00; PH off")
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="6" '
        'fill="{color}"/><text x="20" y="26" font-size="16" text-anchor="middle" fill="#fff">{initials}</text></svg>\n')


def synthetic_page(lang: str, name: str) -> str:
    """A catalogue page of the usual shape, for pages content/ does not have (yet)."""
    title = name.replace("-", " ").capitalize()
    words = {"nl": ("Wat is het?", "Voor wie?", "Hoe vraag je het aan?", "Contact"),
             "fr": ("De quoi s'agit-il ?", "Pour qui ?", "Comment le demander ?", "Contact")}[lang]
    body = "\n".join(f"Zin {i} over {title} bij {{{{ social_house }}}}." for i in range(12))
    extra = "\n{{ service_list() }}\n" if name in ("index", "services") else ""
    service = f"service: {name}\n" if name in SERVICE_IDS else ""
    return (f"---\ntitle: {title}\ndescription: {title} in {{{{ municipality }}}}\n{service}---\n\n"
            f"# {title}\n\n## {words[0]}\n\n{body}\n{extra}\n## {words[1]}\n\n{body}\n\n"
            f"## {words[2]}\n\n1. Stap een.\n2. Stap twee.\n\n## {words[3]}\n\n{{{{ contact_card() }}}}\n")


def write_project(dest: Path, sites: int, seed: int = 6, *, privacy: bool = True, source: Path = REPO) -> dict:
    """A project in `dest` with `sites` municipalities, its mkdocs.yml, templates and catalogue from
    `source` (a checkout); returns {"synthetic_pages": n}."""
    rng = random.Random(seed)  # nosec B311: synthetic test data, not security
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "mkdocs.yml", dest / "mkdocs.yml")
    for name in ("templates", "forms"):
        if (source / name).is_dir():
            shutil.copytree(source / name, dest / name)
    synthetic = 0
    for lang in LANGS:
        (dest / "content" / lang).mkdir(parents=True)
        real = source / "content" / lang
        if real.is_dir():
            shutil.copytree(real, dest / "content" / lang, dirs_exist_ok=True)
        for name in PAGES:
            page = dest / "content" / lang / f"{name}.md"
            if not page.exists():
                page.write_text(synthetic_page(lang, name), encoding="utf-8")
                synthetic += 1
    configs = dest / "site_config"
    configs.mkdir()
    for i in range(sites):
        city = f"{CITIES[i % len(CITIES)]} {i // len(CITIES) + 1}"
        slug = f"gemeente-{i:03d}"
        languages = ["nl", "fr"] if i % 3 else ["fr", "nl"]
        postcode = str(1000 + i * 7 % 8999)
        # Every service (catalogue pages link to each other; strict mode rejects a dangling link),
        # in a per-site order, so each site's navigation differs.
        services = ["onthaal"] + rng.sample([s for s in SERVICE_IDS if s != "onthaal"], len(SERVICE_IDS) - 1)
        offices = []
        for k in range(1 + i % 3):
            offices.append(
                f"  - id: office-{k}\n"
                f"    name: {{nl: Kantoor {k + 1}, fr: Bureau {k + 1}}}\n"
                f"    address: {{street: Kerkstraat {k + 1}, postcode: \"{postcode}\", city: {{nl: {city}, fr: {city}}}}}\n"
                f"    phone: \"0{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}\"\n"
                f"    email: office{k}@{slug}.example\n"
                f"    hours: \"{HOURS[(i + k) % len(HOURS)]}\"\n")
        color = f"#{rng.randint(0, 0x60):02x}{rng.randint(0, 0x60):02x}{rng.randint(0x40, 0x90):02x}"
        (configs / f"{slug}.yml").write_text(
            f"slug: {slug}\n"
            f"name: {{nl: {city}, fr: {city}}}\n"
            f"languages: [{', '.join(languages)}]\n"
            f"branding: {{primary_color: \"{color}\", accent_color: \"#f2a900\", logo: logo.svg}}\n"
            f"social_house: {{nl: OCMW {city}, fr: CPAS {city}}}\n"
            f"postcodes: [\"{postcode}\"]\n"
            f"offices:\n{''.join(offices)}"
            f"inboxes:\n  support-application: ocmw@{slug}.example\n"
            f"services: [{', '.join(services)}]\n"
            + (f"privacy: {{dpo: {{email: dpo@{slug}.example}}}}\n" if privacy else ""), encoding="utf-8")
        (configs / slug).mkdir()
        (configs / slug / "logo.svg").write_text(LOGO.format(color=color, initials=city[:2]), encoding="utf-8")
    return {"synthetic_pages": synthetic}


def disk_usage(path: Path) -> int:
    """Bytes on disk under `path`, each hard-linked file counted once (like `du`)."""
    seen, total = set(), 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            st = os.lstat(os.path.join(dirpath, name))
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
    return total


def timed_portal_build(project: Path, out: Path, jobs: int, *extra: str,
                       python: Path | None = None) -> tuple[float, float, str]:
    """`portal build` as a user runs it (a new process; `python`'s venv, default this one): wall
    seconds, CPU seconds (the process and its workers, user + system), and its summary line."""
    env = dict(os.environ, PORTAL_ROOT=str(project), NO_MKDOCS_2_WARNING="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    command = [str(Path(python or sys.executable).with_name("portal")), "build", "--out", str(out), "--jobs", str(jobs), *extra]
    proc = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)  # nosec B603
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        sys.exit(f"portal build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    summary = [line for line in proc.stdout.splitlines() if line.strip()]
    return seconds, cpu, summary[-1] if summary else ""


def naive_loop(project: Path, slugs: list[str], out: Path, jobs: int = 1) -> float:
    """One `mkdocs build` process per site, `jobs` at a time (a shell loop: one at a time)."""
    mkdocs = Path(sys.executable).with_name("mkdocs")
    started = time.perf_counter()
    running: list[subprocess.Popen] = []
    for slug in slugs:
        env = dict(os.environ, PORTAL_MUNICIPALITY=slug, NO_MKDOCS_2_WARNING="1")
        running.append(subprocess.Popen([str(mkdocs), "build", "-q", "-d", str(out / slug)], cwd=project, env=env))  # nosec B603
        while len(running) >= jobs:
            running.pop(0).wait()
    for proc in running:
        if proc.wait() != 0:
            sys.exit("mkdocs build failed in the naive loop")
    return time.perf_counter() - started


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, load average {load}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=285)
    parser.add_argument("--sample", type=int, default=6, help="sites built by the naive loop (extrapolated)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--keep", type=Path, help="keep the project in this folder")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-")) if not args.keep else args.keep
    project, out = tmp / "project", tmp / "site"
    info = write_project(project, args.sites)
    slugs = sorted(p.stem for p in (project / "site_config").glob("*.yml"))
    print(f"machine: {machine()}")
    print(f"project: {args.sites} bilingual municipalities, {len(PAGES)} catalogue pages per language"
          f" ({info['synthetic_pages']} synthetic: missing from content/), jobs={args.jobs}")

    sample = slugs[:: max(1, len(slugs) // args.sample)][: args.sample]
    naive_sample = naive_loop(project, sample, tmp / "naive")
    naive = naive_sample / len(sample) * len(slugs)
    naive_disk = disk_usage(tmp / "naive") / len(sample)
    print(f"naive loop of `mkdocs build` processes, one after the other: {naive_sample:.1f} s for {len(sample)} sites"
          f" -> {naive:.1f} s for {len(slugs)} (extrapolated); {naive_disk / 1e6:.2f} MB per site")
    print(f"  (the same loop on {args.jobs} cores, if it scaled perfectly: {naive / args.jobs:.1f} s)")

    rows = [("portal build, cold", *timed_portal_build(project, out, args.jobs))]
    rows.append(("portal build, nothing changed", *timed_portal_build(project, out, args.jobs)))
    one = project / "site_config" / f"{slugs[len(slugs) // 2]}.yml"
    one.write_text(one.read_text(encoding="utf-8").replace("Kantoor 1", "Kantoor een"), encoding="utf-8")
    rows.append(("portal build, one YAML changed", *timed_portal_build(project, out, args.jobs)))
    page = project / "content" / "nl" / "leefloon.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nEen zin erbij.\n", encoding="utf-8")
    rows.append(("portal build, one catalogue page changed", *timed_portal_build(project, out, args.jobs)))

    for label, seconds, cpu, summary in rows:
        print(f"{label:<42} {seconds:7.2f} s (CPU {cpu:6.1f} s)  {naive / seconds:6.1f}x naive loop,"
              f" {naive / args.jobs / seconds:5.1f}x naive on {args.jobs} cores   [{summary}]")
    cold_cpu = rows[0][2]
    print(f"cold build CPU per site: {cold_cpu / len(slugs):.3f} s; on {args.jobs} otherwise idle cores that is"
          f" {cold_cpu / args.jobs:.1f} s of wall time at best")
    total = disk_usage(out)
    shared = disk_usage(out / ".shared") if (out / ".shared").exists() else 0
    print(f"disk: {total / 1e6:.1f} MB for {len(slugs)} sites ({shared / 1e6:.1f} MB shared assets);"
          f" extra per site {(total - shared) / len(slugs) / 1e6:.2f} MB; naive {naive_disk * len(slugs) / 1e6:.0f} MB")
    if not args.keep:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
