//! Where the channels' settings come from. Endpoints, template ids and names are plain
//! settings (`ANLAN_*` variables); keys and robot webhooks are secrets, read from the
//! environment or from a file named by `…_FILE` (a mounted secret), never from a command-line
//! value (visible in `ps`) or the database (copied into every dump).

use std::fmt;
use std::path::Path;

/// A credential: kept out of `Debug` output and logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{0} is required for the configured channel")]
    Missing(String),
    #[error("{name}: {reason}")]
    Invalid { name: String, reason: String },
}

/// Settings by name: the process environment in production, a map in tests.
pub trait Settings {
    fn get(&self, name: &str) -> Option<String>;

    /// A non-empty setting.
    fn value(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    fn required(&self, name: &str) -> Result<String, ConfigError> {
        self.value(name).ok_or_else(|| ConfigError::Missing(name.to_owned()))
    }

    /// `NAME` itself, or the contents of the file `NAME_FILE` names (trailing newline cut).
    fn secret(&self, name: &str) -> Result<Option<Secret>, ConfigError> {
        if let Some(v) = self.value(name) {
            return Ok(Some(Secret(v)));
        }
        let file_var = format!("{name}_FILE");
        let Some(path) = self.value(&file_var) else { return Ok(None) };
        let text = std::fs::read_to_string(Path::new(&path))
            .map_err(|e| ConfigError::Invalid { name: file_var, reason: format!("{path}: {e}") })?;
        Ok(Some(Secret(text.trim_end_matches(['\r', '\n']).to_owned())).filter(|s| !s.0.is_empty()))
    }

    fn required_secret(&self, name: &str) -> Result<Secret, ConfigError> {
        self.secret(name)?.ok_or_else(|| ConfigError::Missing(format!("{name} (or {name}_FILE)")))
    }
}

/// The process environment.
pub struct Env;

impl Settings for Env {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Settings for std::collections::HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        std::collections::HashMap::get(self, name).cloned()
    }
}

/// Other settings, with `ANLAN_PUBLIC_URL` as the server was told it (flag or variable).
pub struct WithPublicUrl<'a> {
    pub inner: &'a dyn Settings,
    pub public_url: &'a str,
}

impl Settings for WithPublicUrl<'_> {
    fn get(&self, name: &str) -> Option<String> {
        if name == "ANLAN_PUBLIC_URL" { Some(self.public_url.to_owned()) } else { self.inner.get(name) }
    }
}

/// The `host[:port]` of an endpoint URL, as it goes in the `Host` header the signature covers.
pub fn host_of(url: &reqwest::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => String::new(),
    }
}

pub fn parse_url(name: &str, value: &str) -> Result<reqwest::Url, ConfigError> {
    let url = reqwest::Url::parse(value)
        .map_err(|e| ConfigError::Invalid { name: name.to_owned(), reason: e.to_string() })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ConfigError::Invalid { name: name.to_owned(), reason: "not an http(s) URL".into() });
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn a_secret_comes_from_the_variable_or_the_file_it_names_and_never_shows_in_debug() {
        let dir = std::env::temp_dir().join(format!("anlan-secret-{}", std::process::id()));
        std::fs::write(&dir, "s3cret\n").unwrap();
        let mut s: HashMap<String, String> = HashMap::new();
        assert_eq!(s.secret("KEY"), Ok(None));
        s.insert("KEY_FILE".into(), dir.display().to_string());
        assert_eq!(s.secret("KEY").unwrap().unwrap().expose(), "s3cret");
        s.insert("KEY".into(), "direct".into());
        let k = s.required_secret("KEY").unwrap();
        assert_eq!(k.expose(), "direct");
        assert_eq!(format!("{k:?}"), "Secret(…)");
        s.clear();
        s.insert("KEY_FILE".into(), "/nonexistent/anlan".into());
        assert!(matches!(s.secret("KEY"), Err(ConfigError::Invalid { .. })));
        std::fs::remove_file(dir).unwrap();
    }
}
