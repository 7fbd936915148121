//! Hand-written stand-in for what `gen generate` emits, and the template codegen follows.
//! It is generated from this schema:
//!
//! ```prisma
//! enum Role {
//!   ADMIN
//!   MEMBER @map("member")
//! }
//!
//! model User {
//!   id        Int      @id @default(autoincrement())
//!   email     String   @unique
//!   name      String?
//!   role      Role     @default(MEMBER)
//!   profile   Json?
//!   tags      String[]
//!   balance   Decimal  @default(0)
//!   score     Float    @default(0)
//!   visits    BigInt   @default(0)
//!   active    Boolean  @default(true)
//!   avatar    Bytes?
//!   tenant    String
//!   handle    String
//!   birthday  DateTime?
//!   createdAt DateTime @default(now()) @map("created_at")
//!   updatedAt DateTime @updatedAt
//!   posts     Post[]
//!
//!   @@unique([tenant, handle])
//! }
//!
//! model Post {
//!   id        String  @id @default(uuid()) @db.Uuid
//!   title     String
//!   views     Int     @default(0)
//!   published Boolean @default(false)
//!   authorId  Int     @map("author_id")
//!   author    User    @relation(fields: [authorId], references: [id])
//!
//!   @@map("posts")
//!   @@schema("blog")
//! }
//! ```
//!
//! Per model: the struct, its columns and `ModelMeta`, `FromRow` by index, one `Field`
//! constant per scalar field, one function per unique criterion, and an actions wrapper
//! whose `create` takes the required fields. Everything else comes from the runtime.

#![allow(dead_code)]

use refract_runtime as rt;

/// Adds the model accessors to anything queries run on: `client.user()`, `tx.post()`.
pub trait Models: rt::AsExecutor {
    fn user(&self) -> user::UserActions<'_> {
        user::UserActions(rt::Actions::new(self.executor()))
    }
    fn post(&self) -> post::PostActions<'_> {
        post::PostActions(rt::Actions::new(self.executor()))
    }
}

impl<T: rt::AsExecutor + ?Sized> Models for T {}

/// `enum Role`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Role {
    Admin,
    Member,
}

