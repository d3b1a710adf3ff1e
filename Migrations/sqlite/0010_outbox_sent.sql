-- 0010_outbox_sent: the messages sent in a recent window, found without reading every message
-- ever sent. `/metrics` counts them per newsletter each scrape, beside the complaints in the same
-- window, for the complaint-rate gauge (the rate Gmail and Yahoo hold bulk senders to).
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE state = 'sent';
