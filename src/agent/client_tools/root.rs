//! The confinement: a directory opened once, and every path the model names walked from it one
//! component at a time, with `openat` and `O_NOFOLLOW`, never by a path string.
//!
//! A symbolic link is never followed, wherever it is in the path and whenever it appeared (a
//! link made by bash between a check and a use is refused at open time by the kernel: there is
//! no separate check). `..` is resolved in the text, before any lookup, and may not climb above
//! the root. What is read or written is capped in size.

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

/// Why a path or a file was refused; the tools turn these into the texts the model reads.
#[derive(Debug)]
pub(super) enum FsError {
    /// The path would leave the root (`..` above it, an absolute path elsewhere).
    Escape,
    /// The path names a symbolic link (as a directory on the way, or as the target).
    Symlink,
    /// The path holds a NUL byte.
    Nul,
    /// Nothing is there.
    NotFound,
    /// Something is there (create, rename onto).
    Exists,
    /// A directory was needed on the way, or a file was needed and a directory is there.
    NotAFile,
    /// A directory was needed and something else is there.
    NotADirectory,
    /// Not a regular file or directory (a FIFO, a socket, a device).
    Special,
    /// A file with more than one name (a hard link may point at a file outside the root).
    HardLinked,
    /// More bytes than the cap allows.
    TooLarge { size: u64, limit: u64 },
    /// Any other failure of the system call.
    Io(io::Error),
}

impl From<rustix::io::Errno> for FsError {
    fn from(errno: rustix::io::Errno) -> Self {
        match errno {
            rustix::io::Errno::NOENT => Self::NotFound,
            rustix::io::Errno::EXIST => Self::Exists,
            rustix::io::Errno::LOOP | rustix::io::Errno::MLINK => Self::Symlink,
            rustix::io::Errno::ISDIR => Self::NotAFile,
            rustix::io::Errno::NOTDIR => Self::NotADirectory,
            other => Self::Io(other.into()),
        }
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Escape => f.write_str("the path leaves the allowed directory"),
            Self::Symlink => {
                f.write_str("the path goes through a symbolic link, which is not followed")
            }
            Self::Nul => f.write_str("the path contains a NUL byte"),
            Self::NotFound => f.write_str("no such file or directory"),
            Self::Exists => f.write_str("it already exists"),
            Self::NotAFile => f.write_str("it is a directory, not a file"),
            Self::NotADirectory => f.write_str("a part of the path is not a directory"),
            Self::Special => f.write_str("it is not a regular file or directory"),
            Self::HardLinked => f.write_str("it has several hard links, which are not followed"),
            Self::TooLarge { size, limit } => {
                write!(f, "it is {size} bytes, over the limit of {limit} bytes")
            }
            Self::Io(err) => write!(f, "{err}"),
        }
    }
}

/// A path inside the root, as its normal components (no `.`, no `..`, no empty parts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RelPath(Vec<String>);

impl RelPath {
    /// Reads `text` relative to the root: `.` and empty parts dropped, `..` taking off the
    /// previous part (and refused at the root). Absolute paths are the caller's to map first.
    pub(super) fn parse(text: &str) -> Result<Self, FsError> {
        if text.contains('\0') {
            return Err(FsError::Nul);
        }
        let mut parts: Vec<String> = Vec::new();
        for part in text.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop().ok_or(FsError::Escape)?;
                }
                name => parts.push(name.to_owned()),
            }
        }
        Ok(Self(parts))
    }

    /// Whether this is the root itself.
    pub(super) fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The components.
    pub(super) fn parts(&self) -> &[String] {
        &self.0
    }

    fn split_last(&self) -> Option<(&String, &[String])> {
        self.0.split_last()
    }
}

/// The last component of a path, in the directory that holds it (kept open).
pub(super) struct Entry {
    pub(super) dir: OwnedFd,
    pub(super) name: String,
}

/// What is at a path, without following a link there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    File(u64),
    Dir,
    Symlink,
    Other,
}

/// The directory every path is confined to, opened once.
pub(super) struct Root {
    fd: OwnedFd,
    path: PathBuf,
}

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

impl Root {
    /// Opens `path` (which must be a directory; a link to one is followed here, once: the
    /// caller chose it).
    pub(super) fn open(path: &Path) -> io::Result<Self> {
        let path = path.canonicalize()?;
        let fd = rustix::fs::open(
            &path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Self { fd, path })
    }

