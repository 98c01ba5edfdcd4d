//! Writing files without clobbering anything: a regular file is replaced atomically (a
//! temporary file beside it, then a rename) and only with consent; a symbolic link is followed
//! and its target replaced, the link kept; a character or block device, a FIFO or a socket
//! (`/dev/null`, a pipe) is written in place and never replaced; `-` is standard output; a
//! directory is refused. Every error names the path and fits on one line.

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Why a write did not happen.
#[derive(Debug, Error)]
pub enum WriteError {
    #[error("{path}: already exists; choose another name or allow replacing it")]
    Exists { path: PathBuf },
    #[error("{path}: is a directory; name a file to write")]
    IsDirectory { path: PathBuf },
    #[error("{path}: cannot write: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Where bytes for a path go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `-`: standard output.
    Stdout,
    /// A character or block device, a FIFO or a socket: written in place, never replaced.
    Special(PathBuf),
    /// A regular file, after following symbolic links; `exists` says whether it is there.
    Regular { path: PathBuf, exists: bool },
}

impl Target {
    /// Whether writing here replaces a file that is there (and so needs consent).
    pub fn replaces(&self) -> bool {
        matches!(self, Target::Regular { exists: true, .. })
    }

    /// Whether several outputs (a CSV table per panel) must go into this one place.
    pub fn is_stream(&self) -> bool {
        !matches!(self, Target::Regular { .. })
    }
}

/// Follow symbolic links (up to 40, like the kernel) to the path that would be written.
fn resolve(path: &Path) -> Result<PathBuf, WriteError> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p).map_err(|source| WriteError::Write {
                    path: path.to_path_buf(),
                    source,
                })?;
                p = if to.is_absolute() {
                    to
                } else {
                    p.parent().unwrap_or(Path::new(".")).join(to)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(WriteError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other("too many levels of symbolic links"),
    })
}

/// What writing to `path` would do.
pub fn target(path: &Path) -> Result<Target, WriteError> {
    if path.as_os_str() == "-" {
        return Ok(Target::Stdout);
    }
    let resolved = resolve(path)?;
    match std::fs::metadata(&resolved) {
        Ok(m) if m.is_dir() => Err(WriteError::IsDirectory {
            path: path.to_path_buf(),
        }),
        Ok(m) if m.is_file() => Ok(Target::Regular {
            path: resolved,
            exists: true,
        }),
        Ok(_) => Ok(Target::Special(resolved)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Target::Regular {
            path: resolved,
            exists: false,
        }),
        Err(source) => Err(WriteError::Write {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Write `bytes` to `path` as [the module](self) says; an existing regular file only with
/// `overwrite`.
pub fn write_bytes(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), WriteError> {
    let t = target(path)?;
    if t.replaces() && !overwrite {
        return Err(WriteError::Exists {
            path: path.to_path_buf(),
        });
    }
    write_to(&t, path, bytes, overwrite)
}

/// Write `bytes` to a target found by [`target`]; `shown` names it in errors.
pub fn write_to(t: &Target, shown: &Path, bytes: &[u8], overwrite: bool) -> Result<(), WriteError> {
    let fail = |source| WriteError::Write {
        path: shown.to_path_buf(),
        source,
    };
    match t {
        Target::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .map_err(fail)
        }
        Target::Special(p) => std::fs::OpenOptions::new()
            .write(true)
            .open(p)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(fail),
        Target::Regular { path, .. } => replace_atomically(path, shown, bytes, overwrite),
    }
}

/// A temporary file beside `path`, then a rename over it; the old file's permissions carry
/// over, and the temporary file never stays behind.
fn replace_atomically(
    path: &Path,
    shown: &Path,
    bytes: &[u8],
    overwrite: bool,
) -> Result<(), WriteError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Ok(old) = std::fs::metadata(path) {
            if !overwrite {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "appeared while writing",
                ));
            }
            std::fs::set_permissions(&tmp, old.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(if e.kind() == std::io::ErrorKind::AlreadyExists {
            WriteError::Exists {
                path: shown.to_path_buf(),
            }
        } else {
            WriteError::Write {
                path: shown.to_path_buf(),
                source: e,
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_of_each_kind_of_path() {
        assert_eq!(target(Path::new("-")).unwrap(), Target::Stdout);
        assert_eq!(
            target(Path::new("/dev/null")).unwrap(),
            Target::Special(PathBuf::from("/dev/null"))
        );
        assert!(matches!(
            target(Path::new("/tmp")),
            Err(WriteError::IsDirectory { .. })
        ));
        let fresh = std::env::temp_dir().join(format!("saddlescope-none-{}", std::process::id()));
        assert_eq!(
            target(&fresh).unwrap(),
            Target::Regular {
                path: fresh,
                exists: false
            }
        );
    }
}
