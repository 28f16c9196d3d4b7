//! The recorder's references of a live object, cheap to splice near either end.

use crate::view::{Label, ObjId, Reference};
use std::ops::{Deref, Range};

/// What fills the room before the references: no text, so it costs nothing to drop.
const SPENT: Reference = Reference {
    label: Label::Slot(0),
    target: ObjId(0),
};

/// An object's references with spare room kept before them as well as after, so a
/// splice near either end moves only the references on that side (in a `Vec`, each
/// discard at the front of a set of 200,000 items moved all the others). Contiguous,
/// unlike a ring buffer, so readers get a slice.
///
/// It also counts its first references that no change touched since the last
/// checkpoint, so a checkpoint shares the pieces of a big container that are as they
/// were (see `trace::PIECE`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LiveReferences {
    /// The references are `buf[start..]`; the ones before are `SPENT`.
    buf: Vec<Reference>,
    start: usize,
    /// The first `unchanged` references are as they were at the last checkpoint (0 for
    /// references set since).
    unchanged: usize,
}

impl From<Vec<Reference>> for LiveReferences {
    fn from(buf: Vec<Reference>) -> LiveReferences {
        LiveReferences {
            buf,
            start: 0,
            unchanged: 0,
        }
    }
}

impl Deref for LiveReferences {
    type Target = [Reference];

    #[inline]
    fn deref(&self) -> &[Reference] {
        &self.buf[self.start..]
    }
}

impl LiveReferences {
    /// The references from position `from` on, to change: the ones before stay
    /// unchanged.
    #[inline]
    pub fn changed_from(&mut self, from: usize) -> &mut [Reference] {
        self.unchanged = self.unchanged.min(from);
        &mut self.buf[self.start + from..]
    }

    /// How many of the first references are as they were at the last checkpoint.
    pub fn unchanged(&self) -> usize {
        self.unchanged
    }

    /// A checkpoint has written them: all are unchanged since.
    pub fn mark_unchanged(&mut self) {
        self.unchanged = self.len();
    }

    pub fn push(&mut self, reference: Reference) {
        self.buf.push(reference);
    }

    pub fn truncate(&mut self, len: usize) {
        self.unchanged = self.unchanged.min(len);
        self.buf.truncate(self.start + len);
    }

    /// The buffer, emptied, for a new object's references.
    pub fn into_empty_vec(mut self) -> Vec<Reference> {
        self.buf.clear();
        self.buf
    }

    /// Replaces `range` with `middle`, moving the references on the shorter side of it.
    pub fn splice(
        &mut self,
        range: Range<usize>,
        middle: impl ExactSizeIterator<Item = Reference>,
    ) {
        let len = self.len();
        self.unchanged = self.unchanged.min(range.start);
        let (front, removed, added) = (range.start, range.len(), middle.len());
        if front > len - range.end {
            let start = self.start;
            self.buf
                .splice(start + range.start..start + range.end, middle);
            return;
        }
        if added > removed + self.start {
            // As much room again as there are references: a run of insertions at the
            // front moves them all once per doubling, not at each.
            self.make_room(added - removed + len);
        }
        // The references before `range` move by the difference, into the room before
        // them or out of it.
        let start = self.start;
        let new_start = start + removed - added;
        if added <= removed {
            // [front][range] -> [front][middle][left over] -> [left over][front][middle]
            let region = &mut self.buf[start..start + front + removed];
            for (slot, new) in region[front..].iter_mut().zip(middle) {
                *slot = new;
            }
            region.rotate_right(removed - added);
            region[..removed - added].fill(SPENT);
        } else {
            // [room][front][range] -> [front][room][range] -> [front][middle]
            let region = &mut self.buf[new_start..start + front + removed];
            region[..added - removed + front].rotate_left(added - removed);
            for (slot, new) in region[front..].iter_mut().zip(middle) {
                *slot = new;
            }
        }
        self.start = new_start;
        if self.start > 2 * self.len() + 32 {
            // Emptied from the front: the room is given back, as much kept as is left.
            self.make_room(self.len());
        }
    }

    /// Leaves `room` spent references before the live ones.
    pub fn make_room(&mut self, room: usize) {
        self.buf
            .splice(..self.start, std::iter::repeat_n(SPENT, room));
        self.start = room;
    }
}
