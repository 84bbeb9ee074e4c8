//! How text becomes search terms, the same for what is indexed and what is asked, on
//! both databases. Words of letters and digits are lower-cased and kept whole. Chinese,
//! Japanese and Korean are written without spaces and most of their words are two
//! characters, so a run of those characters gives every character and every pair of
//! neighbours: "快递太慢了" holds 快, 递, …, 快递, 递太, 太慢, 慢了, and a search for 快递
//! (or 慢) finds it while no English-only text has any of those terms. A query's terms
//! must all be present, so "太慢了" asks for 太慢 and 慢了 together.

use std::collections::BTreeSet;

/// The most terms a query may ask for; more only narrow an already narrow search.
pub const MAX_QUERY_TERMS: usize = 16;

/// Whether `c` belongs to a script written without spaces between words.
fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30ff        // Hiragana, Katakana
        | 0x3400..=0x4dbf      // CJK extension A
        | 0x4e00..=0x9fff      // CJK unified ideographs
        | 0xac00..=0xd7af      // Hangul syllables
        | 0xf900..=0xfaff      // CJK compatibility ideographs
        | 0x20000..=0x2fa1f    // CJK extensions B–F, compatibility supplement
    )
}

/// The terms of `text`, each once, in no particular order.
pub fn terms(text: &str) -> BTreeSet<String> {
    let mut terms = BTreeSet::new();
    let mut word = String::new();
    let mut previous_unspaced: Option<char> = None;
    for c in text.chars() {
        if is_unspaced(c) {
            flush(&mut word, &mut terms);
            terms.insert(c.to_string());
            if let Some(before) = previous_unspaced {
                terms.insert([before, c].iter().collect());
            }
            previous_unspaced = Some(c);
        } else {
            previous_unspaced = None;
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            } else {
                flush(&mut word, &mut terms);
            }
        }
    }
    flush(&mut word, &mut terms);
    terms
}

fn flush(word: &mut String, terms: &mut BTreeSet<String>) {
    if !word.is_empty() {
        // A term longer than this is not a word anyone searches for.
        if word.chars().count() <= 64 {
            terms.insert(std::mem::take(word));
        }
        word.clear();
    }
}

/// The terms a query asks for: those of [`terms`], except that a run of Chinese (or
/// Japanese, Korean) characters asks only for its pairs, or for itself when it is one
/// character, so "快递" matches 快递 and not every text with 快 and 递 apart.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut asked = Vec::new();
    for run in runs(query) {
        match run {
            Run::Unspaced(chars) if chars.len() == 1 => asked.push(chars[0].to_string()),
            Run::Unspaced(chars) => asked.extend(chars.windows(2).map(|pair| pair.iter().collect::<String>())),
            Run::Word(word) => asked.extend(terms(&word)),
        }
    }
    let mut seen = BTreeSet::new();
    asked.retain(|t| seen.insert(t.clone()));
    asked.truncate(MAX_QUERY_TERMS);
    asked
}

enum Run {
    Unspaced(Vec<char>),
    Word(String),
}

fn runs(text: &str) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for c in text.chars() {
        match (runs.last_mut(), is_unspaced(c)) {
            (Some(Run::Unspaced(chars)), true) => chars.push(c),
            (Some(Run::Word(word)), false) => word.push(c),
            (_, true) => runs.push(Run::Unspaced(vec![c])),
            (_, false) => runs.push(Run::Word(c.to_string())),
        }
    }
    runs
}

/// The terms of a submission's searchable fields, sorted: what the index keeps.
pub fn document(fields: &[Option<&str>]) -> Vec<String> {
    let mut all = BTreeSet::new();
    for field in fields.iter().flatten() {
        all.extend(terms(field));
    }
    all.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, query: &str) -> bool {
        let indexed = terms(text);
        let asked = query_terms(query);
        !asked.is_empty() && asked.iter().all(|t| indexed.contains(t))
    }

    #[test]
    fn a_two_character_chinese_word_is_found_inside_a_sentence_and_not_in_english() {
        assert!(found("快递太慢了", "快递"));
        assert!(found("快递太慢了", "太慢了"));
        assert!(found("快递太慢了", "慢"));
        assert!(!found("the delivery was slow", "快递"));
        assert!(!found("快来，递给我", "快递"), "the two characters apart are not the word");
    }

    #[test]
    fn english_words_match_whole_and_without_case() {
        assert!(found("Delivery was LATE again", "late delivery"));
        assert!(!found("Delivery was late", "lately"));
        assert!(found("order A-1001 from shopper@example.com", "shopper@example.com"));
        assert!(found("order A-1001", "a-1001"));
        assert!(found("Größe passt nicht", "grösse") || found("Größe passt nicht", "größe"));
    }

    #[test]
    fn mixed_text_gives_both_kinds_of_terms() {
        let t = terms("订单A1001的包装破了");
        for expected in ["订", "订单", "a1001", "包装", "破了"] {
            assert!(t.contains(expected), "{expected} missing from {t:?}");
        }
        assert!(!t.contains("单a"), "a pair never crosses into a word");
    }

    #[test]
    fn a_query_of_punctuation_asks_for_nothing() {
        assert!(query_terms("  --- !!! ").is_empty());
        assert!(query_terms(&"word ".repeat(100)).len() <= MAX_QUERY_TERMS);
    }
}
