"""The CPSV-AP catalogue of every demo site and language against the official SEMIC CPSV-AP
3.2.0 SHACL shapes (tests/standards/cpsv-ap-3.2.0-shacl.ttl, from SEMICeu/CPSV-AP release 3.2.0,
CC BY 4.0), with pyshacl: no violation; warnings and infos are listed in the test output."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from portal.site.catalogue_ld import FILE_NAME
from tests.test_site_features import lang_root

SHAPES = Path(__file__).parent / "standards" / "cpsv-ap-3.2.0-shacl.ttl"
SH = Namespace("http://www.w3.org/ns/shacl#")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES)


def results(report: Graph) -> list[tuple[str, str, str, str]]:
    """(severity, focus node, path, message) of every result of a validation report."""
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        found.append((str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
                      str(report.value(result, SH.focusNode)), str(report.value(result, SH.resultPath)),
                      str(report.value(result, SH.resultMessage))))
    return sorted(found)


def test_every_demo_catalogue_conforms_to_cpsv_ap_3_2_0(built_sites, municipalities, shapes, capsys):
    checked = 0
    for slug, m in sorted(municipalities.items()):
        for lang in m.languages:
            path = built_sites / slug / lang_root(m, lang) / FILE_NAME
            data = Graph().parse(path, format="json-ld", publicID=f"https://{slug}.example/{lang_root(m, lang)}{FILE_NAME}")
            assert len(data) > 50, path
            conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
            found = results(report)
            violations = [r for r in found if r[0] == "Violation"]
            assert conforms and not violations, f"{path}:\n" + "\n".join(map(str, violations))
            with capsys.disabled():
                for severity, node, prop, message in found:
                    print(f"\n{slug}/{lang} CPSV-AP {severity}: {node} {prop}: {message}")
            checked += 1
    assert checked >= len(municipalities)


def test_the_shapes_catch_what_was_wrong_before(shapes):
    """The test can fail: the old export's faults are violations of these shapes."""
    bad = {
        "@context": {"cv": "http://data.europa.eu/m8g/", "dct": "http://purl.org/dc/terms/",
                     "locn": "http://www.w3.org/ns/locn#", "cpsv": "http://purl.org/vocab/cpsv#"},
        "@graph": [
            {"@id": "https://x.example/#authority", "@type": "cv:PublicOrganisation",
             "locn:address": {"@type": "locn:Address", "locn:thoroughfare": "Markt 1"}},
            {"@id": "https://x.example/leefloon/", "@type": "cpsv:PublicService", "dct:identifier": "leefloon",
             "dct:title": {"@value": "Leefloon", "@language": "nl"}, "dct:description": {"@value": "d", "@language": "nl"},
             "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/NLD"},
             "cv:hasCompetentAuthority": {"@id": "https://x.example/#authority"}},
        ],
    }
    import json

    data = Graph().parse(data=json.dumps(bad), format="json-ld")
    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none")
    paths = {prop.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for severity, _, prop, _ in results(report) if severity == "Violation"}
    assert not conforms and {"spatial", "thoroughfare", "language"} <= paths
