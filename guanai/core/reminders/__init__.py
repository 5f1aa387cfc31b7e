"""Reminders: composing digests, escalations and weekly summaries, and delivering them once.

- ``compose``: what a tick queues (one outbox row per recipient, occasion and channel);
- ``message``: the bilingual content channels render;
- ``channels``: the channel base class and the registry built from plugins;
- ``outbox``: claiming, recording results, listing and retrying rows;
- ``dispatch`` and ``daemon``: sending what is ready, and ``guanai run``.
"""
