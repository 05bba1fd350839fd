//! The configuration file (`/etc/anlan/anlan.toml`, or `--config FILE`): every command-line
//! option, by its long name in snake_case (`tls_cert = "/etc/anlan/cert.pem"`).
//!
//! The file adds no second definition of any option: its values become the defaults of the
//! options clap already declares, so clap's own order gives flag > environment > file >
//! built-in default, and an option added to the command line is at once settable in the file.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Context;
use clap::Command;
use clap::parser::ValueSource;

pub const DEFAULT_PATH: &str = "/etc/anlan/anlan.toml";

/// The file named by `--config` / `ANLAN_CONFIG`, else the default path if it exists.
pub fn locate(args: &[OsString]) -> Option<PathBuf> {
    let mut it = args.iter().filter_map(|a| a.to_str());
    while let Some(a) = it.next() {
        if a == "--config" {
            return it.next().map(PathBuf::from);
        }
        if let Some(p) = a.strip_prefix("--config=") {
            return Some(p.into());
        }
    }
    if let Some(p) = std::env::var_os("ANLAN_CONFIG") {
        return Some(p.into());
    }
    let default = PathBuf::from(DEFAULT_PATH);
    default.exists().then_some(default)
}

/// `cmd` with the file's values as the defaults of the options they name. A key that names no
/// option of any command is an error, so a misspelt setting is never silently ignored.
/// Also returns the keys the file set.
pub fn apply(cmd: Command, text: &str) -> anyhow::Result<(Command, BTreeSet<String>)> {
    let table: toml::Table = text.parse().context("not valid TOML")?;
    let mut values = BTreeMap::new();
    for (key, value) in table {
        values.insert(key.clone(), strings(&value).with_context(|| format!("setting {key}"))?);
    }
    let known = option_ids(&cmd);
    let unknown: Vec<&String> = values.keys().filter(|k| !known.contains(k.as_str())).collect();
    anyhow::ensure!(
        unknown.is_empty(),
        "unknown setting(s) {unknown:?}; settings are the long options in snake_case, e.g. tls_cert"
    );
    let set = values.keys().cloned().collect();
    Ok((with_defaults(cmd, &values), set))
}

fn strings(v: &toml::Value) -> anyhow::Result<Vec<String>> {
    Ok(match v {
        toml::Value::String(s) => vec![s.clone()],
        toml::Value::Integer(i) => vec![i.to_string()],
        toml::Value::Float(f) => vec![f.to_string()],
        toml::Value::Boolean(b) => vec![b.to_string()],
        toml::Value::Array(a) => a.iter().map(strings).collect::<anyhow::Result<Vec<_>>>()?.concat(),
        other => anyhow::bail!("a {} cannot be an option's value", other.type_str()),
    })
}

fn option_ids(cmd: &Command) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = cmd
        .get_arguments()
        .filter(|a| a.get_long().is_some() && !matches!(a.get_id().as_str(), "help" | "version" | "config"))
        .map(|a| a.get_id().to_string())
        .collect();
    for sub in cmd.get_subcommands() {
        ids.extend(option_ids(sub));
    }
    ids
}

fn with_defaults(mut cmd: Command, values: &BTreeMap<String, Vec<String>>) -> Command {
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        if let Some(v) = values.get(&id) {
            let v: Vec<clap::builder::OsStr> =
                v.iter().map(|s| clap::builder::Str::from(s.clone()).into()).collect();
            cmd = cmd.mut_arg(id, |a| a.default_values(v));
        }
    }
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in subs {
        cmd = cmd.mut_subcommand(name, |s| with_defaults(s, values));
    }
    cmd
}

/// The effective settings of `matches` (from `cmd`), one `key = value  # source` line each,
/// with secrets masked.
pub fn describe(cmd: &Command, matches: &clap::ArgMatches, from_file: &BTreeSet<String>) -> String {
    let mut out = String::new();
    for a in cmd.get_arguments() {
        let id = a.get_id().as_str();
        if a.get_long().is_none() || matches!(id, "help" | "version" | "config") {
            continue;
        }
        let Some(raw) = matches.get_raw(id) else {
            out.push_str(&format!("# {id} (not set)\n"));
            continue;
        };
        let values: Vec<String> = raw.map(|v| mask(id, &v.to_string_lossy())).collect();
        let source = match matches.value_source(id) {
            Some(ValueSource::CommandLine) => "command line",
            Some(ValueSource::EnvVariable) => "environment",
            _ if from_file.contains(id) => "file",
            _ => "default",
        };
        let shown = if !matches!(a.get_action(), clap::ArgAction::Append) {
            toml::Value::String(values[0].clone()).to_string()
        } else {
            toml::Value::Array(values.into_iter().map(toml::Value::String).collect()).to_string()
        };
        out.push_str(&format!("{id} = {shown}  # {source}\n"));
    }
    out
}

/// Passwords in database URLs, and anything named like a secret.
fn mask(id: &str, value: &str) -> String {
    if ["token", "password", "secret"].iter().any(|w| id.contains(w)) {
        return "********".into();
    }
    match url_password(value) {
        Some((before, after)) => format!("{before}********{after}"),
        None => value.to_string(),
    }
}

/// `postgres://user:PASSWORD@host/db` split around the password.
fn url_password(value: &str) -> Option<(&str, &str)> {
    let rest_at = value.find("://")? + 3;
    let at = rest_at + value[rest_at..].find('@')?;
    let colon = rest_at + value[rest_at..at].find(':')?;
    Some((&value[..=colon], &value[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_password_is_masked_and_the_rest_of_the_url_kept() {
        assert_eq!(
            mask("database_url", "postgres://anlan:s3cret@db.county/anlan"),
            "postgres://anlan:********@db.county/anlan"
        );
        assert_eq!(
            mask("database_url", "postgres://anlan@db.county/anlan"),
            "postgres://anlan@db.county/anlan"
        );
        assert_eq!(mask("metrics_token", "abc"), "********");
        assert_eq!(mask("listen", "0.0.0.0:443"), "0.0.0.0:443");
    }
}
