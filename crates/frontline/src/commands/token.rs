//! `frontline token create|list|revoke`: API tokens for `frontline serve`.
//!
//! The secret is printed once, on creation; the database keeps only its SHA-256. Creating and
//! revoking a token is recorded in the audit log as done by the local user (`cli:$USER`).

use anyhow::Context;
use frontline_store::auth::{self, Role};
use frontline_store::Editor;
use std::path::Path;

#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub action: TokenAction,
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenAction {
    /// Create a token and print its secret (shown only this once).
    Create {
        /// viewer (read), analyst (read + write), admin (audit log, tokens).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Who holds the token; written in the audit log with every write it makes.
        #[arg(long, default_value = "unnamed")]
        label: String,
    },
    /// List tokens (without secrets).
    List,
    /// Revoke a token by its id (from `token list`).
    Revoke { id: i64 },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse().map_err(|e: auth::AuthError| e.to_string())
}

pub fn run(db: &Path, args: TokenArgs) -> anyhow::Result<()> {
    let store = frontline_store::Store::open(db)
        .with_context(|| format!("opening database {}", db.display()))?;
    match args.action {
        TokenAction::Create { role, label } => {
            let (token, secret) = store
                .create_token(role, &label, &local_admin())
                .context("creating the token")?;
            eprintln!(
                "created {} token {} for {:?}; the secret is shown only now:",
                token.role, token.id, token.label
            );
            println!("{secret}");
        }
        TokenAction::List => {
            println!("id\trole\tlabel\tprefix\tcreated_at\trevoked_at");
            for t in store.tokens().context("listing tokens")? {
                println!(
                    "{}\t{}\t{}\t{}…\t{}\t{}",
                    t.id,
                    t.role,
                    t.label,
                    t.prefix,
                    t.created_at.to_rfc3339(),
                    t.revoked_at.map(|r| r.to_rfc3339()).unwrap_or_default()
                );
            }
        }
        TokenAction::Revoke { id } => {
            store
                .revoke_token(id, &local_admin())
                .context("revoking the token")?;
            eprintln!("revoked token {id}");
        }
    }
    Ok(())
}

/// Whoever runs the command on the server's machine: they can open the database, so they act
/// as an admin; the audit log names their login.
fn local_admin() -> Editor {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    Editor {
        token_id: None,
        who: format!("cli:{user}"),
        role: "admin".into(),
    }
}
