-- 0005_refunds: a pledge may be refunded or disputed, a provider event may find its pledge
-- by the provider's payment id, and the card-testing limits count a source's recent pledges
-- and declined payments by index (PostgreSQL; step for step with
-- Migrations/sqlite/0005_refunds.sql, which has to rebuild its table to change the CHECK).

ALTER TABLE pledges DROP CONSTRAINT pledges_status_check;
ALTER TABLE pledges ADD CONSTRAINT pledges_status_check
    CHECK (status IN ('pending', 'succeeded', 'failed', 'canceled', 'active', 'refunded', 'disputed'));
CREATE INDEX pledges_by_provider_reference ON pledges (provider, provider_reference);
CREATE INDEX pledges_by_client ON pledges (client_ip, created_at);
CREATE INDEX payment_events_by_type ON payment_events (type, received_at);
