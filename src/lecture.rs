//! Lectures: an ordered list of scenes, each a preset (a shipped name, a file or a link) with a
//! title, an optional view, what to say (notes) and an optional action on arrival. A versioned
//! JSON format beside the preset files:
//!
//! ```json
//! { "format": "saddlescope-lecture", "format_version": 1, "title": "…",
//!   "scenes": [ { "title": "…", "preset": "fig1-left", "notes": "…",
//!                 "view": "histogram", "action": { "play_to": 100 } } ] }
//! ```
//!
//! Pure data and loading: the app's lecture mode moves through it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::preset::{Preset, ViewKind};

pub const FORMAT: &str = "saddlescope-lecture";
pub const FORMAT_VERSION: u32 = 1;

/// A lecture as written in its file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lecture {
    pub format: String,
    pub format_version: u32,
    pub title: String,
    pub scenes: Vec<Scene>,
}

/// One scene: what is shown and what to say.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scene {
    pub title: String,
    /// A built-in preset name, a preset file (relative to the lecture's folder) or a link.
    pub preset: String,
    /// The view to show, if not the preset's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<ViewKind>,
    /// What to point at and say (the presenter's notes).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// What happens on arrival at the scene (a batch view computes when shown in any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<SceneAction>,
}

/// What a scene does on arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SceneAction {
    /// Play the live ensemble (until the preset's last step).
    Play,
    /// Play, pausing at the first frame at step ≥ N.
    PlayTo(u64),
    /// Jump to step N at once.
    StepTo(u64),
}

/// A lecture ready to present: every scene's preset resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedLecture {
    pub lecture: Lecture,
    pub presets: Vec<Preset>,
}

/// The lectures shipped with saddlescope.
const BUILTIN: [(&str, &str); 1] = [("paper", include_str!("../assets/lectures/paper.json"))];

/// The names of the shipped lectures.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

impl LoadedLecture {
    /// A shipped lecture by name, or a lecture file.
    pub fn resolve(name_or_path: &str) -> Result<LoadedLecture, String> {
        if let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            return LoadedLecture::from_json(text, Path::new("."));
        }
        let path = Path::new(name_or_path);
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "{name_or_path}: not a shipped lecture ({}) and not a readable file: {e}",
                builtin_names().join(", ")
            )
        })?;
        LoadedLecture::from_json(&text, path.parent().unwrap_or(Path::new(".")))
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parse and check a lecture; preset files are read relative to `dir`.
    pub fn from_json(text: &str, dir: &Path) -> Result<LoadedLecture, String> {
        let lecture: Lecture =
            serde_json::from_str(text).map_err(|e| format!("not a lecture file: {e}"))?;
        if lecture.format != FORMAT {
            return Err(format!("format is {:?}, not {FORMAT:?}", lecture.format));
        }
        if lecture.format_version != FORMAT_VERSION {
            return Err(format!(
                "format_version {} is not one this saddlescope reads ({FORMAT_VERSION})",
                lecture.format_version
            ));
        }
        if lecture.scenes.is_empty() {
            return Err("a lecture needs at least one scene".into());
        }
        let presets = lecture
            .scenes
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let p = if s.preset.ends_with(".json") && Path::new(&s.preset).is_relative() {
                    dir.join(&s.preset).display().to_string()
                } else {
                    s.preset.clone()
                };
                let mut preset = Preset::resolve(&p)
                    .map_err(|e| format!("scene {} ({}): {e}", k + 1, s.title))?;
                if let Some(v) = s.view {
                    preset.view = v;
                }
                if let Some(SceneAction::Play | SceneAction::PlayTo(_) | SceneAction::StepTo(_)) =
                    s.action
                    && !preset.view.is_live()
                {
                    return Err(format!(
                        "scene {} ({}): {} computes to an end; play and step act on the live views",
                        k + 1,
                        s.title,
                        preset.view.label()
                    ));
                }
                Ok(preset)
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(LoadedLecture { lecture, presets })
    }

    pub fn len(&self) -> usize {
        self.presets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.presets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_lecture_loads_and_walks_the_paper() {
        let l = LoadedLecture::resolve("paper").unwrap();
        assert!(l.len() >= 10, "{} scenes", l.len());
        // From Fig. 1-left to Fig. 2, every scene with something to say.
        assert_eq!(l.presets[0].name, "fig1-left");
        assert!(l.presets.last().unwrap().name.starts_with("fig2"));
        for s in &l.lecture.scenes {
            assert!(s.notes.len() > 80, "{}: notes too thin", s.title);
        }
    }

    #[test]
    fn a_broken_lecture_says_what_is_wrong() {
        let dir = Path::new(".");
        let bad = |t: &str| LoadedLecture::from_json(t, dir).unwrap_err();
        assert!(bad("{").contains("not a lecture file"));
        let base = |scenes: &str, version: u32| {
            format!(
                r#"{{"format":"saddlescope-lecture","format_version":{version},"title":"t","scenes":[{scenes}]}}"#
            )
        };
        assert!(bad(&base("", 1)).contains("at least one scene"));
        assert!(
            bad(&base(r#"{"title":"a","preset":"fig1-left"}"#, 2)).contains("format_version 2")
        );
        assert!(bad(&base(r#"{"title":"a","preset":"nope"}"#, 1)).contains("scene 1 (a)"));
        assert!(
            bad(&base(r#"{"title":"a","preset":"fig4","action":"play"}"#, 1))
                .contains("computes to an end")
        );
        let ok = LoadedLecture::from_json(
            &base(
                r#"{"title":"a","preset":"fig1-left","view":"histogram","action":{"play_to":50}}"#,
                1,
            ),
            dir,
        )
        .unwrap();
        assert_eq!(ok.lecture.scenes[0].action, Some(SceneAction::PlayTo(50)));
    }
}
