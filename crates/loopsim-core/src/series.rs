//! Time series for charts: named columns of `f64`, one row per `sample_every`.
//!
//! Columnar storage is what chart libraries (uPlot) consume directly, and it lets a host fetch
//! only the rows added since the last frame ([`Series::rows_since`]) without copying history.
//! A missing value (no request finished in an interval) is `NaN`, serialised as `null`.

use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, Debug, Default)]
pub struct Series {
    names: Vec<String>,
    columns: Vec<Vec<f64>>,
}

impl Series {
    pub fn new(names: Vec<String>) -> Self {
        let columns = names.iter().map(|_| Vec::new()).collect();
        Series { names, columns }
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends one row; `row` has one value per column, in order.
    pub fn push_row(&mut self, row: &[f64]) {
        debug_assert_eq!(row.len(), self.columns.len());
        for (c, v) in self.columns.iter_mut().zip(row) {
            c.push(*v);
        }
    }

    pub fn column(&self, i: usize) -> &[f64] {
        &self.columns[i]
    }

    pub fn column_by_name(&self, name: &str) -> Option<&[f64]> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| self.column(i))
    }

    /// Each column's rows from index `start` on.
    pub fn rows_since(&self, start: usize) -> impl Iterator<Item = (&str, &[f64])> {
        self.names
            .iter()
            .zip(&self.columns)
            .map(move |(n, c)| (n.as_str(), &c[start.min(c.len())..]))
    }
}
