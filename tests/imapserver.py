"""A real IMAP server for the mailbox tests: Debian's Dovecot, on a loopback port, with a
fresh mailbox per test (any user name logs in with the one password)."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "imap-test-password"


def _config(root: Path, port: int) -> str:
    if os.geteuid() == 0:  # Dovecot will not serve mail as root: the mail user is nobody
        mail_user, service_user = pwd.getpwnam("nobody"), None
    else:
        mail_user = service_user = pwd.getpwuid(os.geteuid())
    services = (
        f"default_internal_user = {service_user.pw_name}\n"
        f"default_login_user = {service_user.pw_name}\n"
        if service_user
        else ""
    )
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
{services}
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


class ImapServer:
    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        (root / "home").mkdir(parents=True)
        os.chmod(root, 0o755)
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(root / "home", nobody.pw_uid, nobody.pw_gid)
        config = root / "dovecot.conf"
        config.write_text(_config(root, port))
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(100):
            try:
                imaplib.IMAP4("127.0.0.1", port, timeout=1).logout()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
        raise RuntimeError(f"Dovecot did not start: {log[-2000:]}")

    def deliver(self, user: str, *messages: bytes) -> None:
        """Put messages into ``user``'s INBOX, unseen, as a mail server would."""
        imap = imaplib.IMAP4("127.0.0.1", self.port)
        imap.login(user, PASSWORD)
        for message in messages:
            status, answer = imap.append("INBOX", None, None, message)  # type: ignore[arg-type]
            assert status == "OK", answer
        imap.logout()

    def unseen(self, user: str) -> int:
        imap = imaplib.IMAP4("127.0.0.1", self.port)
        imap.login(user, PASSWORD)
        imap.select("INBOX")
        _, found = imap.uid("SEARCH", "UNSEEN")
        imap.logout()
        return len(found[0].split()) if found and found[0] else 0

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
