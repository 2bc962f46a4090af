//! What the checklist says about itself, found in the walk: `**Key:**
//! value` lists (metadata) and sign-off blocks (approver roles). The text
//! rules live in `import/metadata.rs`.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::super::metadata::{self, fact_key, fact_value, signoff_line};
use super::{is_inline, Builder};

impl Builder<'_> {
    pub(super) fn add_role(&mut self, role: &str) {
        let role = role.trim();
        if !role.is_empty() && !self.approver_roles.iter().any(|r| r == role) {
            self.approver_roles.push(role.to_string());
        }
    }

    /// A list of `**Key:** value` entries is metadata of the checklist when
    /// plain bullets are not items here: in a file of task boxes, before
    /// any section, or under a heading such as "Release Information".
    pub(super) fn facts_list(&mut self, i: usize, end: usize) -> bool {
        let here = self.current.map(|s| self.sections[s].plain.as_str());
        if !self.shape.any_task && here.is_some_and(|h| !metadata::is_facts_heading(h)) {
            return false;
        }
        let mut facts = Vec::new();
        let mut j = i + 1;
        while j < end {
            if !matches!(self.events[j].0, Event::Start(Tag::Item)) {
                return false;
            }
            let entry_end = self.shape.end_of[j];
            match self.fact(j + 1, entry_end) {
                Some(f) => facts.push(f),
                None => return false,
            }
            j = entry_end + 1;
        }
        if facts.is_empty() {
            return false;
        }
        self.metadata.extend(facts);
        true
    }

    /// `**Key:** value` or `**Key**: value` between events `from` and `to`.
    pub(super) fn fact(&self, from: usize, to: usize) -> Option<(String, String)> {
        let mut k = from;
        if matches!(self.events.get(k)?.0, Event::Start(Tag::Paragraph)) {
            k += 1;
        }
        if !matches!(self.events.get(k)?.0, Event::Start(Tag::Strong)) {
            return None;
        }
        let strong_end = self.shape.end_of[k];
        let mut strong = String::new();
        for (event, _) in &self.events[k + 1..strong_end] {
            if let Event::Text(t) | Event::Code(t) = event {
                strong.push_str(t);
            }
        }
        let after = self.events[strong_end].1.end;
        let mut value_end = after;
        let mut closed = false;
        for (event, range) in &self.events[strong_end + 1..to] {
            match event {
                Event::End(TagEnd::Paragraph) if !closed => closed = true,
                e if is_inline(e) && !closed => value_end = value_end.max(range.end),
                _ => return None,
            }
        }
        let rest = &self.text[after..value_end.max(after)];
        let (key, colon_after) = fact_key(&strong, rest)?;
        let value_start = if colon_after { after + 1 } else { after };
        let value = self
            .shape
            .edits
            .slice(self.text, value_start..value_end.max(value_start));
        Some((key, fact_value(&value)))
    }

    /// Lines of `Role: ______ Date: ____` blanks (a paragraph, or a plain
    /// list of them): the approver roles, not items or prose.
    pub(super) fn signoff_block(&mut self, i: usize, end: usize) -> bool {
        let range = self.events[i].1.clone();
        if !self.text[range].contains("___") {
            return false;
        }
        let mut lines = vec![String::new()];
        for (event, _) in &self.events[i + 1..end] {
            match event {
                Event::Text(t) | Event::Code(t) => {
                    if let Some(l) = lines.last_mut() {
                        l.push_str(t);
                    }
                }
                Event::SoftBreak | Event::HardBreak | Event::Start(Tag::Item) => {
                    lines.push(String::new())
                }
                Event::TaskListMarker(_) => return false,
                _ => {}
            }
        }
        let mut roles = Vec::new();
        let mut any = false;
        // Blanks alone (`Release version: ______`) are a form to fill in;
        // they name approvers under a sign-off heading, or beside a Date or
        // Signature blank.
        let under_signoff = self
            .current
            .is_some_and(|s| metadata::is_signoff_heading(&self.sections[s].plain));
        for line in lines.iter().filter(|l| !l.trim().is_empty()) {
            match signoff_line(line) {
                Some(l) if l.signed || under_signoff => {
                    any = true;
                    roles.extend(l.role);
                }
                _ => return false,
            }
        }
        for role in &roles {
            self.add_role(role);
        }
        any
    }
}
