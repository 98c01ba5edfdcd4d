//! A preset in a link: the fragment after `#`. A built-in preset as shipped is its name
//! (`#fig4`); any other state is `#1.` followed by its preset JSON, deflated and in URL-safe
//! base64 (`1` is the encoding's version: a later one gets another number, and this build says
//! it cannot read it). The same preset a "save preset" writes, seed included, so a link gives
//! the numbers `saddlescope run` gives on that preset — which reads links too.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{MAX_PRESET_BYTES, Preset, PresetError};

/// The version of the encoded form.
pub const LINK_VERSION: u32 = 1;

/// Where a link's errors say the preset came from.
const ORIGIN: &str = "link";

/// The fragment (without `#`) for `preset`: its name when `as_shipped` and it is built in,
/// else the encoded preset.
pub fn encode(preset: &Preset, as_shipped: bool) -> String {
    if as_shipped && Preset::builtin(&preset.name).is_ok() {
        return preset.name.clone();
    }
    let json = serde_json::to_string(preset).expect("presets always serialise");
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
    format!("{LINK_VERSION}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// The preset of a link, a fragment (with or without `#`) or a whole address.
pub fn decode(link: &str) -> Result<Preset, PresetError> {
    let fragment = link.rsplit_once('#').map_or(link, |(_, f)| f).trim();
    let bad = |message: String| PresetError::Parse {
        path: ORIGIN.into(),
        message,
    };
    let Some((version, payload)) = fragment.split_once('.') else {
        return Preset::builtin(fragment);
    };
    match version.parse::<u32>() {
        Ok(LINK_VERSION) => {}
        Ok(v) if v > LINK_VERSION => {
            return Err(PresetError::NewerVersion {
                path: ORIGIN.into(),
                found: v,
                supported: LINK_VERSION,
            });
        }
        _ => return Err(bad(format!("'{version}' is not a link version"))),
    }
    let packed = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| bad(format!("the link is damaged ({e})")))?;
    let json =
        miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_PRESET_BYTES as usize)
            .map_err(|e| bad(format!("the link is damaged or too large ({e})")))?;
    let text = String::from_utf8(json).map_err(|_| bad("the link is not text".into()))?;
    Preset::from_json(&text, Path::new(ORIGIN))
}

/// Whether `s` looks like a link rather than a name or a path (`#…`, an address, `1.…`).
pub fn is_link(s: &str) -> bool {
    s.starts_with('#') || s.contains("://") || s.starts_with(&format!("{LINK_VERSION}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_gives_back_the_preset_and_a_shipped_one_is_its_name() {
        let mut p = Preset::builtin("fig4").unwrap();
        assert_eq!(encode(&p, true), "fig4");
        assert_eq!(decode("#fig4").unwrap(), p);
        p.params.lambda = 0.8125;
        p.params.seed = 77;
        p.sweep.as_mut().unwrap().a_cells = 13;
        let link = encode(&p, false);
        assert!(link.starts_with("1."), "{link}");
        assert!(link.len() < 2000, "{} characters", link.len());
        assert!(
            link[2..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(decode(&link).unwrap(), p);
        assert_eq!(decode(&format!("http://host:8000/#{link}")).unwrap(), p);
        assert!(is_link(&format!("#{link}")) && !is_link("fig4") && !is_link("my.json"));
        // A file whose name looks like a link's start is still read as a file.
        let dir = std::env::temp_dir().join(format!("saddlescope-link-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("1.json");
        std::fs::write(&file, p.to_json()).unwrap();
        assert_eq!(Preset::resolve(file.to_str().unwrap()).unwrap(), p);
        assert_eq!(Preset::resolve(&format!("#{link}")).unwrap(), p);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_damaged_or_newer_link_says_so() {
        let link = encode(&Preset::builtin("fig1-left").unwrap(), false);
        let cut = &link[..link.len() / 2];
        assert!(matches!(decode(cut), Err(PresetError::Parse { .. })));
        assert!(matches!(
            decode("#9.abc"),
            Err(PresetError::NewerVersion { found: 9, .. })
        ));
        assert!(matches!(decode("#x.abc"), Err(PresetError::Parse { .. })));
        assert!(matches!(
            decode("#nosuch"),
            Err(PresetError::UnknownName { .. })
        ));
        // A bomb: a megabyte of one byte, deflated to a few hundred bytes, is refused.
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 2 << 20], 9);
        let link = format!("1.{}", URL_SAFE_NO_PAD.encode(bomb));
        assert!(matches!(decode(&link), Err(PresetError::Parse { .. })));
    }
}
