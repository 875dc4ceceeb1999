"""Email in and out: SMTP (:mod:`.smtp`), sending what the plug-in wrote under a lease
(:mod:`.sending`), reading an IMAP mailbox (:mod:`.imap`) onto leads (:mod:`.intake`)."""
