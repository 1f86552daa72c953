-- Leases: one process at a time does a given job (sending mail). The
-- holder's PID tells a successor whether the holder died.
CREATE TABLE leases (
    name      TEXT PRIMARY KEY,
    owner     TEXT NOT NULL,
    pid       INTEGER NOT NULL,
    heartbeat TEXT NOT NULL
);
