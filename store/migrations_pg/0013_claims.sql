-- Several daemons may share one store (PostgreSQL). Work is claimed with a
-- lease in wall-clock milliseconds (claim_until): a source being checked,
-- a delivery being sent. A daemon renews its leases while it works; one
-- that died has its claims taken over once they run out. host_pace keeps
-- each host's next turn (wall-clock nanoseconds), so that the pace holds
-- across daemons; a daemon checking a host's sources claims the host
-- itself, so that one process at a time paces it from its requests' ends.
ALTER TABLE sources ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN claim_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN claim_until BIGINT NOT NULL DEFAULT 0;
CREATE TABLE host_pace (
    host        TEXT PRIMARY KEY,
    next_at     BIGINT NOT NULL DEFAULT 0,
    claimed_by  TEXT NOT NULL DEFAULT '',
    claim_until BIGINT NOT NULL DEFAULT 0
);
