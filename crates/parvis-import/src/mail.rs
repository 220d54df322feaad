//! A small, lenient Internet Message (RFC 5322 / MIME) reader.
//!
//! Enough to import archives: unfolded headers, RFC 2047 encoded words,
//! `quoted-printable` and `base64` bodies, charsets through encoding_rs, and
//! multipart messages where the first `text/plain` part wins (else the first
//! `text/html`, rendered as text). Attachments are ignored. Nothing here fails:
//! a broken message yields what could be read.

use crate::encoding::{decode_to_utf8, label_to_encoding};
use crate::html::html_to_text;

/// A parsed message: headers in order (names lower-cased) and the chosen text body.
#[derive(Debug, Clone, Default)]
pub struct ParsedMail {
    /// `(lower-cased name, unfolded raw value)` in order.
    pub headers: Vec<(String, String)>,
    /// The text body (decoded, UTF-8).
    pub body_text: String,
}

impl ParsedMail {
    /// The first value of a header, raw (unfolded, not RFC 2047-decoded).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    /// The first value of a header with encoded words decoded.
    pub fn decoded(&self, name: &str) -> Option<String> {
        self.header(name).map(decode_words)
    }
}

/// Decodes header bytes: UTF-8 when valid, else windows-1252 (what old mailers wrote).
fn header_bytes_to_string(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => decode_to_utf8(b, Some("windows-1252")),
    }
}

fn split_head_body(raw: &[u8]) -> (&[u8], &[u8]) {
    let mut i = 0;
    // A message that starts with a blank line has no headers.
    while i < raw.len() {
        let line_end = raw[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|p| i + p + 1)
            .unwrap_or(raw.len());
        let line = &raw[i..line_end];
        if line == b"\n" || line == b"\r\n" {
            return (&raw[..i], &raw[line_end..]);
        }
        i = line_end;
    }
    (raw, &[])
}

/// Parses header lines, unfolding continuations.
pub fn parse_headers(head: &[u8]) -> Vec<(String, String)> {
    let text = header_bytes_to_string(head);
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':')
            && !name.is_empty()
            && !name.contains(' ')
        {
            out.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    out
}

/// Parses a whole message.
pub fn parse(raw: &[u8]) -> ParsedMail {
    let (head, body) = split_head_body(raw);
    let headers = parse_headers(head);
    let body_text = body_of(&headers, body, 0).unwrap_or_default();
    ParsedMail { headers, body_text }
}

/// `type/subtype` (lower-cased) and parameters of a Content-Type value.
fn content_type(headers: &[(String, String)]) -> (String, Vec<(String, String)>) {
    let raw = headers
        .iter()
        .find(|(n, _)| n == "content-type")
        .map(|(_, v)| v.as_str())
        .unwrap_or("text/plain");
    let mut parts = raw.split(';');
    let ty = parts
        .next()
        .unwrap_or("text/plain")
        .trim()
        .to_ascii_lowercase();
    let params = parts
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_string(),
            )
        })
        .collect();
    (
        if ty.is_empty() {
            "text/plain".into()
        } else {
            ty
        },
        params,
    )
}

