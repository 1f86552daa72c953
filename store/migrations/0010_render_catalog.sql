-- Sources whose pages are built by script are loaded in headless Chromium
-- (render), and a source added from the built-in catalogue keeps the
-- catalogue entry's URL (catalog), so that status can say which entries
-- have been confirmed by a crawl.
ALTER TABLE sources ADD COLUMN render INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN catalog TEXT NOT NULL DEFAULT '';
