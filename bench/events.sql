-- bench/events.sql: the benchmark events table (rows from bench/events_gen.c)
CREATE TABLE events (
    event_date    date      NOT NULL,
    event_time    timestamp NOT NULL,
    user_id       bigint    NOT NULL,
    event_type    text      NOT NULL,
    country       text      NOT NULL,
    revenue_cents bigint    NOT NULL,
    url           text      NOT NULL,
    payload       jsonb     NOT NULL
)
