"""`portal serve`'s static part: the index, directory pages, redirects and per-site 404 pages."""

from __future__ import annotations

import re
from html import escape

import pytest
from werkzeug.test import Client

from portal.municipal.config import load_all
from portal.serve import combined_app

from .conftest import ROOT


@pytest.fixture(scope="module")
def client(built_sites):
    return Client(combined_app(built_sites))


def test_the_index_lists_every_built_municipality(client, example_slugs):
    body = client.get("/").get_data(as_text=True)
    for slug in example_slugs:
        assert f'href="/{slug}/"' in body


def test_the_index_names_each_municipality_and_its_social_house_in_its_languages(client):
    body = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in body
    # The link text is the name, each language marked for screen readers; not the folder name.
    assert re.search(r'<a href="/sint-gillis/"><span lang="fr">Saint-Gilles</span> / <span lang="nl">Sint-Gillis</span></a>', body), body
    assert re.search(r'<a href="/opwijk/"><span lang="nl">Opwijk</span></a>', body), body
    for m in load_all(ROOT).values():
        for lang in m.languages:
            assert f'<span lang="{lang}">{escape(m.social_house[lang])}</span>' in body, (m.slug, lang)
    assert '<a href="/antwerpen/">antwerpen</a>' not in body


def test_a_folder_without_slash_redirects_and_with_slash_serves_its_page(client):
    assert client.get("/opwijk/leefloon").status_code == 301
    response = client.get("/opwijk/leefloon/")
    assert response.status_code == 200 and "<html" in response.get_data(as_text=True)


@pytest.mark.parametrize("slug", [m.slug for m in load_all(ROOT).values()])
def test_a_missing_page_gets_its_sites_404_with_links_that_work_here(client, slug):
    response = client.get(f"/{slug}/no-such-page/")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/[^"]*)"', body)
    assert links, "the 404 page links home"
    # Sites published on their own domain link from "/" there; here they live under /<slug>/.
    assert all(link.startswith(f"/{slug}/") for link in links), [link for link in links if not link.startswith(f"/{slug}/")]
    for link in {link for link in links if "/assets/" in link}:
        assert client.get(link).status_code == 200, link


def test_the_second_language_has_its_own_404(client):
    body = client.get("/sint-gillis/nl/bestaat-niet/").get_data(as_text=True)
    assert 'lang="nl"' in body
