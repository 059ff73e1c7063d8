//! The account-change forms, generated from the API's own schema of each change (the OpenAPI
//! document the handlers are built from): one form per kind, a control per field with its
//! description as the hint, dates as date pickers, closed lists as selects. What the officer
//! enters is sent back as the same JSON the API takes, so every check and message is the API's.
//!
//! A form's controls are named `change.<kind>.<field>` (nested objects `…<field>.<inner>`); the
//! kinds to apply are the checked `apply` boxes.

use std::collections::BTreeMap;

use anyhow::Context;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::openapi::{RefOr, schema::Schema};

/// Where a schema's declared field order is kept beside its (sorted) JSON.
const ORDER: &str = "x-postroom-order";

/// One control.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// `change.<kind>.<path>`.
    pub name: String,
    /// The path inside the change, dotted.
    pub path: String,
    pub label: String,
    pub hint: Option<String>,
    /// `text`, `long`, `date`, `number`, `boolean`, `choice` or `lines`.
    pub input: &'static str,
    pub options: Vec<String>,
    pub required: bool,
}

/// The form of one kind of change.
#[derive(Debug, Clone, Serialize)]
pub struct Form {
    pub kind: String,
    pub title: String,
    pub hint: Option<String>,
    pub fields: Vec<Field>,
}

/// Every change kind's form.
#[derive(Debug)]
pub struct ChangeForms {
    forms: BTreeMap<String, Form>,
}

impl ChangeForms {
    /// Reads the `Change` schema of the API's OpenAPI document.
    ///
    /// # Errors
    /// When the document has no `Change` schema or a variant without a `kind`.
    pub fn from_openapi(openapi: &utoipa::openapi::OpenApi) -> anyhow::Result<Self> {
        let doc = serde_json::to_value(openapi).context("the OpenAPI document")?;
        let mut schemas = doc.pointer("/components/schemas").cloned().unwrap_or(Value::Null);
        // JSON objects here are sorted by key: keep each schema's fields in the order declared.
        if let Some(map) = schemas.as_object_mut() {
            for (name, schema) in openapi.components.iter().flat_map(|c| c.schemas.iter()) {
                if let (Some(json), RefOr::T(Schema::Object(object))) = (map.get_mut(name), schema) {
                    let order: Vec<Value> = object.properties.keys().map(|k| Value::String(k.clone())).collect();
                    json[ORDER] = Value::Array(order);
                }
            }
        }
        let change = schemas.get("Change").context("the OpenAPI document has no Change schema")?;
        let variants = change.get("oneOf").and_then(Value::as_array).context("Change is not a oneOf")?;
        let mut forms = BTreeMap::new();
        for variant in variants {
            let object = flatten(variant, &schemas);
            let kind = object
                .properties
                .iter()
                .find(|(name, _)| name == "kind")
                .and_then(|(_, s)| {
                    s.get("enum").and_then(Value::as_array).and_then(|e| e.first()).and_then(Value::as_str)
                })
                .context("a Change variant has no kind")?
                .to_owned();
            let mut fields = Vec::new();
            for (name, schema) in &object.properties {
                if name != "kind" {
                    push_fields(&mut fields, &kind, name, schema, object.required.contains(name), &schemas, 0);
                }
            }
            let title = crate::pages::humanise_str(&kind);
            forms.insert(kind.clone(), Form { kind, title, hint: object.description, fields });
        }
        Ok(Self { forms })
    }

    /// The form of `kind`, as the templates take it.
    pub fn form(&self, kind: &str) -> Option<Value> {
        self.forms.get(kind).and_then(|f| serde_json::to_value(f).ok())
    }

    /// The changes a posted completion form asks for, in the order their `apply` boxes came,
    /// with the kind of each.
    pub fn changes_from(&self, posted: &[(String, String)]) -> (Vec<Value>, Vec<String>) {
        let mut changes = Vec::new();
        let mut kinds = Vec::new();
        for (_, kind) in posted.iter().filter(|(k, _)| k == "apply") {
            let Some(form) = self.forms.get(kind) else { continue };
            let mut object = Map::new();
            object.insert("kind".to_owned(), Value::String(kind.clone()));
            for field in &form.fields {
                let raw = posted.iter().find(|(k, _)| *k == field.name).map(|(_, v)| v.trim());
                if let Some(value) = raw.filter(|v| !v.is_empty()).map(|v| typed(field, v)) {
                    insert_path(&mut object, &field.path, value);
                }
            }
            changes.push(Value::Object(object));
            kinds.push(kind.clone());
        }
        (changes, kinds)
    }
}

/// A control's text as the JSON the schema wants (left as text when it does not parse, so the
/// API names the field and what it wanted).
fn typed(field: &Field, v: &str) -> Value {
    match field.input {
        "number" => v.parse::<i64>().map_or_else(|_| Value::String(v.to_owned()), Value::from),
        "boolean" => Value::Bool(matches!(v, "true" | "on" | "yes")),
        "lines" => Value::Array(
            v.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| Value::String(l.to_owned())).collect(),
        ),
        _ => Value::String(v.to_owned()),
    }
}

fn insert_path(object: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            object.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let inner = object.entry(head.to_owned()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = inner {
                insert_path(inner, rest, value);
            }
        }
    }
}

