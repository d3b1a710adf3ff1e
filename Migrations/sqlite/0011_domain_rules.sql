-- 0011_domain_rules: staff's rules for the domains of sign-up addresses (`masthead domains`).
-- `block` refuses sign-ups from the domain and its subdomains; `allow` accepts them whatever
-- else would refuse them (the built-in list of email-to-SMS gateways, the MX check, the hourly
-- cap). The most specific domain with a rule decides.
CREATE TABLE domain_rules (
    domain      TEXT PRIMARY KEY,
    rule        TEXT NOT NULL CHECK (rule IN ('block', 'allow')),
    source      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
