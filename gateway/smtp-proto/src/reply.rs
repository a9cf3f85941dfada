//! SMTP replies: a three-digit code and one or more lines of text.
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    /// A one-line reply. Line breaks in `text` are turned into spaces: a reply line must not
    /// contain CR or LF.
    pub fn new(code: u16, text: impl Into<String>) -> Self {
        Self::multi(code, [text.into()])
    }

    /// A multiline reply (`250-first`, …, `250 last`), as EHLO answers.
    pub fn multi(code: u16, lines: impl IntoIterator<Item = String>) -> Self {
        debug_assert!((200..600).contains(&code), "SMTP codes are 2xx to 5xx");
        let mut lines: Vec<String> = lines
            .into_iter()
            .map(|l| l.replace(['\r', '\n'], " "))
            .collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        Self { code, lines }
    }

    /// 2xx and 3xx: the command was accepted.
    pub fn is_positive(&self) -> bool {
        self.code < 400
    }

    /// The bytes on the wire, every line ending in CRLF.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = self.lines.len() - 1;
        for (i, line) in self.lines.iter().enumerate() {
            let sep = if i == last { ' ' } else { '-' };
            if line.is_empty() && i == last {
                write!(f, "{}\r\n", self.code)?;
            } else {
                write!(f, "{}{sep}{line}\r\n", self.code)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line() {
        assert_eq!(
            Reply::new(250, "2.0.0 OK").to_bytes(),
            b"250 2.0.0 OK\r\n".to_vec()
        );
    }

    #[test]
    fn multiline_uses_dashes_until_the_last_line() {
        let r = Reply::multi(
            250,
            [
                "mx.example".to_string(),
                "SIZE 100".into(),
                "STARTTLS".into(),
            ],
        );
        assert_eq!(
            r.to_string(),
            "250-mx.example\r\n250-SIZE 100\r\n250 STARTTLS\r\n"
        );
        assert!(r.is_positive());
        assert!(!Reply::new(550, "no").is_positive());
    }

    #[test]
    fn line_breaks_cannot_inject_a_reply() {
        let r = Reply::new(550, "bad\r\n250 OK");
        assert_eq!(r.to_string(), "550 bad  250 OK\r\n");
    }
}
