-- Creator profiles and their posts (discovery module), with the indexes the search uses.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE profiles (
    id bigserial PRIMARY KEY,
    platform text NOT NULL,
    platform_profile_id text NOT NULL,
    handle text NOT NULL,
    name text NOT NULL,
    bio text NOT NULL DEFAULT '',
    category text NOT NULL,
    country text NOT NULL,
    city text NOT NULL DEFAULT '',
    followers bigint NOT NULL DEFAULT 0,
    engagement_rate real NOT NULL DEFAULT 0,
    email text,
    phone text,
    audience jsonb,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (platform, platform_profile_id)
);
-- Every search has a platform; each index serves one sort (id, followers) or one filter.
CREATE INDEX profiles_platform_id ON profiles (platform, id);
CREATE INDEX profiles_platform_followers ON profiles (platform, followers, id);
CREATE INDEX profiles_platform_category ON profiles (platform, category, followers);
CREATE INDEX profiles_platform_country ON profiles (platform, country, followers);
CREATE INDEX profiles_platform_handle ON profiles (platform, lower(handle));
CREATE INDEX profiles_text_trgm ON profiles USING gin (lower(handle || ' ' || name) gin_trgm_ops);
CREATE TABLE posts (
    id bigserial PRIMARY KEY,
    profile_id bigint NOT NULL REFERENCES profiles (id),
    posted_at timestamptz NOT NULL,
    caption text NOT NULL DEFAULT '',
    hashtags text[] NOT NULL DEFAULT '{}',
    likes bigint NOT NULL DEFAULT 0,
    comments bigint NOT NULL DEFAULT 0
);
CREATE INDEX posts_profile ON posts (profile_id, posted_at DESC);
CREATE TABLE locations (
    code text PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO locations (code, name) VALUES
    ('IN', 'India'), ('US', 'United States'), ('GB', 'United Kingdom'), ('BR', 'Brazil'),
    ('ID', 'Indonesia'), ('DE', 'Germany'), ('FR', 'France'), ('JP', 'Japan'),
    ('MX', 'Mexico'), ('NG', 'Nigeria'), ('AE', 'United Arab Emirates'), ('CA', 'Canada');