    /// Maps a path the model sent: relative to the root, or absolute under the root's own
    /// absolute path; anything else is an escape.
    pub(super) fn relative(&self, text: &str) -> Result<RelPath, FsError> {
        if text.contains('\0') {
            return Err(FsError::Nul);
        }
        if !text.starts_with('/') {
            return RelPath::parse(text);
        }
        // Normalize the text first, so `/root/../etc` is not taken as under `/root`.
        let absolute = RelPath::parse(text)?;
        let root: Vec<String> = self
            .path
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        match absolute.parts().strip_prefix(root.as_slice()) {
            Some(rest) => Ok(RelPath(rest.to_vec())),
            None => Err(FsError::Escape),
        }
    }

    fn root_dir(&self) -> Result<OwnedFd, FsError> {
        Ok(rustix::fs::openat(&self.fd, ".", DIR_FLAGS, Mode::empty())?)
    }

    /// Opens the directory at `parts`, component by component, refusing links; with
    /// `create`, makes the missing directories on the way.
    fn dir_at(&self, parts: &[String], create: bool) -> Result<OwnedFd, FsError> {
        let mut dir = self.root_dir()?;
        for name in parts {
            let next = match rustix::fs::openat(&dir, name.as_str(), DIR_FLAGS, Mode::empty()) {
                Err(rustix::io::Errno::NOENT) if create => {
                    match rustix::fs::mkdirat(&dir, name.as_str(), Mode::from_raw_mode(0o755)) {
                        Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                        Err(err) => return Err(err.into()),
                    }
                    rustix::fs::openat(&dir, name.as_str(), DIR_FLAGS, Mode::empty())
                }
                other => other,
            };
            dir = match next {
                Ok(fd) => fd,
                Err(err) => return Err(classify(&dir, name, err)),
            };
        }
        Ok(dir)
    }

    /// The entry at `path`: its parent directory opened (links refused on the way) and its
    /// name. The root itself has no entry.
    pub(super) fn entry(&self, path: &RelPath, create_parents: bool) -> Result<Entry, FsError> {
        let (name, parents) = path.split_last().ok_or(FsError::NotAFile)?;
        let dir = self.dir_at(parents, create_parents)?;
        Ok(Entry {
            dir,
            name: name.clone(),
        })
    }

    /// What is at `path` (the root is a directory).
    pub(super) fn kind(&self, path: &RelPath) -> Result<Kind, FsError> {
        if path.is_root() {
            return Ok(Kind::Dir);
        }
        let entry = self.entry(path, false)?;
        kind_at(&entry.dir, &entry.name)
    }

    /// Opens the directory at `path` for listing.
    pub(super) fn open_dir(&self, path: &RelPath) -> Result<OwnedFd, FsError> {
        self.dir_at(path.parts(), false)
    }

    /// Reads the regular file at `path`, at most `limit` bytes (a larger file is refused).
    pub(super) fn read(&self, path: &RelPath, limit: u64) -> Result<Vec<u8>, FsError> {
        let entry = self.entry(path, false)?;
        // NONBLOCK: opening a FIFO must not hang; the type is checked on the open file.
        let fd = rustix::fs::openat(
            &entry.dir,
            entry.name.as_str(),
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
            Mode::empty(),
        )
        .map_err(|err| classify(&entry.dir, &entry.name, err))?;
        let stat = rustix::fs::fstat(&fd)?;
        match FileType::from_raw_mode(stat.st_mode) {
            FileType::RegularFile => {}
            FileType::Directory => return Err(FsError::NotAFile),
            _ => return Err(FsError::Special),
        }
        if stat.st_nlink > 1 {
            return Err(FsError::HardLinked);
        }
        let size = u64::try_from(stat.st_size).unwrap_or(0);
        if size > limit {
            return Err(FsError::TooLarge { size, limit });
        }
        read_capped(fd, limit)
    }

