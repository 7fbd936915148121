//! What the source says and the IR does not keep, for the few consumers that write a schema
//! back (`db pull`): which `@map`/`@@map` and relation names are written (the IR holds a
//! mapped name equal to the name, or a default relation name, the same as an unwritten one),
//! the file each model and enum is written in, and the generator and datasource blocks as
//! written, and the files' names. Read from the AST once, beside resolution ([`crate::validate`]), and indexed like
//! the IR: [`SourceFacts::model`] by [`ir::ModelId`], [`SourceFacts::enm`] by [`ir::EnumId`].

use rustc_hash::FxHashMap;

use crate::ast::{self, SchemaAst, Top};
use crate::ir;
use crate::source::{FileId, SourceFiles};

/// The side table of one schema: see the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceFacts {
    /// The name of each file, by [`FileId`].
    pub file_names: Vec<String>,
    /// By [`ir::ModelId`]; `None` for a model no block declares (never for a resolved one).
    models: Vec<Option<BlockFacts>>,
    /// By [`ir::EnumId`].
    enums: Vec<Option<BlockFacts>>,
    /// Every generator and datasource block, in source order.
    pub config_blocks: Vec<ConfigBlockText>,
}

/// What a model or enum block writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockFacts {
    /// The file the block is written in.
    pub file: FileId,
    /// Whether the block writes `@@map`.
    pub writes_map: bool,
    /// Fields (or enum values) written with `@map`, by name.
    pub mapped_members: Vec<String>,
    /// Relation fields whose `@relation` is given a name (`@relation("X")` or `name: "X"`).
    pub named_relation_fields: Vec<String>,
}

/// Which kind of configuration block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigBlockKind {
    Generator,
    Datasource,
}

/// A generator or datasource block as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigBlockText {
    pub kind: ConfigBlockKind,
    pub file: FileId,
    /// From the keyword through the closing brace, trailing blanks removed.
    pub text: String,
}

impl SourceFacts {
    /// Reads the facts of `ast` (parsed from `files`) for the resolved `schema`: each IR
    /// model and enum is matched to the block of its name.
    pub fn read(ast: &SchemaAst, files: &SourceFiles, schema: &ir::Schema) -> SourceFacts {
        let mut models: FxHashMap<&str, BlockFacts> = FxHashMap::default();
        let mut enums: FxHashMap<&str, BlockFacts> = FxHashMap::default();
        let mut config_blocks = Vec::new();
        for top in &ast.tops {
            match top {
                Top::Model(model) if model.kind != ast::ModelKind::CompositeType => {
                    models
                        .entry(model.name.name.as_str())
                        .or_insert_with(|| model_facts(model));
                }
                Top::Enum(enm) => {
                    enums
                        .entry(enm.name.name.as_str())
                        .or_insert_with(|| enum_facts(enm));
                }
                Top::Generator(block) | Top::Datasource(block) => {
                    config_blocks.push(ConfigBlockText {
                        kind: if matches!(top, Top::Generator(_)) {
                            ConfigBlockKind::Generator
                        } else {
                            ConfigBlockKind::Datasource
                        },
                        file: block.span.file,
                        text: files.slice(block.span).trim_end().to_owned(),
                    });
                }
                _ => {}
            }
        }
        SourceFacts {
            file_names: files.files.iter().map(|f| f.name.clone()).collect(),
            models: schema
                .models
                .iter()
                .map(|m| models.remove(m.name.as_str()))
                .collect(),
            enums: schema
                .enums
                .iter()
                .map(|e| enums.remove(e.name.as_str()))
                .collect(),
            config_blocks,
        }
    }

    /// The block of model `id`.
    pub fn model(&self, id: ir::ModelId) -> Option<&BlockFacts> {
        self.models.get(id.0 as usize)?.as_ref()
    }

    /// The block of enum `id`.
    pub fn enm(&self, id: ir::EnumId) -> Option<&BlockFacts> {
        self.enums.get(id.0 as usize)?.as_ref()
    }

    /// The file of the first datasource block.
    pub fn datasource_file(&self) -> Option<FileId> {
        self.config_blocks
            .iter()
            .find(|b| b.kind == ConfigBlockKind::Datasource)
            .map(|b| b.file)
    }

