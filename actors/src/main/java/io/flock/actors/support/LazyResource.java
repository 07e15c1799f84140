package io.flock.actors.support;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A native resource (a DJL model) owned by one actor but created and used on the blocking
 * dispatcher, lazily, by the task that first needs it. Closing must never free native memory under
 * a running task, and a task may still be creating the resource when its owner stops: {@link
 * #closeAfter} closes whatever exists once the task is done.
 *
 * @param <T> the resource type
 */
public final class LazyResource<T extends AutoCloseable> {

  private final Supplier<T> factory;
  // Written on the blocking dispatcher, read on the owner's thread: volatile.
  private volatile T instance;

  public LazyResource(Supplier<T> factory) {
    this.factory = factory;
  }

  /** The resource, created on first use. Call from one task at a time. */
  public T get() {
    T current = instance;
    if (current == null) {
      current = factory.get();
      instance = current;
    }
    return current;
  }

  /** Closes the resource now, or once {@code inFlight} is done when it is still running. */
  public void closeAfter(CompletableFuture<?> inFlight) {
    if (inFlight != null && !inFlight.isDone()) {
      inFlight.whenComplete((r, e) -> closeNow());
    } else {
      closeNow();
    }
  }

  private void closeNow() {
    T toClose = instance;
    instance = null;
    if (toClose != null) {
      try {
        toClose.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing " + toClose.getClass().getSimpleName() + " failed", e);
      }
    }
  }
}