fn body_of(headers: &[(String, String)], body: &[u8], depth: u32) -> Option<String> {
    let (ty, params) = content_type(headers);
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if ty.starts_with("multipart/") && depth < 8 {
        let boundary = param("boundary")?;
        let parts = split_multipart(body, boundary);
        let mut html = None;
        for part in parts {
            let (h, b) = split_head_body(part);
            let hs = parse_headers(h);
            let (pty, _) = content_type(&hs);
            let disposition = hs
                .iter()
                .find(|(n, _)| n == "content-disposition")
                .map(|(_, v)| v.to_ascii_lowercase());
            if disposition
                .map(|d| d.starts_with("attachment"))
                .unwrap_or(false)
            {
                continue;
            }
            if pty == "text/plain" || pty.starts_with("multipart/") {
                if let Some(t) = body_of(&hs, b, depth + 1)
                    && !t.trim().is_empty()
                {
                    return Some(t);
                }
            } else if pty == "text/html" && html.is_none() {
                html = body_of(&hs, b, depth + 1);
            }
        }
        return html;
    }
    if !ty.starts_with("text/") && !ty.is_empty() {
        return None;
    }
    let cte = headers
        .iter()
        .find(|(n, _)| n == "content-transfer-encoding")
        .map(|(_, v)| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let bytes = match cte.as_str() {
        "quoted-printable" => decode_qp(body),
        "base64" => decode_base64(body),
        _ => body.to_vec(),
    };
    let text = match param("charset").and_then(label_to_encoding) {
        Some(enc) => enc.decode(&bytes).0.into_owned(),
        // No charset declared: UTF-8 if valid, else the usual legacy guess.
        None => header_bytes_to_string(&bytes),
    };
    let text = text.replace("\r\n", "\n");
    Some(if ty == "text/html" {
        html_to_text(&text)
    } else {
        text
    })
}

fn split_multipart<'a>(body: &'a [u8], boundary: &str) -> Vec<&'a [u8]> {
    let delim = format!("--{boundary}");
    let d = delim.as_bytes();
    let mut parts = Vec::new();
    let mut starts: Vec<(usize, usize, bool)> = Vec::new(); // (line start, line end, is_close)
    let mut i = 0;
    while i < body.len() {
        let end = body[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|p| i + p + 1)
            .unwrap_or(body.len());
        let line = &body[i..end];
        if line.starts_with(d) {
            let rest = &line[d.len()..];
            starts.push((i, end, rest.starts_with(b"--")));
        }
        i = end;
    }
    for w in starts.windows(2) {
        let (_, s_end, close) = w[0];
        if close {
            break;
        }
        parts.push(&body[s_end..w[1].0]);
    }
    if let Some(&(_, s_end, false)) = starts.last() {
        parts.push(&body[s_end..]); // unterminated last part
    }
    parts
}

