//! The DATA phase: the message ends at a line holding a single `.`; a leading dot of any other
//! line was doubled by the client and is removed (RFC 5321 4.5.2). Works on chunks of any size,
//! keeping only a few bytes of state, so the message can be written out as it arrives.

/// RFC 5321 4.5.3.1.6: a text line is at most 1000 octets including CRLF.
pub const MAX_TEXT_LINE: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    LineStart,
    InLine,
    /// A dot at the start of a line.
    Dot,
    /// A dot and CR at the start of a line: LF ends the message.
    DotCr,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataProgress {
    /// Bytes of the input used; the rest (pipelined commands) belongs to the command phase.
    pub consumed: usize,
    /// The end-of-data line was seen.
    pub done: bool,
}

#[derive(Debug)]
pub struct DataDecoder {
    state: State,
    line_len: usize,
    max_line: usize,
    line_too_long: bool,
}

impl Default for DataDecoder {
    fn default() -> Self {
        Self::new(MAX_TEXT_LINE)
    }
}

impl DataDecoder {
    /// `max_line` counts the line's bytes on the wire including CRLF.
    pub fn new(max_line: usize) -> Self {
        Self {
            state: State::LineStart,
            line_len: 0,
            max_line,
            line_too_long: false,
        }
    }

    /// Appends the unstuffed message bytes of `input` to `out` until the end-of-data line.
    /// The message keeps its line endings, including the CRLF before the final dot.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> DataProgress {
        let mut i = 0;
        while i < input.len() {
            let state = self.state;
            if state == State::Done {
                break;
            }
            if state == State::InLine {
                // The common case: copy up to the end of the line at once.
                let rest = &input[i..];
                let (take, ends_line) = match memchr::memchr(b'\n', rest) {
                    Some(pos) => (pos + 1, true),
                    None => (rest.len(), false),
                };
                out.extend_from_slice(&rest[..take]);
                if ends_line {
                    self.count(take - 1);
                    self.line_len = 0;
                    self.state = State::LineStart;
                } else {
                    self.count(take);
                }
                i += take;
                continue;
            }
            let b = input[i];
            i += 1;
            match (state, b) {
                (State::LineStart, b'.') => {
                    self.count(1);
                    self.state = State::Dot;
                }
                (State::Dot, b'\r') => {
                    self.count(1);
                    self.state = State::DotCr;
                }
                // A bare LF after the dot: lenient, as most servers are.
                (State::Dot, b'\n') | (State::DotCr, b'\n') => self.state = State::Done,
                (State::DotCr, _) => {
                    out.push(b'\r');
                    self.text(b, out);
                }
                _ => self.text(b, out),
            }
        }
        DataProgress {
            consumed: i,
            done: self.state == State::Done,
        }
    }

    /// Whether the end-of-data line has been seen.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Some line was longer than the bound. The message is still read to its end so that the
    /// session stays in step; the caller refuses it then.
    pub fn line_too_long(&self) -> bool {
        self.line_too_long
    }

    fn text(&mut self, b: u8, out: &mut Vec<u8>) {
        out.push(b);
        if b == b'\n' {
            self.line_len = 0;
            self.state = State::LineStart;
        } else {
            self.count(1);
            self.state = State::InLine;
        }
    }

    /// Adds `n` bytes (not the LF) to the current line's length.
    fn count(&mut self, n: usize) {
        self.line_len += n;
        // The LF is not counted, so the bound for the other bytes is one less.
        if self.line_len > self.max_line - 1 {
            self.line_too_long = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `wire` cut into chunks of `size`; the message and the bytes left after it.
    fn decode(wire: &[u8], size: usize) -> (Vec<u8>, Vec<u8>, bool) {
        let mut dec = DataDecoder::default();
        let mut out = Vec::new();
        let mut rest = Vec::new();
        for chunk in wire.chunks(size) {
            if dec.is_done() {
                rest.extend_from_slice(chunk);
                continue;
            }
            let p = dec.feed(chunk, &mut out);
            rest.extend_from_slice(&chunk[p.consumed..]);
        }
        (out, rest, dec.is_done())
    }

    #[test]
    fn unstuffs_and_stops_at_the_final_dot_in_any_chunking() {
        let wire = b"Subject: x\r\n\r\n..leading dot\r\n.\tx\r\nend.\r\n.\r\nQUIT\r\n";
        for size in 1..wire.len() {
            let (msg, rest, done) = decode(wire, size);
            assert!(done, "chunk size {size}");
            assert_eq!(
                msg,
                b"Subject: x\r\n\r\n.leading dot\r\n\tx\r\nend.\r\n".to_vec(),
                "chunk size {size}"
            );
            assert_eq!(rest, b"QUIT\r\n".to_vec(), "chunk size {size}");
        }
    }

    #[test]
    fn an_empty_message_and_a_bare_lf_end() {
        assert_eq!(decode(b".\r\n", 3), (Vec::new(), Vec::new(), true));
        assert_eq!(
            decode(b"a\n.\nX", 2),
            (b"a\n".to_vec(), b"X".to_vec(), true)
        );
    }

    #[test]
    fn a_dot_cr_without_lf_is_text() {
        let (msg, _, done) = decode(b".\rx\r\n.\r\n", 1);
        assert!(done);
        assert_eq!(msg, b"\rx\r\n".to_vec());
    }

    #[test]
    fn unfinished_data_is_not_done() {
        let (msg, _, done) = decode(b"line\r\n.", 4);
        assert!(!done);
        assert_eq!(msg, b"line\r\n".to_vec());
    }

    #[test]
    fn line_length_is_bounded_but_reading_goes_on() {
        let mut ok = vec![b'a'; MAX_TEXT_LINE - 2];
        ok.extend_from_slice(b"\r\n.\r\n");
        let mut dec = DataDecoder::default();
        assert!(dec.feed(&ok, &mut Vec::new()).done);
        assert!(!dec.line_too_long());

        let mut long = vec![b'a'; MAX_TEXT_LINE - 1];
        long.extend_from_slice(b"\r\n.\r\n");
        let mut dec = DataDecoder::default();
        assert!(dec.feed(&long, &mut Vec::new()).done);
        assert!(dec.line_too_long());
    }
}
