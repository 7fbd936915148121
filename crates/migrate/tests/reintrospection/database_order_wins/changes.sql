DROP TABLE beta;
DROP TYPE level;
CREATE TYPE level AS ENUM ('high', 'low');
CREATE TABLE beta (a level NOT NULL, b_col text NOT NULL, id int PRIMARY KEY);