impl rt::PgEnum for Role {
    const NAME: &'static str = "Role";
    fn to_db(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Member => "member",
        }
    }
    fn from_db(name: &str) -> Option<Self> {
        match name {
            "ADMIN" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

pub mod user {
    use super::Role;
    use refract_runtime as rt;

    /// `model User`.
    #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct User {
        pub id: i32,
        pub email: String,
        pub name: Option<String>,
        pub role: Role,
        pub profile: Option<serde_json::Value>,
        pub tags: Vec<String>,
        pub balance: rust_decimal::Decimal,
        pub score: f64,
        pub visits: i64,
        pub active: bool,
        pub avatar: Option<Vec<u8>>,
        pub tenant: String,
        pub handle: String,
        pub birthday: Option<chrono::DateTime<chrono::Utc>>,
        pub created_at: chrono::DateTime<chrono::Utc>,
        pub updated_at: chrono::DateTime<chrono::Utc>,
    }

    pub mod column {
        use refract_runtime::Column;
        pub static ID: Column = Column {
            name: "id",
            field: "id",
            nullable: false,
        };
        pub static EMAIL: Column = Column {
            name: "email",
            field: "email",
            nullable: false,
        };
        pub static NAME: Column = Column {
            name: "name",
            field: "name",
            nullable: true,
        };
        pub static ROLE: Column = Column {
            name: "role",
            field: "role",
            nullable: false,
        };
        pub static PROFILE: Column = Column {
            name: "profile",
            field: "profile",
            nullable: true,
        };
        pub static TAGS: Column = Column {
            name: "tags",
            field: "tags",
            nullable: false,
        };
        pub static BALANCE: Column = Column {
            name: "balance",
            field: "balance",
            nullable: false,
        };
        pub static SCORE: Column = Column {
            name: "score",
            field: "score",
            nullable: false,
        };
        pub static VISITS: Column = Column {
            name: "visits",
            field: "visits",
            nullable: false,
        };
        pub static ACTIVE: Column = Column {
            name: "active",
            field: "active",
            nullable: false,
        };
        pub static AVATAR: Column = Column {
            name: "avatar",
            field: "avatar",
            nullable: true,
        };
        pub static TENANT: Column = Column {
            name: "tenant",
            field: "tenant",
            nullable: false,
        };
        pub static HANDLE: Column = Column {
            name: "handle",
            field: "handle",
            nullable: false,
        };
        pub static BIRTHDAY: Column = Column {
            name: "birthday",
            field: "birthday",
            nullable: true,
        };
        pub static CREATED_AT: Column = Column {
            name: "created_at",
            field: "createdAt",
            nullable: false,
        };
        pub static UPDATED_AT: Column = Column {
            name: "updatedAt",
            field: "updatedAt",
            nullable: false,
        };
    }

    pub static META: rt::ModelMeta = rt::ModelMeta {
        name: "User",
        table: rt::Table {
            schema: None,
            name: "User",
        },
        columns: &[
            &column::ID,
            &column::EMAIL,
            &column::NAME,
            &column::ROLE,
            &column::PROFILE,
            &column::TAGS,
            &column::BALANCE,
            &column::SCORE,
            &column::VISITS,
            &column::ACTIVE,
            &column::AVATAR,
            &column::TENANT,
            &column::HANDLE,
            &column::BIRTHDAY,
            &column::CREATED_AT,
            &column::UPDATED_AT,
        ],
        primary_key: &[&column::ID],
        updated_at: &[&column::UPDATED_AT],
    };

    impl rt::FromRow for User {
        fn from_row(row: &rt::Row) -> Result<Self, rt::Error> {
            Ok(User {
                id: rt::decode(row, 0)?,
                email: rt::decode(row, 1)?,
                name: rt::decode(row, 2)?,
                role: rt::decode(row, 3)?,
                profile: rt::decode(row, 4)?,
                tags: rt::decode(row, 5)?,
                balance: rt::decode(row, 6)?,
                score: rt::decode(row, 7)?,
                visits: rt::decode(row, 8)?,
                active: rt::decode(row, 9)?,
                avatar: rt::decode(row, 10)?,
                tenant: rt::decode(row, 11)?,
                handle: rt::decode(row, 12)?,
                birthday: rt::decode(row, 13)?,
                created_at: rt::decode(row, 14)?,
                updated_at: rt::decode(row, 15)?,
            })
        }
    }

    impl rt::Model for User {
        const META: &'static rt::ModelMeta = &META;
    }

    pub const ID: rt::Field<User, i32> = rt::Field::new(&column::ID);
    pub const EMAIL: rt::Field<User, String> = rt::Field::new(&column::EMAIL);
    pub const NAME: rt::Field<User, String, rt::Nullable> = rt::Field::new(&column::NAME);
    pub const ROLE: rt::Field<User, Role> = rt::Field::new(&column::ROLE);
    pub const PROFILE: rt::Field<User, serde_json::Value, rt::Nullable> =
        rt::Field::new(&column::PROFILE);
    pub const TAGS: rt::ListField<User, String> = rt::ListField::new(&column::TAGS);
    pub const BALANCE: rt::Field<User, rust_decimal::Decimal> = rt::Field::new(&column::BALANCE);
    pub const SCORE: rt::Field<User, f64> = rt::Field::new(&column::SCORE);
    pub const VISITS: rt::Field<User, i64> = rt::Field::new(&column::VISITS);
    pub const ACTIVE: rt::Field<User, bool> = rt::Field::new(&column::ACTIVE);
    pub const AVATAR: rt::Field<User, Vec<u8>, rt::Nullable> = rt::Field::new(&column::AVATAR);
    pub const TENANT: rt::Field<User, String> = rt::Field::new(&column::TENANT);
    pub const HANDLE: rt::Field<User, String> = rt::Field::new(&column::HANDLE);
    pub const BIRTHDAY: rt::Field<User, chrono::DateTime<chrono::Utc>, rt::Nullable> =
        rt::Field::new(&column::BIRTHDAY);
    pub const CREATED_AT: rt::Field<User, chrono::DateTime<chrono::Utc>> =
        rt::Field::new(&column::CREATED_AT);
    pub const UPDATED_AT: rt::Field<User, chrono::DateTime<chrono::Utc>> =
        rt::Field::new(&column::UPDATED_AT);

    /// `@id`.
    pub fn id(id: i32) -> rt::UniqueWhere<User> {
        rt::UniqueWhere::new([ID.set(id)])
    }

    /// `@unique` on `email`.
    pub fn email(email: impl Into<String>) -> rt::UniqueWhere<User> {
        rt::UniqueWhere::new([EMAIL.set(email)])
    }

    /// `@@unique([tenant, handle])`.
    pub fn tenant_handle(
        tenant: impl Into<String>,
        handle: impl Into<String>,
    ) -> rt::UniqueWhere<User> {
        rt::UniqueWhere::new([TENANT.set(tenant), HANDLE.set(handle)])
    }

    /// The required fields of a new `User` (no default, not optional), for `create_many`
    /// and `upsert`; add optional fields with `.push(NAME.set(..))`.
    pub fn data(
        email: impl Into<String>,
        tenant: impl Into<String>,
        handle: impl Into<String>,
    ) -> Vec<rt::Set<User>> {
        vec![EMAIL.set(email), TENANT.set(tenant), HANDLE.set(handle)]
    }

    /// `db.user()`: every runtime operation, plus `create` with the required fields.
    #[derive(Clone, Copy, Debug)]
    pub struct UserActions<'a>(pub(crate) rt::Actions<'a, User>);

    impl<'a> std::ops::Deref for UserActions<'a> {
        type Target = rt::Actions<'a, User>;
        fn deref(&self) -> &Self::Target {
            &self.0
        }
    }

    impl<'a> UserActions<'a> {
        /// Prisma's `create`: a missing required field is a compile error; optional fields
        /// and fields with defaults go through `.set(...)` on the returned builder.
        pub fn create(
            self,
            email: impl Into<String>,
            tenant: impl Into<String>,
            handle: impl Into<String>,
        ) -> rt::Create<'a, User> {
            self.0.create(data(email, tenant, handle))
        }
    }
}

