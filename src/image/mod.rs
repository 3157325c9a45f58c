//! Container images as registries and task definitions describe them. Pure:
//! the collector fetches the bytes and names, this turns them into data; it
//! imports nothing of the crate.

/// An image's registry documents: manifest, index and config blob.
pub mod config;
/// Layer blobs, streamed, and how layers stack.
pub mod layers;
/// Which distribution an image is built on, and its vendor's support.
pub mod os_release;
/// Image references as task definitions name them.
pub mod reference;
/// How a signature shows up next to an image.
pub mod signature;
