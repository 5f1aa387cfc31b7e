"""The web server's tests share the phone school of :mod:`web_samples`."""

from web_samples import phone, school

__all__ = ["phone", "school"]
