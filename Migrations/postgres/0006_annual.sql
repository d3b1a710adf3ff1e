-- 0006_annual: a pledge may be paid once a year; the support page starts with two yearly tiers
-- (PostgreSQL; step for step with Migrations/sqlite/0006_annual.sql, which rebuilds its tables
-- to change the CHECKs).

ALTER TABLE pledges DROP CONSTRAINT pledges_interval_check;
ALTER TABLE pledges ADD CONSTRAINT pledges_interval_check CHECK (interval IN ('once', 'monthly', 'annual'));
ALTER TABLE pledge_tiers DROP CONSTRAINT pledge_tiers_interval_check;
ALTER TABLE pledge_tiers ADD CONSTRAINT pledge_tiers_interval_check CHECK (interval IN ('once', 'monthly', 'annual'));

INSERT INTO pledge_tiers (currency, interval, name, amount_minor)
    SELECT 'USD', 'annual', name, amount_minor FROM (VALUES ('member', 5000), ('patron', 15000)) AS tiers (name, amount_minor)
    WHERE EXISTS (SELECT 1 FROM pledge_currencies WHERE currency = 'USD');
