"""Which office receives a submission: the routing rules of DESIGN.md, as a plain function.

- `support-application`: the configured municipality whose `postcodes` hold the applicant's
  postcode is competent, whichever site the form was sent from. With no fixed address: the site's
  own OCMW. With a postcode no configured municipality serves (or whose municipality takes no
  applications online): the site's own OCMW, marked as outside its area, because an OCMW that is
  not competent must pass the application on to the competent one within five calendar days.
  The national postcode table (portal/municipal/postcodes.py) then names the competent
  OCMW/CPAS/ÖSHZ with its NIS code, or the two candidates where the street decides (1040, 1050,
  1804), so the office knows to whom to pass it.
- `wijk-werken`: the `wijk-werken` inbox of the municipality serving the postcode when it has
  one, else the site's own.

The reason is a message key of `portal/common/messages/routing.yml`; the office mail shows it in
the receiving office's language with `reason_text(route, lang)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.common.i18n import t
from portal.municipal.config import Municipality
from portal.municipal.postcodes import NationalMunicipality, municipalities_for_postcode

FORWARD_WITHIN_DAYS = 5   # calendar days for a non-competent OCMW to pass an application on


class RoutingError(ValueError):
    """The site does not offer this form (the web layer answers 404 before it gets here)."""


@dataclass(frozen=True)
class Route:
    municipality: Municipality         # whose inbox receives it
    inbox: str
    reason: str                        # message key in portal/messages/routing.yml
    outside_area: bool = False         # the receiving OCMW is not competent: pass it on
    forward_within_days: int | None = None
    reason_values: dict = field(default_factory=dict)   # placeholders of the reason text: {postcode}
    # The municipalities behind the {site} and {competent} placeholders: named in the reader's
    # language by `values_in` (Saint-Gilles is "Sint-Gillis" in a Dutch sentence).
    named: dict = field(default_factory=dict)
    # Outside every configured area: the competent municipality by the national table (two where
    # the street decides, none for a postcode the table does not know).
    national: tuple[NationalMunicipality, ...] = ()
    # When the receiving office passes it on (outside_area): to whom, for the citizen's receipt:
    # `forward_targets` (a configured Municipality or the national table's candidates).
    forward_to: tuple = ()


def _serving(postcode: str, site: Municipality, municipalities: dict) -> Municipality | None:
    """The municipality whose postcodes hold `postcode`: the site itself first, then by slug."""
    postcode = (postcode or "").strip()
    if not postcode:
        return None
    candidates = [site] + [municipalities[slug] for slug in sorted(municipalities) if slug != site.slug]
    for municipality in candidates:
        if postcode in municipality.postcodes:
            return municipality
    return None


def _truthy(value) -> bool:
    return value not in (None, False, "", "0", "n", "no", "false", "off")


def route(form_id: str, answers: dict, site: Municipality, municipalities: dict) -> Route:
    """The route of one submission sent from `site`. Raises RoutingError if the site lacks the form."""
    if form_id not in site.inboxes:
        raise RoutingError(f"{site.slug} does not offer the form {form_id!r}")
    postcode = str(answers.get("postcode") or "").strip()
    own = site.inboxes[form_id]
    if form_id == "support-application":
        return _support(answers, postcode, site, municipalities, own)
    if form_id == "wijk-werken":
        return _wijk_werken(postcode, site, municipalities, own)
    raise RoutingError(f"no routing rule for the form {form_id!r}")


def _support(answers, postcode, site, municipalities, own) -> Route:
    if _truthy(answers.get("no_fixed_address")):
        return Route(site, own, "routing.no_fixed_address")
    competent = _serving(postcode, site, municipalities)
    names = {"postcode": postcode}
    named = {"site": site}
    if competent is None:
        national = municipalities_for_postcode(postcode)
        return Route(site, own, "routing.outside_area", True, FORWARD_WITHIN_DAYS, names, named=named,
                     national=national, forward_to=national)
    named["competent"] = competent
    if competent.slug == site.slug:
        return Route(site, own, "routing.own_area", reason_values=names, named=named)
    if "support-application" not in competent.inboxes:
        # Competent, but it takes no applications online: the site's OCMW receives it and passes it on.
        return Route(site, own, "routing.competent_without_form", True, FORWARD_WITHIN_DAYS, names, named=named,
                     forward_to=(competent,))
    return Route(competent, competent.inboxes["support-application"], "routing.other_municipality",
                 reason_values=names, named=named)


def _wijk_werken(postcode, site, municipalities, own) -> Route:
    serving = _serving(postcode, site, municipalities)
    names = {"postcode": postcode}
    if serving is None:
        return Route(site, own, "routing.wijk_werken_unknown_postcode", reason_values=names, named={"site": site})
    named = {"site": site, "competent": serving}
    if serving.slug == site.slug:
        return Route(site, own, "routing.wijk_werken_own_area", reason_values=names, named=named)
    if "wijk-werken" in serving.inboxes:
        return Route(serving, serving.inboxes["wijk-werken"], "routing.wijk_werken_other_municipality",
                     reason_values=names, named=named)
    return Route(site, own, "routing.wijk_werken_no_inbox", reason_values=names, named=named)


def forward_targets(postcode: str, municipalities: dict) -> tuple:
    """To whom an application is passed on when its receiving office is not competent (the
    `forward_to` of its Route, found again for a stored one): the configured municipality whose
    postcodes hold `postcode` (it takes no applications online), else the OCMW/CPAS/ÖSHZ of the
    national table (two where the street decides); () for a postcode nobody knows."""
    postcode = (postcode or "").strip()
    if not postcode:
        return ()
    for slug in sorted(municipalities):
        if postcode in municipalities[slug].postcodes:
            return (municipalities[slug],)
    return municipalities_for_postcode(postcode)


def office_name(target, lang: str) -> str:
    """The name of a `forward_targets` entry in `lang`: a configured municipality's social house,
    or 'OCMW Gent' / 'CPAS de Gand' / 'ÖSHZ Gent' from the national table."""
    if isinstance(target, Municipality):
        return target.text(target.social_house, lang) or target.text(target.name, lang)
    return target.social_service(lang)


def national_text(postcode: str, national: tuple, lang: str) -> str:
    """Who is competent by the national table, for the office: 'OCMW Gent (NIS-code 44021)', the
    two candidates of a split postcode, or that the table does not know the postcode."""
    if not national:
        return t("national.unknown", lang, postcode=postcode)
    if len(national) == 1:
        return t("national.competent", lang, office=national[0].social_service(lang), nis=national[0].nis)
    first, second = national[:2]
    return t("national.split", lang, postcode=postcode, first=first.social_service(lang), first_nis=first.nis,
             second=second.social_service(lang), second_nis=second.nis)


def values_in(route: Route, lang: str) -> dict:
    """The reason's placeholders with the municipalities named in `lang` where they have a name
    in it (the site's own language otherwise)."""
    return {**route.reason_values, **{key: m.text(m.name, lang) for key, m in route.named.items()}}


def reason_text(route: Route, lang: str) -> str:
    """The routing reason as a sentence in `lang`: for an application outside every configured
    area, also who is competent by the national table; the forwarding notice when it applies."""
    text = t(route.reason, lang, **values_in(route, lang))
    if route.reason == "routing.outside_area":
        text += " " + national_text(route.reason_values.get("postcode", ""), route.national, lang)
    if route.forward_within_days:
        text += " " + t("routing.forward_notice", lang, days=route.forward_within_days)
    return text


def secure_reason_text(route: Route, lang: str) -> str:
    """The reason without any answer in it (no postcode, no street), for the office e-mail under
    `delivery: secure`: competent, or not competent and to whom to pass it on. The competent
    OCMW is named: the office needs it to forward the application within the legal five days."""
    if route.outside_area:
        key = "mail.secure_reason.not_competent"
    elif route.reason.startswith("routing.wijk_werken"):
        key = "mail.secure_reason.wijk_werken"
    else:
        key = "mail.secure_reason.competent"
    text = t(key, lang)
    if route.outside_area and len(route.national) == 1:
        text += " " + t("national.competent", lang, office=route.national[0].social_service(lang), nis=route.national[0].nis)
    elif route.outside_area and len(route.national) > 1:
        first, second = route.national[:2]
        text += " " + t("national.split_secure", lang, first=first.social_service(lang), first_nis=first.nis,
                        second=second.social_service(lang), second_nis=second.nis)
    if route.forward_within_days:
        text += " " + t("routing.forward_notice", lang, days=route.forward_within_days)
    return text


def stored_reason_text(*, reason: str, outside_area: bool, answers: dict | None, site_slug: str,
                       competent_slug: str, municipalities: dict, lang: str) -> str:
    """The reason of a stored application (its reason key), in `lang`, for the staff inbox: the
    postcode from its answers (none once erased), the names from the configured municipalities."""
    postcode = str((answers or {}).get("postcode") or "").strip()
    site = municipalities.get(site_slug)
    serving = municipalities.get(competent_slug) if not outside_area else None
    if postcode:
        serving = next((m for m in municipalities.values() if postcode in m.postcodes), serving)
    values = {"postcode": postcode or t("office.postcode_erased", lang), "site": site.text(site.name, lang) if site else site_slug,
              "competent": serving.text(serving.name, lang) if serving else ""}
    text = t(reason, lang, **values)
    if reason == "routing.outside_area" and postcode:
        # Who to pass it on to, as the e-mails say (reason_text): staff file or forward from here.
        text += " " + national_text(postcode, municipalities_for_postcode(postcode), lang)
    if outside_area:
        text += " " + t("routing.forward_notice", lang, days=FORWARD_WITHIN_DAYS)
    return text
