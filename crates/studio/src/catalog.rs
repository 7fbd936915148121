//! The studio's view of the IR: which models it shows, how each field's values travel
//! (its [`Shape`]), how rows are identified, and the JSON description the page is built from.
//!
//! Everything the page knows about the schema comes from [`Catalog::describe`]; everything the
//! requests need comes from the lookups here and the runtime's description of each model
//! ([`crate::meta`]). Models and fields marked `@@ignore`/`@ignore` are left out, as
//! Prisma's client leaves them out.

use refract_schema::ir::{
    self, Arity, DefaultKind, FieldId, FieldRef, FieldType, Literal, Model, ModelId, RelationKind,
    ScalarField, ScalarType,
};
use serde_json::{Value as Json, json};

use crate::error::ApiError;
use crate::meta::{Described, Metas, Relations};

/// How a field's values are read, written and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Text columns (`TEXT`, `VARCHAR`, `uuid`, `citext`...), bound as text.
    Text,
    Int,
    /// Sent to the page as a string: JavaScript numbers lose 64-bit precision.
    BigInt,
    Float,
    Bool,
    DateTime,
    Json,
    /// Sent to the page as hex.
    Bytes,
    Enum(ir::EnumId),
    /// A type only PostgreSQL can parse (`numeric`, `inet`, `money`, `xml`...): read as text,
    /// written as text that the server parses (the runtime binds text to such a column in
    /// PostgreSQL's text format).
    Cast(&'static str),
    /// `Unsupported("...")`: shown as text, never written or compared.
    ReadOnly,
}

impl Shape {
    pub fn of(field: &ScalarField) -> Shape {
        let native = field.native_type.as_ref().map(|n| n.name.as_str());
        match &field.field_type {
            FieldType::Enum(id) => Shape::Enum(*id),
            FieldType::Unsupported(_) => Shape::ReadOnly,
            FieldType::Scalar(scalar) => match (scalar, native) {
                (ScalarType::String, Some("Inet")) => Shape::Cast("inet"),
                (ScalarType::String, Some("Xml")) => Shape::Cast("xml"),
                (ScalarType::String, Some("Bit" | "VarBit")) => Shape::Cast("varbit"),
                (ScalarType::String, _) => Shape::Text,
                (ScalarType::Boolean, _) => Shape::Bool,
                (ScalarType::Int, _) => Shape::Int,
                (ScalarType::BigInt, _) => Shape::BigInt,
                (ScalarType::Float, _) => Shape::Float,
                (ScalarType::Decimal, Some("Money")) => Shape::Cast("money"),
                (ScalarType::Decimal, _) => Shape::Cast("numeric"),
                (ScalarType::DateTime, Some("Timetz")) => Shape::Cast("timetz"),
                (ScalarType::DateTime, _) => Shape::DateTime,
                (ScalarType::Json, _) => Shape::Json,
                (ScalarType::Bytes, _) => Shape::Bytes,
            },
        }
    }

    /// Values of this shape can be ordered with `<` and `>` in a way users expect.
    pub fn is_ordered(self) -> bool {
        matches!(
            self,
            Shape::Int | Shape::BigInt | Shape::Float | Shape::DateTime | Shape::Cast("numeric")
        )
    }
}

/// The schema as the studio serves it, and the runtime's description of its models.
#[derive(Debug)]
pub struct Catalog {
    schema: ir::Schema,
    metas: Metas,
}

impl Catalog {
    pub fn new(schema: ir::Schema) -> Catalog {
        let mut catalog = Catalog {
            schema,
            metas: Metas::default(),
        };
        let shown: Vec<(ModelId, &Model)> = catalog.models().collect();
        let metas = Metas::build(&catalog.schema, &shown, |model| {
            catalog
                .row_key(model)
                .map(|fields| fields.iter().map(|f| f.field).collect())
        });
        catalog.metas = metas;
        catalog
    }

    /// The runtime's description of a shown model.
    pub fn described(&self, id: ModelId) -> Result<&Described, ApiError> {
        self.metas.model(id).ok_or_else(|| {
            ApiError::not_found(format!(
                "there is no model `{}`",
                self.schema.model(id).name
            ))
        })
    }

    /// The runtime's description of a relation field (both directions), if it can follow it.
    pub fn relation(&self, field: ir::RelationFieldRef) -> Option<Relations> {
        self.metas.relation(field)
    }

