"""The privacy page (GDPR art. 13, with the cookie list) and the accessibility statement (EU
2016/2102, model of Implementing Decision 2018/1523) of one site, as markdown pages per language.

Plain functions of the municipality's config, the texts in portal/common/messages/legal.yml, the
region rules (portal/municipal/region.py) and the project's measurements
(portal/site/accessibility_record.py); the MkDocs plugin only writes what these return. Their
addresses are `paths.legal_page_path`, shared with the form pages' links.
"""

from __future__ import annotations

import datetime as dt

from markupsafe import escape

from portal.common.cookies import COOKIES
from portal.common.i18n import format_date, t
from portal.common.paths import COOKIES_ANCHOR
from portal.municipal.config import Municipality
from portal.municipal.region import ACCESSIBILITY_LAWS, supervisory_authority
from portal.site import accessibility_record as record


def _names(m: Municipality, lang: str) -> dict:
    return {"social_house": m.text(m.social_house, lang), "municipality": m.text(m.name, lang)}


def _front_matter(title: str, description: str, kind: str) -> list[str]:
    def quoted(value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return ["---", f"title: {quoted(title)}", f"description: {quoted(description)}", f"portal_generated: {kind}", "---", ""]


def _label(key: str, lang: str) -> str:
    """"E-mail:" / "E-mail :" (French puts a space before the colon)."""
    return t(key, lang) + t("privacy.colon", lang)


def _mail(address: str) -> str:
    return f"[{escape(address)}](mailto:{escape(address)})"


def retention_span(days: int, lang: str) -> str:
    """The retention period in words, roughly: "4 weken", "ongeveer 2 maanden", "ongeveer een jaar"."""
    if days < 14:
        return t("privacy.span.days", lang)
    if days < 28 or (days <= 56 and days % 7 == 0 and days != 28):
        return t("privacy.span.weeks", lang, n=round(days / 7))
    if days < 330:
        months = round(days / 30.4)
        return t("privacy.span.month", lang) if months == 1 else t("privacy.span.months", lang, n=months)
    years = round(days / 365)
    return t("privacy.span.year", lang) if years == 1 else t("privacy.span.years", lang, n=years)


def privacy_markdown(m: Municipality, lang: str) -> str:
    """The privacy page of `m` in `lang`: controller, DPO, one section per form, recipients,
    retention, rights, the supervisory authority of the region, and the cookies."""
    names = _names(m, lang)
    office = m.offices[0]
    out = _front_matter(t("privacy.title", lang), t("privacy.description", lang, **names), "privacy")
    out += [t("privacy.intro", lang, **names), ""]
    out += [f"## {t('privacy.controller_title', lang)}", "", t("privacy.controller", lang, **names), ""]
    out += [f"**{escape(names['social_house'])}**  ",
            f"{escape(office.address.street)}, {escape(office.address.postcode)} {escape(m.text(office.address.city, lang))}", ""]
    if m.forms:
        out += [t("privacy.controller_other", lang), ""]
    p = m.privacy
    if p.dpo_email:
        out += [f"## {t('privacy.dpo_title', lang)} {{#dpo}}", "", t("privacy.dpo", lang), ""]
        out.append(f"- {_label('privacy.email', lang)} {_mail(p.dpo_email)}")
        if p.dpo_phone:
            out.append(f"- {_label('privacy.phone', lang)} {escape(p.dpo_phone)}")
        if p.dpo_address:
            out.append(f"- {_label('privacy.address', lang)} {escape(p.dpo_address)}")
        out.append("")
    for form_id in m.forms:
        key = f"privacy.form.{form_id}"
        out += [f"## {t('privacy.form_title', lang, form=t(key + '.title', lang))} {{#form-{form_id}}}", ""]
        out += [f"### {t('privacy.purpose_title', lang)}", "", t(f"{key}.purpose", lang), ""]
        out += [f"### {t('privacy.data_title', lang)}", "", t(f"{key}.data", lang), ""]
        if form_id == "support-application":
            out += [t(f"{key}.national_number", lang), ""]
        out += [f"### {t('privacy.basis_title', lang)}", "", t(f"{key}.basis", lang), "", t("privacy.no_consent", lang), ""]
    if m.forms:
        out += [f"## {t('privacy.recipients_title', lang)}", "", t("privacy.recipients", lang), ""]
        if p.hosting and p.mail:
            out.append(t("privacy.processors_named", lang, hosting=escape(p.hosting), mail=escape(p.mail)))
        else:
            out.append(t("privacy.processors_generic", lang))
        out += [t("privacy.no_others", lang), ""]
        out += [f"## {t('privacy.retention_title', lang)}", "",
                t("privacy.retention", lang, days=m.retention_days, span=retention_span(m.retention_days, lang),
                  max_days=m.retention_max_days, max_span=retention_span(m.retention_max_days, lang)), "",
                t("privacy.retention_file", lang), ""]
        out += [f"## {t('privacy.rights_title', lang)}", "", t("privacy.rights_intro", lang), ""]
        out += [f"- {t('privacy.right.' + right, lang)}" for right in ("access", "rectification", "erasure", "restriction", "objection")]
        out += ["", t("privacy.rights_how", lang), ""]
    authority = supervisory_authority(m.region)
    out += [f"## {t('privacy.complaint_title', lang)} {{#complaint}}", "", t("privacy.complaint", lang), ""]
    # A list, not lines with <br>: two links in one paragraph read as an unmarked navigation (H48).
    out += [f"- **{escape(authority.name[lang])}**", f"- {escape(authority.address[lang])}",
            f"- {_label('privacy.email', lang)} {_mail(authority.email)}",
            f"- {_label('privacy.website', lang)} [{escape(authority.website_for(lang))}]({escape(authority.website_for(lang))})", ""]
    out += [f"## {t('cookies.title', lang)} {{#{COOKIES_ANCHOR}}}", "", t("cookies.intro", lang), ""]
    if m.forms:
        out += [t("cookies.forms", lang), ""]
        out += [f"| {t('cookies.name', lang)} | {t('cookies.purpose', lang)} | {t('cookies.lifetime', lang)} |", "| --- | --- | --- |"]
        out += [f"| `{cookie.name}` | {t(cookie.purpose, lang)} | {t(cookie.lifetime, lang)} |" for cookie in COOKIES]
        out.append("")
    return "\n".join(out)


def conformance(m: Municipality) -> str:
    """"full" only when nothing is known not to conform and someone has reviewed by hand."""
    reviewed = m.accessibility.evaluated or record.PROJECT_REVIEW
    return "full" if reviewed and not record.KNOWN_ISSUES and not m.accessibility.issues else "partial"


def accessibility_markdown(m: Municipality, lang: str, *, today: dt.date | None = None) -> str:
    """The accessibility statement of `m` in `lang`, in the order of the EU model statement."""
    names = _names(m, lang)
    law = ACCESSIBILITY_LAWS[m.region]
    a = m.accessibility
    out = _front_matter(t("a11y.title", lang), t("a11y.description", lang, **names), "accessibility")
    site = m.site_url or names["social_house"]
    out += [t("a11y.intro", lang, law=law.law[lang], **names), "", t("a11y.scope", lang, site=escape(site)), ""]
    status = conformance(m)
    out += [f"## {t('a11y.status_title', lang)}", "", t(f"a11y.status.{status}", lang), ""]
    out += [f"## {t('a11y.issues_title', lang)}", ""]
    issues = [issue[lang] if lang in issue else next(iter(issue.values())) for issue in (*record.KNOWN_ISSUES, *a.issues)]
    if issues:
        out += [f"- {escape(issue)}" for issue in issues]
    else:
        out.append(t("a11y.no_issues", lang))
    reviews = [d for d in (a.evaluated, record.PROJECT_REVIEW) if d]
    if not reviews:
        out += ["", t("a11y.not_reviewed", lang)]
    out += ["", f"## {t('a11y.method_title', lang)}", "", t("a11y.method_self", lang), t("a11y.method_axe", lang)]
    out.append(t("a11y.axe_none", lang) if record.AXE_VIOLATIONS == 0 else t("a11y.axe_some", lang, n=record.AXE_VIOLATIONS))
    if reviews:
        out.append(t("a11y.method_manual", lang, date=format_date(max(reviews), lang)))
    else:
        out.append(t("a11y.method_no_manual", lang))
    out += ["", t("a11y.prepared", lang, date=format_date(max(reviews) if reviews else (today or dt.date.today()), lang)), ""]
    contact = a.contact or m.offices[0].email
    out += [f"## {t('a11y.feedback_title', lang)} {{#feedback}}", "", t("a11y.feedback", lang, email=_mail(contact)),
            t("a11y.feedback_alternative", lang), ""]
    out += [f"## {t('a11y.enforcement_title', lang)} {{#enforcement}}", "",
            t("a11y.enforcement", lang, body=f"[{law.enforcement[lang]}]({law.enforcement_url})"), ""]
    return "\n".join(out)


def pages(m: Municipality, *, today: dt.date | None = None) -> dict[str, str]:
    """{path inside the docs tree ("nl/privacy.md"): markdown} for every language of the site."""
    result = {}
    for lang in m.languages:
        result[f"{lang}/privacy.md"] = privacy_markdown(m, lang)
        result[f"{lang}/accessibility.md"] = accessibility_markdown(m, lang, today=today)
    return result
