-- Parvis schema, version 26: the rate limits' attempts are forgotten by age on every noted
-- attempt (`DELETE … WHERE at < $1`); without an index on `at` that scanned the whole table,
-- which holds every registration mail of the last 15 minutes: a 1,000-a-second registration
-- load fell to 300–430 a second.
CREATE INDEX auth_attempts_at ON auth_attempts(at);
