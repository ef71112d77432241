//! Size limits on what members write. Checked when a command makes a
//! record and again when any replica judges one, so a client that skips the
//! command layer gains nothing.

/// Titles of projects, phases, ideas, posts, votes, surveys, milestones.
pub const TITLE: usize = 200;
/// A conversation statement (Polis keeps them short).
pub const STATEMENT: usize = 500;
/// A project's brief.
pub const DESCRIPTION: usize = 20_000;
/// An idea's first body.
pub const IDEA_BODY: usize = 10_000;
/// A whole co-written proposal text.
pub const PROPOSAL_TEXT: usize = 50_000;
/// A comment.
pub const COMMENT: usize = 5_000;
/// A post's body.
pub const POST_BODY: usize = 20_000;
/// A reason (moderation, amendment, revocation) or note.
pub const REASON: usize = 1_000;
/// A display name.
pub const DISPLAY_NAME: usize = 80;
/// A vote or survey option.
pub const OPTION: usize = 200;
/// Options of a vote or question.
pub const OPTIONS: usize = 50;
/// Questions of a survey.
pub const QUESTIONS: usize = 100;

/// Check `text` against `max` characters; `required` refuses blank text.
pub fn check_text(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
) -> Result<(), crate::error::CommandError> {
    let len = text.chars().count();
    if len > max {
        return Err(crate::error::CommandError::TooLong { field, len, max });
    }
    if required && text.trim().is_empty() {
        return Err(crate::error::CommandError::Empty { field });
    }
    Ok(())
}
