//! Container images as registries and task definitions describe them. Pure:
//! the collector fetches the bytes and names, this turns them into data; it
//! imports nothing of the crate.

/// An image's registry documents: manifest, index and config blob.
pub mod config;
/// Image references as task definitions name them.
pub mod reference;
/// How a signature shows up next to an image.
pub mod signature;
