//! Which item of a template's new version continues which item of the old
//! one, for `run upgrade`. Like git's rename detection it works in stages,
//! each pairing one-to-one among what the stages before it left:
//!
//! 1. **Exact**: the same stable key (the same normalised text on the same
//!    section path — case, punctuation and spacing aside).
//! 2. **Moved**: the same normalised text on another path: the item moved to
//!    another section, or a section or parent item above it was renamed.
//!    Several candidates pair in document order.
//! 3. **Reworded**: normalised texts at least [`REWORDED`] similar
//!    (Sørensen–Dice over character bigrams, spaces ignored), the most
//!    similar pair first: within each section (an old section is the new
//!    one most of its paired items went to, so a renamed heading still
//!    counts), then across sections.
//!
//! Determinism matters: team sync replays the pairing an upgrade chose, and
//! two replicas that match the same versions must agree. Scores are exact
//! fractions compared in integers, never floats, and ties go by document
//! order (old, then new).
//!
//! The similarity is our own ~30 lines rather than `strsim::sorensen_dice`:
//! that one divides by byte lengths, so any non-ASCII text (a Persian
//! checklist) scores about half what the same edit scores in English, and it
//! rebuilds both bigram sets for every pair, where this builds each once.
//!
//! Pure: no SQL, no I/O. The store decides what a pairing does to states.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use serde::Serialize;

use crate::import::key::normalise;

/// How similar two normalised texts must be to count as one item reworded:
/// 76 %. Measured on `tests/fixtures/matching/edits.tsv` (realistic edits,
/// written for it): punctuation that splits or joins words scores 0.90 and
/// more, words reordered 0.91 and more, a typo fixed 0.79 and more; the
/// most similar pair of different items ("Dependencies scanned for known
/// vulnerabilities" / "Containers …") scores 0.75. One word changed scores
/// 0.44–0.93 — text alone cannot tell "Privacy policy updated → reviewed"
/// (0.67, same item) from "Status page updated → monitored" (0.59,
/// different), so below the threshold such an edit is a removal and an
/// addition, shown as such before and after the upgrade. A wrong pairing
/// would carry "done" to an item nobody checked; a missed one only asks for
/// a tick again.
pub const REWORDED: Similarity = Similarity { num: 76, den: 100 };

/// More pairs than this are not compared for rewordings (a template
/// rewritten wholesale, each section at once or all of them together): like
/// git's `diff.renameLimit`, it bounds the cost (about 0.1 s), and the
/// outcome says so. Comparing within sections first keeps a checklist
/// edited throughout (a word replaced in every item) under it.
pub const COMPARE_LIMIT: usize = 1_000_000;

/// An exact fraction in [0, 1].
#[derive(Debug, Clone, Copy)]
pub struct Similarity {
    num: u64,
    den: u64,
}

impl Similarity {
    pub const ONE: Similarity = Similarity { num: 1, den: 1 };

    /// Rounded to thousandths, for people and JSON.
    pub fn per_mille(self) -> u32 {
        ((self.num * 1000 + self.den / 2) / self.den) as u32
    }
}

impl PartialEq for Similarity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Similarity {}
impl PartialOrd for Similarity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Similarity {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.num * other.den).cmp(&(other.num * self.den))
    }
}

/// Character bigrams of a normalised text without its spaces, sorted: so
/// "e mail" and "email" are the same, and a reordering changes only the
/// bigrams across word joins.
#[derive(Debug, Clone)]
struct Bigrams {
    joined: String,
    grams: Vec<(char, char)>,
}

impl Bigrams {
    fn of(normalised: &str) -> Bigrams {
        let chars: Vec<char> = normalised.chars().filter(|c| *c != ' ').collect();
        let mut grams: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
        grams.sort_unstable();
        Bigrams {
            joined: chars.into_iter().collect(),
            grams,
        }
    }

