-- Messages a listener has handled, recorded in the same transaction as its work, so a
-- redelivered or republished message (same message id) is done once.
CREATE TABLE processed_events (
    message_id text NOT NULL,
    listener text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (listener, message_id)
);
-- How often each profile changed (the profile_updated listener's work).
CREATE TABLE profile_stats (
    profile_id bigint PRIMARY KEY,
    updates bigint NOT NULL DEFAULT 0
);
