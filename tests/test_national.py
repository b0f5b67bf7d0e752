"""The national postcode table: every Belgian postcode routes to its municipality (or the two
where the street decides), the office is told whom to pass an application on to, and the check
page tells the citizen which OCMW will decide."""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from portal.checks.national import check_postcodes_national, check_service_regions
from portal.intake.routing import reason_text, route
from portal.municipal.postcodes import municipalities_for_postcode, region_for_postcode, table
from tests.test_forms_web import OPWIJK, confirm, route_of, send, support_answers

SPLIT = {"1040": {"21004", "21005"}, "1050": {"21004", "21009"}, "1804": {"23088", "23096"}}


def test_every_postcode_of_the_table_routes_to_one_municipality_or_the_documented_two(municipalities):
    codes = table()
    assert len(codes) == 1149
    opwijk = municipalities["opwijk"]
    configured = {code for m in municipalities.values() for code in m.postcodes}
    for code, found in codes.items():
        if code in SPLIT:
            assert {m.nis for m in found} == SPLIT[code], code
        else:
            assert len(found) == 1, code
        r = route("support-application", {"postcode": code}, opwijk, municipalities)
        if code in configured:
            assert not r.outside_area, code
        else:
            assert r.outside_area and r.national == found, code


def test_mergers_map_to_the_new_municipality():
    # Since 1 January 2025 Melle is part of Merelbeke-Melle and Kluisbergen, ... (Statbel 2025).
    assert municipalities_for_postcode("9090")[0].names["nl"] == "Merelbeke-Melle"


def test_names_in_three_languages_and_regions():
    gent, = municipalities_for_postcode("9000")
    assert (gent.nis, gent.social_service("nl"), gent.social_service("fr")) == ("44021", "OCMW Gent", "CPAS de Gand")
    eupen, = municipalities_for_postcode("4700")
    assert eupen.social_service("de") == "ÖSHZ Eupen"
    assert municipalities_for_postcode("4000")[0].name("de") == "Lüttich"
    assert [region_for_postcode(c) for c in ("9000", "1040", "4000", "4700", "1234")] == [
        "flanders", "brussels", "wallonia", "german", None]


def test_the_office_reason_names_gent_for_9000_and_both_candidates_for_1040(municipalities):
    opwijk = municipalities["opwijk"]
    text = reason_text(route("support-application", {"postcode": "9000"}, opwijk, municipalities), "nl")
    assert "OCMW Gent (NIS-code 44021)" in text and "binnen 5 kalenderdagen" in text
    text = reason_text(route("support-application", {"postcode": "1040"}, opwijk, municipalities), "fr")
    assert "CPAS de Bruxelles (code INS 21004) ou CPAS d'Etterbeek (code INS 21005)" in text
    assert "la rue décide" in text
    text = reason_text(route("support-application", {"postcode": "1234"}, opwijk, municipalities), "nl")
    assert "niet in de nationale postcodetabel" in text


@pytest.fixture
def store(app):
    return app.extensions["portal_store"]


def office_mail(store) -> str:
    rows = [r for r in store.claim_outbox(lease_seconds=60) if r.kind == "office"]
    message = email.message_from_bytes(rows[-1].raw, policy=email.policy.default)
    return re.sub(r"\s+", " ", message.get_body(("plain",)).get_content())


@pytest.mark.parametrize("postcode, city, on_check_page, in_mail", [
    ("9000", "Gent", ["Postcode 9000 hoort bij OCMW Gent: dat OCMW beslist over je aanvraag."],
     ["OCMW Gent (NIS-code 44021)"]),
    ("1040", "Etterbeek", ["je straat bepaalt of OCMW Brussel of OCMW Etterbeek over je aanvraag beslist"],
     ["OCMW Brussel (NIS-code 21004) of OCMW Etterbeek (NIS-code 21005)", "de straat beslist"]),
])
def test_an_application_from_outside_names_the_competent_ocmw_on_the_check_page_and_in_the_office_mail(
        client, store, postcode, city, on_check_page, in_mail):
    answers = support_answers(postcode=postcode, city=city)
    check_page = send(client, OPWIJK, answers)
    sentence = route_of(check_page.get_data(as_text=True))
    for text in on_check_page:
        assert text in sentence
    assert confirm(client, OPWIJK, check_page).status_code == 303
    mail = office_mail(store)
    for text in in_mail:
        assert text in mail


def test_check_warns_when_a_postcode_belongs_to_another_municipality(municipalities):
    from dataclasses import replace

    opwijk = municipalities["opwijk"]
    assert check_postcodes_national(opwijk) == []
    wrong = replace(opwijk, postcodes=["1745", "9000", "1234"])
    messages = [f.message for f in check_postcodes_national(wrong)]
    assert messages == ["postcode '9000' belongs to Gent (NIS 44021) in the national postcode table, not to Opwijk",
                        "postcode '1234' is not in the national postcode table"]
    assert all(f.severity == "warning" for f in check_postcodes_national(wrong))


def test_check_errors_when_a_site_lists_a_service_of_another_region(municipalities):
    from dataclasses import replace

    for m in municipalities.values():
        assert check_service_regions(m) == [], m.slug
    brussels = replace(municipalities["sint-gillis"], services=["onthaal", "wijk-werken", "spi"])
    findings = check_service_regions(brussels)
    assert [f.severity for f in findings] == ["error"]
    assert "'wijk-werken' does not exist in brussels" in findings[0].message
