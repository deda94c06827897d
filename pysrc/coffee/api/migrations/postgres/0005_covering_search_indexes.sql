-- Search pages are deferred joins (discovery/search.py): the page's ids come first, from an
-- index-only scan, then only those rows are read from the table. For that scan to stay
-- index-only when a filter tests a column the index is not ordered by (a follower range on
-- the id order, say), the filtered columns ride along in the id-ordered indexes (INCLUDE).
DROP INDEX IF EXISTS profiles_platform_id;
DROP INDEX IF EXISTS profiles_platform_category_id;
DROP INDEX IF EXISTS profiles_platform_country_id;
CREATE INDEX profiles_platform_id ON profiles (platform, id) INCLUDE (followers, category, country);
CREATE INDEX profiles_platform_category_id ON profiles (platform, category, id)
    INCLUDE (followers, country);
CREATE INDEX profiles_platform_country_id ON profiles (platform, country, id)
    INCLUDE (followers, category);
