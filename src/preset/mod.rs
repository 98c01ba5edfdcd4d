//! Preset files: everything that determines a figure (parameters, seed, view, what the view
//! draws), with a format version. Input, not export: the app and the command line read them.
//! The built-in presets are the files in `assets/presets/`, compiled into the binary so that
//! the app and `saddlescope run` read the very same text.

pub mod link;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::sim::escape_rate::{RateVsLambdaSpec, RateVsStepSpec};
use crate::sim::loss_sweep::LossSweepSpec;
use crate::sim::optimizers::OptimizerSpec;
use crate::sim::params::{ExperimentParams, ParamError};
use crate::sim::sweep::SweepSpec;

pub const PRESET_FORMAT: &str = "saddlescope-preset";
/// The newest format this build reads and writes.
pub const PRESET_FORMAT_VERSION: u32 = 1;
/// Preset files larger than this are refused unread.
pub const MAX_PRESET_BYTES: u64 = 1 << 20;

/// Which view a preset opens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewKind {
    /// The live histogram of w (Fig. 1-left, 1-middle, 8).
    #[default]
    Histogram,
    /// The (a, λ) phase diagram (Fig. 1-right, 4, 9).
    PhaseDiagram,
    /// The escape rate versus step and versus λ (Fig. 5, 6).
    EscapeRate,
    /// The 2-D landscapes with walkers, density and trajectories (Fig. 7, Fig. 3 left/middle).
    Landscape2d,
    /// The toy network's stationary loss versus λ (Fig. 3 right).
    LossSweep,
    /// GD, SGD, Adam and AMSGrad side by side (Fig. 2).
    Optimizers,
}

impl ViewKind {
    /// Views that play an ensemble step by step (the others compute to an end).
    pub fn is_live(self) -> bool {
        matches!(self, ViewKind::Histogram | ViewKind::Landscape2d)
    }

    /// Every view, in the order of the menu. Checked when the crate compiles: the kinds here
    /// are in the order of [`ViewKind::index`], whose match names every kind, so none is here
    /// twice or out of place.
    pub const ALL: [ViewKind; 6] = [
        ViewKind::Histogram,
        ViewKind::PhaseDiagram,
        ViewKind::EscapeRate,
        ViewKind::Landscape2d,
        ViewKind::LossSweep,
        ViewKind::Optimizers,
    ];

    /// Its position in [`ViewKind::ALL`].
    pub const fn index(self) -> usize {
        match self {
            ViewKind::Histogram => 0,
            ViewKind::PhaseDiagram => 1,
            ViewKind::EscapeRate => 2,
            ViewKind::Landscape2d => 3,
            ViewKind::LossSweep => 4,
            ViewKind::Optimizers => 5,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ViewKind::Histogram => "Histogram",
            ViewKind::PhaseDiagram => "Phase diagram",
            ViewKind::EscapeRate => "Escape rate",
            ViewKind::Landscape2d => "2-D landscape",
            ViewKind::LossSweep => "Loss vs λ",
            ViewKind::Optimizers => "Optimizers",
        }
    }
}

// ViewKind::ALL in the order of ViewKind::index: no kind twice, none out of place.
const _: () = {
    let mut i = 0;
    while i < ViewKind::ALL.len() {
        assert!(
            ViewKind::ALL[i].index() == i,
            "ViewKind::ALL out of step with index()"
        );
        i += 1;
    }
};

pub use crate::figure::views::{
    EscapeOptions, HistogramOptions, LandscapeOptions, OptimizerOptions, PhaseOverlays,
};

/// One preset file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub format: String,
    pub format_version: u32,
    /// Short name, as given on the command line (`fig1-left`).
    pub name: String,
    /// One line for menus.
    pub title: String,
    /// The paper figure it reproduces ("1-left"), if any.
    #[serde(default)]
    pub figure: Option<String>,
    /// What a user must see.
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub view: ViewKind,
    pub params: ExperimentParams,
    /// The phase-diagram grid (phase-diagram presets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlays: Option<PhaseOverlays>,
    /// What the histogram view draws (linear or log axis, theory curves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histogram_options: Option<HistogramOptions>,
    /// What the 2-D view draws (density, contours, walkers, trajectories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landscape_options: Option<LandscapeOptions>,
    /// Fig. 2's axes and band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimizer_options: Option<OptimizerOptions>,
    /// Which escape-rate panel is shown large (Fig. 5's or Fig. 6's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escape_options: Option<EscapeOptions>,
    /// Fig. 5's estimators versus step (escape-rate presets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_vs_step: Option<RateVsStepSpec>,
    /// Fig. 6's γ versus λ (escape-rate presets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_vs_lambda: Option<RateVsLambdaSpec>,
    /// Fig. 3-right's λ sweep (loss-sweep presets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_sweep: Option<LossSweepSpec>,
    /// Fig. 2's optimizers (optimizer presets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimizers: Option<OptimizerSpec>,
    /// Steps per frame the live view plays at (a long run plays in seconds, not minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps_per_frame: Option<u64>,
}

