"""The web server of ``guanai serve``: one ASGI application (Starlette, run by uvicorn) for
the calendar feeds and the teachers' phone pages.

An adapter on the application service, like the CLI and the dashboard: every page a teacher
opens is a :class:`guanai.service.Guanai` action of the teacher's own account.
"""
