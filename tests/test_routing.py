"""Routing: which inbox receives a submission (DESIGN.md "Routing"), rule by rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.common.i18n import messages
from portal.intake.routing import FORWARD_WITHIN_DAYS, RoutingError, reason_text, route
from portal.municipal.config import load_all

ROOT = Path(__file__).resolve().parents[1]


def write_config(root: Path, slug: str, *, postcodes, inboxes, languages=("nl",)) -> None:
    """A minimal valid site_config/<slug>.yml."""
    names = ", ".join(f"{lang}: {slug.title()} {lang}" for lang in languages)
    folder = root / "site_config"
    folder.mkdir(exist_ok=True)
    inbox_lines = "".join(f"  {form}: {address}\n" for form, address in inboxes.items()) or "  {}\n"
    (folder / f"{slug}.yml").write_text(
        f"slug: {slug}\n"
        f"name: {{{names}}}\n"
        f"languages: [{', '.join(languages)}]\n"
        'branding: {primary_color: "#00594f", accent_color: "#f2a900"}\n'
        f"social_house: {{{names}}}\n"
        f"postcodes: [{', '.join(repr(p) for p in postcodes)}]\n"
        "offices:\n"
        "  - id: onthaal\n"
        f"    name: {{{names}}}\n"
        f"    address: {{street: Markt 1, postcode: \"{postcodes[0]}\", city: {{{names}}}}}\n"
        '    phone: "011 22 33 44"\n'
        f"    email: onthaal@{slug}.example\n"
        '    hours: "Mo-Fr 09:00-12:00; PH off"\n'
        "inboxes:\n" + inbox_lines +
        "services: [leefloon]\n"
        f"privacy: {{dpo: {{email: dpo@{slug}.example}}}}\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def municipalities(tmp_path_factory) -> dict:
    """Four small municipalities: two with both forms, one without wijk-werken, one with no online support form."""
    root = tmp_path_factory.mktemp("routing")
    write_config(root, "alpha", postcodes=["1745", "1746"],
                 inboxes={"support-application": "help@alpha.example", "wijk-werken": "ww@alpha.example"})
    write_config(root, "beta", postcodes=["2300"], inboxes={"support-application": "help@beta.example"})
    write_config(root, "gamma", postcodes=["1060"], languages=("fr", "nl"),
                 inboxes={"support-application": "aide@gamma.example", "wijk-werken": "tq@gamma.example"})
    write_config(root, "delta", postcodes=["3000"], inboxes={"wijk-werken": "ww@delta.example"})
    return load_all(root)


def support(postcode="1745", **answers) -> dict:
    return {"first_name": "Test", "postcode": postcode, **answers}


def test_support_application_from_own_area_goes_to_own_inbox(municipalities):
    r = route("support-application", support("1746"), municipalities["alpha"], municipalities)
    assert (r.municipality.slug, r.inbox, r.reason) == ("alpha", "help@alpha.example", "routing.own_area")
    assert not r.outside_area and r.forward_within_days is None


def test_resident_of_another_configured_municipality_is_routed_there(municipalities):
    r = route("support-application", support("2300"), municipalities["alpha"], municipalities)
    assert (r.municipality.slug, r.inbox, r.reason) == ("beta", "help@beta.example", "routing.other_municipality")
    assert not r.outside_area


def test_cross_municipality_works_from_a_french_site_too(municipalities):
    r = route("support-application", support("1745"), municipalities["gamma"], municipalities)
    assert r.inbox == "help@alpha.example"


def test_no_fixed_address_goes_to_the_sites_own_ocmw_whatever_the_postcode(municipalities):
    r = route("support-application", support("2300", no_fixed_address=True), municipalities["alpha"], municipalities)
    assert (r.inbox, r.reason, r.outside_area) == ("help@alpha.example", "routing.no_fixed_address", False)
    # an unticked checkbox as the form posts it does not count
    r = route("support-application", support("2300", no_fixed_address=False), municipalities["alpha"], municipalities)
    assert r.inbox == "help@beta.example"


def test_unserved_postcode_goes_to_own_ocmw_marked_outside_area(municipalities):
    r = route("support-application", support("9999"), municipalities["beta"], municipalities)
    assert (r.municipality.slug, r.inbox, r.reason) == ("beta", "help@beta.example", "routing.outside_area")
    assert r.outside_area and r.forward_within_days == FORWARD_WITHIN_DAYS == 5
    assert "5 kalenderdagen" in reason_text(r, "nl")
    assert "5 jours calendrier" in reason_text(r, "fr")


def test_competent_municipality_without_online_form_means_pass_it_on(municipalities):
    r = route("support-application", support("3000"), municipalities["alpha"], municipalities)
    assert (r.inbox, r.reason, r.outside_area, r.forward_within_days) == (
        "help@alpha.example", "routing.competent_without_form", True, 5)


@pytest.mark.parametrize("request_type", ["user", "worker"])
def test_wijk_werken_goes_to_the_municipality_serving_the_postcode(municipalities, request_type):
    answers = {"request_type": request_type, "postcode": "1060"}
    r = route("wijk-werken", answers, municipalities["alpha"], municipalities)
    assert (r.municipality.slug, r.inbox, r.reason) == ("gamma", "tq@gamma.example", "routing.wijk_werken_other_municipality")
    assert not r.outside_area


@pytest.mark.parametrize("request_type", ["user", "worker"])
def test_wijk_werken_own_postcode_stays_home(municipalities, request_type):
    r = route("wijk-werken", {"request_type": request_type, "postcode": "1745"}, municipalities["alpha"], municipalities)
    assert (r.inbox, r.reason) == ("ww@alpha.example", "routing.wijk_werken_own_area")


def test_wijk_werken_postcode_of_a_municipality_without_wijk_werken_inbox_stays_with_the_site(municipalities):
    r = route("wijk-werken", {"request_type": "user", "postcode": "2300"}, municipalities["alpha"], municipalities)
    assert (r.inbox, r.reason, r.outside_area) == ("ww@alpha.example", "routing.wijk_werken_no_inbox", False)


def test_wijk_werken_unknown_postcode_stays_with_the_site(municipalities):
    r = route("wijk-werken", {"request_type": "worker", "postcode": "8000"}, municipalities["gamma"], municipalities)
    assert (r.inbox, r.reason) == ("tq@gamma.example", "routing.wijk_werken_unknown_postcode")


def test_a_site_without_the_form_cannot_route_it(municipalities):
    with pytest.raises(RoutingError):
        route("wijk-werken", {"postcode": "1745"}, municipalities["beta"], municipalities)


def test_every_reason_has_a_dutch_and_french_sentence_with_its_values(municipalities):
    cases = [("support-application", support(p), "alpha") for p in ("1745", "2300", "9999", "3000")]
    cases += [("support-application", support("2300", no_fixed_address=True), "alpha")]
    cases += [("wijk-werken", {"postcode": p}, "alpha") for p in ("1745", "1060", "2300", "8000")]
    seen = set()
    for form_id, answers, slug in cases:
        r = route(form_id, answers, municipalities[slug], municipalities)
        seen.add(r.reason)
        for lang in ("nl", "fr"):
            text = reason_text(r, lang)
            assert "{" not in text and text.strip()
            if answers.get("postcode") and r.reason != "routing.no_fixed_address":
                assert answers["postcode"] in text
    keys = {k for k in messages() if k.startswith("routing.") and k != "routing.forward_notice"}
    assert seen == keys, "a routing reason is never produced, or produced without a text"


def test_example_configs_route_across_municipalities():
    """The example sites: Opwijk (1745) sends a Turnhout (2300) resident to Turnhout's inbox."""
    examples = load_all(ROOT)
    if not {"opwijk", "turnhout"} <= set(examples):
        pytest.skip("example configs opwijk and turnhout not present")
    r = route("support-application", support("2300"), examples["opwijk"], examples)
    assert r.inbox == examples["turnhout"].inboxes["support-application"]
    assert r.inbox.endswith(".example")
