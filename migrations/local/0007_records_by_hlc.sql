-- Every open reads the vault's latest HLC (each new write must pass it). Without an index that is a
-- scan of every record, envelopes and all: 55 ms of each unlock over 143,000 records. With one it is
-- a single lookup; the index costs each write one small B-tree insert.
CREATE INDEX records_by_hlc ON records (hlc);
