//! Undo and redo of every edit (Ctrl+Z, Ctrl+Shift+Z): the state a user edits, recorded once it
//! settles — a drag or a typing session is one step, not one per frame — in two bounded stacks.
//! Presenter mode and the theme are how the room sees the state, not edits of it: they are
//! neither recorded nor changed by an undo.

use std::collections::VecDeque;

use super::AppState;

/// States kept for undo (and for redo).
pub const DEPTH: usize = 200;

/// The undo and redo stacks around the last settled state.
#[derive(Default)]
pub struct History {
    /// The state as last settled: what an undo goes back from.
    settled: Option<AppState>,
    undo: VecDeque<AppState>,
    redo: Vec<AppState>,
}

/// `s` without its look (presenter mode, theme): what is compared and restored.
fn edits(s: &AppState) -> AppState {
    AppState {
        presenter: false,
        light_theme: false,
        ..s.clone()
    }
}

impl History {
    /// Look at the state at the end of a frame. `idle`: no pointer button is down and no text
    /// field has focus, so the state has settled; a settled state that differs from the last one
    /// becomes an undo step (and clears redo).
    pub fn observe(&mut self, state: &AppState, idle: bool) {
        let now = edits(state);
        match &self.settled {
            None => self.settled = Some(now),
            Some(before) if idle && *before != now => {
                let before = self.settled.replace(now).expect("a settled state");
                self.undo.push_back(before);
                if self.undo.len() > DEPTH {
                    self.undo.pop_front();
                }
                self.redo.clear();
            }
            Some(_) => {}
        }
    }

    /// Go back one step: the state to show, with `current`'s look kept; `None` at the start.
    pub fn undo(&mut self, current: &AppState) -> Option<AppState> {
        let back = self.undo.pop_back()?;
        self.redo.push(edits(current));
        Some(self.restore(back, current))
    }

    /// Go forward one undone step.
    pub fn redo(&mut self, current: &AppState) -> Option<AppState> {
        let fwd = self.redo.pop()?;
        self.undo.push_back(edits(current));
        Some(self.restore(fwd, current))
    }

    fn restore(&mut self, to: AppState, current: &AppState) -> AppState {
        self.settled = Some(to.clone());
        AppState {
            presenter: current.presenter,
            light_theme: current.light_theme,
            ..to
        }
    }

    /// Steps that can be undone and redone.
    pub fn depth(&self) -> (usize, usize) {
        (self.undo.len(), self.redo.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_undo_and_redo_in_order_and_the_look_stays() {
        let mut h = History::default();
        let mut s = AppState::default();
        h.observe(&s, true);
        for k in 1..=5 {
            s.params.lambda = 0.1 * k as f64;
            // A drag: many frames with the button down are one step.
            h.observe(&s, false);
            h.observe(&s, true);
        }
        assert_eq!(h.depth(), (5, 0));
        s.presenter = true;
        h.observe(&s, true);
        assert_eq!(h.depth(), (5, 0), "presenter mode is not an edit");
        let back = h.undo(&s).unwrap();
        assert!((back.params.lambda - 0.4).abs() < 1e-12 && back.presenter);
        let back = h.undo(&back).unwrap();
        assert!((back.params.lambda - 0.3).abs() < 1e-12);
        let fwd = h.redo(&back).unwrap();
        assert!((fwd.params.lambda - 0.4).abs() < 1e-12);
        // A new edit after an undo clears the redo stack.
        let mut s = fwd;
        h.observe(&s, true);
        s.params.a = 0.5;
        h.observe(&s, true);
        assert!(h.redo(&s).is_none());
    }

    #[test]
    fn at_least_a_hundred_states_are_kept() {
        let mut h = History::default();
        let mut s = AppState::default();
        h.observe(&s, true);
        for k in 0..(DEPTH + 50) {
            s.params.seed = k as u64 + 10;
            h.observe(&s, true);
        }
        assert_eq!(h.depth().0, DEPTH);
        let mut n = 0;
        while let Some(b) = h.undo(&s) {
            s = b;
            n += 1;
        }
        assert!(n >= 100);
        assert_eq!(s.params.seed, 59, "the oldest kept state");
    }
}
