//! The loopsim playground page (built by Trunk; see the repository's `index.html`).

mod ui;

fn main() {
    // In a replication worker (no window) this module only serves `loopsimReplicate`.
    if web_sys::window().is_some() {
        ui::start();
    }
}