    /// Writes `bytes` to a new file at `path` (never replacing anything), making the parent
    /// directories.
    pub(super) fn create(&self, path: &RelPath, bytes: &[u8]) -> Result<(), FsError> {
        let entry = self.entry(path, true)?;
        // O_CREAT|O_EXCL never follows a link: a link there is "exists".
        let fd = rustix::fs::openat(
            &entry.dir,
            entry.name.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o644),
        )?;
        write_all(&fd, bytes)
    }

    /// Replaces the file at `path` with `bytes`, atomically: a temporary file beside it,
    /// renamed over the name (which replaces whatever entry is there, a link included, and
    /// never writes through one).
    pub(super) fn replace(&self, path: &RelPath, bytes: &[u8]) -> Result<(), FsError> {
        let entry = self.entry(path, false)?;
        let temp = format!(".{}.tmp-{:016x}", entry.name, fastrand::u64(..));
        let fd = rustix::fs::openat(
            &entry.dir,
            temp.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o644),
        )?;
        let written = write_all(&fd, bytes).and_then(|()| {
            rustix::fs::renameat(&entry.dir, temp.as_str(), &entry.dir, entry.name.as_str())
                .map_err(FsError::from)
        });
        if written.is_err() {
            let _ = rustix::fs::unlinkat(&entry.dir, temp.as_str(), AtFlags::empty());
        }
        written
    }

    /// Deletes the file, link or directory tree at `path` (a link is removed, not followed).
    pub(super) fn delete(&self, path: &RelPath) -> Result<(), FsError> {
        let entry = self.entry(path, false)?;
        remove_at(&entry.dir, OsStr::new(&entry.name), 0)
    }

    /// Renames `from` to `to` (making `to`'s parents); refuses when `to` exists.
    pub(super) fn rename(&self, from: &RelPath, to: &RelPath) -> Result<(), FsError> {
        let source = self.entry(from, false)?;
        kind_at(&source.dir, &source.name)?;
        let target = self.entry(to, true)?;
        match kind_at(&target.dir, &target.name) {
            Err(FsError::NotFound) => {}
            Ok(_) => return Err(FsError::Exists),
            Err(err) => return Err(err),
        }
        rename_no_replace(&source, &target)
    }
}

