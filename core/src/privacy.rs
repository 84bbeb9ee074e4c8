//! What never leaves the shopper's browser: card numbers typed into free text.

use std::borrow::Cow;

/// `text` with every card number in it masked: a run of 13 to 19 digits (single spaces
/// or dashes between them allowed) that passes the Luhn check gets `•` for each digit but
/// the last four. Other numbers (order numbers, phone numbers, dates) stay.
pub fn mask_card_numbers(text: &str) -> Cow<'_, str> {
    let chars: Vec<char> = text.chars().collect();
    let mut masked: Option<Vec<char>> = None;
    let mut start = 0;
    while start < chars.len() {
        if !chars[start].is_ascii_digit() {
            start += 1;
            continue;
        }
        // The run: digits, with single spaces or dashes between them.
        let mut end = start;
        let mut digits = Vec::new();
        while end < chars.len() {
            if chars[end].is_ascii_digit() {
                digits.push(end);
                end += 1;
            } else if matches!(chars[end], ' ' | '-') && chars.get(end + 1).is_some_and(char::is_ascii_digit) {
                end += 1;
            } else {
                break;
            }
        }
        if (13..=19).contains(&digits.len()) && luhn(digits.iter().map(|&i| chars[i])) {
            let out = masked.get_or_insert_with(|| chars.clone());
            for &i in &digits[..digits.len() - 4] {
                out[i] = '•';
            }
        }
        start = end.max(start + 1);
    }
    match masked {
        Some(out) => Cow::Owned(out.into_iter().collect()),
        None => Cow::Borrowed(text),
    }
}

fn luhn(digits: impl DoubleEndedIterator<Item = char>) -> bool {
    let sum: u32 = digits
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap_or(0);
            if !i.is_multiple_of(2) {
                let twice = d * 2;
                if twice > 9 {
                    twice - 9
                } else {
                    twice
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::mask_card_numbers;

    #[test]
    fn card_numbers_are_masked_but_their_last_four_digits() {
        // Test numbers of Visa, Mastercard and American Express.
        assert_eq!(mask_card_numbers("card 4111111111111111 declined"), "card ••••••••••••1111 declined");
        assert_eq!(mask_card_numbers("5555-5555-5555-4444"), "••••-••••-••••-4444");
        assert_eq!(mask_card_numbers("Amex 3782 822463 10005."), "Amex •••• •••••• •0005.");
        assert_eq!(
            mask_card_numbers("two: 4111 1111 1111 1111 and 4012888888881881"),
            "two: •••• •••• •••• 1111 and ••••••••••••1881"
        );
    }

    #[test]
    fn other_numbers_stay() {
        for text in [
            "Order NW-1042 arrived late",
            "call me on +44 20 7946 0958",
            "4111111111111112 is not a card (Luhn fails)",
            "1234567890",
            "",
            "no digits at all",
        ] {
            assert_eq!(mask_card_numbers(text), text);
        }
    }
}
