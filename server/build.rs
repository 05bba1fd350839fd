// `sqlx::migrate!` embeds the migration folders at compile time, but on stable Rust cargo does
// not know they are inputs: a new migration alone would leave a binary without it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
