//! Byte comparison eight bytes at a time, the component's `memcmp`.
//!
//! wasi-libc's `memcmp` (musl's) compares one byte per loop iteration, and
//! every string comparison and ordered-map lookup in the core goes through
//! it: hcl-edit's object parser alone compares each new key with all the
//! earlier ones, which made `memcmp` over half of the component's time on a
//! 5,000-account common.tfvars (issue 10; natively, glibc's SIMD `memcmp`
//! does the same work several times faster). `wasm.rs` defines the
//! `memcmp` and `bcmp` symbols with this function, which keeps the linker
//! from taking libc's. It is compiled on every target so that the native
//! tests check it against the slice comparison.

/// Compares `n` bytes as C's `memcmp` does: negative, zero or positive as
/// the first differing byte (unsigned) of `a` is lower, equal or higher.
/// Words are read big-endian, so comparing them as integers orders them as
/// their bytes.
///
/// # Safety
/// `a` and `b` must be valid for reads of `n` bytes.
#[inline(always)]
#[cfg_attr(not(target_family = "wasm"), allow(dead_code))] // natively: the tests only
pub unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i + 8 <= n {
        // SAFETY: i + 8 <= n, and the caller guarantees n readable bytes.
        let (x, y) = unsafe {
            (
                u64::from_be_bytes(a.add(i).cast::<[u8; 8]>().read_unaligned()),
                u64::from_be_bytes(b.add(i).cast::<[u8; 8]>().read_unaligned()),
            )
        };
        if x != y {
            return if x < y { -1 } else { 1 };
        }
        i += 8;
    }
    while i < n {
        // SAFETY: i < n.
        let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        i += 1;
    }
    0
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use proptest::prelude::*;

    use super::*;

    fn ordering(a: &[u8], b: &[u8]) -> Ordering {
        let n = a.len().min(b.len());
        // SAFETY: both slices hold at least n bytes.
        unsafe { compare(a.as_ptr(), b.as_ptr(), n) }.cmp(&0)
    }

    #[test]
    fn orders_as_bytes_do() {
        assert_eq!(ordering(b"", b""), Ordering::Equal);
        assert_eq!(ordering(b"profile bb-a-oaar", b"profile bb-b-oaar"), Ordering::Less);
        assert_eq!(ordering(b"profile bb-b-oaar", b"profile bb-a-oaar"), Ordering::Greater);
        assert_eq!(
            ordering(b"\xff\x00\x00\x00\x00\x00\x00\x00", b"\x01"),
            Ordering::Greater
        );
        assert_eq!(ordering(b"12345678\x80", b"12345678\x7f"), Ordering::Greater);
        assert_eq!(
            ordering(b"same bytes, same length", b"same bytes, same length"),
            Ordering::Equal
        );
    }

    proptest! {
        #[test]
        fn agrees_with_slice_comparison(prefix in proptest::collection::vec(any::<u8>(), 0..40),
                                        a in proptest::collection::vec(any::<u8>(), 0..20),
                                        b in proptest::collection::vec(any::<u8>(), 0..20)) {
            let x = [prefix.as_slice(), a.as_slice()].concat();
            let y = [prefix.as_slice(), b.as_slice()].concat();
            let n = x.len().min(y.len());
            prop_assert_eq!(ordering(&x, &y), x[..n].cmp(&y[..n]));
        }
    }
}