/// Decodes quoted-printable (soft line breaks, `=XX`); bad escapes are kept.
pub fn decode_qp(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'=' {
            if input.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if input.get(i + 1) == Some(&b'\r') && input.get(i + 2) == Some(&b'\n') {
                i += 3;
                continue;
            }
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (
                input.get(i + 1).and_then(|&c| hex(c)),
                input.get(i + 2).and_then(|&c| hex(c)),
            ) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

/// Decodes base64, ignoring whitespace and stopping at padding or junk.
pub fn decode_base64(input: &[u8]) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some((c - b'A') as u32),
            b'a'..=b'z' => Some((c - b'a') as u32 + 26),
            b'0'..=b'9' => Some((c - b'0') as u32 + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        }
    };
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in input {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            break;
        }
        let Some(v) = val(c) else { continue };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?utf-8?Q?caf=C3=A9?=`); whitespace
/// between two encoded words is dropped as the RFC says.
pub fn decode_words(s: &str) -> String {
    if !s.contains("=?") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        let decoded = try_word(&rest[start..]);
        match decoded {
            Some((text, used)) => {
                if !(last_was_word && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&text);
                rest = &rest[start + used..];
                last_was_word = true;
            }
            None => {
                out.push_str(&rest[..start + 2]);
                rest = &rest[start + 2..];
                last_was_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes one encoded word at the start of `s`: (text, bytes consumed).
fn try_word(s: &str) -> Option<(String, usize)> {
    let inner = s.strip_prefix("=?")?;
    let q1 = inner.find('?')?;
    let charset = inner[..q1].split('*').next().unwrap_or("");
    let enc = inner.get(q1 + 1..q1 + 2)?;
    if inner.get(q1 + 2..q1 + 3)? != "?" {
        return None;
    }
    let payload_start = q1 + 3;
    let end = inner[payload_start..].find("?=")? + payload_start;
    let payload = &inner[payload_start..end];
    let bytes = match enc {
        "B" | "b" => decode_base64(payload.as_bytes()),
        "Q" | "q" => decode_qp(payload.replace('_', " ").as_bytes()),
        _ => return None,
    };
    let text = decode_to_utf8(&bytes, Some(charset));
    Some((text, 2 + end + 2))
}

/// A mailbox from a From-like header: (display name, address).
/// Handles `Name <a@b>`, `"Name" <a@b>`, `a@b (Name)`, bare `a@b`, and the
/// archive obfuscation `a at b.org (Name)`.
pub fn parse_mailbox(value: &str) -> (Option<String>, Option<String>) {
    let v = decode_words(value.trim());
    if let (Some(lt), Some(gt)) = (v.rfind('<'), v.rfind('>'))
        && lt < gt
    {
        let addr = v[lt + 1..gt].trim().to_string();
        let name = v[..lt].trim().trim_matches('"').trim().to_string();
        return (
            Some(name).filter(|n| !n.is_empty()),
            Some(crate::identity::unobfuscate_email(&addr)).filter(|a| a.contains('@')),
        );
    }
    if let (Some(open), true) = (v.find('('), v.ends_with(')')) {
        let addr = v[..open].trim();
        let name = v[open + 1..v.len() - 1]
            .trim()
            .trim_matches('"')
            .to_string();
        let addr = crate::identity::unobfuscate_email(addr);
        if addr.contains('@') {
            return (Some(name).filter(|n| !n.is_empty()), Some(addr));
        }
    }
    let addr = crate::identity::unobfuscate_email(&v);
    if addr.contains('@') {
        (None, Some(addr))
    } else {
        (Some(v).filter(|n| !n.is_empty()), None)
    }
}

/// All `<msg-id>` tokens of a header, without angle brackets.
pub fn msg_ids(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(lt) = rest.find('<') {
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let id = rest[lt + 1..lt + gt].trim();
        if !id.is_empty() {
            out.push(id.to_string());
        }
        rest = &rest[lt + gt + 1..];
    }
    if out.is_empty() {
        // Some mailers drop the brackets.
        out.extend(
            value
                .split_whitespace()
                .filter(|t| t.contains('@'))
                .map(str::to_string),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words() {
        assert_eq!(
            decode_words("=?utf-8?Q?caf=C3=A9?= =?ISO-8859-1?B?4Q==?= ok"),
            "caféá ok"
        );
        assert_eq!(
            decode_words("Re: =?iso-8859-1?q?r=E9union?="),
            "Re: réunion"
        );
        assert_eq!(decode_words("no words"), "no words");
    }

    #[test]
    fn mailboxes() {
        assert_eq!(
            parse_mailbox("Marie D. <Marie@Acme.fr>"),
            (Some("Marie D.".into()), Some("Marie@Acme.fr".into()))
        );
        assert_eq!(
            parse_mailbox("mayeul.kauffmann at free.fr (Mayeul Kauffmann)"),
            (
                Some("Mayeul Kauffmann".into()),
                Some("mayeul.kauffmann@free.fr".into())
            )
        );
        assert_eq!(parse_mailbox("a@b.org"), (None, Some("a@b.org".into())));
    }

    #[test]
    fn multipart_prefers_plain_and_decodes() {
        let raw = b"From: a@b.c\nContent-Type: multipart/alternative; boundary=\"XX\"\n\npreamble\n--XX\nContent-Type: text/html\n\n<p>html</p>\n--XX\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\ncaf=E9 =\nlong\n--XX--\n";
        let m = parse(raw);
        assert_eq!(m.body_text.trim(), "café long");
        assert_eq!(m.header("from"), Some("a@b.c"));
    }

    #[test]
    fn base64_body() {
        let raw = b"Content-Transfer-Encoding: base64\nContent-Type: text/plain; charset=utf-8\n\nY2Fmw6k=\n";
        assert_eq!(parse(raw).body_text, "café");
    }

    #[test]
    fn ids() {
        assert_eq!(msg_ids("<a@b> <c@d>"), vec!["a@b", "c@d"]);
    }
}
