CREATE TABLE base.audit (id INT PRIMARY KEY, user_id INT NOT NULL REFERENCES base.users(id));
