//! The node's SQLite store: samod's document chunks and the node's own
//! tables, in one file.
//!
//! WAL journal with `synchronous = FULL`: a write that returned is on disk
//! and survives `kill -9` and power loss. The file carries Yoriai's
//! `application_id`; opening a file that is not ours, or is damaged, fails
//! with an error naming the file and writes nothing to it.
//!
//! samod's `Storage` trait cannot return errors, so a failed write is
//! retried and then stops the process loudly rather than losing data the
//! user was told is saved.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use samod::storage::StorageKey;

use crate::error::StoreError;

/// "YRAI": marks a SQLite file as a Yoriai store.
pub const APPLICATION_ID: i32 = 0x5952_4149;
/// Schema version this build writes and reads.
pub const SCHEMA_VERSION: i32 = 1;
const SEP: char = '\u{1f}';

/// A handle to the store; clones share one connection.
#[derive(Clone, Debug)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    path: Arc<PathBuf>,
}

fn corrupt(path: &Path, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    }
}

impl Store {
    /// Open (or create) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let existed = path.exists();
        if existed {
            // Look before SQLite touches it: a foreign or truncated file
            // must not be "repaired" into an empty store.
            let mut header = [0u8; 16];
            let mut f = std::fs::File::open(path).map_err(|e| StoreError::Io {
                path: path.to_path_buf(),
                source: e,
            })?;
            let n = f.read(&mut header).map_err(|e| StoreError::Io {
                path: path.to_path_buf(),
                source: e,
            })?;
            if n > 0 && (n < 16 || &header != b"SQLite format 3\0") {
                return Err(StoreError::Foreign {
                    path: path.to_path_buf(),
                    detail: "it is not a SQLite database".into(),
                });
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )
        .map_err(|e| corrupt(path, e))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| corrupt(path, e))?;
        let app: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| corrupt(path, e))?;
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| corrupt(path, e))?;
        if app != APPLICATION_ID && (app != 0 || tables > 0) {
            return Err(StoreError::Foreign {
                path: path.to_path_buf(),
                detail: format!("it belongs to another program (application id {app:#x})"),
            });
        }
        let version: i32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| corrupt(path, e))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerVersion {
                path: path.to_path_buf(),
                found: version,
            });
        }
        if existed && tables > 0 {
            let check: String = conn
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .map_err(|e| corrupt(path, e))?;
            if check != "ok" {
                return Err(corrupt(path, check));
            }
        }
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA application_id = {APPLICATION_ID};
             PRAGMA user_version = {SCHEMA_VERSION};
             CREATE TABLE IF NOT EXISTS chunks (
                 key TEXT PRIMARY KEY,
                 value BLOB NOT NULL
             ) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS meta (
                 key TEXT PRIMARY KEY,
                 value TEXT NOT NULL
             ) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS docs (
                 id TEXT PRIMARY KEY,
                 kind TEXT NOT NULL,
                 space TEXT NOT NULL
             ) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS pending_joins (
                 space TEXT NOT NULL,
                 record BLOB NOT NULL
             );
             CREATE TABLE IF NOT EXISTS verified (
                 record BLOB PRIMARY KEY
             ) WITHOUT ROWID;"
        ))
        .map_err(|e| corrupt(path, e))?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            path: Arc::new(path.to_path_buf()),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (transactions roll back), so a poisoned lock is still usable.
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&conn).map_err(|e| StoreError::Sqlite {
            path: self.path.to_path_buf(),
            source: e,
        })
    }

    fn key_text(key: &StorageKey) -> String {
        key.clone()
            .into_iter()
            .collect::<Vec<String>>()
            .join(&SEP.to_string())
    }

    /// Read one chunk.
    pub fn get(&self, key: &StorageKey) -> Result<Option<Vec<u8>>, StoreError> {
        let k = Self::key_text(key);
        self.with(|c| {
            c.query_row("SELECT value FROM chunks WHERE key = ?1", [k], |r| r.get(0))
                .optional()
        })
    }

    /// Read every chunk under `prefix`.
    pub fn range(&self, prefix: &StorageKey) -> Result<HashMap<StorageKey, Vec<u8>>, StoreError> {
        let p = Self::key_text(prefix);
        let lo = format!("{p}{SEP}");
        let hi = format!("{p}{}", char::from_u32(SEP as u32 + 1).unwrap_or(' '));
        let rows: Vec<(String, Vec<u8>)> = self.with(|c| {
            let mut st = c.prepare(
                "SELECT key, value FROM chunks WHERE key = ?1 OR (key >= ?2 AND key < ?3)",
            )?;
            let rows = st
                .query_map(params![p, lo, hi], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, v)| {
                StorageKey::from_parts(k.split(SEP))
                    .ok()
                    .map(|key| (key, v))
            })
            .collect())
    }

    /// Write one chunk (durable when this returns).
    pub fn put(&self, key: &StorageKey, value: &[u8]) -> Result<(), StoreError> {
        let k = Self::key_text(key);
        self.with(|c| {
            c.execute(
                "INSERT INTO chunks (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![k, value],
            )
            .map(|_| ())
        })
    }

    /// Delete one chunk.
    pub fn delete(&self, key: &StorageKey) -> Result<(), StoreError> {
        let k = Self::key_text(key);
        self.with(|c| {
            c.execute("DELETE FROM chunks WHERE key = ?1", [k])
                .map(|_| ())
        })
    }

    /// A node setting.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.with(|c| {
            c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
        })
    }

    /// When each (peer, space) was last up to date on the LAN.
    pub fn lan_synced(
        &self,
    ) -> Result<
        std::collections::HashMap<(yoriai_crdt::MemberId, yoriai_crdt::DocId), i64>,
        StoreError,
    > {
        let raw = self.meta("lan.synced")?.unwrap_or_default();
        let rows: Vec<(String, String, i64)> = serde_json::from_str(&raw).unwrap_or_default();
        Ok(rows
            .into_iter()
            .filter_map(|(m, s, t)| Some(((m.parse().ok()?, s.parse().ok()?), t)))
            .collect())
    }

    /// Save what [`Store::lan_synced`] reads.
    pub fn set_lan_synced(
        &self,
        synced: &std::collections::HashMap<(yoriai_crdt::MemberId, yoriai_crdt::DocId), i64>,
    ) -> Result<(), StoreError> {
        let rows: Vec<(String, String, i64)> = synced
            .iter()
            .map(|((m, s), t)| (m.to_string(), s.to_string(), *t))
            .collect();
        let raw = serde_json::to_string(&rows).unwrap_or_default();
        self.set_meta("lan.synced", &raw)
    }

    /// Set a node setting.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(|_| ())
        })
    }

    /// Remember a document this node holds: its kind and space.
    pub fn remember_doc(&self, id: &str, kind: &str, space: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO docs (id, kind, space) VALUES (?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, space = excluded.space",
                params![id, kind, space],
            )
            .map(|_| ())
        })
    }

    /// Documents this node holds, as (id, kind, space).
    pub fn docs(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        self.with(|c| {
            let mut st = c.prepare("SELECT id, kind, space FROM docs ORDER BY kind DESC, id")?;
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// Keep join records to append once the space arrives.
    pub fn add_pending_join(&self, space: &str, records: &[Vec<u8>]) -> Result<(), StoreError> {
        self.with(|c| {
            let tx = c.unchecked_transaction()?;
            for r in records {
                tx.execute(
                    "INSERT INTO pending_joins (space, record) VALUES (?1, ?2)",
                    params![space, r],
                )?;
            }
            tx.commit()
        })
    }

    /// Join records waiting for `space`.
    pub fn pending_joins(&self, space: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        self.with(|c| {
            let mut st =
                c.prepare("SELECT record FROM pending_joins WHERE space = ?1 ORDER BY rowid")?;
            let rows = st
                .query_map([space], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// Spaces with join records waiting.
    pub fn spaces_with_pending_joins(&self) -> Result<Vec<String>, StoreError> {
        self.with(|c| {
            let mut st = c.prepare("SELECT DISTINCT space FROM pending_joins")?;
            let rows = st
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// Forget join records once they are in the space document.
    pub fn clear_pending_joins(&self, space: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute("DELETE FROM pending_joins WHERE space = ?1", [space])
                .map(|_| ())
        })
    }

    /// Record ids whose signatures this node verified.
    pub fn verified(&self) -> Result<std::collections::HashSet<[u8; 32]>, StoreError> {
        self.with(|c| {
            let mut st = c.prepare("SELECT record FROM verified")?;
            let rows = st
                .query_map([], |r| r.get::<_, Vec<u8>>(0))?
                .filter_map(|r| r.ok().and_then(|v| <[u8; 32]>::try_from(v).ok()))
                .collect();
            Ok(rows)
        })
    }

    /// Remember verified record ids.
    pub fn add_verified<'a>(
        &self,
        ids: impl Iterator<Item = &'a [u8; 32]>,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            let tx = c.unchecked_transaction()?;
            {
                let mut st = tx.prepare("INSERT OR IGNORE INTO verified (record) VALUES (?1)")?;
                for id in ids {
                    st.execute([&id[..]])?;
                }
            }
            tx.commit()
        })
    }

    /// How many documents have chunks here, and how many bytes they take.
    pub fn stats(&self) -> Result<(u64, u64), StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT count(DISTINCT substr(key, 1, instr(key, char(31)) - 1)),
                        coalesce(sum(length(value)), 0)
                 FROM chunks WHERE instr(key, char(31)) > 0",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )
        })
    }

    /// Stored bytes per document id (text form).
    pub fn sizes(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT substr(key, 1, instr(key, char(31)) - 1) AS doc, sum(length(value))
                 FROM chunks WHERE instr(key, char(31)) > 0 GROUP BY doc",
            )?;
            let rows = st
                .query_map([], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// `PRAGMA integrity_check`.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.with(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0)))
    }
}

/// Retry a failed write a few times; if it still fails, stop the process:
/// samod cannot be told, and carrying on would lose data silently.
fn must<T>(what: &str, store: &Store, mut op: impl FnMut() -> Result<T, StoreError>) -> T {
    let mut last = None;
    for attempt in 0..5u32 {
        match op() {
            Ok(v) => return v,
            Err(e) => {
                last = Some(e);
                std::thread::sleep(Duration::from_millis(50 * u64::from(attempt + 1)));
            }
        }
    }
    let e = last.map_or_else(|| "unknown error".to_string(), |e| e.to_string());
    eprintln!(
        "yoriai: fatal: could not {what} in {} after 5 attempts: {e}. \
         Stopping so that nothing is lost; free disk space or check the file, then start again.",
        store.path().display()
    );
    std::process::exit(74);
}

impl samod::storage::Storage for Store {
    fn load(&self, key: StorageKey) -> impl std::future::Future<Output = Option<Vec<u8>>> + Send {
        let v = must("read a document", self, || self.get(&key));
        std::future::ready(v)
    }

    fn load_range(
        &self,
        prefix: StorageKey,
    ) -> impl std::future::Future<Output = HashMap<StorageKey, Vec<u8>>> + Send {
        let v = must("read documents", self, || self.range(&prefix));
        std::future::ready(v)
    }

    fn put(&self, key: StorageKey, data: Vec<u8>) -> impl std::future::Future<Output = ()> + Send {
        must("save a change", self, || Store::put(self, &key, &data));
        std::future::ready(())
    }

    fn delete(&self, key: StorageKey) -> impl std::future::Future<Output = ()> + Send {
        must("compact a document", self, || Store::delete(self, &key));
        std::future::ready(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(parts: &[&str]) -> StorageKey {
        StorageKey::from_parts(parts.iter().copied()).expect("key")
    }

    #[test]
    fn chunks_survive_reopening_and_ranges_stay_inside_their_prefix() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("yoriai.db");
        {
            let s = Store::open(&path).expect("open");
            s.put(&key(&["doc1", "snapshot", "a"]), b"one")
                .expect("put");
            s.put(&key(&["doc1", "incremental", "b"]), b"two")
                .expect("put");
            s.put(&key(&["doc10", "snapshot", "c"]), b"other doc")
                .expect("put");
            s.put(&key(&["doc1", "snapshot", "a"]), b"one again")
                .expect("overwrite");
        }
        let s = Store::open(&path).expect("reopen");
        let r = s.range(&key(&["doc1", "snapshot"])).expect("range");
        assert_eq!(r.len(), 1);
        assert_eq!(r[&key(&["doc1", "snapshot", "a"])], b"one again");
        assert_eq!(
            s.range(&key(&["doc1"])).expect("range").len(),
            2,
            "doc10 is not under doc1"
        );
        s.delete(&key(&["doc1", "snapshot", "a"])).expect("delete");
        assert_eq!(s.get(&key(&["doc1", "snapshot", "a"])).expect("get"), None);
        assert_eq!(s.integrity_check().expect("check"), "ok");
    }

    #[test]
    fn a_foreign_or_damaged_file_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().expect("tmp");
        let text = dir.path().join("notes.db");
        std::fs::write(&text, b"shopping list: rice, miso").expect("write");
        let err = Store::open(&text).expect_err("not sqlite");
        assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
        assert!(err.to_string().contains("notes.db"));
        assert_eq!(
            std::fs::read(&text).expect("read"),
            b"shopping list: rice, miso"
        );

        let other = dir.path().join("other.db");
        Connection::open(&other)
            .and_then(|c| c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);"))
            .expect("other app db");
        assert!(matches!(
            Store::open(&other),
            Err(StoreError::Foreign { .. })
        ));

        let ours = dir.path().join("yoriai.db");
        {
            let s = Store::open(&ours).expect("open");
            for i in 0..200 {
                s.put(&key(&["d", "incremental", &i.to_string()]), &[7u8; 4000])
                    .expect("put");
            }
        }
        let bytes = std::fs::read(&ours).expect("read");
        let truncated = dir.path().join("truncated.db");
        std::fs::write(&truncated, &bytes[..bytes.len() / 3]).expect("write");
        let before = std::fs::read(&truncated).expect("read");
        let err = Store::open(&truncated).expect_err("truncated");
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("truncated.db"));
        assert_eq!(
            std::fs::read(&truncated).expect("read"),
            before,
            "never overwritten"
        );
    }
}
