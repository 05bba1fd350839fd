-- Who an alert goes to, found by unit (postgres). Keep in step with ../sqlite/0020_people_by_unit.sql.
--
-- Every urgent case asks "the township's leaders": users by unit and role. With the primary key
-- alone that read walked every user of the city, per alert, while the alert worker held the
-- writer: with 5,000 villages, a tenth of the server's CPU per new case (BENCHMARKS.md, issue 14
-- §1). The same walks served the campaign reminders (users of a
-- village, work-team members listed in user_units), and each recipient's phones with alerts on
-- (push_subscriptions by device, devices by user) walked every subscription; the people page
-- counted each person's phones by walking every device.
CREATE INDEX users_unit_role ON users(unit_code, role);
CREATE INDEX user_units_unit ON user_units(unit_code);
CREATE INDEX devices_user ON devices(user_id);
CREATE INDEX push_subscriptions_device ON push_subscriptions(device_id);
