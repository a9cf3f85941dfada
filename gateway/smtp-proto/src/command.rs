//! SMTP commands (RFC 5321 4.1) as a small inbound server needs them.
use crate::Reply;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Ehlo(String),
    Helo(String),
    StartTls,
    Mail {
        /// The reverse path without angle brackets; empty for the null sender `<>` (bounces).
        from: String,
        /// The `SIZE=` parameter (RFC 1870): the client's estimate of the message size.
        size: Option<u64>,
    },
    Rcpt {
        to: String,
    },
    Data,
    Rset,
    Noop,
    Quit,
    /// VRFY and EXPN: answered without telling who exists.
    Vrfy,
    Help,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown command `{0}`")]
    Unknown(String),
    #[error("{0}")]
    Syntax(&'static str),
    #[error("parameter `{0}` is not supported")]
    UnsupportedParameter(String),
    #[error("the command line is not UTF-8")]
    NotUtf8,
}

impl ParseError {
    /// The reply the server sends for this error.
    pub fn reply(&self) -> Reply {
        match self {
            ParseError::Unknown(_) | ParseError::NotUtf8 => {
                Reply::new(500, format!("5.5.2 {self}"))
            }
            ParseError::Syntax(_) => Reply::new(501, format!("5.5.4 {self}")),
            ParseError::UnsupportedParameter(_) => Reply::new(555, format!("5.5.4 {self}")),
        }
    }
}

/// Parses one command line (without its CRLF).
pub fn parse_command(line: &[u8]) -> Result<Command, ParseError> {
    let line = std::str::from_utf8(line).map_err(|_| ParseError::NotUtf8)?;
    let line = line.trim_end_matches([' ', '\t']);
    let (verb, args) = match line.find(' ') {
        Some(i) => (&line[..i], line[i + 1..].trim_start()),
        None => (line, ""),
    };
    let no_args = |cmd: Command| {
        if args.is_empty() {
            Ok(cmd)
        } else {
            Err(ParseError::Syntax("this command takes no arguments"))
        }
    };
    match verb.to_ascii_uppercase().as_str() {
        "EHLO" => domain(args).map(Command::Ehlo),
        "HELO" => domain(args).map(Command::Helo),
        "STARTTLS" => no_args(Command::StartTls),
        "MAIL" => mail(args),
        "RCPT" => rcpt(args),
        "DATA" => no_args(Command::Data),
        "RSET" => no_args(Command::Rset),
        // NOOP may carry a string, which is ignored (4.1.1.9).
        "NOOP" => Ok(Command::Noop),
        "QUIT" => no_args(Command::Quit),
        "VRFY" | "EXPN" => Ok(Command::Vrfy),
        "HELP" => Ok(Command::Help),
        _ => Err(ParseError::Unknown(
            verb.chars().take(16).collect::<String>(),
        )),
    }
}

fn domain(args: &str) -> Result<String, ParseError> {
    match args.split_whitespace().next() {
        Some(d) => Ok(d.to_string()),
        None => Err(ParseError::Syntax(
            "a domain or address literal is required",
        )),
    }
}

/// `prefix` (`FROM:` or `TO:`, any case, optional space after the colon) then the path.
fn path_and_params<'a>(
    args: &'a str,
    prefix: &'static str,
) -> Result<(String, Vec<&'a str>), ParseError> {
    let syntax = if prefix == "FROM:" {
        "expected MAIL FROM:<address>"
    } else {
        "expected RCPT TO:<address>"
    };
    if args.len() < prefix.len() || !args[..prefix.len()].eq_ignore_ascii_case(prefix) {
        return Err(ParseError::Syntax(syntax));
    }
    let rest = args[prefix.len()..].trim_start();
    let (path, params) = if let Some(inner) = rest.strip_prefix('<') {
        let end = inner.find('>').ok_or(ParseError::Syntax(syntax))?;
        (&inner[..end], &inner[end + 1..])
    } else {
        // Without brackets (not RFC, but seen in the wild): up to the first space.
        match rest.find(' ') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        }
    };
    if !params.is_empty() && !params.starts_with(' ') {
        return Err(ParseError::Syntax(syntax));
    }
    // A source route (`@a,@b:user@c`) is obsolete; only the mailbox counts (RFC 5321 C).
    let mailbox = match path.rfind(':') {
        Some(i) if path.starts_with('@') => &path[i + 1..],
        _ => path,
    };
    if mailbox.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ParseError::Syntax("an address holds no spaces"));
    }
    Ok((mailbox.to_string(), params.split_whitespace().collect()))
}

