"""One Chinese sentence for every operating-system error a user can cause.

Any `OSError` (a missing file, a folder given for a file, no permission, a read-only disk,
a full disk...) reaches the user as one sentence naming the path, the same from every
command, with exit code 2 (3 when another program holds the file).
"""

from __future__ import annotations

import errno

from automation import messages

EXIT_BAD_INPUT = 2
EXIT_IN_USE = 3

_BY_ERRNO = {
    errno.ENOENT: messages.OS_NOT_FOUND,
    errno.EISDIR: messages.OS_IS_DIRECTORY,
    errno.ENOTDIR: messages.OS_NOT_DIRECTORY,
    errno.EACCES: messages.OS_NO_PERMISSION,
    errno.EPERM: messages.OS_NO_PERMISSION,
    errno.EROFS: messages.OS_READ_ONLY_PLACE,
    errno.ENOSPC: messages.OS_DISK_FULL,
    errno.EDQUOT: messages.OS_DISK_FULL,
    errno.EEXIST: messages.OS_EXISTS,
    errno.ENAMETOOLONG: messages.OS_NAME_TOO_LONG,
    errno.EBUSY: messages.OS_BUSY,
    errno.ETXTBSY: messages.OS_BUSY,
    errno.EMFILE: messages.OS_GENERIC,
}


def os_error_sentence(error: OSError) -> str:
    """The Chinese sentence for `error`, naming the path it concerns (or the text of the error)."""
    path = error.filename if error.filename is not None else ""
    template = _BY_ERRNO.get(error.errno or 0, messages.OS_GENERIC)
    if not path and template is not messages.OS_GENERIC:
        template = messages.OS_GENERIC
    return template.format(path=path, detail=error.strerror or error)


def os_error_exit_code(error: OSError) -> int:
    """2 for what the user can fix in the command or the file system; 3 when a program holds the file."""
    return EXIT_IN_USE if error.errno in (errno.EBUSY, errno.ETXTBSY) else EXIT_BAD_INPUT