pub mod post {
    use refract_runtime as rt;

    /// `model Post`.
    #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Post {
        pub id: String,
        pub title: String,
        pub views: i32,
        pub published: bool,
        pub author_id: i32,
    }

    pub mod column {
        use refract_runtime::Column;
        pub static ID: Column = Column {
            name: "id",
            field: "id",
            nullable: false,
        };
        pub static TITLE: Column = Column {
            name: "title",
            field: "title",
            nullable: false,
        };
        pub static VIEWS: Column = Column {
            name: "views",
            field: "views",
            nullable: false,
        };
        pub static PUBLISHED: Column = Column {
            name: "published",
            field: "published",
            nullable: false,
        };
        pub static AUTHOR_ID: Column = Column {
            name: "author_id",
            field: "authorId",
            nullable: false,
        };
    }

    pub static META: rt::ModelMeta = rt::ModelMeta {
        name: "Post",
        table: rt::Table {
            schema: Some("blog"),
            name: "posts",
        },
        columns: &[
            &column::ID,
            &column::TITLE,
            &column::VIEWS,
            &column::PUBLISHED,
            &column::AUTHOR_ID,
        ],
        primary_key: &[&column::ID],
        updated_at: &[],
    };

    impl rt::FromRow for Post {
        fn from_row(row: &rt::Row) -> Result<Self, rt::Error> {
            Ok(Post {
                id: rt::decode(row, 0)?,
                title: rt::decode(row, 1)?,
                views: rt::decode(row, 2)?,
                published: rt::decode(row, 3)?,
                author_id: rt::decode(row, 4)?,
            })
        }
    }

    impl rt::Model for Post {
        const META: &'static rt::ModelMeta = &META;
    }

    pub const ID: rt::Field<Post, String> = rt::Field::new(&column::ID);
    pub const TITLE: rt::Field<Post, String> = rt::Field::new(&column::TITLE);
    pub const VIEWS: rt::Field<Post, i32> = rt::Field::new(&column::VIEWS);
    pub const PUBLISHED: rt::Field<Post, bool> = rt::Field::new(&column::PUBLISHED);
    pub const AUTHOR_ID: rt::Field<Post, i32> = rt::Field::new(&column::AUTHOR_ID);

    /// `@id`.
    pub fn id(id: impl Into<String>) -> rt::UniqueWhere<Post> {
        rt::UniqueWhere::new([ID.set(id)])
    }

    /// The required fields of a new `Post`; `id` defaults to `uuid()`, filled in here.
    pub fn data(title: impl Into<String>, author_id: i32) -> Vec<rt::Set<Post>> {
        vec![
            ID.set(rt::ids::uuid_v4()),
            TITLE.set(title),
            AUTHOR_ID.set(author_id),
        ]
    }

    /// `db.post()`.
    #[derive(Clone, Copy, Debug)]
    pub struct PostActions<'a>(pub(crate) rt::Actions<'a, Post>);

    impl<'a> std::ops::Deref for PostActions<'a> {
        type Target = rt::Actions<'a, Post>;
        fn deref(&self) -> &Self::Target {
            &self.0
        }
    }

    impl<'a> PostActions<'a> {
        pub fn create(self, title: impl Into<String>, author_id: i32) -> rt::Create<'a, Post> {
            self.0.create(data(title, author_id))
        }
    }
}

/// The tables the migration engine would create for this schema (Prisma's SQL).
pub const SCHEMA_SQL: &str = r#"
CREATE TYPE "Role" AS ENUM ('ADMIN', 'member');
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" "Role" NOT NULL DEFAULT 'member',
    "profile" JSONB,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "balance" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "score" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "visits" BIGINT NOT NULL DEFAULT 0,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "avatar" BYTEA,
    "tenant" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "birthday" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE UNIQUE INDEX "User_tenant_handle_key" ON "User"("tenant", "handle");
CREATE SCHEMA "blog";
CREATE TABLE "blog"."posts" (
    "id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "views" INTEGER NOT NULL DEFAULT 0,
    "published" BOOLEAN NOT NULL DEFAULT false,
    "author_id" INTEGER NOT NULL,
    CONSTRAINT "posts_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "blog"."posts" ADD CONSTRAINT "posts_author_id_fkey"
    FOREIGN KEY ("author_id") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
"#;
