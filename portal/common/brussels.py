"""Belgian time: every date and time a citizen or an office reads is Brussels time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
