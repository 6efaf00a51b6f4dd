//! Cache models as pure data structures: the keys' popularity ([`Zipf`]), a hash index of the
//! cached keys ([`KeyIndex`]) and one cache instance with its eviction policy ([`Store`]).
//! The engine wires them to `cache:` steps in `engine/cache.rs`.

mod index;
mod store;
mod zipf;

pub use index::KeyIndex;
pub use store::{Found, Store};
pub use zipf::Zipf;
