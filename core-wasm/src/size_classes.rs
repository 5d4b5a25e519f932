//! A cache of freed small blocks in front of the component's allocator.
//!
//! The planning step allocates and frees a great many small blocks: lines,
//! keys and values, libyaml's events and serde_yaml's nodes. Talc, the
//! component's allocator, searches its bins and merges neighbours on every
//! call, which made `allocate` and `deallocate` together about an eighth of
//! the component's time on row 5 of the benchmark (issue 10, measured with
//! `tests/bench/src/bin/profile.rs`). Natively, glibc's per-thread caches
//! do what this does.
//!
//! [`SizeClasses`] rounds each request of up to [`LARGEST`] bytes (alignment
//! up to [`GRAIN`]) up to a multiple of [`GRAIN`], its class, and keeps one
//! free list per class, linked through the freed blocks themselves. A
//! request pops the list of its class, or else cuts a new block from the
//! current [`CHUNK`]-byte chunk taken from the inner allocator; a freed
//! block is pushed back on its list and never returned to the inner
//! allocator. Larger or more aligned requests go straight to the inner
//! allocator. The component lives for one run, so
//! what the lists hold is bounded by the run's peak of small blocks of each
//! class; row 4's peak RSS (issue 10) shows the cost.
//!
//! It is compiled on every target so that the native tests exercise it over
//! the system allocator; only the `wasm32` build installs it.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};

/// The class width and the largest alignment served from the classes.
pub const GRAIN: usize = 16;
/// The largest request served from the classes.
pub const LARGEST: usize = 512;
/// How much new small blocks are cut from at a time.
pub const CHUNK: usize = 64 * 1024;
const CLASSES: usize = LARGEST / GRAIN;

/// A free-list cache of small blocks over the allocator `A`.
pub struct SizeClasses<A> {
    inner: A,
    /// Guards `state`. The component is single-threaded, so it is never
    /// contended there; it makes the type sound on any target.
    busy: AtomicBool,
    state: UnsafeCell<State>,
}

struct State {
    /// The first free block of each class, or null. Each free block starts
    /// with the pointer to the next one.
    heads: [*mut u8; CLASSES],
    /// The unused rest of the current chunk: `next..end` (both 0 at first).
    next: usize,
    end: usize,
}

// SAFETY: `state` is only touched while `busy` is held, and the blocks it
// links are owned by the cache until handed out.
unsafe impl<A: Sync> Sync for SizeClasses<A> {}

impl<A: GlobalAlloc> SizeClasses<A> {
    pub const fn new(inner: A) -> Self {
        Self {
            inner,
            busy: AtomicBool::new(false),
            state: UnsafeCell::new(State {
                heads: [ptr::null_mut(); CLASSES],
                next: 0,
                end: 0,
            }),
        }
    }

    /// The class of `layout`, or `None` when the inner allocator serves it.
    #[inline(always)]
    fn class(layout: Layout) -> Option<usize> {
        if layout.align() <= GRAIN && layout.size() <= LARGEST {
            Some(layout.size().max(1).div_ceil(GRAIN) - 1)
        } else {
            None
        }
    }

    #[inline(always)]
    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        while self
            .busy
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            std::hint::spin_loop();
        }
        // SAFETY: `busy` is held, so no other reference to `state` exists.
        let result = f(unsafe { &mut *self.state.get() });
        self.busy.store(false, Ordering::Release);
        result
    }

    /// A block of `class`: a free one taken off its list, or a new one cut
    /// from the chunk. Null when the inner allocator is out of memory.
    #[inline(always)]
    fn take(&self, class: usize) -> *mut u8 {
        self.with_state(|state| {
            let block = state.heads[class];
            if !block.is_null() {
                // SAFETY: a free block holds the next pointer at its start and
                // is GRAIN-aligned and at least GRAIN bytes long.
                state.heads[class] = unsafe { block.cast::<*mut u8>().read() };
                return block;
            }
            let size = (class + 1) * GRAIN;
            if state.end - state.next < size {
                // The rest of the old chunk (under LARGEST bytes) is left unused.
                // SAFETY: a non-zero size and a power-of-two alignment.
                let chunk = unsafe { self.inner.alloc(Layout::from_size_align_unchecked(CHUNK, GRAIN)) };
                if chunk.is_null() {
                    return chunk;
                }
                state.next = chunk as usize;
                state.end = state.next + CHUNK;
            }
            let block = state.next as *mut u8;
            state.next += size;
            block
        })
    }

    /// Puts `block`, of `class`, on its list.
    #[inline(always)]
    fn give_back(&self, class: usize, block: *mut u8) {
        self.with_state(|state| {
            // SAFETY: the caller gives the block up; it is GRAIN-aligned and at
            // least GRAIN bytes long.
            unsafe { block.cast::<*mut u8>().write(state.heads[class]) };
            state.heads[class] = block;
        })
    }
}

