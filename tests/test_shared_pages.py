"""The backend pages that belong to no one municipality (the staff sign-in, the 404 of an unknown
site, the index of `portal serve`) speak every language a site may have: Dutch, French and German."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from werkzeug.test import Client

from portal.serve import combined_app


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_sign_in_page_offers_dutch_french_and_german(client):
    html = client.get("/office/sign-in").get_data(as_text=True)
    assert '<html lang="nl">' in html
    switch = re.search(r'<nav class="portal-lang office-lang".*?</nav>', html, re.S).group(0)
    assert re.findall(r'lang="(\w\w)">(\w+)</a>', switch) == [("fr", "Français"), ("de", "Deutsch")]
    assert 'href="/office/sign-in?lang=de"' in switch
    assert "OCMW · CPAS · ÖSHZ" in html

    german = client.get("/office/sign-in?lang=de").get_data(as_text=True)
    assert '<html lang="de">' in german and "Anmeldung beim Posteingang" in german
    assert '<span aria-current="true">Deutsch</span>' in german
    assert client.get("/office/sign-in?lang=xx").get_data(as_text=True).startswith("<!doctype html>\n<html lang=\"nl\">")


def test_a_german_inbox_gets_its_sign_in_link_to_a_german_page(make_app, smtp):
    app = make_app(SMTP_URL=smtp.url, PUBLIC_URL="https://e-loket.example")
    client = app.test_client()
    page = client.get("/office/sign-in?lang=de").get_data(as_text=True)
    sent = client.post("/office/sign-in?lang=de", data={"email": "sozialdienst@oshz-eupen.example", "csrf_token": csrf(page)})
    assert '<html lang="de">' in sent.get_data(as_text=True)
    mail = smtp.wait_for(1)[-1]
    link = re.search(r"https://e-loket\.example/office/auth/\S+", mail.message.get_body(("plain",)).get_content()).group(0)
    assert link.endswith("?lang=de")
    parts = urlsplit(link)
    button = client.get(f"{parts.path}?{parts.query}").get_data(as_text=True)
    assert '<html lang="de">' in button


def test_the_404_of_an_unknown_site_speaks_every_language_its_own_first(client):
    for lang, first, others in [("nl", "Pagina niet gevonden", ("fr", "de")), ("de", "Seite nicht gefunden", ("nl", "fr"))]:
        response = client.get(f"/forms/no-such-site/{lang}/support-application/")
        html = unescape(response.get_data(as_text=True))
        assert response.status_code == 404
        assert f'<html lang="{lang}">' in html
        assert re.search(rf'<h1 class="portal-heading-l">{first}</h1>', html)
        assert [re.search(rf'<div lang="{other}">', html) is not None for other in others] == [True, True]
        assert "Page introuvable" in html or lang == "fr"
        assert "OCMW · CPAS · ÖSHZ" in html


def test_the_index_of_portal_serve_is_in_three_languages(built_sites):
    body = Client(combined_app(built_sites)).get("/").get_data(as_text=True)
    assert '<h1>Gemeenten / <span lang="fr">Communes</span> / <span lang="de">Gemeinden</span></h1>' in body
    assert "Portail : communes / Portal: Gemeinden" in body
