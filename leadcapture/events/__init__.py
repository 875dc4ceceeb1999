"""The shop's inbound signals as kept events: received (:mod:`.receivers`), written down
and handled, retried or parked for staff (:mod:`.store`)."""
