-- The default sort is by id: filtered searches walk (platform, filter, id) in order and the
-- capped counts become index-only scans, instead of filtering the primary key backwards.
DROP INDEX IF EXISTS profiles_platform_category;
DROP INDEX IF EXISTS profiles_platform_country;
CREATE INDEX profiles_platform_category_id ON profiles (platform, category, id);
CREATE INDEX profiles_platform_country_id ON profiles (platform, country, id);
CREATE INDEX profiles_platform_category_followers ON profiles (platform, category, followers);