    /// Sørensen–Dice: twice the shared bigrams (as a multiset) over both counts.
    fn dice(&self, other: &Bigrams) -> Similarity {
        if self.joined == other.joined {
            return Similarity::ONE;
        }
        let total = (self.grams.len() + other.grams.len()) as u64;
        if self.grams.is_empty() || other.grams.is_empty() {
            return Similarity { num: 0, den: 1 };
        }
        let (mut i, mut j, mut shared) = (0, 0, 0u64);
        while i < self.grams.len() && j < other.grams.len() {
            match self.grams[i].cmp(&other.grams[j]) {
                Ordering::Less => i += 1,
                Ordering::Greater => j += 1,
                Ordering::Equal => {
                    shared += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        Similarity {
            num: 2 * shared,
            den: total,
        }
    }

    /// Whether any text this long could reach `min` against `other`:
    /// shared bigrams are at most the shorter count.
    fn may_reach(&self, other: &Bigrams, min: Similarity) -> bool {
        let (a, b) = (self.grams.len() as u64, other.grams.len() as u64);
        let best = Similarity {
            num: 2 * a.min(b),
            den: (a + b).max(1),
        };
        best >= min
    }
}

/// How similar two item texts are, after normalising them as stable keys do.
pub fn similarity(a: &str, b: &str) -> Similarity {
    Bigrams::of(&normalise(a)).dice(&Bigrams::of(&normalise(b)))
}

/// One item as the matcher sees it; its index is its document position.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub key: &'a str,
    /// The stable key of the section the item is in.
    pub section: &'a str,
    /// The item's text as plain text (what its key was derived from).
    pub plain: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum MatchKind {
    /// Same stable key.
    Exact,
    /// Same text on another section path.
    Moved,
    /// Similar text.
    Reworded,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Moved => "moved",
            MatchKind::Reworded => "reworded",
        }
    }
}

/// An old item (index into the old list) continued by a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub old: usize,
    pub new: usize,
    pub kind: MatchKind,
    pub similarity: Similarity,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matching {
    /// In the new version's document order.
    pub pairs: Vec<Pair>,
    /// False when too many items were left to compare for rewordings
    /// ([`COMPARE_LIMIT`]): those that stage would have paired stay apart.
    pub rewordings_compared: bool,
}

struct Prepared<'a> {
    sides: &'a [Side<'a>],
    normal: Vec<String>,
    taken: Vec<bool>,
}

impl<'a> Prepared<'a> {
    fn new(sides: &'a [Side<'a>]) -> Prepared<'a> {
        Prepared {
            sides,
            normal: sides.iter().map(|s| normalise(s.plain)).collect(),
            taken: vec![false; sides.len()],
        }
    }

    fn free(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.sides.len()).filter(|i| !self.taken[*i])
    }
}

fn exact(old: &mut Prepared<'_>, new: &mut Prepared<'_>, pairs: &mut Vec<Pair>) {
    let by_key: HashMap<&str, usize> = old
        .sides
        .iter()
        .enumerate()
        .map(|(i, s)| (s.key, i))
        .collect();
    for (n, side) in new.sides.iter().enumerate() {
        if let Some(&o) = by_key.get(side.key) {
            if !old.taken[o] {
                old.taken[o] = true;
                new.taken[n] = true;
                pairs.push(Pair {
                    old: o,
                    new: n,
                    kind: MatchKind::Exact,
                    similarity: Similarity::ONE,
                });
            }
        }
    }
}

/// Pairs free items of `olds` and `news` at least [`REWORDED`] similar,
/// the most similar first, ties in document order.
fn reword(
    o: &mut Prepared<'_>,
    n: &mut Prepared<'_>,
    olds: &[usize],
    news: &[usize],
    pairs: &mut Vec<Pair>,
) {
    if olds.is_empty() || news.is_empty() {
        return;
    }
    let grams_old: Vec<Bigrams> = olds.iter().map(|&i| Bigrams::of(&o.normal[i])).collect();
    let grams_new: Vec<Bigrams> = news.iter().map(|&j| Bigrams::of(&n.normal[j])).collect();
    let mut candidates: Vec<(Similarity, usize, usize)> = Vec::new();
    for (a, &i) in grams_old.iter().zip(olds) {
        for (b, &j) in grams_new.iter().zip(news) {
            if !a.may_reach(b, REWORDED) {
                continue;
            }
            let s = a.dice(b);
            if s >= REWORDED {
                candidates.push((s, i, j));
            }
        }
    }
    candidates.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    for (s, i, j) in candidates {
        if o.taken[i] || n.taken[j] {
            continue;
        }
        o.taken[i] = true;
        n.taken[j] = true;
        pairs.push(Pair {
            old: i,
            new: j,
            kind: MatchKind::Reworded,
            similarity: s,
        });
    }
}

