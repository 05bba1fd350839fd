-- Where a unit is, for the leaders' offline map (一张图). PostgreSQL flavour. Keep in step with
-- ../sqlite/0009_unit_location.sql. Optional: a unit without coordinates is listed, not drawn.
ALTER TABLE units ADD COLUMN latitude DOUBLE PRECISION;
ALTER TABLE units ADD COLUMN longitude DOUBLE PRECISION;