/// Why a preset could not be loaded. Every message names the file.
#[derive(Debug, Error)]
pub enum PresetError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: is a directory, not a preset file")]
    IsDirectory { path: PathBuf },
    #[error("{path}: {bytes} bytes is too large for a preset (at most {max} bytes)")]
    TooLarge { path: PathBuf, bytes: u64, max: u64 },
    #[error("{path}: not a valid preset: {message}")]
    Parse { path: PathBuf, message: String },
    #[error(
        "{path}: format version {found} is newer than this build reads (≤ {supported}); update saddlescope"
    )]
    NewerVersion {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("{path}: {source}")]
    Invalid { path: PathBuf, source: ParamError },
    #[error("no preset named '{name}'; known: {known}")]
    UnknownName { name: String, known: String },
    #[error("{path}: already exists; choose another name or allow overwriting")]
    Exists { path: PathBuf },
    #[error("{path}: cannot write: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// `text` with control characters escaped, so that a message quoting a file's content (an
/// unknown key with a newline in it, say) stays on one line.
fn one_line(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// The built-in preset files: (file name, text).
const BUILTIN: &[(&str, &str)] = &[
    (
        "fig1-left.json",
        include_str!("../../assets/presets/fig1-left.json"),
    ),
    (
        "fig1-middle.json",
        include_str!("../../assets/presets/fig1-middle.json"),
    ),
    (
        "fig1-right.json",
        include_str!("../../assets/presets/fig1-right.json"),
    ),
    ("fig4.json", include_str!("../../assets/presets/fig4.json")),
    ("fig9.json", include_str!("../../assets/presets/fig9.json")),
    ("fig5.json", include_str!("../../assets/presets/fig5.json")),
    ("fig6.json", include_str!("../../assets/presets/fig6.json")),
    ("fig7.json", include_str!("../../assets/presets/fig7.json")),
    (
        "fig3-left.json",
        include_str!("../../assets/presets/fig3-left.json"),
    ),
    (
        "fig3-middle.json",
        include_str!("../../assets/presets/fig3-middle.json"),
    ),
    (
        "fig3-right.json",
        include_str!("../../assets/presets/fig3-right.json"),
    ),
    (
        "fig2-left.json",
        include_str!("../../assets/presets/fig2-left.json"),
    ),
    (
        "fig2-right.json",
        include_str!("../../assets/presets/fig2-right.json"),
    ),
    ("fig8.json", include_str!("../../assets/presets/fig8.json")),
];

impl Preset {
    /// Parse and validate preset text; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &Path) -> Result<Preset, PresetError> {
        let path = origin.to_path_buf();
        // Look at the version first, so a newer file says so instead of failing on a new key.
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| PresetError::Parse {
                path: path.clone(),
                message: one_line(&e.to_string()),
            })?;
        if let Some(v) = value.get("format_version").and_then(|v| v.as_u64())
            && v > PRESET_FORMAT_VERSION as u64
        {
            return Err(PresetError::NewerVersion {
                path,
                found: v as u32,
                supported: PRESET_FORMAT_VERSION,
            });
        }
        let preset: Preset = serde_json::from_value(value).map_err(|e| PresetError::Parse {
            path: path.clone(),
            message: one_line(&e.to_string()),
        })?;
        if preset.format != PRESET_FORMAT {
            return Err(PresetError::Parse {
                path,
                message: format!(
                    "\"format\" is \"{}\", expected \"{PRESET_FORMAT}\"",
                    preset.format
                ),
            });
        }
        // Every part: the parameters and each spec the preset carries.
        preset
            .validate()
            .map_err(|source| PresetError::Invalid { path, source })?;
        Ok(preset)
    }

    /// Validate every part the preset carries.
    pub fn validate(&self) -> Result<(), ParamError> {
        self.params.validate()?;
        if let Some(s) = &self.sweep {
            s.validate()?;
        }
        if let Some(s) = &self.rate_vs_step {
            s.validate()?;
        }
        if let Some(s) = &self.rate_vs_lambda {
            s.validate()?;
        }
        if let Some(s) = &self.loss_sweep {
            s.validate()?;
        }
        if let Some(s) = &self.optimizers {
            s.validate()?;
        }
        Ok(())
    }

    /// Apply `--set KEY=VALUE`: `sweep.*` keys go to the sweep grid, `rate.*` keys to the
    /// escape-rate experiments, the rest to the parameters. Validates the whole preset.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ParamError> {
        if let Some(k) = key.strip_prefix("sweep.") {
            self.sweep
                .get_or_insert_with(SweepSpec::default)
                .set(k, value)?;
        } else if let Some(k) = key.strip_prefix("rate.") {
            let a = self
                .rate_vs_step
                .get_or_insert_with(RateVsStepSpec::default)
                .set(k, value)?;
            let b = self
                .rate_vs_lambda
                .get_or_insert_with(RateVsLambdaSpec::default)
                .set(k, value)?;
            if !(a || b) {
                return Err(ParamError::UnknownKey(key.to_string()));
            }
        } else if let Some(k) = key.strip_prefix("loss.") {
            self.loss_sweep
                .get_or_insert_with(LossSweepSpec::default)
                .set(k, value)?;
        } else if let Some(k) = key.strip_prefix("opt.") {
            self.optimizers
                .get_or_insert_with(OptimizerSpec::default)
                .set(k, value)?;
        } else {
            self.params.set(key, value)?;
        }
        Ok(())
    }

    /// Load a preset file from disk (never modifies it).
    pub fn load(path: &Path) -> Result<Preset, PresetError> {
        let meta = std::fs::metadata(path).map_err(|source| PresetError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if meta.is_dir() {
            return Err(PresetError::IsDirectory {
                path: path.to_path_buf(),
            });
        }
        if meta.len() > MAX_PRESET_BYTES {
            return Err(PresetError::TooLarge {
                path: path.to_path_buf(),
                bytes: meta.len(),
                max: MAX_PRESET_BYTES,
            });
        }
        let text = std::fs::read_to_string(path).map_err(|source| PresetError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Preset::from_json(&text, path)
    }

    /// All built-in presets, in menu order.
    pub fn builtin_all() -> Vec<Preset> {
        BUILTIN
            .iter()
            .map(|(file, text)| {
                Preset::from_json(text, Path::new(&format!("assets/presets/{file}")))
                    .unwrap_or_else(|e| {
                        panic!("built-in preset is broken (a test catches this): {e}")
                    })
            })
            .collect()
    }

    /// The built-in preset called `name`.
    pub fn builtin(name: &str) -> Result<Preset, PresetError> {
        let all = Preset::builtin_all();
        let known = all
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
            .join(", ");
        all.into_iter()
            .find(|p| p.name == name)
            .ok_or(PresetError::UnknownName {
                name: name.to_string(),
                known,
            })
    }

    /// A link (`#…`, an address with one, `1.…`: see [`link`]), a built-in name, or else a
    /// path to a file.
    pub fn resolve(name_or_path: &str) -> Result<Preset, PresetError> {
        let path = Path::new(name_or_path);
        // A file first: `1.json` or `1.5` on disk is a file, not a link of version 1.
        if name_or_path.ends_with(".json") || path.exists() {
            Preset::load(path)
        } else if link::is_link(name_or_path) {
            link::decode(name_or_path)
        } else {
            Preset::builtin(name_or_path)
        }
    }

    /// The preset as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("presets always serialise")
    }

    /// Write the preset to `path` atomically (a temporary file in the same folder, then a
    /// rename), never replacing an existing file unless `overwrite`. On any failure the old
    /// file, if any, is untouched and no temporary file is left behind.
    pub fn save(&self, path: &Path, overwrite: bool) -> Result<(), PresetError> {
        crate::files::write_bytes(path, (self.to_json() + "\n").as_bytes(), overwrite)?;
        Ok(())
    }
}

