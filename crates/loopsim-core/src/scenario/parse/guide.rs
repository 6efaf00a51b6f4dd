//! `try:` and `guide:`: text for the reader, checked like the rest of the format. Whether each
//! change finds its text is not checked here: the reader's own edits, and the changes they
//! applied, legitimately move the text away (see [`guide::replay`], which the gallery tests and
//! the page use).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::scenario::guide::{Change, Guide, GuideStep};
use crate::scenario::keys::{self, GUIDE_CHARTS};
use crate::yaml::{Node, NodeKind};

use super::values::Fields;
use super::Reader;

/// What a guide step's `node` may name.
pub(super) struct NodeNames<'a> {
    pub services: &'a [&'a str],
    pub queues: &'a [&'a str],
    pub caches: &'a [&'a str],
}

impl Reader<'_> {
    pub(super) fn guide(&mut self, top: &Fields, names: &NodeNames) -> Guide {
        let try_this = top.get("try").map(|n| self.try_this(n)).unwrap_or_default();
        let steps = top
            .get("guide")
            .map(|n| self.guide_steps(n, names))
            .unwrap_or_default();
        Guide { try_this, steps }
    }

    fn list_of<'n>(&mut self, node: &'n Node, key: &str, max: usize, example: &str) -> &'n [Node] {
        let NodeKind::Seq(items) = &node.kind else {
            self.error_hint(
                node.span,
                format!("`{key}` must be a list, found {}", node.describe()),
                format!("write each item on its own line: {example}"),
            );
            return &[];
        };
        if items.len() > max {
            self.error(
                node.span,
                format!("`{key}` has {} items (the limit is {max})", items.len()),
            );
            return &[];
        }
        items
    }

    fn try_this(&mut self, node: &Node) -> Vec<String> {
        let items = self.list_of(node, "try", 20, "`- Double the rate: the loop saturates.`");
        items
            .iter()
            .filter_map(|item| self.line_of_text(item, "a `try` item"))
            .collect()
    }

    /// Non-empty text, whitespace-collapsed.
    fn line_of_text(&mut self, node: &Node, what: &str) -> Option<String> {
        let text = self.text(node, what)?;
        if text.trim().is_empty() {
            self.error(node.span, format!("{what} is empty"));
            return None;
        }
        Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    fn guide_steps(&mut self, node: &Node, names: &NodeNames) -> Vec<GuideStep> {
        let items = self.list_of(
            node,
            "guide",
            30,
            "`- text: Press Run and watch the lag chart.`",
        );
        items
            .iter()
            .filter_map(|item| self.guide_step(item, names))
            .collect()
    }

    fn guide_step(&mut self, node: &Node, names: &NodeNames) -> Option<GuideStep> {
        let f = self.fields(node, "a guide step", &keys::GUIDE_STEP)?;
        let text = self
            .required(&f, "text", "a guide step")
            .and_then(|n| self.line_of_text(n, "`text`"));
        let change = f.get("change").and_then(|n| self.change(n));
        let chart = f.get("chart").and_then(|n| {
            let options: Vec<(&str, &str)> = GUIDE_CHARTS.iter().map(|c| (*c, *c)).collect();
            self.choice(n, "`chart`", &options).map(ToString::to_string)
        });
        let node_name = f.get("node").and_then(|n| self.guide_node(n, names));
        if chart.as_deref() == Some("service") {
            let is_service = node_name
                .as_deref()
                .is_some_and(|n| names.services.contains(&n));
            if !is_service {
                self.error_hint(
                    f.get("chart")?.span,
                    "`chart: service` shows the charts of the step's `node`, which must be a service",
                    "add `node: NAME` naming a service",
                );
            }
        }
        Some(GuideStep {
            text: text?,
            change,
            chart,
            node: node_name,
        })
    }

    fn change(&mut self, node: &Node) -> Option<Change> {
        let f = self.fields(node, "a change", &keys::CHANGE)?;
        let replace = self.required(&f, "replace", "a change");
        let with = self.required(&f, "with", "a change");
        let (replace, with) = (replace?, with?);
        let span = replace.span;
        let replace = self.text(replace, "`replace`")?;
        let with = match &with.kind {
            NodeKind::Null => "",
            _ => self.text(with, "`with`")?,
        };
        if replace.is_empty() {
            self.error(
                span,
                "`replace` is empty: a change names the text it replaces",
            );
            return None;
        }
        Some(Change {
            replace: replace.to_string(),
            with: with.to_string(),
            span,
        })
    }

    fn guide_node(&mut self, node: &Node, names: &NodeNames) -> Option<String> {
        let name = self.text(node, "`node`")?;
        let all: Vec<&str> = names
            .services
            .iter()
            .chain(names.queues)
            .chain(names.caches)
            .copied()
            .chain(core::iter::once("client"))
            .collect();
        if all.contains(&name) {
            return Some(name.to_string());
        }
        let suggestion = self.did_you_mean(name, &all);
        let fix = self.fix(node.span, name, suggestion);
        let hint = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => "name a service, a queue, a cache or `client`".to_string(),
        };
        self.error_fix(
            node.span,
            format!("`node: {name}` is not a node of the topology"),
            hint,
            fix,
        );
        None
    }
}
