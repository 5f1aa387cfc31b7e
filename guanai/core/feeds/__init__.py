"""Calendar feeds (iCalendar) of teachers', classes' and schools' duties.

- :mod:`.tokens`: subscriptions and their secret tokens, stored only as hashes;
- :mod:`.scope`: which tasks and calendar days a subscription's feed holds, and its version;
- :mod:`.render`: the feed's bytes, deterministic for unchanged data;
- :mod:`.cache`: rendered feeds kept per scope and version, so a change renders once (served by
  :mod:`guanai.web` behind ``guanai serve``).
"""
