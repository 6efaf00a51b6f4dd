//! The loopsim playground page (built by Trunk; see the repository's `index.html`).

mod ui;

fn main() {
    ui::start();
}
