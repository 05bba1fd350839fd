-- Where a unit is, for the leaders' offline map (一张图). SQLite flavour. Keep in step with
-- ../postgres/0009_unit_location.sql. Optional: a unit without coordinates is listed, not drawn.
ALTER TABLE units ADD COLUMN latitude REAL;
ALTER TABLE units ADD COLUMN longitude REAL;