/// Renames without replacing: atomically where the system can (`RENAME_NOREPLACE`), so a
/// destination made after the check above is not overwritten.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn rename_no_replace(source: &Entry, target: &Entry) -> Result<(), FsError> {
    match rustix::fs::renameat_with(
        &source.dir,
        source.name.as_str(),
        &target.dir,
        target.name.as_str(),
        rustix::fs::RenameFlags::NOREPLACE,
    ) {
        // A file system without the flag: the check above is what there is.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => Ok(rustix::fs::renameat(
            &source.dir,
            source.name.as_str(),
            &target.dir,
            target.name.as_str(),
        )?),
        other => Ok(other?),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn rename_no_replace(source: &Entry, target: &Entry) -> Result<(), FsError> {
    Ok(rustix::fs::renameat(
        &source.dir,
        source.name.as_str(),
        &target.dir,
        target.name.as_str(),
    )?)
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Listed {
    /// The path under the listed directory, `/`-joined (invalid UTF-8 shown lossily).
    pub(super) path: String,
    pub(super) kind: Kind,
}

/// Lists `dir` to `depth` levels (hidden entries and `node_modules` left out), at most
/// `limit` entries, sorted by name; links are listed, never entered.
pub(super) fn list(
    dir: &OwnedFd,
    depth: usize,
    limit: usize,
) -> Result<(Vec<Listed>, bool), FsError> {
    let mut out = Vec::new();
    let truncated = list_into(dir, "", depth, limit, &mut out)?;
    Ok((out, truncated))
}

fn list_into(
    dir: &OwnedFd,
    prefix: &str,
    depth: usize,
    limit: usize,
    out: &mut Vec<Listed>,
) -> Result<bool, FsError> {
    let mut names: Vec<Vec<u8>> = Vec::new();
    let reader = rustix::fs::Dir::read_from(dir)?;
    for item in reader {
        let item = item?;
        let name = item.file_name().to_bytes();
        if name.starts_with(b".") || name == b"node_modules" {
            continue;
        }
        names.push(name.to_vec());
        if names.len() > limit {
            break;
        }
    }
    names.sort();
    for name in names {
        if out.len() >= limit {
            return Ok(true);
        }
        let os = OsStr::from_bytes(&name);
        let shown = format!("{prefix}{}", os.to_string_lossy());
        let kind = kind_at(dir, os).unwrap_or(Kind::Other);
        out.push(Listed {
            path: shown.clone(),
            kind,
        });
        if kind == Kind::Dir
            && depth > 1
            && let Ok(sub) = rustix::fs::openat(dir, os, DIR_FLAGS, Mode::empty())
            && list_into(&sub, &format!("{shown}/"), depth - 1, limit, out)?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What is at `name` in `dir`, not following a link.
fn kind_at<P: rustix::path::Arg>(dir: &OwnedFd, name: P) -> Result<Kind, FsError> {
    let stat = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)?;
    Ok(match FileType::from_raw_mode(stat.st_mode) {
        FileType::RegularFile => Kind::File(u64::try_from(stat.st_size).unwrap_or(0)),
        FileType::Directory => Kind::Dir,
        FileType::Symlink => Kind::Symlink,
        _ => Kind::Other,
    })
}

/// Turns a failed open of `name` in `dir` into the reason: a link there is named as such.
fn classify(dir: &OwnedFd, name: &str, err: rustix::io::Errno) -> FsError {
    if matches!(
        err,
        rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR | rustix::io::Errno::MLINK
    ) && let Ok(Kind::Symlink) = kind_at(dir, name)
    {
        return FsError::Symlink;
    }
    err.into()
}

/// How deep a deleted tree may go.
const MAX_DELETE_DEPTH: usize = 64;

fn remove_at(dir: &OwnedFd, name: &OsStr, depth: usize) -> Result<(), FsError> {
    match kind_at(dir, name)? {
        Kind::Dir => {
            if depth >= MAX_DELETE_DEPTH {
                return Err(FsError::Io(io::Error::other(
                    "the directory tree is too deep",
                )));
            }
            let sub =
                rustix::fs::openat(dir, name, DIR_FLAGS, Mode::empty()).map_err(FsError::from)?;
            let mut children = Vec::new();
            for item in rustix::fs::Dir::read_from(&sub)? {
                let item = item?;
                let child = item.file_name().to_bytes();
                if child != b"." && child != b".." {
                    children.push(child.to_vec());
                }
            }
            for child in children {
                remove_at(&sub, OsStr::from_bytes(&child), depth + 1)?;
            }
            Ok(rustix::fs::unlinkat(dir, name, AtFlags::REMOVEDIR)?)
        }
        _ => Ok(rustix::fs::unlinkat(dir, name, AtFlags::empty())?),
    }
}

fn read_capped(fd: OwnedFd, limit: u64) -> Result<Vec<u8>, FsError> {
    // The file was opened non-blocking (for FIFOs); a regular file reads the same either way.
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match rustix::io::read(&fd, &mut buf) {
            Ok(n) => n,
            Err(rustix::io::Errno::INTR) => continue,
            Err(err) => return Err(err.into()),
        };
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
        let size = out.len() as u64;
        if size > limit {
            // The file grew after it was measured.
            return Err(FsError::TooLarge { size, limit });
        }
    }
}

fn write_all(fd: &impl AsFd, mut bytes: &[u8]) -> Result<(), FsError> {
    while !bytes.is_empty() {
        match rustix::io::write(fd, bytes) {
            Ok(0) => return Err(FsError::Io(io::ErrorKind::WriteZero.into())),
            Ok(n) => bytes = &bytes[n..],
            Err(rustix::io::Errno::INTR) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

impl fmt::Debug for Root {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Root").field("path", &self.path).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Vec<String> {
        RelPath::parse(text).unwrap().parts().to_vec()
    }

    #[test]
    fn dot_dot_is_resolved_in_the_text_and_stops_at_the_root() {
        assert_eq!(parts("a/./b//../c/"), ["a", "c"]);
        assert!(parts("").is_empty() && parts(".").is_empty() && parts("a/..").is_empty());
        assert!(matches!(RelPath::parse(".."), Err(FsError::Escape)));
        assert!(matches!(RelPath::parse("a/../.."), Err(FsError::Escape)));
        assert!(matches!(RelPath::parse("a/b\0"), Err(FsError::Nul)));
    }

    #[test]
    fn absolute_paths_are_taken_only_under_the_root() {
        let root = Root::open(&std::env::temp_dir()).unwrap();
        let inside = format!("{}/x/y.txt", root.path.display());
        assert_eq!(root.relative(&inside).unwrap().parts(), ["x", "y.txt"]);
        assert_eq!(root.relative("x/../y").unwrap().parts(), ["y"]);
        let climbing = format!("{}/../etc/passwd", root.path.display());
        assert!(matches!(root.relative(&climbing), Err(FsError::Escape)));
        assert!(matches!(root.relative("/etc/passwd"), Err(FsError::Escape)));
        assert!(matches!(root.relative("/"), Err(FsError::Escape)));
    }
}
