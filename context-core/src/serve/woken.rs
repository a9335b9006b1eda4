//! A side future that is polled only when it asked to be.
//!
//! A connection's task is woken for every request (the socket became readable, the response was
//! written). `tokio::select!` polls every branch on every wake, so the connection's watcher (its
//! deadline timer and the server's phase channel) was polled once a request for nothing: a few hundred
//! instructions a request spent re-registering a timer and a channel that had not changed.
//! [`WokenOnly`] gives the side future a waker of its own, and polls it only after that waker fired.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

/// Whether the side future's waker fired, and the task to wake when it does.
struct Flag {
    woken: AtomicBool,
    /// Kept, not taken, when woken (unlike an `AtomicWaker`): the task's waker is registered again
    /// only when it changes, which for a task's whole life it does not.
    task: Mutex<Option<Waker>>,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        let task = self.task.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(task) = task.as_ref() {
            task.wake_by_ref();
        }
    }
}

/// Polls a side future only when its own waker fired since its last poll (and on its first poll).
pub(super) struct WokenOnly {
    flag: Arc<Flag>,
    waker: Waker,
    /// The task waker last handed to `flag.task`: registering again is skipped while it stays the
    /// same (it is the same for every poll of one task).
    registered: Option<Waker>,
}

impl WokenOnly {
    pub(super) fn new() -> Self {
        let flag = Arc::new(Flag {
            woken: AtomicBool::new(true),
            task: Mutex::new(None),
        });
        WokenOnly {
            waker: Waker::from(flag.clone()),
            flag,
            registered: None,
        }
    }

    /// Marks the side future as due for a poll: call it when a new side future replaces the old one.
    pub(super) fn reset(&mut self) {
        self.flag.woken.store(true, Ordering::Relaxed);
    }

    /// Polls `future` if its waker fired since its last poll; else `Pending` without polling it.
    pub(super) fn poll<F: Future>(
        &mut self,
        future: Pin<&mut F>,
        cx: &mut Context<'_>,
    ) -> Poll<F::Output> {
        if !self
            .registered
            .as_ref()
            .is_some_and(|registered| registered.will_wake(cx.waker()))
        {
            *self
                .flag
                .task
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(cx.waker().clone());
            self.registered = Some(cx.waker().clone());
        }
        // A plain load first: on the hot path (the task woken for its connection) no atomic write.
        if !self.flag.woken.load(Ordering::Acquire)
            || !self.flag.woken.swap(false, Ordering::Acquire)
        {
            return Poll::Pending;
        }
        future.poll(&mut Context::from_waker(&self.waker))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;
    use std::sync::atomic::AtomicUsize;

    /// A future that counts its polls and stays pending, keeping the last waker it was given.
    struct Counting {
        polls: Arc<AtomicUsize>,
        waker: Arc<std::sync::Mutex<Option<Waker>>>,
    }

    impl Future for Counting {
        type Output = ();
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            self.polls.fetch_add(1, Ordering::Relaxed);
            *self.waker.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        }
    }

    async fn poll_once(woken_only: &mut WokenOnly, side: &mut Counting) {
        poll_fn(|cx| {
            let _ = woken_only.poll(Pin::new(&mut *side), cx);
            Poll::Ready(())
        })
        .await;
    }

    #[tokio::test]
    async fn the_side_future_is_polled_first_and_then_only_after_its_waker_fired() {
        let polls = Arc::new(AtomicUsize::new(0));
        let waker = Arc::new(std::sync::Mutex::new(None));
        let mut side = Counting {
            polls: polls.clone(),
            waker: waker.clone(),
        };
        let mut woken_only = WokenOnly::new();
        poll_once(&mut woken_only, &mut side).await;
        assert_eq!(
            polls.load(Ordering::Relaxed),
            1,
            "the first poll reaches it"
        );
        poll_once(&mut woken_only, &mut side).await;
        poll_once(&mut woken_only, &mut side).await;
        assert_eq!(polls.load(Ordering::Relaxed), 1, "not woken: not polled");
        waker.lock().unwrap().take().unwrap().wake();
        poll_once(&mut woken_only, &mut side).await;
        assert_eq!(polls.load(Ordering::Relaxed), 2, "woken: polled once");
        poll_once(&mut woken_only, &mut side).await;
        assert_eq!(polls.load(Ordering::Relaxed), 2);
    }

    #[tokio::test]
    async fn the_side_futures_waker_wakes_the_task() {
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<u32>();
        let mut woken_only = WokenOnly::new();
        let task = tokio::spawn(async move {
            let mut sum = 0;
            // Three wakes by the side future's waker, each a fresh one: a waker taken out on the
            // first wake would leave the later ones lost.
            for _ in 0..3 {
                let mut recv = std::pin::pin!(receiver.recv());
                woken_only.reset();
                sum += poll_fn(|cx| woken_only.poll(recv.as_mut(), cx))
                    .await
                    .unwrap();
            }
            sum
        });
        for value in [1, 2, 3] {
            tokio::task::yield_now().await;
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            sender.send(value).unwrap();
        }
        // Only the side future's waker can wake the task: if it did not, this would hang.
        let sum = tokio::time::timeout(std::time::Duration::from_secs(5), task)
            .await
            .expect("the task was woken each time")
            .unwrap();
        assert_eq!(sum, 6);
    }
}