/// Pairs `old` and `new` items in stages (see the module comment).
pub fn match_items<'a>(old: &[Side<'a>], new: &[Side<'a>]) -> Matching {
    let mut o = Prepared::new(old);
    let mut n = Prepared::new(new);
    let mut pairs = Vec::new();
    exact(&mut o, &mut n, &mut pairs);

    // Moved: the k-th free new item with a text takes the k-th free old one.
    let mut by_text: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for i in o.free() {
        by_text
            .entry(o.normal[i].as_str())
            .or_default()
            .push_back(i);
    }
    let mut moved = Vec::new();
    for j in n.free() {
        if let Some(i) = by_text
            .get_mut(n.normal[j].as_str())
            .and_then(VecDeque::pop_front)
        {
            moved.push((i, j));
        }
    }
    for (i, j) in moved {
        o.taken[i] = true;
        n.taken[j] = true;
        pairs.push(Pair {
            old: i,
            new: j,
            kind: MatchKind::Moved,
            similarity: Similarity::ONE,
        });
    }

    // Reworded: within each section first (an item edited in place, and
    // what keeps a checklist edited throughout cheap to compare), then
    // across sections; each time every free pair scored and the most
    // similar taken first.
    // A section of the old version is the new section most of its paired
    // items went to (a renamed heading), else the one with its key.
    let mut went: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for p in &pairs {
        *went
            .entry(old[p.old].section)
            .or_default()
            .entry(new[p.new].section)
            .or_default() += 1;
    }
    let now_in = |section: &'a str| -> &'a str {
        went.get(section)
            .and_then(|to| {
                // The most items; of equals, the first key.
                to.iter()
                    .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
                    .map(|(s, _)| *s)
            })
            .unwrap_or(section)
    };
    let mut within = 0usize;
    let mut sections: BTreeMap<&str, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for i in o.free() {
        sections
            .entry(now_in(old[i].section))
            .or_default()
            .0
            .push(i);
    }
    for j in n.free() {
        if let Some(s) = sections.get_mut(new[j].section) {
            s.1.push(j);
        }
    }
    for (olds, news) in sections.values() {
        within = within.saturating_add(olds.len().saturating_mul(news.len()));
    }
    let mut compared = within <= COMPARE_LIMIT;
    if compared {
        for (olds, news) in sections.values() {
            reword(&mut o, &mut n, olds, news, &mut pairs);
        }
        let free_old: Vec<usize> = o.free().collect();
        let free_new: Vec<usize> = n.free().collect();
        compared = free_old.len().saturating_mul(free_new.len()) <= COMPARE_LIMIT;
        if compared {
            reword(&mut o, &mut n, &free_old, &free_new, &mut pairs);
        }
    }
    pairs.sort_by_key(|p| p.new);
    Matching {
        pairs,
        rewordings_compared: compared,
    }
}