    pub fn schema(&self) -> &ir::Schema {
        &self.schema
    }

    /// The models the studio shows, in declaration order.
    pub fn models(&self) -> impl Iterator<Item = (ModelId, &Model)> {
        self.schema
            .model_ids()
            .map(|id| (id, self.schema.model(id)))
            .filter(|(_, model)| !model.is_ignored)
    }

    /// A shown model by its Prisma name.
    pub fn model(&self, name: &str) -> Result<(ModelId, &Model), ApiError> {
        self.models()
            .find(|(_, model)| model.name == name)
            .ok_or_else(|| ApiError::not_found(format!("there is no model `{name}`")))
    }

    /// The scalar fields the studio shows, in declaration order.
    pub fn fields<'m>(&self, model: &'m Model) -> impl Iterator<Item = (FieldId, &'m ScalarField)> {
        model
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (FieldId(i as u32), f))
            .filter(|(_, f)| !f.is_ignored)
    }

    /// A shown scalar field by its Prisma name.
    pub fn field<'m>(
        &self,
        model: &'m Model,
        name: &str,
    ) -> Result<(FieldId, &'m ScalarField), ApiError> {
        self.fields(model)
            .find(|(_, f)| f.name == name)
            .ok_or_else(|| {
                ApiError::invalid(format!("model `{}` has no field `{name}`", model.name))
            })
    }

    /// The fields that identify one row: the primary key, else the first unique index whose
    /// fields are all required. `None`: rows cannot be told apart, so the model is read-only.
    pub fn row_key<'m>(&self, model: &'m Model) -> Option<&'m [ir::IndexField]> {
        model.unique_criteria().find(|fields| {
            fields.iter().all(|f| {
                let field = model.field(f.field);
                field.arity == Arity::Required && !field.is_ignored
            })
        })
    }

    /// Whether rows of the model can be created, edited and deleted here.
    pub fn is_editable(&self, model: &Model) -> bool {
        !model.is_view() && self.row_key(model).is_some()
    }

    /// The field of `model` stored in column `column`, for error messages.
    pub fn field_of_column<'m>(&self, model: &'m Model, column: &'m str) -> &'m str {
        model
            .fields
            .iter()
            .find(|f| f.db_name == column)
            .map_or(column, |f| f.name.as_str())
    }

    /// Whether a create must be given a value for the field: required, no default of any
    /// kind, not filled in by `@updatedAt`, not a list (lists default to empty).
    pub fn is_required_on_create(field: &ScalarField) -> bool {
        field.arity == Arity::Required
            && field.default.is_none()
            && !field.is_updated_at
            && !matches!(field.field_type, FieldType::Unsupported(_))
    }

    /// The description of every shown model and enum the page renders from.
    pub fn describe(&self) -> Json {
        let models: Vec<Json> = self.models().map(|(_, m)| self.describe_model(m)).collect();
        let enums: serde_json::Map<String, Json> = self
            .schema
            .enums
            .iter()
            .map(|e| {
                let values: Vec<Json> = e
                    .values
                    .iter()
                    .map(|v| json!({ "name": v.name, "dbName": v.db_name }))
                    .collect();
                (e.name.clone(), Json::Array(values))
            })
            .collect();
        json!({ "models": models, "enums": enums })
    }

    fn describe_model(&self, model: &Model) -> Json {
        let key: Vec<&str> = self
            .row_key(model)
            .map(|fields| {
                fields
                    .iter()
                    .map(|f| model.field(f.field).name.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let mut fields = Vec::new();
        for field_ref in &model.field_order {
            match *field_ref {
                FieldRef::Scalar(id) => {
                    let field = model.field(id);
                    if !field.is_ignored {
                        fields.push(self.describe_scalar(field));
                    }
                }
                FieldRef::Relation(index) => {
                    let relation_field = &model.relation_fields[index];
                    let related = self.schema.model(relation_field.related_model);
                    if relation_field.is_ignored || related.is_ignored {
                        continue;
                    }
                    let relation = self.schema.relation(relation_field.relation);
                    fields.push(json!({
                        "name": relation_field.name,
                        "kind": "relation",
                        "model": related.name,
                        "list": relation_field.arity == Arity::List,
                        "nullable": relation_field.arity == Arity::Optional,
                        "fields": relation_field.fields.iter().map(|f| model.field(*f).name.as_str()).collect::<Vec<_>>(),
                        "references": relation_field.references.iter().map(|f| related.field(*f).name.as_str()).collect::<Vec<_>>(),
                        "relationKind": match relation.kind {
                            RelationKind::OneToOne => "oneToOne",
                            RelationKind::OneToMany => "oneToMany",
                            RelationKind::ManyToMany => "manyToMany",
                        },
                    }));
                }
            }
        }
        json!({
            "name": model.name,
            "dbName": model.db_name,
            "isView": model.is_view(),
            "editable": self.is_editable(model),
            "key": key,
            "fields": fields,
        })
    }

    fn describe_scalar(&self, field: &ScalarField) -> Json {
        let shape = Shape::of(field);
        let type_name = match &field.field_type {
            FieldType::Scalar(scalar) => scalar.name().to_owned(),
            FieldType::Enum(id) => self.schema.enum_(*id).name.clone(),
            FieldType::Unsupported(text) => format!("Unsupported({text:?})"),
        };
        let input = match shape {
            Shape::Cast("numeric") | Shape::Cast("money") => "decimal",
            Shape::Text | Shape::Cast(_) => "text",
            Shape::Int => "int",
            Shape::BigInt => "bigint",
            Shape::Float => "float",
            Shape::Bool => "boolean",
            Shape::DateTime => "datetime",
            Shape::Json => "json",
            Shape::Bytes => "bytes",
            Shape::Enum(_) => "enum",
            Shape::ReadOnly => "readonly",
        };
        let list = field.arity == Arity::List;
        json!({
            "name": field.name,
            "kind": "scalar",
            "type": type_name,
            "input": if list && shape != Shape::ReadOnly { "list" } else { input },
            "itemInput": input,
            "list": list,
            "nullable": field.arity == Arity::Optional,
            "native": field.native_type.as_ref().map(|n| n.name.as_str()),
            "requiredOnCreate": Catalog::is_required_on_create(field),
            "default": field.default.as_ref().map(|d| describe_default(&d.kind)),
            "defaultValue": field.default.as_ref().and_then(|d| self.default_value(&d.kind, field)),
            "updatedAt": field.is_updated_at,
            "readOnly": shape == Shape::ReadOnly,
            "enum": match &field.field_type {
                FieldType::Enum(id) => Some(self.schema.enum_(*id).name.as_str()),
                _ => None,
            },
            "sortable": !list && shape != Shape::Json && shape != Shape::ReadOnly,
            "ordered": !list && shape.is_ordered(),
        })
    }

    /// A literal default in the form the page sends values (enum values by database name).
    fn default_value(&self, kind: &DefaultKind, field: &ScalarField) -> Option<Json> {
        let DefaultKind::Value(literal) = kind else {
            return None;
        };
        Some(self.literal_json(literal, field))
    }

    fn literal_json(&self, literal: &Literal, field: &ScalarField) -> Json {
        match literal {
            Literal::String(s) => Json::String(s.clone()),
            Literal::Number(n) => match Shape::of(field) {
                Shape::Int | Shape::Float => serde_json::from_str(n).unwrap_or(Json::Null),
                _ => Json::String(n.clone()),
            },
            Literal::Boolean(b) => Json::Bool(*b),
            Literal::EnumValue(name) => {
                let db_name = match &field.field_type {
                    FieldType::Enum(id) => self
                        .schema
                        .enum_(*id)
                        .values
                        .iter()
                        .find(|v| &v.name == name)
                        .map_or(name.as_str(), |v| v.db_name.as_str()),
                    _ => name.as_str(),
                };
                Json::String(db_name.to_owned())
            }
            Literal::List(items) => {
                Json::Array(items.iter().map(|i| self.literal_json(i, field)).collect())
            }
        }
    }
}

/// A default as Prisma writes it, for the add-row form.
fn describe_default(kind: &DefaultKind) -> String {
    match kind {
        DefaultKind::Value(literal) => describe_literal(literal),
        DefaultKind::Autoincrement => "autoincrement()".into(),
        DefaultKind::Sequence => "sequence()".into(),
        DefaultKind::Now => "now()".into(),
        DefaultKind::DbGenerated(Some(expr)) => format!("dbgenerated({expr:?})"),
        DefaultKind::DbGenerated(None) => "dbgenerated()".into(),
        DefaultKind::Uuid(4) => "uuid()".into(),
        DefaultKind::Uuid(version) => format!("uuid({version})"),
        DefaultKind::Cuid(1) => "cuid()".into(),
        DefaultKind::Cuid(version) => format!("cuid({version})"),
        DefaultKind::Nanoid(None) => "nanoid()".into(),
        DefaultKind::Nanoid(Some(size)) => format!("nanoid({size})"),
        DefaultKind::Ulid => "ulid()".into(),
        DefaultKind::Auto => "auto()".into(),
    }
}

fn describe_literal(literal: &Literal) -> String {
    match literal {
        Literal::String(s) => format!("{s:?}"),
        Literal::Number(n) => n.clone(),
        Literal::Boolean(b) => b.to_string(),
        Literal::EnumValue(name) => name.clone(),
        Literal::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(describe_literal)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(text: &str) -> Catalog {
        let validated = crate::test_schema(text);
        assert!(validated.is_valid(), "{:?}", validated.diagnostics);
        Catalog::new(validated.schema)
    }

    #[test]
    fn shapes_follow_types_and_native_types() {
        let catalog = catalog(
            r#"
            datasource db {
            provider = "postgresql"
            }
            enum Role {
            A
            B
            }
            model T {
              id    Int      @id
              s     String
              u     String   @db.Uuid
              ip    String   @db.Inet
              d     Decimal
              m     Decimal  @db.Money
              b     BigInt
              t     DateTime
              tz    DateTime @db.Timetz
              j     Json
              y     Bytes
              r     Role
              x     Unsupported("circle")?
            }
            "#,
        );
        let (_, model) = catalog.model("T").unwrap();
        let shapes: Vec<(String, Shape)> = catalog
            .fields(model)
            .map(|(_, f)| (f.name.clone(), Shape::of(f)))
            .collect();
        let expected = [
            ("id", Shape::Int),
            ("s", Shape::Text),
            ("u", Shape::Text),
            ("ip", Shape::Cast("inet")),
            ("d", Shape::Cast("numeric")),
            ("m", Shape::Cast("money")),
            ("b", Shape::BigInt),
            ("t", Shape::DateTime),
            ("tz", Shape::Cast("timetz")),
            ("j", Shape::Json),
            ("y", Shape::Bytes),
            ("r", Shape::Enum(ir::EnumId(0))),
            ("x", Shape::ReadOnly),
        ];
        let expected: Vec<(String, Shape)> =
            expected.iter().map(|(n, s)| (n.to_string(), *s)).collect();
        assert_eq!(shapes, expected);
    }

    #[test]
    fn describes_defaults_keys_and_relations() {
        let catalog = catalog(
            r#"
            generator client {
            provider        = "refract"
            previewFeatures = ["views"]
            }
            datasource db {
            provider = "postgresql"
            }
            enum Role {
            ADMIN @map("admin")
            VIEWER
            }
            model User {
              id    String @id @default(cuid())
              email String @unique
              role  Role   @default(ADMIN)
              n     Int    @default(3)
              posts Post[]
            }
            model Post {
              id       Int  @id @default(autoincrement())
              authorId String
              author   User @relation(fields: [authorId], references: [id])
            }
            view V {
              x Int
            }
            "#,
        );
        let description = catalog.describe();
        let user = &description["models"][0];
        assert_eq!(user["key"], json!(["id"]));
        assert_eq!(user["editable"], json!(true));
        let fields = user["fields"].as_array().unwrap();
        assert_eq!(fields[0]["default"], json!("cuid()"));
        assert_eq!(fields[0]["requiredOnCreate"], json!(false));
        assert_eq!(fields[1]["requiredOnCreate"], json!(true));
        assert_eq!(fields[2]["default"], json!("ADMIN"));
        assert_eq!(fields[2]["defaultValue"], json!("admin"));
        assert_eq!(fields[3]["defaultValue"], json!(3));
        assert_eq!(fields[4]["kind"], json!("relation"));
        assert_eq!(fields[4]["list"], json!(true));
        let post = &description["models"][1];
        assert_eq!(post["fields"][2]["fields"], json!(["authorId"]));
        assert_eq!(post["fields"][2]["references"], json!(["id"]));
        let view = &description["models"][2];
        assert_eq!(view["editable"], json!(false));
        assert_eq!(
            description["enums"]["Role"][0],
            json!({"name": "ADMIN", "dbName": "admin"})
        );
    }
}
