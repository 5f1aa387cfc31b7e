"""Opening a password-protected workbook, such as ``guanai export --password`` writes.

An encrypted .xlsx (or .xls) is an OLE compound file; it is decrypted with msoffcrypto-tool
into memory, and the plain bytes never touch the disk (a roster holds children's ID numbers
and addresses). The password is never shown, logged or kept.

One import reads several sheets of a workbook, each opened anew, and one decryption costs
about 0.3 s (the key derivation is slow on purpose): within :func:`decrypting_once` each
workbook is decrypted once, and the plain bytes are dropped when it ends.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import msoffcrypto
import msoffcrypto.exceptions

from guanai.core.i18n import Label
from guanai.core.roster.file_errors import RosterFileError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the first bytes of an OLE compound file
_REFUSED = (
    msoffcrypto.exceptions.FileFormatError,
    msoffcrypto.exceptions.DecryptionError,
    msoffcrypto.exceptions.InvalidKeyError,
    msoffcrypto.exceptions.ParseError,
    ValueError,
    KeyError,
    OSError,
)


_Key = tuple[str, int, int, str | None]  # resolved path, size, mtime, password
_decrypted: ContextVar[dict[_Key, bytes | None] | None] = ContextVar("decrypted", default=None)


@contextmanager
def decrypting_once() -> Iterator[None]:
    """Within it, :func:`decrypted_content` decrypts each unchanged workbook once."""
    token = _decrypted.set({})
    try:
        yield
    finally:
        _decrypted.reset(token)


def decrypted_content(path: Path, password: str | None) -> bytes | None:
    """:func:`decrypt`, once per unchanged file within :func:`decrypting_once`."""
    memo = _decrypted.get()
    if memo is None:
        return decrypt(path, password)
    status = path.stat()
    key = (str(path.resolve()), status.st_size, status.st_mtime_ns, password)
    if key not in memo:
        memo[key] = decrypt(path, password)
    return memo[key]


def decrypt(path: Path, password: str | None) -> bytes | None:
    """The decrypted bytes of the workbook ``path``, or None if it is not encrypted.

    Raises :class:`RosterFileError` naming the file when it is encrypted and ``password`` is
    missing or wrong. A password given for a file that is not encrypted is not needed, and
    not used.
    """
    with path.open("rb") as file:
        if file.read(len(OLE_MAGIC)) != OLE_MAGIC:
            return None  # an .xlsx, .ods or .csv: a zip or text, never encrypted this way
        file.seek(0)
        try:
            office = msoffcrypto.OfficeFile(file)
            if not office.is_encrypted():
                return None  # a plain .xls
        except _REFUSED:
            return None  # not an Office file: the reader says what it is not
        if password is None:
            raise RosterFileError(
                Label(
                    f"{path.name} 有密码保护：请给出密码（--password 或 --password-file）",
                    f"{path.name} is password-protected: give its password "
                    "(--password or --password-file)",
                )
            )
        plain = io.BytesIO()
        try:
            office.load_key(password=password, verify_password=True)
            office.decrypt(plain)
        except _REFUSED:
            raise RosterFileError(
                Label(
                    f"无法用所给密码打开 {path.name}：密码错误",
                    f"cannot open {path.name} with the password given: wrong password",
                )
            ) from None
    return plain.getvalue()
