//! Moving a county from the embedded SQLite database to PostgreSQL (`anlan migrate`).
//!
//! Every table is copied as it is — ids, feed sequence numbers, the epoch in `meta` — so phones
//! notice nothing: their cursors and epoch stay valid. The tables and columns are read from the
//! two live schemas (both migrated by this binary), never listed here, so a table added by a
//! future migration is copied without anyone remembering to. Each table's content is hashed on
//! both sides, independently of row order, and the copy counts only if every hash matches.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgArguments, PgConnection, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteRow};
use sqlx::{Arguments, Connection, Row, TypeInfo, ValueRef};

use super::{Result, StoreError};

/// One copied table: rows and the hash both databases agree on.
#[derive(Debug, Clone)]
pub struct TableCopy {
    pub table: String,
    pub rows: u64,
    pub sha256: String,
}

/// A column's type, as PostgreSQL declares it; SQLite values must fit it exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Int8,
    Int4,
    Real,
    Text,
    Bytes,
}

impl Kind {
    fn of(pg_type: &str) -> Option<Kind> {
        Some(match pg_type {
            "bigint" => Kind::Int8,
            "integer" | "smallint" => Kind::Int4,
            "double precision" | "real" => Kind::Real,
            "text" | "character varying" => Kind::Text,
            "bytea" => Kind::Bytes,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Value {
    fn size(&self) -> usize {
        match self {
            Value::Text(s) => s.len(),
            Value::Bytes(b) => b.len(),
            _ => 8,
        }
    }

    /// An unambiguous encoding for the row hash: a tag, then a length where one is needed.
    fn feed(&self, h: &mut Sha256) {
        match self {
            Value::Null => h.update([0]),
            Value::Int(i) => {
                h.update([1]);
                h.update(i.to_be_bytes());
            }
            Value::Real(f) => {
                h.update([2]);
                h.update(f.to_bits().to_be_bytes());
            }
            Value::Text(s) => {
                h.update([3]);
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
            Value::Bytes(b) => {
                h.update([4]);
                h.update((b.len() as u64).to_be_bytes());
                h.update(b);
            }
        }
    }
}

struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
    /// The column PostgreSQL numbers from a sequence (BIGSERIAL or an identity column), if any.
    serial: Option<String>,
}

/// A table's hash: the rows' hashes, sorted (so row order does not matter), hashed again.
#[derive(Default)]
struct TableHash {
    rows: Vec<[u8; 32]>,
}

impl TableHash {
    fn add(&mut self, row: &[Value]) {
        let mut h = Sha256::new();
        for v in row {
            v.feed(&mut h);
        }
        self.rows.push(h.finalize().into());
    }

    fn finish(mut self) -> (u64, String) {
        self.rows.sort_unstable();
        let mut h = Sha256::new();
        for r in &self.rows {
            h.update(r);
        }
        (self.rows.len() as u64, hex::encode(h.finalize()))
    }
}

/// Rows per INSERT are bounded by PostgreSQL's 65 535 parameters and by memory.
const MAX_PARAMS: usize = 30_000;
const MAX_BATCH_BYTES: usize = 8 << 20;

/// Copy the SQLite database at `sqlite_url` into the PostgreSQL database at `pg_url`, which
/// must hold no rows; migrate both first. Returns each table's row count and hash, checked.
pub async fn sqlite_to_postgres(sqlite_url: &str, pg_url: &str) -> Result<Vec<TableCopy>> {
    // Bring the source to this binary's schema (and give it an epoch, if it somehow has none).
    super::SqlStore::connect(sqlite_url).await?.close().await;
    let mut pg = PgConnection::connect(pg_url).await?;
    sqlx::migrate!("./migrations/postgres").run(&mut pg).await?;
    let options = SqliteConnectOptions::from_str(sqlite_url)?;
    let mut lite = SqliteConnection::connect_with(&options).await?;

    let tables = schema(&mut lite, &mut pg).await?;
    for t in &tables {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", quote(&t.name));
        if sqlx::query_scalar::<_, bool>(sqlx::AssertSqlSafe(sql)).fetch_one(&mut pg).await? {
            return Err(StoreError::Invalid(format!(
                "the target database is not empty (table {} has rows): migrate into a new, empty database",
                t.name
            )));
        }
    }

    // One read transaction: a consistent snapshot even if something still wrote to the file.
    let mut snapshot = lite.begin().await?;
    let mut tx = pg.begin().await?;
    let mut source = BTreeMap::new();
    for t in &tables {
        source.insert(t.name.clone(), copy_table(t, &mut snapshot, &mut tx).await?);
        advance_sequence(t, &mut snapshot, &mut tx).await?;
    }
    tx.commit().await?;
    snapshot.rollback().await?;

    let mut out = Vec::with_capacity(tables.len());
    for t in &tables {
        let (rows, sha256) = target_hash(t, &mut pg).await?;
        let (src_rows, src_sha) = &source[&t.name];
        if (rows, &sha256) != (*src_rows, src_sha) {
            return Err(StoreError::Invalid(format!(
                "verification failed for {}: SQLite has {src_rows} rows ({src_sha}), PostgreSQL {rows} ({sha256})",
                t.name
            )));
        }
        out.push(TableCopy { table: t.name.clone(), rows, sha256 });
    }
    pg.close().await?;
    lite.close().await?;
    Ok(out)
}

/// The tables both schemas have, parents before the tables whose foreign keys name them.
async fn schema(lite: &mut SqliteConnection, pg: &mut PgConnection) -> Result<Vec<Table>> {
    let lite_tables: BTreeSet<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut *lite)
    .await?
    .into_iter()
    .collect();
    let pg_tables: BTreeSet<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut *pg)
    .await?
    .into_iter()
    .collect();
    if lite_tables != pg_tables {
        return Err(StoreError::Invalid(format!(
            "the schemas differ: only in SQLite {:?}, only in PostgreSQL {:?}",
            lite_tables.difference(&pg_tables).collect::<Vec<_>>(),
            pg_tables.difference(&lite_tables).collect::<Vec<_>>()
        )));
    }
    let mut tables = BTreeMap::new();
    for name in &pg_tables {
        let cols: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text,
                    CASE WHEN is_identity = 'YES' THEN 'nextval(identity)' ELSE column_default::text END
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(name)
        .fetch_all(&mut *pg)
        .await?;
        let lite_cols: BTreeSet<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
            .bind(name)
            .fetch_all(&mut *lite)
            .await?
            .into_iter()
            .collect();
        let pg_cols: BTreeSet<String> = cols.iter().map(|c| c.0.clone()).collect();
        if lite_cols != pg_cols {
            return Err(StoreError::Invalid(format!(
                "the columns of {name} differ: SQLite {lite_cols:?}, PostgreSQL {pg_cols:?}"
            )));
        }
        let mut columns = Vec::with_capacity(cols.len());
        let mut serial = None;
        for (col, ty, default) in cols {
            let kind = Kind::of(&ty).ok_or_else(|| {
                StoreError::Invalid(format!("{name}.{col}: column type {ty} is not handled by the copy"))
            })?;
            if default.is_some_and(|d| d.starts_with("nextval(")) {
                serial = Some(col.clone());
            }
            columns.push((col, kind));
        }
        tables.insert(name.clone(), Table { name: name.clone(), columns, serial });
    }
    let edges: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.relname::text, r.relname::text FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE c.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(&mut *pg)
    .await?;
    let mut ordered = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        // Ready: every table it refers to (other than itself) is already placed.
        let ready: Vec<String> = tables
            .keys()
            .filter(|n| !edges.iter().any(|(from, to)| from == *n && to != *n && tables.contains_key(to)))
            .cloned()
            .collect();
        if ready.is_empty() {
            return Err(StoreError::Invalid(format!(
                "foreign keys form a cycle among {:?}",
                tables.keys().collect::<Vec<_>>()
            )));
        }
        for n in ready {
            ordered.extend(tables.remove(&n));
        }
    }
    Ok(ordered)
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn column_list(t: &Table) -> String {
    t.columns.iter().map(|(c, _)| quote(c)).collect::<Vec<_>>().join(", ")
}

/// Stream `t` out of SQLite in rowid order (the order rows were written, so a unit's parent
/// comes before it) and into PostgreSQL in batches; returns the source's count and hash.
async fn copy_table(t: &Table, lite: &mut SqliteConnection, pg: &mut PgConnection) -> Result<(u64, String)> {
    let sql = format!("SELECT {} FROM {} ORDER BY rowid", column_list(t), quote(&t.name));
    let mut hash = TableHash::default();
    let mut batch: Vec<Vec<Value>> = Vec::new();
    let mut bytes = 0;
    {
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *lite);
        while let Some(r) = rows.try_next().await? {
            let row = t
                .columns
                .iter()
                .enumerate()
                .map(|(i, (col, kind))| from_sqlite(&r, i, *kind).map_err(|e| at(t, col, e)))
                .collect::<Result<Vec<_>>>()?;
            hash.add(&row);
            bytes += row.iter().map(Value::size).sum::<usize>();
            batch.push(row);
            if (batch.len() + 1) * t.columns.len() > MAX_PARAMS || bytes > MAX_BATCH_BYTES {
                insert(t, &batch, pg).await?;
                batch.clear();
                bytes = 0;
            }
        }
    }
    if !batch.is_empty() {
        insert(t, &batch, pg).await?;
    }
    Ok(hash.finish())
}

fn at(t: &Table, col: &str, e: StoreError) -> StoreError {
    StoreError::Invalid(format!("{}.{col}: {e}", t.name))
}

async fn insert(t: &Table, rows: &[Vec<Value>], pg: &mut PgConnection) -> Result<()> {
    let width = t.columns.len();
    let mut args = PgArguments::default();
    let mut tuples = Vec::with_capacity(rows.len());
    for (r, row) in rows.iter().enumerate() {
        let marks: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
        tuples.push(format!("({})", marks.join(", ")));
        for (v, (_, kind)) in row.iter().zip(&t.columns) {
            bind(&mut args, v, *kind)?;
        }
    }
    // OVERRIDING SYSTEM VALUE: the copied ids must stand even in a GENERATED ALWAYS column.
    let sql = format!(
        "INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE VALUES {}",
        quote(&t.name),
        column_list(t),
        tuples.join(", ")
    );
    sqlx::query_with(sqlx::AssertSqlSafe(sql), args).execute(&mut *pg).await?;
    Ok(())
}

fn bind(args: &mut PgArguments, v: &Value, kind: Kind) -> Result<()> {
    let bound = match (v, kind) {
        (Value::Null, Kind::Int8 | Kind::Int4) => args.add(None::<i64>),
        (Value::Null, Kind::Real) => args.add(None::<f64>),
        (Value::Null, Kind::Text) => args.add(None::<String>),
        (Value::Null, Kind::Bytes) => args.add(None::<Vec<u8>>),
        (Value::Int(i), Kind::Int8) => args.add(*i),
        (Value::Int(i), _) => args.add(i32::try_from(*i).map_err(|_| invalid(format!("{i} is too large")))?),
        (Value::Real(f), _) => args.add(*f),
        (Value::Text(s), _) => args.add(s.clone()),
        (Value::Bytes(b), _) => args.add(b.clone()),
    };
    bound.map_err(|e| invalid(e.to_string()))
}

fn invalid(msg: String) -> StoreError {
    StoreError::Invalid(msg)
}

/// A SQLite value, refused unless its storage class fits the PostgreSQL column: a copy that
/// coerced "abc" into 0 would hash the same on both sides and lose data unseen.
fn from_sqlite(r: &SqliteRow, i: usize, kind: Kind) -> Result<Value> {
    let raw = r.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let class = raw.type_info().name().to_string();
    Ok(match (kind, class.as_str()) {
        (Kind::Int8 | Kind::Int4, "INTEGER") => Value::Int(r.try_get_unchecked(i)?),
        (Kind::Real, "REAL" | "INTEGER") => Value::Real(r.try_get_unchecked(i)?),
        (Kind::Text, "TEXT") => Value::Text(r.try_get_unchecked(i)?),
        (Kind::Bytes, "BLOB") => Value::Bytes(r.try_get_unchecked(i)?),
        _ => return Err(invalid(format!("SQLite holds {class} where PostgreSQL expects {kind:?}"))),
    })
}

fn from_pg(r: &PgRow, i: usize, kind: Kind) -> Result<Value> {
    if r.try_get_raw(i)?.is_null() {
        return Ok(Value::Null);
    }
    Ok(match kind {
        Kind::Int8 => Value::Int(r.try_get(i)?),
        Kind::Int4 => Value::Int(r.try_get::<i32, _>(i)?.into()),
        Kind::Real => Value::Real(r.try_get(i)?),
        Kind::Text => Value::Text(r.try_get(i)?),
        Kind::Bytes => Value::Bytes(r.try_get(i)?),
    })
}

async fn target_hash(t: &Table, pg: &mut PgConnection) -> Result<(u64, String)> {
    let sql = format!("SELECT {} FROM {}", column_list(t), quote(&t.name));
    let mut hash = TableHash::default();
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *pg);
    while let Some(r) = rows.try_next().await? {
        let row = (0..t.columns.len()).map(|i| from_pg(&r, i, t.columns[i].1)).collect::<Result<Vec<_>>>()?;
        hash.add(&row);
    }
    Ok(hash.finish())
}

/// The next id PostgreSQL hands out must follow the highest SQLite ever issued — including
/// ids of rows since deleted, which `sqlite_sequence` remembers — or a new change could reuse
/// a feed sequence number a phone's cursor has already passed.
async fn advance_sequence(t: &Table, lite: &mut SqliteConnection, pg: &mut PgConnection) -> Result<()> {
    let Some(col) = &t.serial else { return Ok(()) };
    let sql = format!("SELECT COALESCE(MAX({}), 0) FROM {}", quote(col), quote(&t.name));
    let max: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *lite).await?;
    let issued: Option<i64> = sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = $1")
        .bind(&t.name)
        .fetch_optional(&mut *lite)
        .await?;
    let last = max.max(issued.unwrap_or(0));
    sqlx::query("SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)")
        .bind(quote(&t.name))
        .bind(col)
        .bind(last.max(1))
        .bind(last > 0)
        .execute(&mut *pg)
        .await?;
    Ok(())
}