// SAFETY: every block handed out is at least as large and as aligned as its
// layout asks: classed blocks are GRAIN-aligned pieces of the class's size
// (≥ the request, align ≤ GRAIN) cut from GRAIN-aligned chunks, without
// overlap; the others come from `inner` with the caller's layout. A classed
// block is only ever reused for its own class and never given to
// `inner.dealloc`; an unclassed one always goes back to `inner` with the
// layout it was allocated with.
unsafe impl<A: GlobalAlloc> GlobalAlloc for SizeClasses<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match Self::class(layout) {
            Some(class) => self.take(class),
            // SAFETY: the caller's layout, passed on.
            None => unsafe { self.inner.alloc(layout) },
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match Self::class(layout) {
            Some(class) => self.give_back(class, ptr),
            // SAFETY: allocated by `inner` with this layout.
            None => unsafe { self.inner.dealloc(ptr, layout) },
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match Self::class(layout) {
            Some(_) => {
                // SAFETY: the caller's layout.
                let block = unsafe { self.alloc(layout) };
                if !block.is_null() {
                    // SAFETY: the block holds at least layout.size() bytes.
                    unsafe { block.write_bytes(0, layout.size()) };
                }
                block
            }
            // SAFETY: the caller's layout, passed on.
            None => unsafe { self.inner.alloc_zeroed(layout) },
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY (for the layout): the caller guarantees that new_size,
        // rounded up to the alignment, does not overflow isize.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (Self::class(layout), Self::class(new_layout)) {
            (Some(old), Some(new)) if old == new => ptr,
            // SAFETY: allocated by `inner` with `layout`; both unclassed.
            (None, None) => unsafe { self.inner.realloc(ptr, layout, new_size) },
            _ => {
                // SAFETY: a valid layout; `ptr` holds layout.size() bytes, the
                // new block new_size, and they do not overlap.
                unsafe {
                    let moved = self.alloc(new_layout);
                    if !moved.is_null() {
                        ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    moved
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::System;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn a_freed_small_block_is_reused_for_its_class_only() {
        let cache = SizeClasses::new(System);
        unsafe {
            let a = cache.alloc(layout(20, 8));
            cache.dealloc(a, layout(20, 8));
            // 17..=32 bytes share a class; 33 does not.
            let other = cache.alloc(layout(33, 8));
            assert_ne!(other, a);
            let same = cache.alloc(layout(32, 16));
            assert_eq!(same, a);
            cache.dealloc(same, layout(32, 16));
            cache.dealloc(other, layout(33, 8));
        }
    }

    #[test]
    fn blocks_are_aligned_distinct_and_hold_their_bytes() {
        let cache = SizeClasses::new(System);
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        unsafe {
            // Sizes around every class boundary, and beyond the largest class;
            // more than one chunk's worth in each round.
            for round in 0..3u8 {
                for size in (1..=LARGEST + 40).step_by(7) {
                    for align in [1, 2, 8, 16, 64] {
                        let l = layout(size, align);
                        let p = cache.alloc(l);
                        assert!(!p.is_null());
                        assert_eq!(p as usize % align, 0, "size {size} align {align}");
                        let fill = round ^ size as u8;
                        p.write_bytes(fill, size);
                        live.push((p, l, fill));
                    }
                }
                let mut spans: Vec<(usize, usize)> = live.iter().map(|(p, l, _)| (*p as usize, l.size())).collect();
                spans.sort();
                for pair in spans.windows(2) {
                    assert!(pair[0].0 + pair[0].1 <= pair[1].0, "blocks overlap: {pair:x?}");
                }
                for (p, l, fill) in &live {
                    assert!(std::slice::from_raw_parts(*p, l.size()).iter().all(|b| b == fill));
                }
                // Free every other block, so the next round reuses them.
                let mut kept = Vec::new();
                for (i, (p, l, fill)) in live.drain(..).enumerate() {
                    if i % 2 == 0 {
                        cache.dealloc(p, l);
                    } else {
                        kept.push((p, l, fill));
                    }
                }
                live = kept;
            }
            for (p, l, _) in live {
                cache.dealloc(p, l);
            }
        }
    }

    #[test]
    fn realloc_keeps_the_contents_across_classes_and_sizes() {
        let cache = SizeClasses::new(System);
        unsafe {
            let mut l = layout(3, 1);
            let mut p = cache.alloc(l);
            p.copy_from_nonoverlapping(b"abc".as_ptr(), 3);
            // Grow within a class, across classes, past the largest class and
            // back down again.
            for new_size in [10, 16, 17, 200, LARGEST, LARGEST + 1, 5000, 600, 100, 3] {
                p = cache.realloc(p, l, new_size);
                assert!(!p.is_null());
                l = layout(new_size, 1);
                assert_eq!(std::slice::from_raw_parts(p, 3), b"abc", "after growing to {new_size}");
            }
            cache.dealloc(p, l);
        }
    }

    #[test]
    fn zeroed_blocks_are_zero_even_when_reused() {
        let cache = SizeClasses::new(System);
        unsafe {
            let l = layout(48, 8);
            let p = cache.alloc(l);
            p.write_bytes(0xAB, 48);
            cache.dealloc(p, l);
            let z = cache.alloc_zeroed(l);
            assert_eq!(z, p);
            assert!(std::slice::from_raw_parts(z, 48).iter().all(|b| *b == 0));
            cache.dealloc(z, l);
        }
    }

    #[test]
    fn threads_share_it_safely() {
        let cache = SizeClasses::new(System);
        std::thread::scope(|s| {
            for t in 0..4u8 {
                let cache = &cache;
                s.spawn(move || unsafe {
                    for i in 0..2000usize {
                        let l = layout(1 + (i * 13) % 300, 8);
                        let p = cache.alloc(l);
                        p.write_bytes(t, l.size());
                        assert!(std::slice::from_raw_parts(p, l.size()).iter().all(|b| *b == t));
                        cache.dealloc(p, l);
                    }
                });
            }
        });
    }
}
