//! The device key: made on first run, kept in the node's home as
//! `device.key` (32 secret bytes, mode 0600). The member id people see is
//! its public half.

use std::io::Write;
use std::path::Path;

use yoriai_crdt::DeviceKey;

use crate::error::KeyError;

/// Random bytes from the operating system.
pub fn random<const N: usize>() -> Result<[u8; N], KeyError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(b)
}

/// Load the key at `path`, or make one if there is none.
pub fn load_or_create(path: &Path) -> Result<DeviceKey, KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::read(path) {
        Ok(bytes) => {
            let secret: [u8; 32] = bytes.as_slice().try_into().map_err(|_| KeyError::Damaged {
                path: path.to_path_buf(),
                detail: format!("{} bytes instead of 32", bytes.len()),
            })?;
            Ok(DeviceKey::from_secret(secret))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = random::<32>()?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut f = options.open(path).map_err(io)?;
            f.write_all(&secret).map_err(io)?;
            f.sync_all().map_err(io)?;
            Ok(DeviceKey::from_secret(secret))
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_private_and_kept() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("device.key");
        let a = load_or_create(&path).expect("create");
        let b = load_or_create(&path).expect("load");
        assert_eq!(a.member(), b.member());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, b"short").expect("write");
        assert!(matches!(
            load_or_create(&path),
            Err(KeyError::Damaged { .. })
        ));
        assert_eq!(
            std::fs::read(&path).expect("read"),
            b"short",
            "left as it is"
        );
    }
}