    /// The files holding models or enums, in the order of the IR's models then enums,
    /// without repeats.
    pub fn files_with_models(&self) -> Vec<FileId> {
        let mut files: Vec<FileId> = Vec::new();
        for block in self.models.iter().chain(&self.enums).flatten() {
            if !files.contains(&block.file) {
                files.push(block.file);
            }
        }
        files
    }
}

impl BlockFacts {
    /// Whether field or enum value `name` is written with `@map`.
    pub fn maps_member(&self, name: &str) -> bool {
        self.mapped_members.iter().any(|m| m == name)
    }

    /// Whether relation field `name` writes its relation's name.
    pub fn names_relation(&self, name: &str) -> bool {
        self.named_relation_fields.iter().any(|m| m == name)
    }
}

fn writes_map(attributes: &[ast::Attribute]) -> bool {
    attributes.iter().any(|a| a.name.name == "map")
}

fn model_facts(model: &ast::Model) -> BlockFacts {
    let names_relation = |a: &ast::Attribute| {
        a.name.name == "relation"
            && a.arguments.items.iter().any(|arg| {
                matches!(arg.value, ast::Expression::String(..))
                    && arg.name.as_ref().is_none_or(|n| n.name == "name")
            })
    };
    BlockFacts {
        file: model.span.file,
        writes_map: writes_map(&model.attributes),
        mapped_members: model
            .fields
            .iter()
            .filter(|f| writes_map(&f.attributes))
            .map(|f| f.name.name.to_string())
            .collect(),
        named_relation_fields: model
            .fields
            .iter()
            .filter(|f| f.attributes.iter().any(names_relation))
            .map(|f| f.name.name.to_string())
            .collect(),
    }
}

fn enum_facts(enm: &ast::Enum) -> BlockFacts {
    BlockFacts {
        file: enm.span.file,
        writes_map: writes_map(&enm.attributes),
        mapped_members: enm
            .values
            .iter()
            .filter(|v| writes_map(&v.attributes))
            .map(|v| v.name.name.to_string())
            .collect(),
        named_relation_fields: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_maps_relation_names_files_and_config_blocks_are_kept() {
        let files = SourceFiles {
            files: vec![
                crate::SourceFile::new(
                    "a.prisma",
                    "generator client {\n  provider = \"x\"\n}  \n\ndatasource db {\n  provider = \"postgresql\"\n  url = env(\"U\")\n}\n\nmodel User {\n  id    Int    @id @map(\"id\")\n  posts Post[] @relation(\"UserToPost\")\n\n  @@map(\"User\")\n}\n",
                ),
                crate::SourceFile::new(
                    "b.prisma",
                    "model Post {\n  id     Int  @id\n  userId Int\n  user   User @relation(\"UserToPost\", fields: [userId], references: [id])\n}\n\nenum Role {\n  A @map(\"a\")\n  B\n}\n",
                ),
            ],
        };
        let validated = crate::validate(&files);
        assert!(validated.is_valid(), "{:?}", validated.diagnostics);
        let facts = &validated.source_facts;
        let user = facts.model(ir::ModelId(0)).unwrap();
        assert_eq!(user.file, FileId(0));
        assert!(user.writes_map && user.maps_member("id") && !user.maps_member("posts"));
        assert!(user.names_relation("posts"));
        let post = facts.model(ir::ModelId(1)).unwrap();
        assert_eq!(post.file, FileId(1));
        assert!(!post.writes_map && post.names_relation("user"));
        let role = facts.enm(ir::EnumId(0)).unwrap();
        assert!(role.maps_member("A") && !role.maps_member("B") && !role.writes_map);
        assert_eq!(facts.datasource_file(), Some(FileId(0)));
        assert_eq!(facts.files_with_models(), vec![FileId(0), FileId(1)]);
        let kinds: Vec<_> = facts.config_blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [ConfigBlockKind::Generator, ConfigBlockKind::Datasource]
        );
        assert_eq!(
            facts.config_blocks[0].text,
            "generator client {\n  provider = \"x\"\n}"
        );
    }
}