/// The API's field errors (`changes[1].last_day`, `outcome`, `reply.template`) as the names of
/// the form's controls, so each message shows beside its control; the rest keep their name.
pub fn place_errors(errors: &[(String, String)], kinds: &[String]) -> Vec<(String, String)> {
    errors
        .iter()
        .map(|(field, message)| {
            let placed = field
                .strip_prefix("changes[")
                .and_then(|rest| rest.split_once(']'))
                .and_then(|(index, rest)| {
                    let kind = kinds.get(index.parse::<usize>().ok()?)?;
                    let path = rest.trim_start_matches(['.', '/']).replace('/', ".");
                    Some(if path.is_empty() { format!("apply.{kind}") } else { format!("change.{kind}.{path}") })
                })
                .unwrap_or_else(|| field.clone());
            (placed, message.clone())
        })
        .collect()
}

/// An object schema with its `allOf` parts and `$ref`s merged.
#[derive(Default)]
struct Object {
    properties: Vec<(String, Value)>,
    required: Vec<String>,
    description: Option<String>,
}

fn resolve<'a>(schema: &'a Value, schemas: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => schemas.get(name).map_or(schema, |s| resolve(s, schemas)),
        None => schema,
    }
}

fn flatten(schema: &Value, schemas: &Value) -> Object {
    let schema = resolve(schema, schemas);
    let mut object = Object {
        description: schema.get("description").and_then(Value::as_str).map(str::to_owned),
        ..Object::default()
    };
    for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        let inner = flatten(part, schemas);
        object.properties.extend(inner.properties);
        object.required.extend(inner.required);
        object.description = object.description.or(inner.description);
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let mut ordered: Vec<(String, Value)> = props.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        if let Some(order) = schema.get(ORDER).and_then(Value::as_array) {
            ordered.sort_by_key(|(k, _)| order.iter().position(|o| o.as_str() == Some(k)).unwrap_or(usize::MAX));
        }
        object.properties.extend(ordered);
    }
    if let Some(req) = schema.get("required").and_then(Value::as_array) {
        object.required.extend(req.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    object
}

/// The schema without its `null` alternative (`oneOf: [null, X]`, `type: [X, "null"]`).
fn non_null<'a>(schema: &'a Value, schemas: &'a Value) -> &'a Value {
    let schema = resolve(schema, schemas);
    if let Some(options) = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array) {
        let real: Vec<&Value> =
            options.iter().filter(|o| o.get("type").and_then(Value::as_str) != Some("null")).collect();
        if let [only] = real.as_slice() {
            return non_null(only, schemas);
        }
    }
    schema
}

fn kind_of(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn push_fields(
    out: &mut Vec<Field>,
    kind: &str,
    path: &str,
    schema: &Value,
    required: bool,
    schemas: &Value,
    depth: u8,
) {
    let description = resolve(schema, schemas).get("description").and_then(Value::as_str).map(str::to_owned);
    let schema = non_null(schema, schemas);
    let hint = description.or_else(|| schema.get("description").and_then(Value::as_str).map(str::to_owned));
    let options: Vec<String> = schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|e| e.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let last = path.rsplit('.').next().unwrap_or(path);
    let input = match kind_of(schema) {
        _ if !options.is_empty() => "choice",
        Some("object") if depth < 2 => {
            let inner = flatten(schema, schemas);
            for (name, s) in &inner.properties {
                let nested = format!("{path}.{name}");
                push_fields(out, kind, &nested, s, required && inner.required.contains(name), schemas, depth + 1);
            }
            return;
        }
        Some("integer" | "number") => "number",
        Some("boolean") => "boolean",
        Some("array") => "lines",
        Some("string") if schema.get("format").and_then(Value::as_str) == Some("date") => "date",
        _ if ["reason", "note", "notes", "text", "details", "forwarding_address", "postal_address", "address"]
            .contains(&last) =>
        {
            "long"
        }
        _ => "text",
    };
    out.push(Field {
        name: format!("change.{kind}.{path}"),
        path: path.to_owned(),
        label: crate::pages::humanise_str(last),
        hint,
        input,
        options,
        required,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms() -> ChangeForms {
        ChangeForms::from_openapi(&postroom_api::openapi()).unwrap()
    }

    #[test]
    fn every_change_kind_has_a_form_with_its_fields() {
        let forms = forms();
        for kind in postroom_domain::ChangeKind::ALL {
            assert!(forms.form(kind.as_str()).is_some(), "no form for {kind}");
        }
        let move_out = forms.forms.get("move_out").unwrap();
        let names: Vec<&str> = move_out.fields.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(names, ["account", "name", "last_day", "forwarding_address"]);
        let last_day = &move_out.fields[2];
        assert_eq!((last_day.input, last_day.required), ("date", true));
        assert_eq!(move_out.fields[3].input, "long");
    }

    #[test]
    fn a_posted_form_becomes_the_changes_the_api_takes() {
        let forms = forms();
        let posted: Vec<(String, String)> = [
            ("apply", "move_out"),
            ("change.move_out.account", "5001234567"),
            ("change.move_out.name", "Ann Smith"),
            ("change.move_out.last_day", "2026-11-30"),
            ("change.move_out.forwarding_address", "1 New Road\nLeeds LS1 1AA"),
            ("change.note.text", "not applied: its box is not ticked"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let (changes, kinds) = forms.changes_from(&posted);
        assert_eq!(kinds, ["move_out"]);
        assert_eq!(
            changes,
            [serde_json::json!({"kind": "move_out", "account": "5001234567", "name": "Ann Smith",
                "last_day": "2026-11-30", "forwarding_address": "1 New Road\nLeeds LS1 1AA"})]
        );
    }

    #[test]
    fn the_apis_messages_land_beside_their_controls() {
        let placed = place_errors(
            &[("changes[0].last_day".into(), "not a date".into()), ("outcome".into(), "required".into())],
            &["move_out".into()],
        );
        assert_eq!(placed[0], ("change.move_out.last_day".to_owned(), "not a date".to_owned()));
        assert_eq!(placed[1].0, "outcome");
    }
}
