"""Calendar feeds (iCalendar) of teachers', classes' and schools' duties.

- :mod:`.tokens`: subscriptions and their secret tokens, stored only as hashes;
- :mod:`.scope`: which tasks and calendar days a subscription's feed holds;
- :mod:`.stamps`: a school's change stamp, kept by the database's triggers: the feeds' version;
- :mod:`.render`: the feed's bytes, deterministic for unchanged data;
- :mod:`.cache`: rendered feeds kept per scope and stamp, so a change renders once (served by
  :mod:`guanai.web` behind ``guanai serve``).
"""
