ALTER TABLE users DROP COLUMN gone;
ALTER TABLE users ADD COLUMN nickname TEXT;
ALTER TYPE role ADD VALUE 'guest';
CREATE TABLE comments (id SERIAL PRIMARY KEY, post_id TEXT NOT NULL REFERENCES posts(id), body TEXT);
CREATE TYPE mood AS ENUM ('happy','sad');
CREATE TABLE "Aaa" (id int primary key);