impl From<crate::files::WriteError> for PresetError {
    fn from(e: crate::files::WriteError) -> PresetError {
        use crate::files::WriteError;
        match e {
            WriteError::Exists { path } => PresetError::Exists { path },
            WriteError::IsDirectory { path } => PresetError::IsDirectory { path },
            WriteError::Write { path, source } => PresetError::Write { path, source },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_loads_validates_and_round_trips() {
        let all = Preset::builtin_all();
        assert_eq!(all.len(), BUILTIN.len());
        for p in all {
            assert_eq!(
                format!("{}.json", p.name),
                BUILTIN
                    .iter()
                    .find(|(f, _)| f.starts_with(&p.name))
                    .unwrap()
                    .0
            );
            let again = Preset::from_json(&p.to_json(), Path::new("roundtrip")).unwrap();
            assert_eq!(p, again);
        }
    }

    #[test]
    fn saving_never_overwrites_without_consent_and_is_atomic() {
        let dir = std::env::temp_dir().join(format!("saddlescope-save-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mine.json");
        std::fs::write(&path, "precious").unwrap();
        let p = Preset::builtin("fig1-left").unwrap();
        assert!(matches!(
            p.save(&path, false),
            Err(PresetError::Exists { .. })
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "precious");
        p.save(&path, true).unwrap();
        assert_eq!(Preset::load(&path).unwrap(), p);
        // A folder that cannot be written: the error names the file, nothing is left behind.
        let missing = dir.join("no-such-folder").join("x.json");
        let e = p.save(&missing, false).unwrap_err().to_string();
        assert!(e.contains("x.json") && e.contains("cannot write"), "{e}");
        assert!(matches!(
            p.save(&dir, true),
            Err(PresetError::IsDirectory { .. })
        ));
        let leftovers = std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains(".tmp-")
            })
            .count();
        assert_eq!(leftovers, 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_write_that_fails_leaves_the_old_file_and_says_why() {
        let dir = std::env::temp_dir().join(format!("saddlescope-fail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mine.json");
        std::fs::write(&path, "precious").unwrap();
        // A full disk or a read-only folder, simulated in a way that holds even for root: the
        // temporary file the write goes through cannot be created (a folder has its name).
        let squatter = dir.join(format!(".mine.json.tmp-{}", std::process::id()));
        std::fs::create_dir_all(&squatter).unwrap();
        let p = Preset::builtin("fig1-left").unwrap();
        let e = p.save(&path, true).unwrap_err().to_string();
        assert!(
            e.starts_with(&path.display().to_string()) && e.contains("cannot write"),
            "{e}"
        );
        assert!(!e.contains('\n'));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "precious");
        assert!(squatter.is_dir(), "the user's folder is not touched either");
        // A place no one can write to (procfs refuses new files, root included).
        let e = crate::files::write_bytes(Path::new("/proc/saddlescope-x.json"), b"{}", false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("saddlescope-x.json: cannot write"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_files_give_one_line_errors_naming_the_file() {
        let good = Preset::builtin("fig1-left").unwrap().to_json();
        let cases = [
            good[..good.len() / 2].to_string(),
            "not json".to_string(),
            good.replace("\"walkers\"", "\"walkerz\""),
            good.replace("\"lambda\": 0.8", "\"lambda\": \"fast\""),
            good.replace("\"format_version\": 1", "\"format_version\": 99"),
            good.replace("\"walkers\": 2000", "\"walkers\": 0"),
        ];
        for text in cases {
            let e = Preset::from_json(&text, Path::new("my.json"))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("my.json: "), "{e}");
            assert!(!e.contains('\n'), "{e}");
        }
        // A spec beyond the parameters is validated too (found by the property test).
        let fig5 = Preset::builtin("fig5")
            .unwrap()
            .to_json()
            .replace("\"lambda_points\": 40", "\"lambda_points\": 0");
        let e = Preset::from_json(&fig5, Path::new("f.json"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("lambda_points"), "{e}");
        let big = std::env::temp_dir().join(format!("saddlescope-big-{}.json", std::process::id()));
        std::fs::write(&big, vec![b' '; (MAX_PRESET_BYTES + 1) as usize]).unwrap();
        assert!(matches!(
            Preset::load(&big),
            Err(PresetError::TooLarge { .. })
        ));
        std::fs::remove_file(&big).unwrap();
        let e = Preset::load(Path::new("assets")).unwrap_err();
        assert!(matches!(e, PresetError::IsDirectory { .. }));
        assert!(matches!(
            Preset::resolve("fig99"),
            Err(PresetError::UnknownName { .. })
        ));
    }
}
