//! The server side of SMTP (RFC 5321) for a small inbound server, without I/O: commands are parsed
//! from lines, replies formatted to bytes, command lines assembled with a length bound, and the
//! DATA stream dot-unstuffed chunk by chunk so that a message can go straight to disk.
#![forbid(unsafe_code)]

mod command;
mod data;
mod line;
mod reply;

pub use command::{parse_command, Command, ParseError};
pub use data::{DataDecoder, DataProgress};
pub use line::{LineAssembler, LineEvent, MAX_COMMAND_LINE};
pub use reply::Reply;
