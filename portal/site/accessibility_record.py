"""What the project itself has measured about the accessibility of every site it builds.

The accessibility statement of each site (portal/site/legal.py) combines this record with the
site's own `accessibility:` keys. Keep it true: tests/browser/ runs axe-core on every page type,
form state and these statements at both widths, and tests/test_legal_pages.py checks that the
statement's claims match this record.
"""

from __future__ import annotations

import datetime as dt

# axe-core (WCAG 2.1 A/AA and best practices) over every page type and form state, in Chromium,
# at a phone and a desktop width, on every test run (`make test`): the count it must stay at.
AXE_WIDTHS = (390, 1280)
AXE_VIOLATIONS = 0

# The date of the project's last manual review of the theme and forms (keyboard only, screen
# reader, 400 % zoom, reflow), or None while there has been none. A site's own review is its
# `accessibility.evaluated` date.
PROJECT_REVIEW: dt.date | None = None

# What the project knows does not conform, for every site: ({"nl": ..., "fr": ...}, ...).
# A statement says "fully conforms" only while this and the site's own `issues` are empty and a
# manual review has been done.
KNOWN_ISSUES: tuple = ()
