//! A renderer's text in memory.

use std::io::Write;

/// What a renderer writes, as a string: for tests and for callers that
/// want the text in memory.
pub fn to_string(render: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    render(&mut bytes)?;
    Ok(String::from_utf8(bytes)?)
}
