//! The phrases of what shoppers wrote, for the insights' "what people say": content
//! words and pairs of neighbouring content words, lower-cased. Chinese has no spaces, so
//! its runs are cut into words by jieba (whose dictionary ships inside the crate);
//! single characters and function words are left out in both languages.

use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The most phrases one text gives: a long message must not outweigh many short ones.
pub const MAX_PER_TEXT: usize = 16;

const ENGLISH_STOP: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "before",
    "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "here", "him",
    "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "me", "my", "no", "not", "of", "on", "once",
    "or", "our", "out", "she", "so", "than", "that", "the", "their", "them", "then", "there", "they", "this", "to",
    "too", "up", "us", "very", "was", "we", "were", "what", "when", "which", "who", "why", "will", "with", "would",
    "you", "your", "it's", "i'm", "don't", "didn't", "was", "isn't", "wasn't",
];

const CHINESE_STOP: &[&str] = &[
    "我们", "你们", "他们", "这个", "那个", "一个", "什么", "因为", "所以", "但是", "然后", "已经", "还是", "可以",
    "就是", "自己", "没有", "不是", "这样", "怎么", "一下", "一次", "真的", "非常", "还有", "而且", "如果",
];

fn jieba() -> &'static jieba_rs::Jieba {
    static JIEBA: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    JIEBA.get_or_init(jieba_rs::Jieba::new)
}

/// Loads the segmenter's dictionary now (about a third of a second), so that the first
/// text to need it does not wait.
pub fn warm_up() {
    jieba();
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF)
}

/// The text's words in order, `None` standing for a break (a stop word or punctuation)
/// that no pair may span.
fn words(text: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    let mut latin = String::new();
    let mut han = String::new();
    let flush_latin = |latin: &mut String, out: &mut Vec<Option<String>>| {
        if !latin.is_empty() {
            let word = latin.trim_matches('\'').to_lowercase();
            let content = word.chars().count() >= 3 && !ENGLISH_STOP.contains(&word.as_str());
            out.push(content.then_some(word));
            latin.clear();
        }
    };
    let flush_han = |han: &mut String, out: &mut Vec<Option<String>>| {
        if !han.is_empty() {
            for word in jieba().cut(han, false) {
                let content = word.chars().count() >= 2 && !CHINESE_STOP.contains(&word);
                out.push(content.then(|| word.to_owned()));
            }
            han.clear();
        }
    };
    for c in text.chars() {
        if is_han(c) {
            flush_latin(&mut latin, &mut out);
            han.push(c);
        } else if c.is_alphanumeric() || (c == '\'' && !latin.is_empty()) {
            flush_han(&mut han, &mut out);
            latin.push(c);
        } else {
            flush_latin(&mut latin, &mut out);
            flush_han(&mut han, &mut out);
            if !c.is_whitespace() {
                out.push(None);
            }
        }
    }
    flush_latin(&mut latin, &mut out);
    flush_han(&mut han, &mut out);
    out
}

/// The phrases of `text`: its content words and neighbouring pairs of them (English
/// pairs joined by a space, Chinese ones without), pairs first, at most
/// [`MAX_PER_TEXT`].
pub fn phrases(text: &str) -> BTreeSet<String> {
    let words = words(text);
    let mut pairs = Vec::new();
    let mut singles = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let Some(word) = word else { continue };
        if word.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        singles.push(word.clone());
        if let Some(Some(next)) = words.get(i + 1) {
            if next.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            let joint = if word.chars().all(is_han) && next.chars().all(is_han) { "" } else { " " };
            pairs.push(format!("{word}{joint}{next}"));
        }
    }
    let mut out = BTreeSet::new();
    for phrase in pairs.into_iter().chain(singles) {
        if out.len() == MAX_PER_TEXT {
            break;
        }
        out.insert(phrase);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_keeps_content_words_and_their_pairs() {
        let found = phrases("The parcel arrived four days late, and nobody told me why.");
        for expected in ["parcel arrived", "days late", "late", "parcel", "nobody told"] {
            assert!(found.contains(expected), "{expected} in {found:?}");
        }
        // A stop word and a comma break pairs.
        assert!(!found.contains("late nobody") && !found.contains("the parcel"), "{found:?}");
    }

    #[test]
    fn chinese_is_cut_into_words() {
        let found = phrases("快递太慢了，等了一个星期才到。");
        assert!(found.contains("快递"), "{found:?}");
        assert!(found.contains("星期"), "{found:?}");
        // No single characters, no function words.
        assert!(found.iter().all(|p| p.chars().count() >= 2), "{found:?}");
        assert!(!found.contains("一个"), "{found:?}");
    }

    #[test]
    fn a_long_text_gives_a_bounded_number_of_phrases() {
        let text = (0..200).map(|i| format!("word{}x", "abcdefghij".chars().nth(i % 10).unwrap())).collect::<Vec<_>>();
        assert!(phrases(&text.join(" ")).len() <= MAX_PER_TEXT);
    }
}