fn mail(args: &str) -> Result<Command, ParseError> {
    let (from, params) = path_and_params(args, "FROM:")?;
    if !from.is_empty() && !from.contains('@') {
        return Err(ParseError::Syntax("the sender must be local@domain or <>"));
    }
    let mut size = None;
    for param in params {
        let (key, value) = param.split_once('=').unwrap_or((param, ""));
        match key.to_ascii_uppercase().as_str() {
            "SIZE" => {
                size = Some(
                    value
                        .parse::<u64>()
                        .map_err(|_| ParseError::Syntax("SIZE= takes a number of bytes"))?,
                )
            }
            // The message is stored as bytes; 7BIT and 8BITMIME need nothing from us.
            "BODY" if matches!(value.to_ascii_uppercase().as_str(), "7BIT" | "8BITMIME") => {}
            _ => return Err(ParseError::UnsupportedParameter(key.to_string())),
        }
    }
    Ok(Command::Mail { from, size })
}

fn rcpt(args: &str) -> Result<Command, ParseError> {
    let (to, params) = path_and_params(args, "TO:")?;
    if let Some(p) = params.first() {
        let key = p.split_once('=').map_or(*p, |(k, _)| k);
        return Err(ParseError::UnsupportedParameter(key.to_string()));
    }
    if to.is_empty() || (!to.contains('@') && !to.eq_ignore_ascii_case("postmaster")) {
        return Err(ParseError::Syntax("the recipient must be local@domain"));
    }
    Ok(Command::Rcpt { to })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Command, ParseError> {
        parse_command(s.as_bytes())
    }

    #[test]
    fn greetings() {
        assert_eq!(
            p("EHLO client.example"),
            Ok(Command::Ehlo("client.example".into()))
        );
        assert_eq!(
            p("helo [127.0.0.1]"),
            Ok(Command::Helo("[127.0.0.1]".into()))
        );
        assert!(matches!(p("EHLO"), Err(ParseError::Syntax(_))));
    }

    #[test]
    fn mail_from_with_size_and_body() {
        assert_eq!(
            p("MAIL FROM:<ap@supplier.example> SIZE=52428800 BODY=8BITMIME"),
            Ok(Command::Mail {
                from: "ap@supplier.example".into(),
                size: Some(52_428_800)
            })
        );
        assert_eq!(
            p("mail from: <>"),
            Ok(Command::Mail {
                from: String::new(),
                size: None
            })
        );
        assert_eq!(
            p("MAIL FROM:<@relay.example:ap@supplier.example>"),
            Ok(Command::Mail {
                from: "ap@supplier.example".into(),
                size: None
            })
        );
        assert!(matches!(
            p("MAIL FROM:<a@b> SIZE=lots"),
            Err(ParseError::Syntax(_))
        ));
        assert_eq!(
            p("MAIL FROM:<a@b> SMTPUTF8"),
            Err(ParseError::UnsupportedParameter("SMTPUTF8".into()))
        );
        assert!(matches!(p("MAIL TO:<a@b>"), Err(ParseError::Syntax(_))));
        assert!(matches!(p("MAIL FROM:<a@b"), Err(ParseError::Syntax(_))));
        assert!(matches!(p("MAIL FROM:<a b@c>"), Err(ParseError::Syntax(_))));
    }

    #[test]
    fn rcpt_to() {
        assert_eq!(
            p("RCPT TO:<acme-7k2q@import.example>"),
            Ok(Command::Rcpt {
                to: "acme-7k2q@import.example".into()
            })
        );
        assert_eq!(
            p("RCPT TO:<Postmaster>"),
            Ok(Command::Rcpt {
                to: "Postmaster".into()
            })
        );
        assert!(matches!(p("RCPT TO:<>"), Err(ParseError::Syntax(_))));
        assert_eq!(
            p("RCPT TO:<a@b> NOTIFY=NEVER"),
            Err(ParseError::UnsupportedParameter("NOTIFY".into()))
        );
    }

    #[test]
    fn simple_commands_and_errors_with_their_replies() {
        assert_eq!(p("STARTTLS"), Ok(Command::StartTls));
        assert_eq!(p("data"), Ok(Command::Data));
        assert_eq!(p("RSET"), Ok(Command::Rset));
        assert_eq!(p("NOOP anything"), Ok(Command::Noop));
        assert_eq!(p("QUIT"), Ok(Command::Quit));
        assert_eq!(p("VRFY someone"), Ok(Command::Vrfy));
        assert!(matches!(p("DATA now"), Err(ParseError::Syntax(_))));
        let err = p("GET / HTTP/1.1").unwrap_err();
        assert_eq!(err, ParseError::Unknown("GET".into()));
        assert_eq!(err.reply().code, 500);
        assert_eq!(
            ParseError::Syntax("x").reply().to_string(),
            "501 5.5.4 x\r\n"
        );
        assert_eq!(parse_command(b"\xff\xfe"), Err(ParseError::NotUtf8));
    }
}