/// The pairing an upgrade already chose (old key, new key), applied to the
/// same versions: exact keys, then the chosen pairs — nothing recomputed.
/// A chosen pair naming a key either version lacks, or an item already
/// paired, is left out.
pub fn chosen_pairs(old: &[Side<'_>], new: &[Side<'_>], chosen: &[(String, String)]) -> Matching {
    let mut o = Prepared::new(old);
    let mut n = Prepared::new(new);
    let mut pairs = Vec::new();
    exact(&mut o, &mut n, &mut pairs);
    let old_at: HashMap<&str, usize> = old.iter().enumerate().map(|(i, s)| (s.key, i)).collect();
    let new_at: HashMap<&str, usize> = new.iter().enumerate().map(|(i, s)| (s.key, i)).collect();
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    for (ok, nk) in chosen {
        let (Some(&i), Some(&j)) = (old_at.get(ok.as_str()), new_at.get(nk.as_str())) else {
            continue;
        };
        if o.taken[i] || n.taken[j] || !seen.insert((i, j)) {
            continue;
        }
        o.taken[i] = true;
        n.taken[j] = true;
        let same = o.normal[i] == n.normal[j];
        pairs.push(Pair {
            old: i,
            new: j,
            kind: if same {
                MatchKind::Moved
            } else {
                MatchKind::Reworded
            },
            similarity: if same {
                Similarity::ONE
            } else {
                Bigrams::of(&o.normal[i]).dice(&Bigrams::of(&n.normal[j]))
            },
        });
    }
    pairs.sort_by_key(|p| p.new);
    Matching {
        pairs,
        rewordings_compared: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDITS: &str = include_str!("../tests/fixtures/matching/edits.tsv");

    /// (kind, old, new) from the fixture file.
    fn edits() -> Vec<(&'static str, &'static str, &'static str)> {
        EDITS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let mut parts = l.split('\t');
                let kind = parts.next().unwrap();
                let old = parts.next().unwrap();
                let new = parts.next().unwrap();
                (kind, old, new)
            })
            .collect()
    }

    fn side<'a>(key: &'a str, plain: &'a str) -> Side<'a> {
        Side {
            key,
            section: "s",
            plain,
        }
    }

    /// The measurement behind [`REWORDED`]: it sits in the gap between the
    /// most similar different items and the least similar punctuation,
    /// reordering and typo edits; one-word changes split as documented.
    /// `cargo test -p signet-core --lib matching -- --nocapture` prints
    /// every score.
    #[test]
    fn the_threshold_separates_realistic_edits_from_different_items() {
        let mut lowest: HashMap<&str, u32> = HashMap::new();
        let mut highest: HashMap<&str, u32> = HashMap::new();
        let (mut words, mut words_kept) = (0, 0);
        for (kind, old, new) in edits() {
            let s = similarity(old, new);
            println!("{kind:12} {:>5}  {old} | {new}", s.per_mille());
            let lo = lowest.entry(kind).or_insert(1000);
            *lo = (*lo).min(s.per_mille());
            let hi = highest.entry(kind).or_insert(0);
            *hi = (*hi).max(s.per_mille());
            match kind {
                "different" => assert!(s < REWORDED, "{old} | {new} would pair"),
                "word" => {
                    words += 1;
                    words_kept += usize::from(s >= REWORDED);
                }
                _ => assert!(s >= REWORDED, "{kind}: {old} | {new} would not pair"),
            }
        }
        println!("lowest {lowest:?}\nhighest {highest:?}\none word changed: {words_kept} of {words} pair");
        assert_eq!(
            (
                highest["different"],
                lowest["typo"],
                lowest["punctuation"],
                lowest["reorder"]
            ),
            (750, 786, 902, 906)
        );
        assert_eq!((words_kept, words), (8, 14));
    }

    #[test]
    fn non_latin_text_scores_like_latin_text() {
        // The same edit (a word appended) in Persian, and letter for letter
        // in Latin script.
        let (old, new) = ("کلیدها را بچرخانید", "کلیدها را بچرخانید لطفا");
        let mut letters: Vec<char> = Vec::new();
        let latin = |text: &str, letters: &mut Vec<char>| -> String {
            text.chars()
                .map(|c| match c {
                    ' ' => ' ',
                    c => {
                        let at = letters.iter().position(|l| *l == c).unwrap_or_else(|| {
                            letters.push(c);
                            letters.len() - 1
                        });
                        char::from(b'a' + at as u8)
                    }
                })
                .collect()
        };
        let (lo, ln) = (latin(old, &mut letters), latin(new, &mut letters));
        assert_eq!(similarity(old, new), similarity(&lo, &ln));
        assert!(similarity("کلیدهای API را بچرخانید", "کلیدهای API را بچرخانید.") >= REWORDED);
    }

    #[test]
    fn stages_pair_exact_then_moved_then_reworded_one_to_one() {
        let old = [
            side("k1", "Licences checked"),
            side("k2", "API keys/tokens are rotated"),
            side("k3", "Backups restore"),
            side("k4", "Privacy policy updated"),
            side("k5", "Dependencies scanned for known vulnerabilities"),
        ];
        let new = [
            side("k1", "Licences checked"),
            side("n2", "API keys or tokens are rotated"),
            side("n3", "Backups restore"),
            side("n5", "Containers scanned for known vulnerabilities"),
            side("n6", "Cookie banner updated"),
        ];
        let m = match_items(&old, &new);
        let got: Vec<(usize, usize, MatchKind)> =
            m.pairs.iter().map(|p| (p.old, p.new, p.kind)).collect();
        assert_eq!(
            got,
            [
                (0, 0, MatchKind::Exact),
                (1, 1, MatchKind::Reworded),
                (2, 2, MatchKind::Moved),
            ],
            "near misses (k4/n6, k5/n5) stay apart"
        );
        assert!(m.rewordings_compared);
        assert_eq!(m.pairs[1].similarity.per_mille(), 913);
    }

    #[test]
    fn ties_go_by_document_order_and_each_item_pairs_once() {
        // Two old items with one text, moved: the first old goes to the first new.
        let old = [side("a", "Smoke tests pass"), side("b", "Smoke tests pass")];
        let new = [side("c", "Smoke tests pass"), side("d", "Smoke tests pass")];
        let m = match_items(&old, &new);
        let got: Vec<(usize, usize)> = m.pairs.iter().map(|p| (p.old, p.new)).collect();
        assert_eq!(got, [(0, 0), (1, 1)]);
        // One old item equally similar to two new ones: the first new wins,
        // the other is added.
        let old = [side("a", "Backups of the production database tested daily")];
        let new = [
            side("b", "Backups of the production database tested weekly"),
            side("c", "Backups of the production database tested hourly"),
        ];
        let x = similarity(old[0].plain, new[0].plain);
        let y = similarity(old[0].plain, new[1].plain);
        assert_eq!(x, y);
        let m = match_items(&old, &new);
        assert_eq!(m.pairs.len(), 1);
        assert_eq!((m.pairs[0].old, m.pairs[0].new), (0, 0));
        // The most similar pair wins over document order.
        let old = [side("a", "Rotate all API keys before launch")];
        let new = [
            side("b", "Rotate all of the API keys before launch day"),
            side("c", "Rotate all API keys before launch day"),
        ];
        let (x, y) = (
            similarity(old[0].plain, new[0].plain),
            similarity(old[0].plain, new[1].plain),
        );
        assert!(REWORDED <= x && x < y, "{x:?} {y:?}");
        assert_eq!(match_items(&old, &new).pairs[0].new, 1);
    }

    #[test]
    fn a_chosen_pairing_is_replayed_not_recomputed() {
        let old = [
            side("k1", "Licences checked"),
            side("k2", "Privacy policy updated"),
        ];
        let new = [
            side("k1", "Licences checked"),
            side("n2", "Privacy policy reviewed"),
        ];
        assert_eq!(
            match_items(&old, &new).pairs.len(),
            1,
            "below the threshold"
        );
        let chosen = [
            ("k2".to_string(), "n2".to_string()),
            ("k1".to_string(), "n2".to_string()),
            ("zz".to_string(), "n2".to_string()),
        ];
        let m = chosen_pairs(&old, &new, &chosen);
        let got: Vec<(usize, usize, MatchKind)> =
            m.pairs.iter().map(|p| (p.old, p.new, p.kind)).collect();
        assert_eq!(got, [(0, 0, MatchKind::Exact), (1, 1, MatchKind::Reworded)]);
    }

    #[test]
    fn a_rewritten_template_is_not_compared_past_the_limit() {
        let texts: Vec<String> = (0..1001).map(|i| format!("item {i}")).collect();
        let old: Vec<Side<'_>> = texts.iter().map(|t| side(t, t)).collect();
        let keys: Vec<String> = (0..1001).map(|i| format!("n{i}")).collect();
        let renamed: Vec<String> = (0..1001).map(|i| format!("thing {i}")).collect();
        let new: Vec<Side<'_>> = keys.iter().zip(&renamed).map(|(k, t)| side(k, t)).collect();
        let m = match_items(&old, &new);
        assert!(!m.rewordings_compared);
        assert!(m.pairs.is_empty());
    }

    #[test]
    fn a_word_replaced_in_every_item_is_compared_section_by_section() {
        // 3,000 items in 150 sections, every heading renamed, every other
        // item reworded: 2,250,000 pairs left across the whole template
        // (over the limit), 15,000 within sections.
        let texts: Vec<(String, String, String)> = (0..3000)
            .map(|i| {
                (
                    format!("k{i}"),
                    format!("s{}", i / 20),
                    format!("Acme service {i} passes its health check"),
                )
            })
            .collect();
        let edited: Vec<(String, String, String)> = texts
            .iter()
            .map(|(k, s, t)| {
                // Every other item reworded, under renamed headings.
                let n: usize = k[1..].parse().unwrap();
                let t = if n.is_multiple_of(2) {
                    t.replace("Acme", "Acme Cloud")
                } else {
                    t.clone()
                };
                (format!("n{k}"), format!("renamed {s}"), t)
            })
            .collect();
        let old: Vec<Side<'_>> = texts
            .iter()
            .map(|(key, section, plain)| Side {
                key,
                section,
                plain,
            })
            .collect();
        let new: Vec<Side<'_>> = edited
            .iter()
            .map(|(key, section, plain)| Side {
                key,
                section,
                plain,
            })
            .collect();
        let m = match_items(&old, &new);
        assert!(m.rewordings_compared);
        assert_eq!(m.pairs.len(), 3000);
        assert!(m.pairs.iter().all(|p| p.old == p.new));
        let reworded = m.pairs.iter().filter(|p| p.kind == MatchKind::Reworded);
        assert_eq!(reworded.count(), 1500);
    }
}
