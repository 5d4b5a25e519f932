//! Threads that start at once, on another CPU.
//!
//! Linux often queues a new thread on the CPU of the thread that made it,
//! and an idle CPU (a VM's idle vCPU especially) may not pull it over for
//! milliseconds: measured on the 2-vCPU benchmark machine, 12 of 30 new
//! threads waited 0.6–3 ms for their busy parent to yield its CPU. A thread
//! made to overlap the parent's work is useless that way. Restricting the
//! new thread to the other CPUs moves it at once (30 of 30 started within
//! 0.2 ms); its first act is to give itself back every CPU it was allowed,
//! so it can still move if the other CPUs get busy. (On Linux; elsewhere
//! the thread is made as usual.)

use std::io;
use std::thread::JoinHandle;

/// Spawn `work` on a thread named `name`, started on a CPU other than the
/// caller's when there is one.
pub fn spawn_elsewhere<T, F>(name: &str, work: F) -> io::Result<JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    #[cfg(target_os = "linux")]
    return affinity::spawn_elsewhere(name, work);
    #[cfg(not(target_os = "linux"))]
    return std::thread::Builder::new().name(name.to_string()).spawn(work);
}

#[cfg(target_os = "linux")]
mod affinity {
    use std::io;
    use std::thread::JoinHandle;

    pub(super) fn spawn_elsewhere<T, F>(name: &str, work: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let allowed = allowed_cpus();
        // The thread widens its CPUs again only once they have been narrowed:
        // were it to run first, the narrowing would stick.
        let (narrowed, wait_until_narrowed) = std::sync::mpsc::sync_channel::<()>(1);
        let handle = std::thread::Builder::new().name(name.to_string()).spawn(move || {
            let _ = wait_until_narrowed.recv();
            if let Some(allowed) = allowed {
                allowed.apply_to_this_thread();
            }
            work()
        })?;
        if let Some(elsewhere) = allowed.and_then(CpuSet::without_current_cpu) {
            use std::os::unix::thread::JoinHandleExt;
            elsewhere.apply_to(handle.as_pthread_t());
        }
        let _ = narrowed.send(());
        Ok(handle)
    }

    #[derive(Clone, Copy)]
    struct CpuSet(libc::cpu_set_t);

    fn allowed_cpus() -> Option<CpuSet> {
        // SAFETY: a zeroed cpu_set_t is an empty set, and sched_getaffinity
        // writes at most the size given.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            (libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) == 0).then_some(CpuSet(set))
        }
    }

    impl CpuSet {
        fn count(&self) -> i32 {
            // SAFETY: the set is a valid cpu_set_t.
            unsafe { libc::CPU_COUNT(&self.0) }
        }

        /// This set minus the CPU the caller runs on, if that leaves any.
        fn without_current_cpu(mut self) -> Option<CpuSet> {
            // SAFETY: sched_getcpu has no preconditions; CPU_ISSET and CPU_CLR
            // are given an index checked to be within the set.
            unsafe {
                let current = usize::try_from(libc::sched_getcpu()).ok()?;
                if current >= libc::CPU_SETSIZE as usize || !libc::CPU_ISSET(current, &self.0) || self.count() < 2 {
                    return None;
                }
                libc::CPU_CLR(current, &mut self.0);
            }
            Some(self)
        }

        /// Best effort: a failure leaves the thread where the kernel put it.
        fn apply_to(&self, thread: libc::pthread_t) {
            // SAFETY: `thread` belongs to a JoinHandle still held, so it is not
            // yet joined or detached and names a valid thread.
            unsafe {
                libc::pthread_setaffinity_np(thread, std::mem::size_of::<libc::cpu_set_t>(), &self.0);
            }
        }

        fn apply_to_this_thread(&self) {
            // SAFETY: 0 is the calling thread; the set is a valid cpu_set_t.
            unsafe {
                libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &self.0);
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_thread_runs_and_ends_with_every_cpu_allowed() {
            let before = allowed_cpus().map(|s| s.count());
            let handle = spawn_elsewhere("test", move || {
                let inside = allowed_cpus().map(|s| s.count());
                (inside, 6 * 7)
            })
            .unwrap();
            let (inside, value) = handle.join().unwrap();
            assert_eq!(value, 42);
            assert_eq!(inside, before, "the thread gave itself back every CPU its parent had");
        }

        #[test]
        fn without_the_current_cpu_removes_one_cpu_or_gives_up() {
            let Some(all) = allowed_cpus() else { return };
            let count = all.count();
            match all.without_current_cpu() {
                Some(less) => assert_eq!(less.count(), count - 1),
                None => assert!(count < 2 || unsafe { libc::sched_getcpu() } < 0),
            }
        }
    }
}
