-- Listings of windows join their notices for a few short columns; in the
-- table those sit around the notice's text, which is often long enough to
-- spill into overflow pages that every lookup would then read. This
-- covering index answers the join from short rows.
CREATE INDEX notices_listing ON notices (status, id, region, issuer, title, url);
