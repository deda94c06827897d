-- Partners, contracts, users and sessions (identity, partner modules); outbox; held ClickHouse writes.
CREATE TABLE partners (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    status text NOT NULL DEFAULT 'ACTIVE',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE contracts (
    id bigserial PRIMARY KEY,
    partner_id bigint NOT NULL REFERENCES partners (id),
    contract_type text NOT NULL DEFAULT 'SAAS',
    status text NOT NULL DEFAULT 'ACTIVE',
    plan text NOT NULL,
    start_time timestamptz NOT NULL,
    end_time timestamptz NOT NULL,
    CHECK (end_time > start_time)
);
CREATE INDEX contracts_partner ON contracts (partner_id);
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text NOT NULL,
    password_hash text NOT NULL,
    partner_id bigint REFERENCES partners (id),
    account_id bigint,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sessions (
    id uuid PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);
-- Events that must not be lost: written in the business transaction, published by the relay.
CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    exchange text,
    routing_key text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
-- A request's ClickHouse writes, committed with its PostgreSQL work and sent after the commit.
CREATE TABLE ch_pending (
    id bigserial PRIMARY KEY,
    tbl text NOT NULL,
    rows jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
