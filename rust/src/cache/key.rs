//! Cache keys: `str`, `bytes` or a 64-bit `int`, owned when stored and borrowed when looked up,
//! so that a lookup never allocates. Both forms hash and compare alike.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Str(Box<str>),
    Bytes(Box<[u8]>),
    Int(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRef<'a> {
    Str(&'a str),
    Bytes(&'a [u8]),
    Int(i64),
}

impl Key {
    pub fn as_ref(&self) -> KeyRef<'_> {
        match self {
            Key::Str(s) => KeyRef::Str(s),
            Key::Bytes(b) => KeyRef::Bytes(b),
            Key::Int(i) => KeyRef::Int(*i),
        }
    }
}

impl KeyRef<'_> {
    pub fn to_owned(self) -> Key {
        match self {
            KeyRef::Str(s) => Key::Str(s.into()),
            KeyRef::Bytes(b) => Key::Bytes(b.into()),
            KeyRef::Int(i) => Key::Int(i),
        }
    }

    #[cfg(test)]
    /// A 64-bit hash of the key's type and content (`"1"`, `b"1"` and `1` are distinct keys).
    pub fn hash_with(self, builder: &impl std::hash::BuildHasher) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = builder.build_hasher();
        match self {
            KeyRef::Str(s) => {
                hasher.write_u8(0);
                s.hash(&mut hasher);
            }
            KeyRef::Bytes(b) => {
                hasher.write_u8(1);
                b.hash(&mut hasher);
            }
            KeyRef::Int(i) => {
                hasher.write_u8(2);
                hasher.write_i64(i);
            }
        }
        hasher.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_and_borrowed_hash_alike_and_types_differ() {
        let builder = std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default();
        let owned = Key::Str("1".into());
        assert_eq!(
            owned.as_ref().hash_with(&builder),
            KeyRef::Str("1").hash_with(&builder)
        );
        assert_ne!(
            KeyRef::Str("1").hash_with(&builder),
            KeyRef::Bytes(b"1").hash_with(&builder)
        );
        assert_ne!(KeyRef::Int(1), KeyRef::Str("1"));
        assert_eq!(
            KeyRef::Bytes(b"ab").to_owned(),
            Key::Bytes(b"ab".to_vec().into())
        );
    }
}
