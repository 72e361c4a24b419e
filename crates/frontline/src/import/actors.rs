//! `frontline import actors`: id,name,aliases,colour,coalition (aliases `;`-separated).

use frontline_core::{Actor, ActorId, Colour};
use frontline_store::ImportBatch;

use super::{table, Ctx, FieldError, ImportError};

pub(crate) fn parse(
    ctx: &mut Ctx<'_>,
    text: &str,
    batch: &mut ImportBatch,
) -> Result<(), ImportError> {
    let rows = table::read(
        ctx,
        text,
        b',',
        &["id", "name", "aliases", "colour", "coalition"],
        &[],
    )?;
    let mut seen = std::collections::HashMap::new();
    for row in rows {
        let actor = (|| -> Result<Actor, FieldError> {
            let id = ActorId::new(row.req("id")?).map_err(|e| FieldError::new("id", e))?;
            let colour =
                Colour::parse(row.req("colour")?).map_err(|e| FieldError::new("colour", e))?;
            let aliases = row.get("aliases").split(';').map(str::to_owned).collect();
            Actor::new(
                id,
                row.get("name"),
                aliases,
                colour,
                row.opt("coalition").map(str::to_owned),
            )
            .map_err(|e| FieldError::new("name", e))
        })();
        match actor {
            Ok(a) => {
                if let Some(first) = seen.insert(a.id.clone(), row.line) {
                    ctx.reject(
                        row.line,
                        FieldError::new(
                            "id",
                            format!("{} is already defined on line {first}", a.id),
                        ),
                        &row.raw(),
                    )?;
                } else {
                    batch.actors.push(a);
                }
            }
            Err(e) => ctx.reject(row.line, e, &row.raw())?,
        }
    }
    Ok(())
}
