//! How many bytes the page's wasm heap holds, counted by a thin wrapper around the
//! allocator, so a run can stop before the tab runs out of memory: the step cap alone does
//! not bound a history whose steps each record a whole big container.

#[cfg(target_arch = "wasm32")]
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    pub static IN_USE: AtomicUsize = AtomicUsize::new(0);

    pub struct Counting;

    // SAFETY: every call is passed on to the system allocator unchanged; only a counter
    // is updated beside it.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc(layout) };
            if !p.is_null() {
                IN_USE.fetch_add(layout.size(), Relaxed);
            }
            p
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc_zeroed(layout) };
            if !p.is_null() {
                IN_USE.fetch_add(layout.size(), Relaxed);
            }
            p
        }

        unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
            unsafe { System.dealloc(p, layout) };
            IN_USE.fetch_sub(layout.size(), Relaxed);
        }

        unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let q = unsafe { System.realloc(p, layout, new_size) };
            if !q.is_null() {
                IN_USE.fetch_add(new_size, Relaxed);
                IN_USE.fetch_sub(layout.size(), Relaxed);
            }
            q
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;
}

/// Bytes allocated and not yet freed (0 when not running in a browser: nothing is counted).
pub fn bytes_in_use() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        counting::IN_USE.load(std::sync::atomic::Ordering::Relaxed)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}
