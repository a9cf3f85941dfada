//! Command lines assembled from the byte stream, never longer than a bound.

/// RFC 5321 4.5.3.1.4: a command line is at most 512 octets with CRLF. Parameters such as
/// `SIZE=` make real clients go a little further; 2 KiB is still tiny.
pub const MAX_COMMAND_LINE: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineEvent {
    /// A complete line without its line ending.
    Line(Vec<u8>),
    /// A line longer than the bound; its bytes were dropped up to its end.
    TooLong,
}

/// Collects bytes up to LF. Keeps at most `max` bytes, whatever the peer sends.
#[derive(Debug)]
pub struct LineAssembler {
    buf: Vec<u8>,
    max: usize,
    overflow: bool,
}

impl LineAssembler {
    pub fn new(max: usize) -> Self {
        Self {
            buf: Vec::new(),
            max,
            overflow: false,
        }
    }

    /// Takes bytes from `input` up to and including the first LF. Returns how many were used and
    /// the line when one ended; the caller feeds the rest again.
    pub fn feed(&mut self, input: &[u8]) -> (usize, Option<LineEvent>) {
        let (taken, ended) = match input.iter().position(|&b| b == b'\n') {
            Some(pos) => (&input[..pos], pos + 1),
            None => (input, 0),
        };
        if !self.overflow {
            if self.buf.len() + taken.len() > self.max {
                self.overflow = true;
                self.buf = Vec::new();
            } else {
                self.buf.extend_from_slice(taken);
            }
        }
        if ended == 0 {
            return (input.len(), None);
        }
        let event = if std::mem::take(&mut self.overflow) {
            LineEvent::TooLong
        } else {
            let mut line = std::mem::take(&mut self.buf);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            LineEvent::Line(line)
        };
        (ended, Some(event))
    }

    /// Nothing of a next line has arrived. Before STARTTLS this must hold: bytes sent ahead of
    /// the handshake would otherwise be taken as if they came over TLS.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty() && !self.overflow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(asm: &mut LineAssembler, mut input: &[u8]) -> Vec<LineEvent> {
        let mut out = Vec::new();
        while !input.is_empty() {
            let (used, ev) = asm.feed(input);
            input = &input[used..];
            out.extend(ev);
        }
        out
    }

    #[test]
    fn lines_across_chunks() {
        let mut asm = LineAssembler::new(100);
        assert!(all(&mut asm, b"EHLO a.exa").is_empty());
        assert!(!asm.is_empty());
        let events = all(&mut asm, b"mple\r\nNOOP\nQU");
        assert_eq!(
            events,
            vec![
                LineEvent::Line(b"EHLO a.example".to_vec()),
                LineEvent::Line(b"NOOP".to_vec())
            ]
        );
        assert_eq!(
            all(&mut asm, b"IT\r\n"),
            vec![LineEvent::Line(b"QUIT".to_vec())]
        );
        assert!(asm.is_empty());
    }

    #[test]
    fn an_overlong_line_is_dropped_and_reported_once() {
        let mut asm = LineAssembler::new(8);
        let long = [b'x'; 50];
        assert!(all(&mut asm, &long).is_empty());
        assert!(all(&mut asm, &long).is_empty());
        assert!(asm.buf.capacity() <= 8, "kept {}", asm.buf.capacity());
        assert_eq!(
            all(&mut asm, b"x\r\nNOOP\r\n"),
            vec![LineEvent::TooLong, LineEvent::Line(b"NOOP".to_vec())]
        );
    }
}
