-- With relationMode = "prisma" Prisma reads no relation from foreign keys: the schema's
-- relations are copied, and this foreign key gives none.
CREATE TABLE "Tag" (id INT PRIMARY KEY, post_id INT REFERENCES "Post"(id));
