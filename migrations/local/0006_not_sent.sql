-- Changes this device wrote and never sent, because its writer's role changed before they went
-- out and no longer allows them (docs/sync.md, "Removal and role changes"): the server would
-- refuse them for good, so they leave the outbox, are undone on the device, and their values wait
-- in the conflict log for the person to review.
--
-- 1: the conflict's lost version is such a change (its `fields` is empty: every field that differs
-- from the version kept is shown); 0: it lost to a concurrent write while merging.
ALTER TABLE conflicts ADD COLUMN not_sent INTEGER NOT NULL DEFAULT 0;
