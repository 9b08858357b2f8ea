//! The body score of the quality tests: the longest common subsequence (LCS) of the extracted
//! and the expected text as token sequences, where a token is one CJK character or one
//! lower-cased run of other letters and digits; punctuation and whitespace are not tokens.

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{3040}'..='\u{30FF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}')
}

/// CJK characters one by one, other letters and digits as lower-cased words.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(c.to_string());
        } else if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

pub fn lcs(a: &[String], b: &[String]) -> usize {
    let mut prev = vec![0u32; b.len() + 1];
    let mut cur = vec![0u32; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] as usize
}

/// (precision, recall) of `got` against `want`: LCS / got's tokens, LCS / want's tokens.
pub fn overlap(got: &str, want: &str) -> (f64, f64) {
    let (got, want) = (tokens(got), tokens(want));
    let common = lcs(&got, &want) as f64;
    let ratio = |n: usize| if n == 0 { 0.0 } else { common / n as f64 };
    (ratio(got.len()), ratio(want.len()))
}

/// The harmonic mean of [`overlap`]'s precision and recall (0 when nothing is shared).
pub fn f1(got: &str, want: &str) -> f64 {
    let (p, r) = overlap(got, want);
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}
