"""The legal acknowledgement of receipt: dates in Brussels time, the decision deadline, texts per
help type in both languages (portal/decisions.yml), and what the receipt page gets from the store."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from portal.common.i18n import LANGUAGES
from portal.intake.accept import accept, load_receipt
from portal.intake.receipt import (
    DECISIONS_PATH,
    HELP_TYPES,
    check_decisions,
    facts_for_receipt,
    format_date,
    receipt_facts,
)

BRUSSELS = ZoneInfo("Europe/Brussels")


def leefloon(municipalities, lang, received_at, site="opwijk", **options):
    return receipt_facts("support-application", {"help_type": "leefloon", "first_name": "Ahmed"}, lang,
                         received_at, municipalities[site], reference="OPW-2026-7K3Q9", **options)


def test_leefloon_receipt_in_dutch(municipalities):
    facts = leefloon(municipalities, "nl", dt.datetime(2026, 11, 25, 14, 32, tzinfo=BRUSSELS))
    assert facts.received_text == "25 november 2026 om 14:32"
    assert facts.reference == "OPW-2026-7K3Q9"
    assert facts.competent_name == "Sociaal Huis De Wegwijzer"
    assert facts.office["phone"] == municipalities["opwijk"].offices[0].phone
    assert (facts.decision_days, facts.notify_days, facts.appeal_months) == (30, 8, 3)
    assert facts.deadline == dt.date(2026, 12, 25) and facts.deadline_text == "25 december 2026"
    assert facts.period_label == "30 dagen"
    assert "binnen 30 dagen na ontvangst" in facts.period_text and "uiterlijk op 25 december 2026" in facts.period_text
    assert "wet van 26 mei 2002" in facts.law_text
    assert "arbeidsrechtbank" in facts.no_decision_text and "3 maanden" in facts.no_decision_text
    assert "Sociaal Huis De Wegwijzer" in facts.no_decision_text
    assert facts.forward_text == "" and not facts.outside_area


def test_leefloon_receipt_in_french_across_midnight_month_and_year_end(municipalities):
    # 23:30 UTC on 1 December is already 2 December in Brussels: the legal date is the Brussels one.
    facts = leefloon(municipalities, "fr", dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.timezone.utc), site="sint-gillis")
    assert facts.received_text == "2 décembre 2026 à 00:30"
    assert facts.deadline == dt.date(2027, 1, 1)
    assert facts.deadline_text == "1er janvier 2027"
    assert facts.competent_name == "CPAS de Saint-Gilles"
    assert facts.period_label == "30 jours"
    assert "dans les 30 jours qui suivent la réception" in facts.period_text
    assert "au plus tard le 1er janvier 2027" in facts.period_text
    assert "loi du 26 mai 2002" in facts.law_text
    assert "tribunal du travail" in facts.no_decision_text and "3 mois" in facts.no_decision_text


def test_deadline_over_the_end_of_february_and_summer_time(municipalities):
    winter = leefloon(municipalities, "nl", dt.datetime(2027, 1, 31, 9, 0, tzinfo=BRUSSELS))
    assert winter.deadline_text == "2 maart 2027"
    summer = leefloon(municipalities, "nl", dt.datetime(2026, 7, 1, 8, 5, tzinfo=dt.timezone.utc))
    assert summer.received_text == "1 juli 2026 om 10:05"          # UTC+2 in summer
    assert summer.deadline_text == "31 juli 2026"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("help_type", HELP_TYPES)
def test_every_help_type_has_a_deadline_and_texts_in_both_languages(municipalities, help_type, lang):
    facts = receipt_facts("support-application", help_type, lang, dt.datetime(2026, 3, 2, 10, 0, tzinfo=BRUSSELS),
                          municipalities["sint-gillis"])
    assert facts.deadline == dt.date(2026, 4, 1)
    for text in (facts.law_text, facts.period_text, facts.no_decision_text, facts.no_decision_title):
        assert text.strip() and "{" not in text and "}" not in text
    assert facts.deadline_text in facts.period_text
    other = "fr" if lang == "nl" else "nl"
    assert facts.period_text != receipt_facts("support-application", help_type, other, facts.received_at,
                                              municipalities["sint-gillis"]).period_text


@pytest.mark.parametrize("lang,expected", [("nl", "geen wettelijke beslissingstermijn"), ("fr", "Aucun délai légal")])
def test_wijk_werken_has_no_legal_period_and_says_what_happens_next(municipalities, lang, expected):
    facts = receipt_facts("wijk-werken", None, lang, dt.datetime(2026, 11, 25, 14, 32, tzinfo=BRUSSELS),
                          municipalities["sint-gillis"])
    assert facts.decision_days is None and facts.deadline is None and facts.deadline_text == ""
    assert expected in facts.period_text
    assert facts.period_label in ("geen wettelijke termijn", "pas de délai légal")
    assert "{" not in facts.period_text + facts.no_decision_text


def test_missing_or_unknown_help_type_uses_the_social_assistance_rule(municipalities):
    when = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BRUSSELS)
    purged = receipt_facts("support-application", None, "nl", when, municipalities["opwijk"])
    unknown = receipt_facts("support-application", {"help_type": "something-new"}, "nl", when, municipalities["opwijk"])
    assert purged.deadline == unknown.deadline == dt.date(2026, 4, 1)
    assert "organieke wet van 8 juli 1976" in purged.law_text and purged.law_text == unknown.law_text


def test_an_ocmw_outside_its_area_says_it_passes_the_application_on(municipalities):
    facts = leefloon(municipalities, "nl", dt.datetime(2026, 3, 2, 10, 0, tzinfo=BRUSSELS), outside_area=True)
    assert "binnen 5 kalenderdagen" in facts.forward_text and "Sociaal Huis De Wegwijzer" in facts.forward_text


def test_a_naive_time_is_refused(municipalities):
    with pytest.raises(ValueError, match="timezone"):
        leefloon(municipalities, "nl", dt.datetime(2026, 3, 2, 10, 0))


def test_format_date_first_of_the_month():
    assert format_date(dt.date(2027, 5, 1), "fr") == "1er mai 2027"
    assert format_date(dt.date(2027, 5, 1), "nl") == "1 mei 2027"


def test_the_decisions_file_is_complete():
    assert check_decisions() == []


def test_check_decisions_names_a_missing_translation_and_a_missing_help_type(tmp_path):
    broken = tmp_path / "decisions.yml"
    text = DECISIONS_PATH.read_text(encoding="utf-8")
    text = text.replace("  debt: *assistance\n", "")
    # Drop the French text of the wijk-werken `no_decision`: the last `fr:` of the file and its
    # two lines (the key renamed to one the check does not know).
    head, _, tail = text.rpartition("      fr: >-\n")
    assert tail.startswith("        Pas de nouvelles")
    broken.write_text(head + "      xx: >-\n" + tail, encoding="utf-8")
    messages = [f.message for f in check_decisions(broken)]
    assert "support-application: no entry for 'debt'" in messages
    assert "wijk-werken.default.no_decision has no 'fr' text" in messages
    assert all(f.path == broken and f.line > 1 for f in check_decisions(broken))


def test_check_decisions_names_an_unknown_placeholder(tmp_path):
    broken = tmp_path / "decisions.yml"
    comments, _, rules = DECISIONS_PATH.read_text(encoding="utf-8").partition("\nsupport-application:")
    broken.write_text(comments + "\nsupport-application:" + rules.replace("{deadline}", "{deadlin}", 1), encoding="utf-8")
    assert any("unknown placeholder" in f.message and "deadlin" in f.message for f in check_decisions(broken))


def test_load_receipt_gives_the_page_what_it_needs_in_its_own_language(municipalities, store):
    answers = {"help_type": "leefloon", "first_name": "Ahmed", "last_name": "Janssens", "birth_date": "1990-05-17",
               "no_fixed_address": False, "street": "Rue de la Victoire", "house_number": "3", "postcode": "1060",
               "city": "Saint-Gilles", "phone": "", "email": "ahmed@mail.example", "contact_preference": "email",
               "message": "", "declaration": True}
    accepted = accept(municipalities["sint-gillis"], "support-application", "fr", answers, store=store,
                      municipalities=municipalities, now=dt.datetime(2026, 12, 31, 16, 45, tzinfo=BRUSSELS))
    receipt = load_receipt(store, accepted.reference, municipalities)
    assert receipt["help_type"] == "leefloon"
    assert "Janssens" not in repr(receipt)
    nl = facts_for_receipt(receipt, "nl", municipalities)
    fr = facts_for_receipt(receipt, "fr", municipalities)
    assert (nl.received_text, nl.deadline_text) == ("31 december 2026 om 16:45", "30 januari 2027")
    assert (fr.received_text, fr.deadline_text) == ("31 décembre 2026 à 16:45", "30 janvier 2027")
    assert nl.reference == fr.reference == accepted.reference
    assert nl.competent_name == "OCMW Sint-Gillis" and fr.competent_name == "CPAS de Saint-Gilles"


def test_the_legal_texts_are_short_sentences():
    """B1: at most 20 words per sentence, with the placeholders filled in as a citizen reads them."""
    import re

    from portal.intake.receipt import _decisions

    values = {"days": 30, "deadline": "donderdag 31 december 2026", "notify_days": 8, "appeal_months": 3,
              "office": "Sociaal Huis Opwijk"}
    for form_id, entries in _decisions().items():
        for help_type, entry in entries.items():
            for key in ("period", "no_decision"):
                for lang, text in (entry.get(key) or {}).items():
                    filled = text.format(law=entry["law"][lang], **values)
                    for sentence in re.split(r"(?<=[.?!])\s+", filled):
                        words = len(sentence.split())
                        assert words <= 20, f"{form_id}/{help_type}/{key}/{lang}: {words} words: {sentence}"
